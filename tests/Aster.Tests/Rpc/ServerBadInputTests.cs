using Aster.Contracts;
using System.Text;
using System.Text.Json;
using Aster.Client;
using Aster.Framing;
using Aster.Protocol;
using Aster.Server;
using Aster.Testing;
using Aster.Transport;
using Aster.Tests.Compression.Zstd;

namespace Aster.Tests.Rpc;

/// <summary>Bad input on one stream gets the status of wire-protocol.md 19.1 and leaves other calls alone.</summary>
public sealed class ServerBadInputTests : IAsyncLifetime
{
    private static readonly ClientMethod<HelloRequest, HelloResponse> _sayHello = new("Hello", 1, "sayHello", MethodPattern.Unary);
    private AsterServer _server = null!;
    private IRpcConnection _connection = null!;
    private AsterClient _client = null!;
    private Task _serving = null!;

    public Task InitializeAsync()
    {
        var options = new AsterServerOptions { Codecs = JsonTestCodecProvider.Instance, Limits = new RpcLimits { MaxFrameLength = 64 * 1024 } };
        _server = new AsterServer([ReferenceServices.Hello()], options);
        (IRpcConnection client, IRpcConnection server) = InMemoryTransport.CreatePair();
        _connection = client;
        _serving = _server.ServeConnectionAsync(server);
        _client = new AsterClient(client, new AsterClientOptions { Codecs = JsonTestCodecProvider.Instance, DefaultSerializationMode = SerializationMode.Json });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
        await _serving.DefaultTimeout();
    }

    [Fact]
    public async Task Garbage_IsKilledWithoutTrailer_AndOtherCallsWork()
    {
        await using RawStream stream = await RawStream.OpenAsync(_connection);
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\n\r\n"));
        (List<(FrameFlags Flags, byte[] Payload)> frames, bool ended) = await stream.ReadToEndAsync();
        Assert.True(ended);
        Assert.All(frames, f => Assert.True((f.Flags & FrameFlags.Trailer) != 0));
        await AssertOtherCallsWorkAsync();
    }

    [Fact]
    public async Task ZeroLengthFrame_IsKilled()
    {
        await using RawStream stream = await RawStream.OpenAsync(_connection);
        await stream.WriteAsync([0, 0, 0, 0]);
        (List<(FrameFlags Flags, byte[] Payload)> frames, bool ended) = await stream.ReadToEndAsync();
        Assert.True(ended);
        Assert.Empty(frames);
        await AssertOtherCallsWorkAsync();
    }

    [Fact]
    public async Task OversizeLength_GetsResourceExhaustedThenKill()
    {
        await using RawStream stream = await RawStream.OpenAsync(_connection);
        await stream.WriteAsync([0xff, 0xff, 0xff, 0x7f, 0x04]);
        (List<(FrameFlags Flags, byte[] Payload)> frames, bool ended) = await stream.ReadToEndAsync();
        Assert.True(ended);
        Assert.Equal(StatusCode.ResourceExhausted, Status(Assert.Single(frames)).Code);
        await AssertOtherCallsWorkAsync();
    }

    [Fact]
    public async Task DataBeforeHeader_GetsInternal()
    {
        await using RawStream stream = await RawStream.OpenAsync(_connection);
        await stream.WriteFrameAsync(FrameFlags.EndStream, "{\"name\":\"x\"}"u8.ToArray());
        List<(FrameFlags Flags, byte[] Payload)> frames = await stream.ReadUntilTrailerAsync();
        RpcStatus status = Status(Assert.Single(frames));
        Assert.Equal(StatusCode.Internal, status.Code);
        Assert.Equal("first frame must have HEADER flag", status.Message);
        await AssertOtherCallsWorkAsync();
    }

    [Theory]
    [InlineData("", "malformed StreamHeader: empty")]
    [InlineData("{\"service\":", "malformed StreamHeader: invalid JSON")]
    [InlineData("{\"service\":42}", "malformed StreamHeader: 'service' must be a string")]
    [InlineData("{\"method\":\"sayHello\",\"serializationMode\":3}", "Missing service name")]
    public async Task MalformedHeader_GetsInvalidArgument_AndStreamContinues(string header, string message)
    {
        await using RawStream stream = await RawStream.OpenAsync(_connection);
        await stream.WriteFrameAsync(FrameFlags.Header, Encoding.UTF8.GetBytes(header));
        await stream.WriteFrameAsync(FrameFlags.EndStream, "{\"name\":\"x\"}"u8.ToArray());
        RpcStatus status = Status(Assert.Single(await stream.ReadUntilTrailerAsync()));
        Assert.Equal(StatusCode.InvalidArgument, status.Code);
        Assert.StartsWith(message, status.Message, StringComparison.Ordinal);

        // The same stream serves the next call.
        await stream.WriteFrameAsync(FrameFlags.Header, Header("Hello", "sayHello", mode: 3));
        await stream.WriteFrameAsync(FrameFlags.EndStream, "{\"name\":\"again\"}"u8.ToArray());
        List<(FrameFlags Flags, byte[] Payload)> frames = await stream.ReadUntilTrailerAsync();
        Assert.Equal("{\"message\":\"Hello, again!\"}", Encoding.UTF8.GetString(frames[0].Payload));
        Assert.Equal(StatusCode.OK, Status(frames[1]).Code);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(-1)]
    public async Task UnknownMode_GetsInvalidArgument(int mode)
    {
        await using RawStream stream = await RawStream.OpenAsync(_connection);
        await stream.WriteFrameAsync(FrameFlags.Header, Header("Hello", "sayHello", mode));
        await stream.WriteFrameAsync(FrameFlags.EndStream, "{\"name\":\"x\"}"u8.ToArray());
        RpcStatus status = Status(Assert.Single(await stream.ReadUntilTrailerAsync()));
        Assert.Equal(StatusCode.InvalidArgument, status.Code);
        Assert.Equal($"Unsupported serialization mode: {mode}", status.Message);
        await AssertOtherCallsWorkAsync();
    }

