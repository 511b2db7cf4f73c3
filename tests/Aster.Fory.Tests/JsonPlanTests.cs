using System.Text;
using Aster.Fory.Json;

namespace Aster.Fory.Tests.JsonPlans;

public enum Color
{
    Red = 1,
    Green = 2,
}

[WireType("t/Leaf")]
public sealed record Leaf(string Name, int Value)
{
    public double? Extra { get; init; }
}

[WireType("t/Tree")]
public sealed record Tree(string Name, List<Tree> Children);

[WireType("t/AllKinds")]
public sealed record AllKinds(
    bool Flag, sbyte I8, short I16, int I32, long I64, byte U8, ushort U16, uint U32, ulong U64, float F32, double F64, string Text,
    Color Color, [property: WireName("guid")] Guid Id, byte[] Blob, DateTime When, DateTimeOffset WhenOffset, DateOnly Day, int? Opt, long? Maybe, ReadOnlyMemory<byte> Mem,
    List<Leaf> Leaves, List<string?> Names, HashSet<int> Set, Dictionary<string, Leaf> ByName, Dictionary<int, string> IntKeys,
    Dictionary<Color, double> ColorKeys, double[] Doubles, Tree Tree);

/// <summary>
/// The JSON mode's cached per-type plans: every value kind written byte for byte as before the plans existed (the
/// expected text was produced by the reflection implementation they replace), read back, and used from many threads.
/// </summary>
public sealed class JsonPlanTests
{
    private const string AllKindsJson = "{\"flag\":true,\"i8\":-5,\"i16\":-300,\"i32\":-70000,\"i64\":-5000000000,\"u8\":200,\"u16\":60000,\"u32\":4000000000,\"u64\":18000000000000000000,\"f32\":1.5,\"f64\":0.1,\"text\":\"h\\u00e9llo \\\"q\\\" \\\\ \\n\\t\\u0001 \\ud83d\\ude00 /\",\"color\":2,\"guid\":\"0f8fad5b-d9cb-469f-a165-70867728950e\",\"blob\":\"AQL/\",\"when\":\"2024-04-10T12:30:45.12Z\",\"when_offset\":\"2024-04-10T10:30:45Z\",\"day\":\"2024-04-10\",\"opt\":7,\"maybe\":null,\"mem\":\"CQg=\",\"leaves\":[{\"name\":\"a\",\"value\":1,\"extra\":null},{\"name\":\"b\",\"value\":2,\"extra\":null}],\"names\":[\"x\",null],\"set\":[3,1],\"by_name\":{\"k\":{\"name\":\"c\",\"value\":3,\"extra\":null}},\"int_keys\":{\"5\":\"five\"},\"color_keys\":{\"Red\":1e+20},\"doubles\":[1.0,1e-05,1.2345678901234568e+17,-0.0],\"tree\":{\"name\":\"root\",\"children\":[{\"name\":\"kid\",\"children\":[]}]}}";

