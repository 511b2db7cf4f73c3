using System.Buffers;
using System.Text;
using System.Text.Json;
using Aster.Protocol;
using Aster.Protocol.Json;
using Aster.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Tests.Protocol;

public sealed class ProtocolJsonTests
{
    private static readonly string[] _wireFiles =
        ["unary-json.json", "server-stream-json.json", "client-stream-json.json", "session-json.json", "errors-json.json"];

    [Fact]
    public void WriteHeader_CurrentDialect_MatchesSpecExample()
    {
        var header = new StreamHeader { Service = "Echo", Method = "echo", Version = 1, CallId = 1, SerializationMode = SerializationMode.Json };
        string json = Write(o => ProtocolJson.WriteHeader(o, header));
        Assert.Equal("{\"service\":\"Echo\",\"method\":\"echo\",\"version\":1,\"callId\":1,\"deadline\":0,\"serializationMode\":3,\"metadataKeys\":[],\"metadataValues\":[],\"sessionId\":0}", json);
        Assert.Equal(0x91 - 1, Encoding.UTF8.GetByteCount(json));
    }

    [VectorFact]
    public void ReadHeader_CapturedReferenceHeaders_DecodeAndReencodeByteExact()
    {
        int checkedCount = 0;
        foreach ((string id, JsonElement frame) in Frames(flags => (flags & 0x04) != 0))
        {
            byte[] payload = Payload(frame);
            if (payload.Length == 0 || payload[0] != (byte)'{')
            {
                continue; // an XLANG header sent to a JSON server (errors-json.json)
            }

            StreamHeader header = ProtocolJson.ReadHeader(payload);
            JsonElement expected = frame.GetProperty("payload_json");
            Assert.Equal(expected.GetProperty("service").GetString(), header.Service);
            Assert.Equal(expected.GetProperty("method").GetString(), header.Method);
            if (expected.TryGetProperty("deadlineEpochMs", out JsonElement deadline))
            {
                Assert.Equal(WireDialect.Release012, header.Dialect);
                Assert.Equal(deadline.GetInt64(), header.DeadlineEpochMs);
                Assert.Equal(expected.GetProperty("callId").GetString(), header.CallIdText);
                Assert.Equal(Encoding.UTF8.GetString(payload), Write(o => ProtocolJson.WriteHeader(o, header)));
                checkedCount++;
            }
            else
            {
                Assert.False(expected.TryGetProperty("metadataKeys", out _), $"{id}: expected the missing-keys case");
            }
        }

        Assert.True(checkedCount >= 10, $"only {checkedCount} headers checked");
    }

    [VectorFact]
    public void ReadStatus_CapturedReferenceTrailers_DecodeAndReencodeByteExact()
    {
        int checkedCount = 0;
        foreach ((_, JsonElement frame) in Frames(flags => (flags & 0x02) != 0))
        {
            byte[] payload = Payload(frame);
            RpcStatus status = ProtocolJson.ReadStatus(payload);
            JsonElement expected = frame.GetProperty("payload_json");
            Assert.Equal(expected.GetProperty("code").GetInt32(), (int)status.Code);
            Assert.Equal(expected.GetProperty("message").GetString(), status.Message);
            Assert.Equal(Encoding.UTF8.GetString(payload), Write(o => ProtocolJson.WriteStatus(o, status)));
            checkedCount++;
        }

        Assert.True(checkedCount >= 15, $"only {checkedCount} trailers checked");
    }

    [Fact]
    public void ReadHeader_CurrentKeys_DecideCurrentDialect()
    {
        StreamHeader header = ProtocolJson.ReadHeader("{\"service\":\"S\",\"method\":\"m\",\"callId\":7,\"deadline\":5,\"sessionId\":3,\"extra\":{\"x\":[1]}}"u8);
        Assert.Equal(WireDialect.Current, header.Dialect);
        Assert.Equal(7, header.CallId);
        Assert.Equal(5, header.Deadline);
        Assert.Equal(3, header.SessionId);
    }