    [Fact]
    public async Task MalformedRequest_GetsInvalidArgument()
    {
        await using RawStream stream = await RawStream.OpenAsync(_connection);
        await stream.WriteFrameAsync(FrameFlags.Header, Header("Hello", "sayHello", mode: 3));
        await stream.WriteFrameAsync(FrameFlags.EndStream, "not json"u8.ToArray());
        RpcStatus status = Status(Assert.Single(await stream.ReadUntilTrailerAsync()));
        Assert.Equal(StatusCode.InvalidArgument, status.Code);
        Assert.StartsWith("malformed request:", status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MetadataListsOfDifferentLength_GetInvalidArgument()
    {
        await using RawStream stream = await RawStream.OpenAsync(_connection);
        await stream.WriteFrameAsync(FrameFlags.Header, "{\"service\":\"Hello\",\"method\":\"sayHello\",\"serializationMode\":3,\"metadataKeys\":[\"a\",\"b\"],\"metadataValues\":[\"1\"]}"u8.ToArray());
        await stream.WriteFrameAsync(FrameFlags.EndStream, "{\"name\":\"x\"}"u8.ToArray());
        Assert.Equal(StatusCode.InvalidArgument, Status(Assert.Single(await stream.ReadUntilTrailerAsync())).Code);
    }

    [Fact]
    public async Task SecondHeaderWhileRequestSideOpen_KillsStream()
    {
        await using RawStream stream = await RawStream.OpenAsync(_connection);
        await stream.WriteFrameAsync(FrameFlags.Header, Header("Hello", "countdown", mode: 3));
        await stream.WriteFrameAsync(FrameFlags.Header, Header("Hello", "countdown", mode: 3));
        (_, bool ended) = await stream.ReadToEndAsync();
        Assert.True(ended);
        await AssertOtherCallsWorkAsync();
    }

    [Fact]
    public async Task CancelWhereHeaderExpected_IsIgnored()
    {
        await using RawStream stream = await RawStream.OpenAsync(_connection);
        await stream.WriteFrameAsync(FrameFlags.Cancel, []);
        await stream.WriteFrameAsync(FrameFlags.Header, Header("Hello", "sayHello", mode: 3));
        await stream.WriteFrameAsync(FrameFlags.EndStream, "{\"name\":\"x\"}"u8.ToArray());
        List<(FrameFlags Flags, byte[] Payload)> frames = await stream.ReadUntilTrailerAsync();
        Assert.Equal(StatusCode.OK, Status(frames[^1]).Code);
    }

    [Fact]
    public async Task RandomFrameSequences_NeverBreakTheConnection()
    {
        var random = new Random(4242);
        for (int round = 0; round < 200; round++)
        {
            await using RawStream stream = await RawStream.OpenAsync(_connection);
            int frames = random.Next(1, 6);
            for (int i = 0; i < frames; i++)
            {
                byte[] payload = new byte[random.Next(0, 40)];
                random.NextBytes(payload);
                if (random.Next(3) == 0)
                {
                    payload = Header("Hello", random.Next(2) == 0 ? "sayHello" : "countdown", random.Next(0, 4));
                }

                var flags = (FrameFlags)random.Next(0, 256);
                if (payload.Length == 0)
                {
                    flags |= FrameFlags.EndStream;
                }

                await stream.WriteFrameAsync(flags, payload);
            }

            await stream.FinishAsync();
            (_, bool ended) = await stream.ReadToEndAsync();
            Assert.True(ended, $"round {round}: the server must end the stream");
        }

        await AssertOtherCallsWorkAsync();
    }

    [Fact]
    public async Task CompressedHeaderAndRequest_AreDecompressedAndServed()
    {
        await using RawStream stream = await RawStream.OpenAsync(_connection);
        await stream.WriteFrameAsync(FrameFlags.Header | FrameFlags.Compressed, ZstdTestFrames.Raw(Header("Hello", "sayHello", mode: 3)));
        await stream.WriteFrameAsync(FrameFlags.EndStream | FrameFlags.Compressed, ZstdTestFrames.Raw("{\"name\":\"zstd\"}"u8.ToArray()));
        List<(FrameFlags Flags, byte[] Payload)> frames = await stream.ReadUntilTrailerAsync();
        Assert.Equal("{\"message\":\"Hello, zstd!\"}", Encoding.UTF8.GetString(frames[0].Payload));
        Assert.Equal(StatusCode.OK, Status(frames[1]).Code);
    }

    [ZstdCliFact]
    public async Task RealZstdRequest_OverFourKilobytes_IsServed()
    {
        string name = Encoding.ASCII.GetString(ZstdCorpus.Text(20_000, 3));
        byte[] compressed = ZstdCli.Compress(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { name })), ["-3"]);
        await using RawStream stream = await RawStream.OpenAsync(_connection);
        await stream.WriteFrameAsync(FrameFlags.Header, Header("Hello", "sayHello", mode: 3));
        await stream.WriteFrameAsync(FrameFlags.EndStream | FrameFlags.Compressed, compressed);
        List<(FrameFlags Flags, byte[] Payload)> frames = await stream.ReadUntilTrailerAsync();
        using JsonDocument response = JsonDocument.Parse(frames[0].Payload);
        Assert.Equal($"Hello, {name}!", response.RootElement.GetProperty("message").GetString());
        Assert.Equal(StatusCode.OK, Status(frames[1]).Code);
    }