    private static AllKinds Sample() => new(
        true, -5, -300, -70000, -5000000000, 200, 60000, 4000000000, 18000000000000000000, 1.5f, 0.1, "héllo \"q\" \\ \n\t\u0001 😀 /",
        Color.Green, Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), [1, 2, 255], new DateTime(2024, 4, 10, 12, 30, 45, 120, DateTimeKind.Utc),
        new DateTimeOffset(2024, 4, 10, 12, 30, 45, TimeSpan.FromHours(2)), new DateOnly(2024, 4, 10), 7, null, new ReadOnlyMemory<byte>([9, 8]),
        [new Leaf("a", 1), new Leaf("b", 2)], ["x", null], [3, 1], new() { ["k"] = new Leaf("c", 3) },
        new() { [5] = "five" }, new() { [Color.Red] = 1e20 }, [1.0, 1e-5, 123456789012345680.0, -0.0], new Tree("root", [new Tree("kid", [])]));

    private static string Json<T>(T value) => Encoding.UTF8.GetString(ForyJson.Serialize(value));

    private static T Read<T>(string json) => ForyJson.Deserialize<T>(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void EveryKind_WritesPinnedText()
    {
        Assert.Equal(AllKindsJson, Json(Sample()));
    }

    [Fact]
    public void EveryKind_RoundTrips()
    {
        AllKinds back = Read<AllKinds>(AllKindsJson);

        Assert.Equal(AllKindsJson, Json(back));
        Assert.Equal(Sample().Text, back.Text);
        Assert.Equal(Sample().When, back.When);
        Assert.Equal([1, 3], back.Set.Order());
        Assert.Equal("kid", back.Tree.Children[0].Name);
    }

    [Fact]
    public void NestedUnknownKey_ReportsItsPath()
    {
        ForyJsonContractException e = Assert.Throws<ForyJsonContractException>(
            () => Read<Tree>("{\"name\":\"t\",\"children\":[{\"name\":\"k\",\"children\":[{\"bad\":1}]}]}"));

        Assert.Equal("$.children[0].children[0]", e.Location);
        Assert.Equal(["bad"], e.UnexpectedFields);
        Assert.Equal("t/Tree", e.ExpectedClass);
    }

    [Theory]
    [InlineData("{\"name\":5}", "expected a string at $.name")]
    [InlineData("{\"value\":null}", "null for a non-nullable value at $.value")]
    [InlineData("{\"name\":null}", "null for non-nullable name at $")]
    [InlineData("[1]", "expected an object for t/Leaf at $")]
    public void WrongValue_NamesThePath(string json, string message)
    {
        ForyDecodeException e = Assert.Throws<ForyDecodeException>(() => Read<Leaf>(json));

        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"color\":9}", "unknown enum value 9 at $.color")]
    [InlineData("{\"color\":\"purple\"}", "unknown enum member at $.color")]
    [InlineData("{\"int_keys\":{\"x\":\"a\"}}", "invalid map key 'x' at $.int_keys")]
    [InlineData("{\"int_keys\":{\"1\":\"a\",\"1\":\"b\"}}", "duplicate map key '1' at $.int_keys")]
    [InlineData("{\"i8\":300}", "invalid JSON value at $.i8")]
    public void WrongMember_NamesThePath(string json, string message)
    {
        ForyDecodeException e = Assert.Throws<ForyDecodeException>(() => Read<AllKinds>(json));

        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NullNonNullableMember_ThrowsOnWrite()
    {
        ForyEncodeException e = Assert.Throws<ForyEncodeException>(() => ForyJson.Serialize(new Leaf(null!, 1)));

        Assert.Contains("member Name is null", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeepNesting_ThrowsOnWrite()
    {
        Tree deep = new("leaf", []);
        for (int i = 0; i < 80; i++)
        {
            deep = new Tree("n", [deep]);
        }

        Assert.Throws<ForyEncodeException>(() => ForyJson.Serialize(deep));
    }

    [Fact]
    public void ManyThreads_SameBytes()
    {
        string[] results = new string[64];
        Parallel.For(0, results.Length, i => results[i] = Json(Read<AllKinds>(AllKindsJson)));

        Assert.All(results, r => Assert.Equal(AllKindsJson, r));
    }
}

/// <summary>The allocation-free double path of the JSON writer against <see cref="PythonJsonText.FormatDouble"/>.</summary>
public sealed class JsonDoubleTests
{
    private static string Fast(double value)
    {
        System.Buffers.ArrayBufferWriter<byte> buffer = new();
        IO.ForyWriter w = new(buffer);
        JsonDoubles.Write(ref w, value);
        w.Flush();
        return Encoding.ASCII.GetString(buffer.WrittenSpan);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.1)]
    [InlineData(1e-4)]
    [InlineData(9.99e-5)]
    [InlineData(1e15)]
    [InlineData(1e16)]
    [InlineData(-123.456)]
    [InlineData(1732233600.25)]
    [InlineData(double.Epsilon)]
    [InlineData(double.MaxValue)]
    [InlineData(-0.0)]
    public void Boundaries_MatchPythonRepr(double value)
    {
        Assert.Equal(PythonJsonText.FormatDouble(value), Fast(value));
    }

    [Fact]
    public void Property_AnyFiniteDouble_MatchesPythonRepr()
    {
        FsCheck.Config config = FsCheck.Config.QuickThrowOnFailure.WithMaxTest(20_000);
        FsCheck.Check.One(config, FsCheck.Fluent.Prop.ForAll(FsCheck.Fluent.ArbMap.Default.ArbFor<long>(), bits =>
        {
            double d = BitConverter.Int64BitsToDouble(bits);
            return !double.IsFinite(d) || PythonJsonText.FormatDouble(d) == Fast(d);
        }));
        FsCheck.Check.One(config, FsCheck.Fluent.Prop.ForAll(FsCheck.Fluent.ArbMap.Default.ArbFor<double>(), d =>
            !double.IsFinite(d) || PythonJsonText.FormatDouble(d) == Fast(d)));
        FsCheck.Check.One(config, FsCheck.Fluent.Prop.ForAll(FsCheck.Fluent.ArbMap.Default.ArbFor<int>(), FsCheck.Fluent.ArbMap.Default.ArbFor<int>(), (a, b) =>
        {
            double d = a / (double)(b == 0 ? 1 : b) * 1000.0;
            return PythonJsonText.FormatDouble(d) == Fast(d);
        }));
    }
}