    [Fact]
    public void ReadHeader_OnlyServiceAndMethod_IsCurrentWithDefaults()
    {
        StreamHeader header = ProtocolJson.ReadHeader(" { \"service\" : \"S\" , \"method\" : \"m\" } "u8);
        Assert.Equal(WireDialect.Current, header.Dialect);
        Assert.Equal(1, header.Version);
        Assert.Empty(header.MetadataKeys);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("[]", "not a JSON object")]
    [InlineData("{\"service\":1}", "'service' must be a string")]
    [InlineData("{\"version\":\"1\"}", "'version' must be a 32-bit integer")]
    [InlineData("{\"deadline\":40000}", "deadline 40000 out of the int16 range")]
    [InlineData("{\"metadataKeys\":[1]}", "'metadataKeys' must be a list of strings")]
    [InlineData("{\"serializationMode\":300}", "serializationMode 300 out of range")]
    [InlineData("{} {}", "invalid JSON")]
    public void ReadHeader_Malformed_ThrowsWithReason(string json, string reason)
    {
        ProtocolFormatException ex = Assert.Throws<ProtocolFormatException>(() => ProtocolJson.ReadHeader(Encoding.UTF8.GetBytes(json)));
        Assert.StartsWith(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadHeader_DeepNesting_RejectedNotStackOverflow()
    {
        string json = "{\"x\":" + new string('[', 10_000) + new string(']', 10_000) + "}";
        Assert.Throws<ProtocolFormatException>(() => ProtocolJson.ReadHeader(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void ReadHeaderAndStatus_RandomBytes_OnlyProtocolFormatException()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(20_000), Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
        {
            byte[] input = bytes.Length > 0 && bytes[0] % 2 == 0 ? [(byte)'{', .. bytes] : bytes;
            try
            {
                ProtocolJson.ReadHeader(input);
            }
            catch (ProtocolFormatException)
            {
            }

            try
            {
                ProtocolJson.ReadStatus(input);
            }
            catch (ProtocolFormatException)
            {
            }

            return true;
        }));
    }

    [Fact]
    public void WriteStatus_Details_AreParallelLists()
    {
        var status = new RpcStatus(StatusCode.ContractViolation, "bad", [new("location", "HelloRequest"), new("unexpected_fields", "'nam'")]);
        string json = Write(o => ProtocolJson.WriteStatus(o, status));
        Assert.Equal("{\"code\":101,\"message\":\"bad\",\"detailKeys\":[\"location\",\"unexpected_fields\"],\"detailValues\":[\"HelloRequest\",\"'nam'\"]}", json);
        RpcStatus back = ProtocolJson.ReadStatus(Encoding.UTF8.GetBytes(json));
        Assert.Equal(status.Details, back.Details);
    }

    [Fact]
    public void ReadStatus_Empty_IsOk()
    {
        Assert.Same(RpcStatus.Ok, ProtocolJson.ReadStatus([]));
    }

    private static string Write(Action<IBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static byte[] Payload(JsonElement frame) => Hex.Decode(frame.GetProperty("hex").GetString()!)[5..];

    private static IEnumerable<(string Id, JsonElement Frame)> Frames(Func<int, bool> flagFilter)
    {
        foreach (string file in _wireFiles)
        {
            using JsonDocument doc = Vectors.Load("wire", file);
            foreach (JsonElement exchange in doc.RootElement.GetProperty("exchanges").EnumerateArray())
            {
                foreach (JsonElement frame in exchange.GetProperty("frames").EnumerateArray())
                {
                    if (flagFilter(frame.GetProperty("flags").GetInt32()) && frame.TryGetProperty("payload_json", out _))
                    {
                        yield return (exchange.GetProperty("id").GetString()!, frame.Clone());
                    }
                }
            }
        }
    }
}