    [Fact]
    public async Task CompressedRequestNotZstd_GetsInvalidArgument_AndStreamContinues()
    {
        await using RawStream stream = await RawStream.OpenAsync(_connection);
        await stream.WriteFrameAsync(FrameFlags.Header, Header("Hello", "sayHello", mode: 3));
        await stream.WriteFrameAsync(FrameFlags.EndStream | FrameFlags.Compressed, "{\"name\":\"x\"}"u8.ToArray());
        RpcStatus status = Status(Assert.Single(await stream.ReadUntilTrailerAsync()));
        Assert.Equal(StatusCode.InvalidArgument, status.Code);
        Assert.Contains("invalid zstd data", status.Message, StringComparison.Ordinal);
        await AssertOtherCallsWorkAsync();
    }

    [Fact]
    public async Task CompressedRequestOver16MiB_GetsResourceExhausted()
    {
        await using RawStream stream = await RawStream.OpenAsync(_connection);
        await stream.WriteFrameAsync(FrameFlags.Header, Header("Hello", "sayHello", mode: 3));
        await stream.WriteFrameAsync(FrameFlags.EndStream | FrameFlags.Compressed, ZstdTestFrames.Rle((byte)' ', 129));
        RpcStatus status = Status(Assert.Single(await stream.ReadUntilTrailerAsync()));
        Assert.Equal(StatusCode.ResourceExhausted, status.Code);
        await AssertOtherCallsWorkAsync();
    }

    [Fact]
    public async Task CompressedHeaderNotZstd_GetsMalformedStreamHeader()
    {
        await using RawStream stream = await RawStream.OpenAsync(_connection);
        await stream.WriteFrameAsync(FrameFlags.Header | FrameFlags.Compressed, Header("Hello", "sayHello", mode: 3));
        await stream.WriteFrameAsync(FrameFlags.EndStream, "{\"name\":\"x\"}"u8.ToArray());
        RpcStatus status = Status(Assert.Single(await stream.ReadUntilTrailerAsync()));
        Assert.Equal(StatusCode.InvalidArgument, status.Code);
        Assert.StartsWith("malformed StreamHeader: compressed payload:", status.Message, StringComparison.Ordinal);
        await AssertOtherCallsWorkAsync();
    }

    private static byte[] Header(string service, string method, int mode)
        => Encoding.UTF8.GetBytes($"{{\"service\":\"{service}\",\"method\":\"{method}\",\"version\":1,\"callId\":1,\"deadline\":0,\"serializationMode\":{mode},\"metadataKeys\":[],\"metadataValues\":[],\"sessionId\":0}}");

    private static RpcStatus Status((FrameFlags Flags, byte[] Payload) frame)
    {
        Assert.True((frame.Flags & FrameFlags.Trailer) != 0, $"expected a trailer, got flags {frame.Flags}");
        using JsonDocument doc = JsonDocument.Parse(frame.Payload);
        return new RpcStatus((StatusCode)doc.RootElement.GetProperty("code").GetInt32(), doc.RootElement.GetProperty("message").GetString()!, []);
    }

    private async Task AssertOtherCallsWorkAsync()
    {
        HelloResponse response = await _client.UnaryAsync(_sayHello, new HelloRequest("ok")).DefaultTimeout();
        Assert.Equal("Hello, ok!", response.Message);
    }
}
