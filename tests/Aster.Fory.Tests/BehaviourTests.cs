using System.Buffers;
using Aster.Fory.Dynamic;
using Aster.Fory.IO;
using Aster.Fory.Meta;
using Aster.Fory.Protocol;
using Aster.Fory.Tests.Examples;
using Aster.Testing;

namespace Aster.Fory.Tests.Behaviour;

[WireType("t/Node")]
public sealed class Node
{
    public int Value { get; set; }

    public Node? Next { get; set; }
}

[WireType("t/Tree")]
public sealed class Tree
{
    public int Value { get; set; }

    public List<Tree> Children { get; set; } = [];
}

[WireType("hello/HelloRequest")]
public sealed record HelloRequestV2(string Name, long Age, List<string> Tags, Dictionary<string, int> Scores);

public enum Level
{
    Low = 1,
    High = 5,
}

[WireType("t/Everything")]
public sealed record Everything(
    DateTime When, DateTimeOffset WhenOffset, DateOnly Day, Guid Id, ReadOnlyMemory<byte> Blob, Level Level,
    HashSet<string> Labels, IReadOnlyDictionary<string, List<int>> Nested, DateTime? Maybe, int[] Numbers, uint U, ulong UL);

public sealed class BehaviourTests
{
    private static ForySerializer Serializer() => new ForySerializer()
        .Register<Node>().Register<Tree>().Register<Everything>().Register<HelloRequest>().Register<HelloResponse>()
        .Register<StreamHeader>().Register<RpcStatus>().Register<CallHeader>();

    [VectorFact]
    public void Read_EveryTruncation_ThrowsForyDecodeException()
    {
        ForySerializer s = TypedVectorTests.CreateSerializer();
        foreach (ForyVector v in ForyVector.All)
        {
            TypedVectorTests.Types.TryGetValue(v.RootType, out Type? t);
            for (int n = 0; n < v.Bytes.Length; n++)
            {
                byte[] prefix = v.Bytes[..n];
                Assert.Throws<ForyDecodeException>(() => ForyDynamic.Read(prefix));
                if (t is not null)
                {
                    Assert.Throws<ForyDecodeException>(() => TypedCall.Deserialize(s, t, prefix));
                }
            }
        }
    }

    [Fact]
    public void Read_AbsurdListCount_ThrowsBeforeAllocating()
    {
        ForySerializer s = Serializer();
        byte[] ok = s.Serialize(new RpcStatus { Code = 5, Message = "x" });
        // the last two bytes are the two empty lists; claim 2^32-1 elements in the first
        byte[] bad = [.. ok[..^2], 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x0C, 0x00];
        ForyDecodeException e = Assert.Throws<ForyDecodeException>(() => s.Deserialize<RpcStatus>(bad));
        Assert.Contains("count", e.Message, StringComparison.Ordinal);
        Assert.Throws<ForyDecodeException>(() => ForyDynamic.Read(bad));
    }

    [Fact]
    public void Read_UnknownRootTypeId_Throws()
    {
        ForyDecodeException e = Assert.Throws<ForyDecodeException>(() => ForyDynamic.Read([0x02, 0xFF, 0x7F]));
        Assert.Contains("type id", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, e.Offset);
    }

    [Theory]
    [InlineData("00ff15")]
    [InlineData("06ff15")]
    [InlineData("0aff1500")]
    [InlineData("02ff150000")]
    [InlineData("02ff15ff")]
    [InlineData("02fffffffffffff00")]
    public void Read_MalformedMessages_Throw(string hex)
    {
        Assert.Throws<ForyDecodeException>(() => ForyDynamic.Read(Hex.Decode(hex.Length % 2 == 0 ? hex : hex + "0")));
    }

    [Fact]
    public void Read_StringRoot_Decodes()
    {
        Assert.Equal("x", Assert.IsType<ForyString>(ForyDynamic.Read(Hex.Decode("02ff150478"))).Value);
    }

