using Aster.Fory.Serialization;
using Aster.Fory.Tests.Examples;
using Aster.Fory.Tests.Generated;
using Aster.Fory.Types;
using Aster.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Fory.Tests;

/// <summary>
/// The source-generated serializers against the reflection-built ones: same bytes for every vector and contract type,
/// each decodes what the other wrote, random values round-trip, and a disagreeing generated serializer is ignored.
/// </summary>
public sealed class GeneratedSerializerTests
{
    private static readonly Type[] _extraTypes = [typeof(Flat), typeof(Positional), typeof(Pair), typeof(PrivateSetter)];
    private static readonly ForySerializer _generated = Create(true);
    private static readonly ForySerializer _runtime = Create(false);

    private static ForySerializer Create(bool useGenerated)
    {
        ForySerializer s = TypedVectorTests.CreateSerializer(new ForyOptions { UseGeneratedSerializers = useGenerated });
        foreach (Type t in _extraTypes)
        {
            s.Register(t);
        }

        return s;
    }

    private static byte[] Serialize(ForySerializer s, Type t, object value) =>
        (byte[])typeof(ForySerializer).GetMethods().Single(m => m.Name == "Serialize" && m.GetParameters().Length == 1)
            .MakeGenericMethod(t).Invoke(s, [value])!;

    private static bool MayHoldRecords(ForyFieldType t) =>
        t.IsRecord || t.TypeId == ForyTypeId.Unknown || (t.Element is { } e && MayHoldRecords(e)) || (t.Key is { } k && MayHoldRecords(k));

    [Fact]
    public void EveryRegisteredType_UsesItsGeneratedSerializer()
    {
        List<IRecordCodec> codecs = _generated.RecordCodecs.ToList();
        Assert.True(codecs.Count >= TypedVectorTests.Types.Count + _extraTypes.Length);
        foreach (IRecordCodec codec in codecs)
        {
            Assert.True(codec.UsesGenerated, $"{codec.Model.Tag} is written by the runtime codec");

            // The generator reads records whose members hold no records and that it can construct.
            bool expectReads = !codec.Model.Fields.Any(f => MayHoldRecords(f.FieldType)) && codec.Model.ClrType != typeof(PrivateSetter);
            Assert.True(expectReads == codec.ReadsGenerated, $"{codec.Model.Tag}: reads generated {codec.ReadsGenerated}, expected {expectReads}");
        }

        Assert.All(_runtime.RecordCodecs, c => Assert.False(c.UsesGenerated));
    }

    [VectorTheory]
    [MemberData(nameof(TypedVectorTests.Ids), MemberType = typeof(TypedVectorTests))]
    public void Vector_GeneratedAndRuntime_SameBytesAndCrossDecode(string id)
    {
        ForyVector v = ForyVector.Get(id);
        Type t = TypedVectorTests.Types[v.RootType];
        object value = TypedCall.Deserialize(_runtime, t, v.Bytes)!;
        AssertSameBothWays(t, value);
        object viaGenerated = TypedCall.Deserialize(_generated, t, v.Bytes)!;
        Assert.Equal(Hex.Encode(Serialize(_runtime, t, value)), Hex.Encode(Serialize(_runtime, t, viaGenerated)));
    }

    private static void AssertSameBothWays(Type t, object value)
    {
        byte[] runtimeBytes = Serialize(_runtime, t, value);
        byte[] generatedBytes = Serialize(_generated, t, value);
        Assert.Equal(Hex.Encode(runtimeBytes), Hex.Encode(generatedBytes));
        object fromRuntime = TypedCall.Deserialize(_generated, t, runtimeBytes)!;
        object fromGenerated = TypedCall.Deserialize(_runtime, t, generatedBytes)!;
        Assert.Equal(Hex.Encode(runtimeBytes), Hex.Encode(Serialize(_runtime, t, fromRuntime)));
        Assert.Equal(Hex.Encode(runtimeBytes), Hex.Encode(Serialize(_generated, t, fromGenerated)));
    }

