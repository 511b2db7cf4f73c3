using Aster.Fory.Meta;
using Aster.Fory.Protocol;
using Aster.Fory.Serialization;
using Aster.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Fory.Tests.SchemaConsistent;

[WireType("sc/Inner")]
public sealed record Inner(string Label, int Count);

[WireType("sc/Outer")]
public sealed record Outer(Inner First, List<Inner> Items, Dictionary<string, Inner> ByName, string? Note, long Stamp);

[WireType("sc/Inner")]
public sealed record InnerEvolved(string Label, int Count, bool Extra);

[WireType("a_rather_long_namespace/AVeryLongTypeNameIndeed")]
public sealed record LongNames(string Value);

/// <summary>
/// Schema-consistent mode (contracts-and-fory.md B12), the XLANG dialect of release 0.1.2 peers. The byte strings are
/// the worked examples of B12 and wire-protocol.md 20.6.
/// </summary>
public sealed class SchemaConsistentTests
{
    private const string StreamHeaderPrefix = "02ff1d08016c129922120476538900ce9c801922a40518de";
    private const string CallHeaderPrefix = "02ff1d08016c1299221002380165c22001888871258679";
    private const string RpcStatusPrefix = "02ff1d08016c1299220e0256785626026a245353ca9f";

    private static readonly ForySerializer _legacy = new ForySerializer(ForyOptions.Release012)
        .Register<Release012StreamHeader>().Register<Release012CallHeader>().Register<Release012RpcStatus>()
        .Register<Outer>().Register<LongNames>();

    [Fact]
    public void StreamHeader_SpecExample_DecodesAndReencodesByteExactly()
    {
        byte[] bytes = Hex.Decode(StreamHeaderPrefix + "000002" + "2c746573742d63616c6c2d31" + "106563686f" + "104563686f" + "0000");

        Release012StreamHeader header = _legacy.Deserialize<Release012StreamHeader>(bytes);

        Assert.Equal("Echo", header.Service);
        Assert.Equal("echo", header.Method);
        Assert.Equal(1, header.Version);
        Assert.Equal("test-call-1", header.CallId);
        Assert.Equal(0, header.DeadlineEpochMs);
        Assert.Equal(0, header.SerializationMode);
        Assert.Empty(header.MetadataKeys);
        Assert.Equal(Hex.Encode(bytes), Hex.Encode(_legacy.Serialize(header)));
    }

    [Fact]
    public void FrameworkTypes_WritePrefixesOfSpecTable()
    {
        Assert.StartsWith(StreamHeaderPrefix, Hex.Encode(_legacy.Serialize(new Release012StreamHeader())), StringComparison.Ordinal);
        Assert.StartsWith(CallHeaderPrefix, Hex.Encode(_legacy.Serialize(new Release012CallHeader())), StringComparison.Ordinal);
        Assert.StartsWith(RpcStatusPrefix, Hex.Encode(_legacy.Serialize(new Release012RpcStatus())), StringComparison.Ordinal);
    }

    [Fact]
    public void SchemaHash_StreamHeaderFingerprint_MatchesSpec()
    {
        const string fingerprint = "callId,21,0,0;deadlineEpochMs,7,0,0;metadataKeys,22,0,0;metadataValues,22,0,0;method,21,0,0;serializationMode,7,0,0;service,21,0,0;version,7,0,0;";
        int expected = unchecked((int)0xde1805a4); // bytes a40518de, little-endian

        Assert.Equal(expected, (int)(uint)MurmurHash3.Hash64(System.Text.Encoding.UTF8.GetBytes(fingerprint), 47));
        Assert.Equal(expected, RecordCodec<Release012StreamHeader>.ComputeSchemaHash(Types.WireTypeModel.For(typeof(Release012StreamHeader)).Fields));
    }

    [Fact]
    public void RpcStatus_RefusalOfSection20_6_ByteExact()
    {
        const string message = "the 0.1.2 XLANG dialect is not supported by this server; use JSON mode";
        string expected = RpcStatusPrefix + "18" + "9802" + Hex.Encode(System.Text.Encoding.ASCII.GetBytes(message)) + "0000";

        byte[] bytes = _legacy.Serialize(new Release012RpcStatus { Code = 12, Message = message });

        Assert.Equal(expected, Hex.Encode(bytes));
        Assert.Equal(12, _legacy.Deserialize<Release012RpcStatus>(bytes).Code);
    }

