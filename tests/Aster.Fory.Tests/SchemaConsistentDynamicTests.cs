using Aster.Fory.Dynamic;
using Aster.Fory.Protocol;
using Aster.Fory.Types;
using Aster.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Fory.Tests.SchemaConsistent;

/// <summary>
/// The schema-less reader on schema-consistent messages (B12): layouts from a <see cref="ForySchemaSet"/>, checked
/// against the schema hash. The B12 StreamHeader worked example is the byte vector (the 0.1.2 payload vectors are not
/// in ../shared/vectors/fory/).
/// </summary>
public sealed class SchemaConsistentDynamicTests
{
    private const string StreamHeaderExample = "02ff1d08016c129922120476538900ce9c801922a40518de" + "000002" + "2c746573742d63616c6c2d31" + "106563686f" + "104563686f" + "0000";

    private static readonly ForySerializer _legacy = new ForySerializer(ForyOptions.Release012)
        .Register<Release012StreamHeader>().Register<Outer>().Register<LongNames>();

    private static readonly ForySerializer _current = new ForySerializer().Register<Outer>();

    private static readonly ForySchemaSet _schemas = ForySchemaSet.From(_legacy);

    [Fact]
    public void StreamHeaderExample_ReadsIntoValueTree()
    {
        ForyStruct s = Assert.IsType<ForyStruct>(ForyDynamic.Read(Hex.Decode(StreamHeaderExample), _schemas));

        Assert.Equal("_aster/StreamHeader", s.Tag);
        Assert.Equal("Echo", Assert.IsType<ForyString>(s["service"]).Value);
        Assert.Equal("echo", Assert.IsType<ForyString>(s["method"]).Value);
        Assert.Equal(1, Assert.IsType<ForyInt>(s["version"]).Value);
        Assert.Equal("test-call-1", Assert.IsType<ForyString>(s["callId"]).Value);
        Assert.Equal(0, Assert.IsType<ForyInt>(s["deadlineEpochMs"]).Value);
        Assert.Equal(0, Assert.IsType<ForyInt>(s["serializationMode"]).Value);
        Assert.Empty(Assert.IsType<ForyList>(s["metadataKeys"]).Items);
        Assert.Empty(Assert.IsType<ForyList>(s["metadataValues"]).Items);
        Assert.Equal(
            ["deadlineEpochMs", "serializationMode", "version", "callId", "method", "service", "metadataKeys", "metadataValues"],
            s.Fields.Select(f => f.Name));
    }

    [Fact]
    public void LayoutFromPrototype_EqualsLayoutFromRegisteredType()
    {
        ForyFieldType str = new(ForyTypeId.String);
        ForyFieldType int64 = new(ForyTypeId.VarInt64);
        ForyFieldType strings = new(ForyTypeId.List, element: str);
        ForyStruct prototype = new(
            "_aster",
            "StreamHeader",
            [
                new ForyField("service", str, ForyNull.Instance), new ForyField("method", str, ForyNull.Instance),
                new ForyField("version", int64, ForyNull.Instance), new ForyField("callId", str, ForyNull.Instance),
                new ForyField("deadlineEpochMs", int64, ForyNull.Instance), new ForyField("serializationMode", int64, ForyNull.Instance),
                new ForyField("metadataKeys", strings, ForyNull.Instance), new ForyField("metadataValues", strings, ForyNull.Instance),
            ]);
        byte[] bytes = _legacy.Serialize(new Release012StreamHeader { Service = "S", Method = "m", Version = 7, CallId = "c", MetadataKeys = ["k"], MetadataValues = ["v"] });

        ForyValue fromPrototype = ForyDynamic.Read(bytes, new ForySchemaSet().Add(prototype));

        Assert.Equal(ForyDynamic.Read(bytes, _schemas).ToString(), fromPrototype.ToString());
        Assert.Equal("[k]", ((ForyStruct)fromPrototype)["metadataKeys"]!.ToString());
    }

    [Fact]
    public void NestedRecords_ReadAsTheCompatibleModeTreeOfTheSameValue()
    {
        Outer value = new(new Inner("first", 1), [new Inner("a", 2), new Inner("b", -3)], new() { ["x"] = new Inner("x", 4) }, null, 1712764800000);

        ForyValue consistent = ForyDynamic.Read(_legacy.Serialize(value), _schemas);

        Assert.Equal(ForyDynamic.Read(_current.Serialize(value)).ToString(), consistent.ToString());
        ForyStruct first = Assert.IsType<ForyStruct>(((ForyStruct)consistent)["first"]);
        Assert.Equal("sc/Inner", first.Tag);
    }

