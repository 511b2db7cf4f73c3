using System.Text.Json;
using Aster.Client;
using Aster.Codec;
using Aster.Contracts;
using Aster.Framing;
using Aster.Protocol;
using Aster.Server;
using Aster.Testing;

namespace Aster.Tests.Rpc;

/// <summary>
/// The client's opt-in 0.1.2 dialect (wire-protocol.md 20.7) against our own server, which reads that dialect: JSON
/// mode, 0.1.2 headers (UUID call id, absolute deadline, no session id), one stream per call, no END_STREAM, FIN after
/// the last request; and our unary bytes next to the captured 0.1.2 TypeScript exchange of section 10.1.
/// </summary>
public sealed class Release012ClientTests
{
    private static readonly string[] _headerKeys = ["service", "method", "version", "callId", "deadlineEpochMs", "serializationMode", "metadataKeys", "metadataValues"];

    [Theory]
    [InlineData(MethodPattern.Unary)]
    [InlineData(MethodPattern.ServerStream)]
    [InlineData(MethodPattern.ClientStream)]
    [InlineData(MethodPattern.BidiStream)]
    public async Task EachPattern_Speaks012(MethodPattern pattern)
    {
        var message = new SqueezeBlob("hello from a 0.1.2 client", []);

        WireTap tap = await RunAsync(async client =>
        {
            for (int i = 0; i < 2; i++)
            {
                List<SqueezeBlob> replies = await SqueezeService.CallAsync(client, pattern, message).DefaultTimeout();
                Assert.NotEmpty(replies);
                Assert.All(replies, r => Assert.Equal(message.Text, r.Text));
            }
        });

        List<WireFrame> frames = [.. tap.Frames];
        int[] streams = [.. frames.Select(f => f.Stream).Distinct().Order()];
        Assert.Equal([0, 1], streams); // one stream per call, even for unary
        Assert.Equal(streams, tap.ClientFins.Order().ToArray());
        foreach (int stream in streams)
        {
            List<WireFrame> sent = [.. frames.Where(f => f.Stream == stream && f.FromClient)];
            Assert.Equal(FrameFlags.Header, sent[0].Flags);
            AssertRelease012Header(sent[0].Payload, expectDeadline: false);
            Assert.All(sent.Skip(1), f => Assert.Equal(FrameFlags.None, f.Flags)); // no END_STREAM, no sentinel: FIN ends the requests
            Assert.Equal(pattern is MethodPattern.Unary or MethodPattern.ServerStream ? 1 : 3, sent.Count - 1);
            Assert.Equal(FrameFlags.Trailer, frames.Last(f => f.Stream == stream && !f.FromClient).Flags);
        }
    }

    [Fact]
    public async Task Timeout_SentAsAbsoluteDeadline()
    {
        long before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        WireTap tap = await RunAsync(async client =>
            await SqueezeService.CallAsync(client, MethodPattern.Unary, new SqueezeBlob("x", []), new CallOptions { Timeout = TimeSpan.FromSeconds(30) }).DefaultTimeout());
        long after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        using JsonDocument header = AssertRelease012Header(tap.Frames.First(f => f.FromClient).Payload, expectDeadline: true);
        long deadline = header.RootElement.GetProperty("deadlineEpochMs").GetInt64();
        Assert.InRange(deadline, before + 30_000, after + 30_000);
    }

    [VectorFact]
    public async Task Unary_MatchesCapturedTypeScriptExchange()
    {
        using JsonDocument doc = Vectors.Load("wire", "unary-json.json");
        JsonElement exchange = doc.RootElement.GetProperty("exchanges").EnumerateArray().Single(e => e.GetProperty("id").GetString() == "unary.hello.sayHello");
        JsonElement[] captured = [.. exchange.GetProperty("frames").EnumerateArray()];
        var hello = ServiceDefinition.CreateShared("Hello", 1, new object())
            .AddUnary<XHelloRequest, XHelloResponse>("sayHello", (_, r, _) => ValueTask.FromResult(new XHelloResponse($"Hello, {r.Name}!")))
            .Build();
        var sayHello = new ClientMethod<XHelloRequest, XHelloResponse>("Hello", 1, "sayHello", MethodPattern.Unary);

        WireTap tap = await RunAsync(async client => Assert.Equal("Hello, TypeScript!", (await client.UnaryAsync(sayHello, new XHelloRequest("TypeScript")).DefaultTimeout()).Message), hello);

        List<WireFrame> ours = [.. tap.Frames];
        WireFrame[] sent = [.. ours.Where(f => f.FromClient)];
        JsonElement[] theirs = [.. captured.Where(f => f.GetProperty("dir").GetString() == "c2s")];
        Assert.Equal(theirs.Length, sent.Length);
        using JsonDocument header = AssertRelease012Header(sent[0].Payload, expectDeadline: false);
        Assert.Equal(
            [.. theirs[0].GetProperty("payload_json").EnumerateObject().Select(p => p.Name)],
            header.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(theirs[1].GetProperty("hex").GetString(), Hex.Encode(Frame(sent[1])));
        JsonElement response = captured.Single(f => f.GetProperty("dir").GetString() == "s2c" && f.GetProperty("flags").GetInt32() == 0);
        Assert.Equal(response.GetProperty("hex").GetString(), Hex.Encode(Frame(ours.First(f => !f.FromClient))));
        Assert.Equal([0], tap.ClientFins.ToArray());
    }

    private static byte[] Frame(WireFrame frame)
    {
        var writer = new System.Buffers.ArrayBufferWriter<byte>();
        FrameWriter.Write(writer, frame.Flags, frame.Payload);
        return writer.WrittenSpan.ToArray();
    }

    private static JsonDocument AssertRelease012Header(byte[] payload, bool expectDeadline)
    {
        JsonDocument header = JsonDocument.Parse(payload);
        JsonElement root = header.RootElement;
        Assert.Equal(_headerKeys, root.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.True(Guid.TryParseExact(root.GetProperty("callId").GetString(), "D", out Guid callId));
        Assert.Equal(4, callId.Version);
        Assert.Equal(3, root.GetProperty("serializationMode").GetInt32());
        Assert.Equal(expectDeadline, root.GetProperty("deadlineEpochMs").GetInt64() != 0);
        return header;
    }

    private static Task<WireTap> RunAsync(Func<AsterClient, Task> calls, ServiceDefinition? service = null)
    {
        var codecs = new ForyCodecProvider();
        return WireTap.RunAsync(
            new AsterServerOptions { Codecs = codecs },
            [service ?? SqueezeService.Definition()],
            new AsterClientOptions { Codecs = codecs, DefaultSerializationMode = SerializationMode.Xlang, WireDialect = WireDialect.Release012 },
            calls);
    }
}