    [Fact]
    public void Property_Flat_RandomValues_SameBytesAndRoundTrip()
    {
        long[] edges = [0, 1, -1, 63, 64, -64, -65, 127, 128, 255, 256, 16383, 16384, int.MaxValue, int.MinValue, uint.MaxValue, long.MaxValue, long.MinValue];
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(3_000),
            Prop.ForAll(
                ArbMap.Default.ArbFor<NonNull<string>>(),
                ArbMap.Default.ArbFor<string>(),
                ArbMap.Default.ArbFor<int>(),
                (text, maybe, seed) =>
                {
                    Random rng = new(seed);
                    long Pick() => rng.Next(3) == 0 ? edges[rng.Next(edges.Length)] : rng.NextInt64(long.MinValue, long.MaxValue);
                    Flat flat = new()
                    {
                        B = rng.Next(2) == 1,
                        I8 = (sbyte)Pick(),
                        U8 = (byte)Pick(),
                        I16 = (short)Pick(),
                        U16 = (ushort)Pick(),
                        I32 = (int)Pick(),
                        F32 = (int)Pick(),
                        U32 = (uint)Pick(),
                        FU32 = (uint)Pick(),
                        I64 = Pick(),
                        F64 = Pick(),
                        U64 = (ulong)Pick(),
                        FU64 = (ulong)Pick(),
                        R32 = (float)BitConverter.Int32BitsToSingle((int)Pick()),
                        R64 = BitConverter.Int64BitsToDouble(Pick()),
                        S = text.Get,
                        NS = maybe,
                        NI = rng.Next(2) == 0 ? null : (int)Pick(),
                        NF64 = rng.Next(2) == 0 ? null : Pick(),
                        NB = rng.Next(3) switch { 0 => null, 1 => true, _ => false },
                        ND = rng.Next(2) == 0 ? null : rng.NextDouble(),
                        M = (Mood)rng.Next(2),
                        NM = rng.Next(2) == 0 ? null : Mood.Busy,
                        L = [text.Get, maybe ?? "", "x"],
                        D = rng.Next(2) == 0 ? null : new() { [text.Get] = (int)Pick() },
                        Bin = BitConverter.GetBytes(Pick()),
                        G = new Guid(BitConverter.GetBytes(Pick()).Concat(BitConverter.GetBytes(Pick())).ToArray()),
                        Text = maybe ?? text.Get,
                    };
                    AssertSameBothWays(typeof(Flat), flat);
                    Flat back = _generated.Deserialize<Flat>(_generated.Serialize(flat));
                    return back.I64 == flat.I64 && back.FU64 == flat.FU64 && back.S == flat.S && back.NS == flat.NS
                        && back.NI == flat.NI && back.NF64 == flat.NF64 && back.NB == flat.NB && back.M == flat.M && back.NM == flat.NM
                        && back.Text == flat.Text && back.G == flat.G && back.L.SequenceEqual(flat.L)
                        && BitConverter.DoubleToInt64Bits(back.R64) == BitConverter.DoubleToInt64Bits(flat.R64);
                }));
    }

    [Fact]
    public void Property_PositionalAndStruct_RoundTrip()
    {
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(2_000),
            Prop.ForAll(
                ArbMap.Default.ArbFor<NonNull<string>>(),
                ArbMap.Default.ArbFor<string>(),
                ArbMap.Default.ArbFor<long>(),
                (name, note, n) =>
                {
                    Positional p = new(name.Get, (int)n, note) { Extra = n };
                    Pair pair = new((int)(n >> 3), name.Get);
                    AssertSameBothWays(typeof(Positional), p);
                    AssertSameBothWays(typeof(Pair), pair);
                    return _generated.Deserialize<Positional>(_generated.Serialize(p)) == p
                        && _generated.Deserialize<Pair>(_generated.Serialize(pair)) == pair;
                }));
    }

    [Fact]
    public void WriteOnly_PrivateSetter_RuntimeReadsGeneratedBytes()
    {
        PrivateSetter value = new("kept");
        AssertSameBothWays(typeof(PrivateSetter), value);
        Assert.Equal("kept", _generated.Deserialize<PrivateSetter>(_generated.Serialize(value)).Name);
    }

    [Fact]
    public void NullInNonNullableString_SameEncodeErrorBothWays()
    {
        HelloRequest bad = new(null!);
        ForyEncodeException g = Assert.Throws<ForyEncodeException>(() => _generated.Serialize(bad));
        ForyEncodeException r = Assert.Throws<ForyEncodeException>(() => _runtime.Serialize(bad));
        Assert.Equal(r.Message, g.Message);
        Assert.Contains("Name", g.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncations_SameErrorBothWays()
    {
        byte[] bytes = _runtime.Serialize(new Positional("name", 300, "note") { Extra = -5 });
        for (int n = 0; n < bytes.Length; n++)
        {
            ForyDecodeException g = Assert.Throws<ForyDecodeException>(() => _generated.Deserialize<Positional>(bytes.AsSpan(0, n)));
            ForyDecodeException r = Assert.Throws<ForyDecodeException>(() => _runtime.Deserialize<Positional>(bytes.AsSpan(0, n)));
            Assert.Equal(r.Message, g.Message);
        }
    }

    [Fact]
    public void DisagreeingGeneratedSerializer_IsIgnored()
    {
        ForyGeneratedSerializers.Register(new WrongGuarded());
        ForySerializer s = new ForySerializer().Register<Guarded>();
        Assert.False(s.RecordCodecs.Single().UsesGenerated);
        Assert.Equal(Hex.Encode(new ForySerializer(new ForyOptions { UseGeneratedSerializers = false }).Register<Guarded>().Serialize(new Guarded("g"))), Hex.Encode(s.Serialize(new Guarded("g"))));
    }

    /// <summary>Claims a field the record does not have (as a generator that disagreed with the runtime would).</summary>
    private sealed class WrongGuarded() : ForyGeneratedSerializer<Guarded>(["title:String"], canRead: false)
    {
        public override void WriteFields(ref ForyFieldWriter w, Guarded value) => w.WriteString("wrong", 0);
    }
}