    [Fact]
    public void DeepNesting_BeyondLimit_ThrowsTypedErrors()
    {
        Tree root = new() { Value = 0 };
        Tree cur = root;
        for (int i = 1; i < 100; i++)
        {
            Tree next = new() { Value = i };
            cur.Children.Add(next);
            cur = next;
        }

        Assert.Throws<ForyEncodeException>(() => Serializer().Serialize(root));
        ForySerializer deep = new ForySerializer(new ForyOptions { MaxDepth = 500 }).Register<Tree>();
        byte[] bytes = deep.Serialize(root);
        Assert.Equal(99, Depth(deep.Deserialize<Tree>(bytes)));
        ForyDecodeException e = Assert.Throws<ForyDecodeException>(() => Serializer().Deserialize<Tree>(bytes));
        Assert.Equal("MaxDepth", e.Limit);
        Assert.Equal("MaxDepth", Assert.Throws<ForyDecodeException>(() => ForyDynamic.Read(bytes)).Limit);
    }

    private static int Depth(Tree t) => t.Children.Count == 0 ? 0 : 1 + Depth(t.Children[0]);

    [Fact]
    public void CycleThroughPlainField_Encode_ThrowsForyEncodeException()
    {
        Node n = new() { Value = 1 };
        n.Next = n;
        ForyEncodeException e = Assert.Throws<ForyEncodeException>(() => Serializer().Serialize(n));
        Assert.Contains("deeper", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CycleThroughListElement_WritesBackReference_TypedReadRebuildsGraph_DynamicRejects()
    {
        Tree root = new() { Value = 7 };
        root.Children.Add(root);
        ForySerializer s = Serializer();
        byte[] bytes = s.Serialize(root);
        Assert.EndsWith("0e0109", Hex.Encode(bytes.AsSpan(0, bytes.Length - 4)), StringComparison.Ordinal);
        Assert.EndsWith("fe00", Hex.Encode(bytes), StringComparison.Ordinal);
        Tree back = s.Deserialize<Tree>(bytes);
        Assert.Same(back, back.Children[0]);
        ForyDecodeException e = Assert.Throws<ForyDecodeException>(() => ForyDynamic.Read(bytes));
        Assert.Contains("cycle", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SharedInstanceInList_WrittenOnce_ReadAsSameInstance()
    {
        Tree leaf = new() { Value = 2 };
        Tree root = new() { Value = 1, Children = [leaf, leaf] };
        ForySerializer s = Serializer();
        Tree back = s.Deserialize<Tree>(s.Serialize(root));
        Assert.Same(back.Children[0], back.Children[1]);
        ForyList list = Assert.IsType<ForyList>(((ForyStruct)ForyDynamic.Read(s.Serialize(root)))["children"]);
        Assert.Same(list.Items[0], list.Items[1]);
    }

    [Fact]
    public void Read_TrailingBytes_Throws()
    {
        ForySerializer s = Serializer();
        byte[] bytes = [.. s.Serialize(new HelloRequest("a")), 0x00];
        Assert.Contains("trailing", Assert.Throws<ForyDecodeException>(() => s.Deserialize<HelloRequest>(bytes)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_OtherRootType_Throws()
    {
        ForySerializer s = Serializer();
        byte[] bytes = s.Serialize(new HelloResponse("hi"));
        Assert.Contains("hello/HelloRequest", Assert.Throws<ForyDecodeException>(() => s.Deserialize<HelloRequest>(bytes)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_UnregisteredType_ThrowsForyEncodeException()
    {
        Assert.Throws<ForyEncodeException>(() => new ForySerializer().Serialize(new HelloRequest("a")));
        Assert.Throws<ForyDecodeException>(() => new ForySerializer().Deserialize<HelloRequest>(new byte[] { 2 }));
    }

    [Fact]
    public void SchemaEvolution_NewReaderOldWriter_MissingFieldsDefaulted()
    {
        byte[] v1 = Serializer().Serialize(new HelloRequest("World"));
        HelloRequestV2 v2 = new ForySerializer().Register<HelloRequestV2>().Deserialize<HelloRequestV2>(v1);
        Assert.Equal("World", v2.Name);
        Assert.Equal(0, v2.Age);
        Assert.Empty(v2.Tags);
        Assert.Empty(v2.Scores);
    }

    [Fact]
    public void SchemaEvolution_OldReaderNewWriter_UnknownFieldsSkipped()
    {
        ForySerializer s2 = new ForySerializer().Register<HelloRequestV2>();
        byte[] v2 = s2.Serialize(new HelloRequestV2("Ann", 42, ["a", "b"], new() { ["x"] = 1 }));
        Assert.Equal(new HelloRequest("Ann"), Serializer().Deserialize<HelloRequest>(v2));
    }

    [Fact]
    public void SchemaEvolution_WiderIntegerMember_Converts()
    {
        ForyStruct wire = new("hello", "HelloRequest", [
            new ForyField("name", new(ForyTypeId.String), new ForyString("n")),
            new ForyField("age", new(ForyTypeId.Int32), new ForyInt(-5, ForyTypeId.Int32)),
        ]);
        HelloRequestV2 v = new ForySerializer().Register<HelloRequestV2>().Deserialize<HelloRequestV2>(ForyDynamic.Write(wire));
        Assert.Equal(-5, v.Age);
    }

    [Fact]
    public void Everything_RoundTrips()
    {
        Everything e = new(
            new DateTime(2024, 1, 1, 0, 0, 0, 5, DateTimeKind.Utc),
            new DateTimeOffset(1969, 12, 31, 23, 59, 59, 999, TimeSpan.FromHours(2)).AddTicks(3),
            new DateOnly(2000, 2, 29), Guid.NewGuid(), new byte[] { 1, 2, 3 }, Level.High,
            ["x", "y"], new Dictionary<string, List<int>> { ["a"] = [1, 2], ["b"] = [] }, null, [3, -4], uint.MaxValue, ulong.MaxValue);
        ForySerializer s = Serializer();
        byte[] bytes = s.Serialize(e);
        Everything back = s.Deserialize<Everything>(bytes);
        Assert.Equal(e.When, back.When);
        Assert.Equal(e.WhenOffset, back.WhenOffset);
        Assert.Equal(TimeSpan.Zero, back.WhenOffset.Offset);
        Assert.Equal(e.Day, back.Day);
        Assert.Equal(e.Id, back.Id);
        Assert.Equal(e.Blob.ToArray(), back.Blob.ToArray());
        Assert.Equal(Level.High, back.Level);
        Assert.Equal(e.Labels, back.Labels);
        Assert.Equal([1, 2], back.Nested["a"]);
        Assert.Null(back.Maybe);
        Assert.Equal(e.Numbers, back.Numbers);
        Assert.Equal(e.U, back.U);
        Assert.Equal(e.UL, back.UL);
        Assert.Contains("8000926500000000404b4c00", Hex.Encode(bytes), StringComparison.Ordinal);
        Assert.Equal(Hex.Encode(bytes), Hex.Encode(ForyDynamic.Write(ForyDynamic.Read(bytes))));
    }

    [Fact]
    public void Deserialize_MultiSegmentSequence_Decodes()
    {
        ForySerializer s = Serializer();
        byte[] bytes = s.Serialize(new StreamHeader { Service = "Echo", Method = "echo", MetadataKeys = ["k"], MetadataValues = ["v"] });
        Segment first = new(bytes.AsMemory(0, 10));
        Segment last = first.Append(bytes.AsMemory(10));
        ReadOnlySequence<byte> seq = new(first, 0, last, last.Memory.Length);
        Assert.Equal("Echo", s.Deserialize<StreamHeader>(seq).Service);
        Assert.IsType<ForyStruct>(ForyDynamic.Read(seq));
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            Segment next = new(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }

    [Theory]
    [InlineData("Echo", "104563686f")]
    [InlineData("héllo", "1468e96c6c6f")]
    [InlineData("✓", "091327")]
    [InlineData("😀", "12f09f9880")]
    [InlineData("", "00")]
    public void WriteString_PyforyRule_MatchesSpecExamples(string value, string hex)
    {
        ArrayBufferWriter<byte> buffer = new();
        ForyWriter w = new(buffer);
        w.WriteString(value);
        w.Flush();
        Assert.Equal(hex, Hex.Encode(buffer.WrittenSpan));
        ForyReader r = new(buffer.WrittenSpan);
        Assert.Equal(value, r.ReadString(1000));
    }

    [Fact]
    public void String_LoneSurrogate_RoundTripsAsUtf16()
    {
        string s = "a\ud800b";
        ArrayBufferWriter<byte> buffer = new();
        ForyWriter w = new(buffer);
        w.WriteString(s);
        w.Flush();
        Assert.Equal(1, buffer.WrittenSpan[0] & 3);
        ForyReader r = new(buffer.WrittenSpan);
        Assert.Equal(s, r.ReadString(100));
    }

    [Theory]
    [InlineData(0UL, "00")]
    [InlineData(127UL, "7f")]
    [InlineData(128UL, "8001")]
    [InlineData(72057594037927936UL, "808080808080808001")]
    [InlineData(ulong.MaxValue, "ffffffffffffffffff")]
    public void VarUInt64_ForyNineByteForm(ulong value, string hex)
    {
        ArrayBufferWriter<byte> buffer = new();
        ForyWriter w = new(buffer);
        w.WriteVarUInt64(value);
        w.Flush();
        Assert.Equal(hex, Hex.Encode(buffer.WrittenSpan));
        ForyReader r = new(buffer.WrittenSpan);
        Assert.Equal(value, r.ReadVarUInt64());
    }

    [Fact]
    public void VarUInt32_SixBytes_Rejected()
    {
        Assert.Throws<ForyDecodeException>(() =>
        {
            ForyReader r = new(Hex.Decode("808080808001"));
            r.ReadVarUInt32();
        });
    }

    [Theory]
    [InlineData("_aster", 0, 1, "6c129922")]
    [InlineData("StreamHeader", 1, 1, "76538900ce9c801922")]
    [InlineData("RpcStatus", 1, 2, "56785626026a24")]
    [InlineData("CallHeader", 1, 2, "380165c220018888")]
    [InlineData("hello", 0, 1, "9c8b5b80")]
    [InlineData("HelloRequest", 1, 1, "74e45addd8921424a6")]
    [InlineData("name", 2, 1, "340c20")]
    [InlineData("id", 2, 1, "a060")]
    [InlineData("task_id", 2, 1, "4c1256d030")]
    [InlineData("address2", 2, 2, "80186888925b00")]
    public void MetaString_SpecExamples(string value, int context, int index, string hex)
    {
        MetaStringContext ctx = context switch
        {
            0 => MetaStringContext.Namespace,
            1 => MetaStringContext.TypeName,
            _ => MetaStringContext.FieldName,
        };
        MetaEncoding encoding = MetaString.Choose(value, ctx);
        Assert.Equal(index, ctx.IndexOf(encoding));
        byte[] bytes = MetaString.Encode(value, encoding, ctx);
        Assert.Equal(hex, Hex.Encode(bytes));
        Assert.Equal(value, MetaString.Decode(bytes, encoding, ctx));
    }

    [Fact]
    public void NullRoot_WritesAndReads()
    {
        ForySerializer s = Serializer();
        byte[] bytes = s.Serialize<HelloRequest?>(null);
        Assert.Equal("03fd", Hex.Encode(bytes));
        Assert.Null(s.Deserialize<HelloRequest?>(bytes));
        Assert.IsType<ForyNull>(ForyDynamic.Read(bytes));
    }

    [Fact]
    public void NullInNonNullableMember_ThrowsForyEncodeException()
    {
        Assert.Throws<ForyEncodeException>(() => Serializer().Serialize(new HelloRequest(null!)));
    }

    [Fact]
    public void Register_UnsupportedMemberType_ThrowsNotSupported()
    {
        Assert.Throws<NotSupportedException>(() => new ForySerializer().Register<BadDecimal>());
    }

    [WireType("t/BadDecimal")]
    public sealed record BadDecimal(decimal Amount);

    [Fact]
    public void WireTypeModel_ExposesWireNamesAndOrder()
    {
        Types.WireTypeModel m = Types.WireTypeModel.For(typeof(StreamHeader));
        Assert.Equal("_aster", m.Namespace);
        Assert.Equal(["Deadline", "SerializationMode", "Version", "CallId", "SessionId", "Service", "Method", "MetadataKeys", "MetadataValues"], m.Fields.Select(f => f.MemberName));
    }
}