    [Fact]
    public void LongHashedNames_Resolve()
    {
        ForyStruct s = Assert.IsType<ForyStruct>(ForyDynamic.Read(_legacy.Serialize(new LongNames("v")), _schemas));

        Assert.Equal("a_rather_long_namespace/AVeryLongTypeNameIndeed", s.Tag);
        Assert.Equal("v", s["value"]!.ToString());
    }

    [Fact]
    public void WithoutSchemaSet_ThrowsNamingIt()
    {
        ForyDecodeException e = Assert.Throws<ForyDecodeException>(() => ForyDynamic.Read(Hex.Decode(StreamHeaderExample)));

        Assert.Contains(nameof(ForySchemaSet), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownRecord_Throws()
    {
        ForyDecodeException e = Assert.Throws<ForyDecodeException>(() => ForyDynamic.Read(Hex.Decode(StreamHeaderExample), new ForySchemaSet()));

        Assert.Contains("_aster/StreamHeader", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OtherFields_ThrowNamingTheHash()
    {
        ForyStruct other = new("_aster", "StreamHeader", [new ForyField("service", new ForyFieldType(ForyTypeId.String), ForyNull.Instance)]);

        ForyDecodeException e = Assert.Throws<ForyDecodeException>(() => ForyDynamic.Read(Hex.Decode(StreamHeaderExample), new ForySchemaSet().Add(other)));

        Assert.Contains("schema hash 0xde1805a4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CompatibleOptions_AreRefused() =>
        Assert.Throws<ArgumentException>(() => ForyDynamic.Read(Hex.Decode(StreamHeaderExample), _schemas, ForyOptions.Default));

    [Fact]
    public void ValueTreeWriter_RefusesSchemaConsistentOptions()
    {
        ForyValue tree = ForyDynamic.Read(Hex.Decode(StreamHeaderExample), _schemas);

        Assert.Throws<NotSupportedException>(() => ForyDynamic.Write(tree, ForyOptions.Release012));
    }

    [Fact]
    public void EveryTruncation_ThrowsDecodeException()
    {
        byte[] bytes = _legacy.Serialize(new Outer(new Inner("i", 1), [new Inner("j", 2)], new() { ["k"] = new Inner("k", 3) }, "note", 9));
        for (int n = 0; n < bytes.Length; n++)
        {
            Assert.Throws<ForyDecodeException>(() => ForyDynamic.Read(bytes.AsSpan(0, n), _schemas));
        }
    }

    [Fact]
    public void Property_TreeEqualsCompatibleModeTree()
    {
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(1_000),
            Prop.ForAll(
                ArbMap.Default.ArbFor<NonNull<string>>(),
                ArbMap.Default.ArbFor<int[]>(),
                ArbMap.Default.ArbFor<long>(),
                (label, counts, stamp) =>
                {
                    string? note = (stamp & 1) == 0 ? null : label.Get + "!";
                    List<Inner> items = [.. (counts ?? []).Select(c => new Inner(label.Get, c))];
                    Dictionary<string, Inner> byName = items.Select((x, i) => (i, x)).ToDictionary(p => p.i.ToString(System.Globalization.CultureInfo.InvariantCulture), p => p.x);
                    Outer value = new(new Inner(label.Get, counts?.Length ?? 0), items, byName, note, stamp);
                    return ForyDynamic.Read(_legacy.Serialize(value), _schemas).ToString() == ForyDynamic.Read(_current.Serialize(value)).ToString();
                }));
    }

    [Fact]
    public void Property_SplicedBytes_OnlyDecodeExceptions()
    {
        byte[] valid = _legacy.Serialize(new Outer(new Inner("i", 1), [new Inner("j", 2)], new() { ["k"] = new Inner("k", 3) }, null, 9));
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(5_000),
            Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), ArbMap.Default.ArbFor<int>(), (noise, at) =>
            {
                int cut = (int)((uint)at % (uint)(valid.Length + 1));
                byte[] input = [.. valid.AsSpan(0, cut), .. noise ?? []];
                try
                {
                    _ = ForyDynamic.Read(input, _schemas);
                }
                catch (ForyDecodeException)
                {
                }

                return true;
            }));
    }
}