    [Fact]
    public void RpcStatus_WithDetails_ListsAsSpec()
    {
        byte[] bytes = _legacy.Serialize(new Release012RpcStatus { Code = 5, Message = "service Echo not found", DetailKeys = ["required_role"], DetailValues = ["admin"] });

        Assert.EndsWith("010c3472657175697265645f726f6c65010c1461646d696e", Hex.Encode(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public void NestedRecords_RoundTrip_NamesRepeatedByIndex()
    {
        Outer value = new(
            new Inner("first", 1),
            [new Inner("a", 2), new Inner("b", -3)],
            new() { ["x"] = new Inner("x", 4) },
            null,
            1712764800000);

        byte[] bytes = _legacy.Serialize(value);
        Outer back = _legacy.Deserialize<Outer>(bytes);

        Assert.Equal(value.First, back.First);
        Assert.Equal(value.Items, back.Items);
        Assert.Equal(value.ByName["x"], back.ByName["x"]);
        Assert.Null(back.Note);
        Assert.Equal(value.Stamp, back.Stamp);
        string hex = Hex.Encode(bytes);
        Assert.StartsWith("02ff1d", hex, StringComparison.Ordinal);

        // The nested record repeats the root's namespace "sc" (meta string 0): 1d, then 03, then its new type name.
        Assert.Contains("1d03", hex, StringComparison.Ordinal);
        Assert.Equal(hex, Hex.Encode(_legacy.Serialize(back)));
    }

    [Fact]
    public void NullableField_WritesNullFlags()
    {
        Outer withNote = new(new Inner("f", 0), [], [], "n", 0);
        Assert.Equal("n", _legacy.Deserialize<Outer>(_legacy.Serialize(withNote)).Note);
    }

    [Fact]
    public void LongNames_UseHashedForm_AndRoundTrip()
    {
        byte[] bytes = _legacy.Serialize(new LongNames("v"));

        // Namespace of 23 characters: LOWER_SPECIAL, 15 bytes, so one encoding byte; the type name encodes to more
        // than 16 bytes, so 8 bytes of hash whose low byte is the encoding number follow its length.
        InlineMetaString typeName = InlineMetaString.Of("AVeryLongTypeNameIndeed", MetaStringContext.InlineTypeName);
        Assert.True(typeName.Bytes.Length > 16);
        Assert.Equal((byte)typeName.Encoding, typeName.FirstOccurrence[1]);
        Assert.Contains(Hex.Encode(typeName.FirstOccurrence), Hex.Encode(bytes), StringComparison.Ordinal);
        Assert.Equal("v", _legacy.Deserialize<LongNames>(bytes).Value);
    }

    [Fact]
    public void DifferentSchema_ThrowsNamingTheHash()
    {
        ForySerializer evolved = new ForySerializer(ForyOptions.Release012).Register<InnerEvolved>();
        byte[] bytes = evolved.Serialize(new InnerEvolved("x", 1, true));

        ForyDecodeException e = Assert.Throws<ForyDecodeException>(() => new ForySerializer(ForyOptions.Release012).Register<Inner>().Deserialize<Inner>(bytes));

        Assert.Contains("schema hash", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OtherType_Throws()
    {
        byte[] status = _legacy.Serialize(new Release012RpcStatus());

        ForyDecodeException e = Assert.Throws<ForyDecodeException>(() => _legacy.Deserialize<Release012StreamHeader>(status));

        Assert.Contains("_aster/RpcStatus", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ModesDoNotMix()
    {
        ForySerializer current = new ForySerializer().Register<StreamHeader>().Register<Release012StreamHeader>();
        byte[] compatible = current.Serialize(new Release012StreamHeader { Service = "Echo" });
        byte[] consistent = _legacy.Serialize(new Release012StreamHeader { Service = "Echo" });

        Assert.Throws<ForyDecodeException>(() => _legacy.Deserialize<Release012StreamHeader>(compatible));
        Assert.Throws<ForyDecodeException>(() => current.Deserialize<Release012StreamHeader>(consistent));
    }

    [Fact]
    public void EveryTruncation_ThrowsDecodeException()
    {
        byte[] bytes = _legacy.Serialize(new Outer(new Inner("i", 1), [new Inner("j", 2)], new() { ["k"] = new Inner("k", 3) }, "note", 9));
        for (int n = 0; n < bytes.Length; n++)
        {
            Assert.Throws<ForyDecodeException>(() => _legacy.Deserialize<Outer>(bytes.AsSpan(0, n)));
        }
    }

    [Fact]
    public void Property_StreamHeader_RoundTrips()
    {
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(2_000),
            Prop.ForAll(
                ArbMap.Default.ArbFor<NonNull<string>>(),
                ArbMap.Default.ArbFor<long>(),
                ArbMap.Default.ArbFor<string[]>(),
                (service, deadline, keys) =>
                {
                    string[] metadata = keys.Where(k => k is not null).ToArray();
                    Release012StreamHeader header = new()
                    {
                        Service = service.Get,
                        Method = "m",
                        Version = deadline / 3,
                        CallId = service.Get + "-id",
                        DeadlineEpochMs = deadline,
                        SerializationMode = deadline & 3,
                        MetadataKeys = metadata,
                        MetadataValues = metadata,
                    };
                    Release012StreamHeader back = _legacy.Deserialize<Release012StreamHeader>(_legacy.Serialize(header));
                    return back.Service == header.Service && back.CallId == header.CallId && back.Version == header.Version
                        && back.DeadlineEpochMs == deadline && back.SerializationMode == header.SerializationMode
                        && back.MetadataKeys.SequenceEqual(metadata) && back.MetadataValues.SequenceEqual(metadata);
                }));
    }

    [Fact]
    public void Property_ArbitraryBytes_OnlyDecodeExceptions()
    {
        byte[] valid = _legacy.Serialize(new Outer(new Inner("i", 1), [new Inner("j", 2)], [], null, 9));
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(5_000),
            Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), ArbMap.Default.ArbFor<int>(), (noise, at) =>
            {
                // Splice random bytes into a valid message so that most inputs get past the prefix.
                int cut = (int)((uint)at % (uint)(valid.Length + 1));
                byte[] input = [.. valid.AsSpan(0, cut), .. noise ?? []];
                try
                {
                    _ = _legacy.Deserialize<Outer>(input);
                }
                catch (ForyDecodeException)
                {
                }

                return true;
            }));
    }
}
