using System.Buffers;
using System.Text.Json;
using Aster.Codec;
using Aster.Fory;
using Aster.Protocol;
using Aster.Testing;
using FsCheck;
using FsCheck.Fluent;
using ForyProtocol = Aster.Fory.Protocol;

namespace Aster.Tests.Protocol;

/// <summary>The XLANG StreamHeader/RpcStatus codec: its direct path writes and reads exactly what the serializer does.</summary>
public sealed class XlangProtocolCodecTests
{
    private static readonly ForySerializer _serializer = new ForySerializer()
        .Register<ForyProtocol.StreamHeader>()
        .Register<ForyProtocol.RpcStatus>();

    private static readonly XlangProtocolCodec _codec = new(_serializer);

    [Fact]
    public void DirectPath_IsEnabled_ForTheSerializersLayout()
    {
        Assert.True(_codec.DirectPath);
        Assert.True(((XlangProtocolCodec)new ForyCodecProvider().XlangProtocol).DirectPath);
    }

    [Fact]
    public void Header_AnyFieldValues_SameBytesAsTheSerializer_AndReadBack()
    {
        Gen<StreamHeader> headers =
            from service in ArbMap.Default.GeneratorFor<NonNull<string>>()
            from method in ArbMap.Default.GeneratorFor<NonNull<string>>()
            from numbers in ArbMap.Default.GeneratorFor<(int, int, int, short, sbyte)>()
            select new StreamHeader
            {
                Service = service.Get,
                Method = method.Get,
                Version = numbers.Item1,
                CallId = numbers.Item2,
                SessionId = numbers.Item3,
                Deadline = numbers.Item4,
                SerializationMode = (SerializationMode)numbers.Item5,
            };
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2_000), Prop.ForAll(headers.ToArbitrary(), header =>
        {
            byte[] direct = WriteHeader(header);
            Assert.Equal(_serializer.Serialize(XlangProtocolCodec.ToFory(header)), direct);
            StreamHeader back = _codec.ReadHeader(new ReadOnlySequence<byte>(direct));
            Assert.Equal(header.Service, back.Service);
            Assert.Equal(header.Method, back.Method);
            Assert.Equal((header.Version, header.CallId, header.SessionId, header.Deadline, header.SerializationMode), (back.Version, back.CallId, back.SessionId, back.Deadline, back.SerializationMode));
            Assert.Empty(back.MetadataKeys);
            Assert.Empty(back.MetadataValues);
            return true;
        }));
    }

    [Fact]
    public void ReadHeader_KnownNames_AreTheTablesStrings_UnknownAreDecoded()
    {
        string service = new(['M', 'i', 's', 's', 'i', 'o', 'n']);
        string method = new(['Z', 'ü', 'r', 'i', 'c', 'h']);
        var table = new WireNameTable([service, method]);
        StreamHeader known = _codec.ReadHeader(new ReadOnlySequence<byte>(WriteHeader(new StreamHeader { Service = "Mission", Method = "Zürich" })), table);
        Assert.Same(service, known.Service);
        Assert.Same(method, known.Method);

        StreamHeader other = _codec.ReadHeader(new ReadOnlySequence<byte>(WriteHeader(new StreamHeader { Service = "Missio", Method = "Zürich✓" })), table);
        Assert.Equal("Missio", other.Service);
        Assert.Equal("Zürich✓", other.Method);
    }

    [Fact]
    public void Header_WithMetadata_GoesThroughTheSerializer()
    {
        var header = new StreamHeader { Service = "S", Method = "m", Version = 2, CallId = 9, MetadataKeys = ["traceparent", "k"], MetadataValues = ["00-abc", "v"] };
        byte[] bytes = WriteHeader(header);
        Assert.Equal(_serializer.Serialize(XlangProtocolCodec.ToFory(header)), bytes);
        StreamHeader back = _codec.ReadHeader(new ReadOnlySequence<byte>(bytes));
        Assert.Equal(header.MetadataKeys, back.MetadataKeys);
        Assert.Equal(header.MetadataValues, back.MetadataValues);
        Assert.Equal((2, 9), (back.Version, back.CallId));
    }

    [Fact]
    public void ReadHeader_SplitAcrossSegments_ReadsTheSameHeader()
    {
        byte[] bytes = WriteHeader(new StreamHeader { Service = "Bench", Method = "echo", CallId = 77 });
        StreamHeader back = _codec.ReadHeader(Framing.FrameReaderTests.Segmented(bytes, bytes.Length / 2));
        Assert.Equal(("Bench", "echo", 77), (back.Service, back.Method, back.CallId));
    }

    [VectorFact]
    public void ReadHeaderAndStatus_ForyJsVectors_DecodeToTheirValues()
    {
        using JsonDocument vectors = Vectors.Load("fory", "protocol.json");
        int headers = 0, statuses = 0;
        foreach (JsonElement vector in vectors.RootElement.GetProperty("vectors").EnumerateArray())
        {
            var payload = new ReadOnlySequence<byte>(Convert.FromHexString(vector.GetProperty("hex").GetString()!));
            JsonElement value = vector.GetProperty("value");
            switch (vector.GetProperty("root_type").GetString())
            {
                case "_aster/StreamHeader":
                    StreamHeader header = _codec.ReadHeader(payload);
                    Assert.Equal(value.GetProperty("service").GetString(), header.Service);
                    Assert.Equal(value.GetProperty("method").GetString(), header.Method);
                    Assert.Equal(value.GetProperty("callId").GetInt32(), header.CallId);
                    Assert.Equal(value.GetProperty("deadline").GetInt16(), header.Deadline);
                    Assert.Equal(value.GetProperty("sessionId").GetInt32(), header.SessionId);
                    Assert.Equal(value.GetProperty("metadataKeys").EnumerateArray().Select(k => k.GetString()), header.MetadataKeys);
                    headers++;
                    break;
                case "_aster/RpcStatus":
                    RpcStatus status = _codec.ReadStatus(payload);
                    Assert.Equal(value.GetProperty("code").GetInt32(), (int)status.Code);
                    Assert.Equal(value.GetProperty("message").GetString(), status.Message);
                    Assert.Equal(value.GetProperty("detailKeys").EnumerateArray().Select(k => k.GetString()), status.Details.Select(d => d.Key));
                    statuses++;
                    break;
            }
        }

        Assert.Equal((6, 5), (headers, statuses));
    }

    [Fact]
    public void Status_Ok_IsTheSerializersBytes_AndReadsAsTheSharedOk()
    {
        var output = new ArrayBufferWriter<byte>();
        _codec.WriteStatus(output, RpcStatus.Ok);
        Assert.Equal(_serializer.Serialize(new ForyProtocol.RpcStatus()), output.WrittenSpan.ToArray());
        Assert.Same(RpcStatus.Ok, _codec.ReadStatus(new ReadOnlySequence<byte>(output.WrittenMemory)));
        Assert.Same(RpcStatus.Ok, _codec.ReadStatus(ReadOnlySequence<byte>.Empty));

        var error = new RpcStatus(StatusCode.PermissionDenied, "missing role", [new("required_role", "admin")]);
        output.ResetWrittenCount();
        _codec.WriteStatus(output, error);
        RpcStatus back = _codec.ReadStatus(new ReadOnlySequence<byte>(output.WrittenMemory));
        Assert.Equal((error.Code, error.Message), (back.Code, back.Message));
        Assert.Equal(error.Details, back.Details);
    }

    [Fact]
    public void CommonForms_AllocateOnlyTheReturnedHeader()
    {
        var table = new WireNameTable(["Bench", "echo"]);
        var header = new StreamHeader { Service = "Bench", Method = "echo", Version = 1, CallId = 123_456, Deadline = 30 };
        var output = new ArrayBufferWriter<byte>(256);
        _codec.WriteHeader(output, header);
        var payload = new ReadOnlySequence<byte>(output.WrittenSpan.ToArray());
        var status = new ArrayBufferWriter<byte>(256);
        _codec.WriteStatus(status, RpcStatus.Ok);
        var ok = new ReadOnlySequence<byte>(status.WrittenSpan.ToArray());
        Run(); // warm-up
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        long perRound = (GC.GetAllocatedBytesForCurrentThread() - before) / 100;
        Assert.InRange(perRound, 1, 128); // one StreamHeader per read header; nothing else

        void Run()
        {
            for (int i = 0; i < 100; i++)
            {
                output.ResetWrittenCount();
                _codec.WriteHeader(output, header);
                _ = _codec.ReadHeader(payload, table);
                status.ResetWrittenCount();
                _codec.WriteStatus(status, RpcStatus.Ok);
                _ = _codec.ReadStatus(ok);
            }
        }
    }

    [Fact]
    public void ReadHeaderAndStatus_CorruptedFields_OnlyProtocolFormatException()
    {
        byte[] valid = WriteHeader(new StreamHeader { Service = "Bench", Method = "echo", Version = 1, CallId = 5 });
        const int Fields = 19; // deadline 2, mode, version, call id, session id, "Bench" 6, "echo" 5, two empty lists
        var table = new WireNameTable(["Bench"]);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(20_000), Prop.ForAll(ArbMap.Default.ArbFor<(byte[], byte)>(), sample =>
        {
            (byte[] tail, byte cut) = sample;
            byte[] input = [.. valid.AsSpan(0, valid.Length - 1 - (cut % Fields)), .. tail];
            try
            {
                _codec.ReadHeader(new ReadOnlySequence<byte>(input), table);
            }
            catch (ProtocolFormatException)
            {
            }

            try
            {
                _codec.ReadStatus(new ReadOnlySequence<byte>(input));
            }
            catch (ProtocolFormatException)
            {
            }

            return true;
        }));
    }

    private static byte[] WriteHeader(StreamHeader header)
    {
        var output = new ArrayBufferWriter<byte>();
        _codec.WriteHeader(output, header);
        return output.WrittenSpan.ToArray();
    }
}
