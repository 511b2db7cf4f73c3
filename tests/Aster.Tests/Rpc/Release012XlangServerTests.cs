using System.Runtime.CompilerServices;
using Aster.Codec;
using Aster.Fory;
using Aster.Fory.Protocol;
using Aster.Framing;
using Aster.Server;
using Aster.Testing;
using Aster.Transport;

namespace Aster.Tests.Rpc;

[WireType("legacy/EchoRequest")]
public sealed record LegacyEchoRequest(string Message = "");

[WireType("legacy/EchoReply")]
public sealed record LegacyEchoReply(string Message = "", long Length = 0);

/// <summary>
/// Our server answering the release 0.1.2 XLANG dialect (wire-protocol.md 20.6, contracts-and-fory.md B12): headers,
/// CallHeaders, payloads and trailers are schema-consistent Fory (<c>02 ff 1d</c>). The only 0.1.2 XLANG bytes
/// available are the worked examples of B12 and 20.6 (the reference's <c>protocol-payloads.json</c> is not in
/// <c>vectors/fory/</c>); whether pyfory 0.16 itself writes exactly these bytes is marked unverified in B12, and so is
/// the layout of nested records, which these flat test records do not use.
/// </summary>
public sealed class Release012XlangServerTests : IAsyncLifetime
{
    /// <summary>B12 "basic unary": StreamHeader{service "Echo", method "echo", version 1, callId "test-call-1", mode 0}.</summary>
    private const string SpecStreamHeader = "02ff1d08016c129922120476538900ce9c801922a40518de" + "000002" + "2c746573742d63616c6c2d31" + "106563686f" + "104563686f" + "0000";

    /// <summary>The RpcStatus prefix of the B12 table, up to and including the schema hash.</summary>
    private const string RpcStatusPrefix = "02ff1d08016c1299220e0256785626026a245353ca9f";

    private static readonly ForySerializer _legacy = new ForySerializer(ForyOptions.Release012)
        .Register<Release012StreamHeader>().Register<Release012CallHeader>().Register<Release012RpcStatus>()
        .Register<LegacyEchoRequest>().Register<LegacyEchoReply>();

    private AsterServer _server = null!;
    private Task _serving = Task.CompletedTask;
    private IRpcConnection _client = null!;

    public Task InitializeAsync()
    {
        Start(new ForyCodecProvider());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _client.CloseAsync(0, "done");
        await _server.DisposeAsync();
        await _serving.DefaultTimeout();
    }

    [Fact]
    public async Task SpecHeader_Unary_AnswersInTheRelease012XlangDialect()
    {
        await using RawStream stream = await RawStream.OpenAsync(_client);
        await stream.WriteFrameAsync(FrameFlags.Header, Hex.Decode(SpecStreamHeader));
        await stream.WriteFrameAsync(FrameFlags.None, _legacy.Serialize(new LegacyEchoRequest("héllo")));
        await stream.FinishAsync();
        (List<(FrameFlags Flags, byte[] Payload)> frames, bool ended) = await stream.ReadToEndAsync();
        Assert.True(ended);
        Assert.Equal([FrameFlags.None, FrameFlags.Trailer], frames.Select(f => f.Flags));
        Assert.StartsWith("02ff1d", Hex.Encode(frames[0].Payload), StringComparison.Ordinal);
        Assert.Equal(new LegacyEchoReply("héllo", 5), _legacy.Deserialize<LegacyEchoReply>(frames[0].Payload));
        Assert.StartsWith(RpcStatusPrefix, Hex.Encode(frames[1].Payload), StringComparison.Ordinal);
        Assert.Equal(Hex.Encode(_legacy.Serialize(new Release012RpcStatus())), Hex.Encode(frames[1].Payload));
    }

    [Fact]
    public async Task UnknownMethod_TrailerInTheRelease012XlangDialect()
    {
        await using RawStream stream = await RawStream.OpenAsync(_client);
        await stream.WriteFrameAsync(FrameFlags.Header, Header("Echo", "nope"));
        await stream.WriteFrameAsync(FrameFlags.None, _legacy.Serialize(new LegacyEchoRequest("x")));
        await stream.FinishAsync();
        (List<(FrameFlags Flags, byte[] Payload)> frames, _) = await stream.ReadToEndAsync();
        (FrameFlags flags, byte[] trailer) = Assert.Single(frames);
        Assert.Equal(FrameFlags.Trailer, flags);
        Release012RpcStatus status = _legacy.Deserialize<Release012RpcStatus>(trailer);
        Assert.Equal((long)StatusCode.Unimplemented, status.Code);
        Assert.Equal("Method 'Echo.nope' not implemented", status.Message);
    }

    [Fact]
    public async Task MalformedRelease012XlangHeader_InvalidArgument_InThatDialect()
    {
        await using RawStream stream = await RawStream.OpenAsync(_client);
        byte[] header = Hex.Decode(SpecStreamHeader);
        await stream.WriteFrameAsync(FrameFlags.Header, header[..30]);
        await stream.FinishAsync();
        (List<(FrameFlags Flags, byte[] Payload)> frames, _) = await stream.ReadToEndAsync();
        (FrameFlags _, byte[] trailer) = Assert.Single(frames);
        Release012RpcStatus status = _legacy.Deserialize<Release012RpcStatus>(trailer);
        Assert.Equal((long)StatusCode.InvalidArgument, status.Code);
        Assert.StartsWith("malformed StreamHeader: ", status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Session_UnaryAndBidi_InTheRelease012XlangDialect()
    {
        await using RawStream stream = await RawStream.OpenAsync(_client);
        await stream.WriteFrameAsync(FrameFlags.Header, Header("LegacyNotes", ""));

        await stream.WriteFrameAsync(FrameFlags.Call, Call("append"));
        await stream.WriteFrameAsync(FrameFlags.None, _legacy.Serialize(new LegacyEchoRequest("ab")));
        (FrameFlags flags, byte[] payload) = Assert.NotNull(await stream.ReadFrameAsync());
        Assert.Equal(FrameFlags.None, flags); // a unary success: one DATA, no trailer
        Assert.Equal(new LegacyEchoReply("ab", 2), _legacy.Deserialize<LegacyEchoReply>(payload));

        await stream.WriteFrameAsync(FrameFlags.Call, Call("stream"));
        await stream.WriteFrameAsync(FrameFlags.None, _legacy.Serialize(new LegacyEchoRequest("c")));
        await stream.WriteFrameAsync(FrameFlags.None, _legacy.Serialize(new LegacyEchoRequest("de")));
        await stream.WriteFrameAsync(FrameFlags.Trailer, _legacy.Serialize(new Release012RpcStatus()));
        List<LegacyEchoReply> replies = [];
        while (Assert.NotNull(await stream.ReadFrameAsync()) is var (itemFlags, item) && itemFlags == FrameFlags.None)
        {
            replies.Add(_legacy.Deserialize<LegacyEchoReply>(item));
        }

        Assert.Equal([new LegacyEchoReply("abc", 3), new LegacyEchoReply("abcde", 5)], replies);
        await stream.FinishAsync();
        Assert.True((await stream.ReadToEndAsync()).Ended);
    }

    [Fact]
    public async Task SessionClientTrailerNotOk_FailsTheCall_InTheRelease012XlangDialect()
    {
        await using RawStream stream = await RawStream.OpenAsync(_client);
        await stream.WriteFrameAsync(FrameFlags.Header, Header("LegacyNotes", ""));
        await stream.WriteFrameAsync(FrameFlags.Call, Call("stream"));
        await stream.WriteFrameAsync(FrameFlags.Trailer, _legacy.Serialize(new Release012RpcStatus { Code = 3, Message = "stop" }));
        (FrameFlags flags, byte[] trailer) = Assert.NotNull(await stream.ReadFrameAsync());
        Assert.Equal(FrameFlags.Trailer, flags);
        Release012RpcStatus status = _legacy.Deserialize<Release012RpcStatus>(trailer);
        Assert.Equal((long)StatusCode.Internal, status.Code);
        Assert.Equal("client sent non-OK end-of-input trailer (code=3)", status.Message);
    }

    [Fact]
    public async Task CodecsWithoutTheDialect_AnswerTheRefusalOf20_6_ByteExact()
    {
        await DisposeAsync();
        Start(JsonTestCodecProvider.Instance);
        await using RawStream stream = await RawStream.OpenAsync(_client);
        await stream.WriteFrameAsync(FrameFlags.Header, Hex.Decode(SpecStreamHeader));
        await stream.WriteFrameAsync(FrameFlags.None, _legacy.Serialize(new LegacyEchoRequest("x")));
        (List<(FrameFlags Flags, byte[] Payload)> frames, bool ended) = await stream.ReadToEndAsync();
        Assert.True(ended, "the stream ends after the refusal");
        (FrameFlags flags, byte[] trailer) = Assert.Single(frames);
        Assert.Equal(FrameFlags.Trailer, flags);
        string message = "the 0.1.2 XLANG dialect is not supported by this server; use JSON mode";
        Assert.Equal(RpcStatusPrefix + "18" + "9802" + Hex.Encode(System.Text.Encoding.ASCII.GetBytes(message)) + "0000", Hex.Encode(trailer));
        Assert.Equal(Hex.Encode(_legacy.Serialize(new Release012RpcStatus { Code = 12, Message = message })), Hex.Encode(trailer));
    }

    [Fact]
    public async Task CurrentXlangAndJson_StillServedBySameServer()
    {
        await using RawStream stream = await RawStream.OpenAsync(_client);
        await stream.WriteFrameAsync(FrameFlags.Header, System.Text.Encoding.UTF8.GetBytes(Release012SessionServerTests.Header("Echo", "echo")));
        await stream.WriteFrameAsync(FrameFlags.None, """{"message":"ok"}"""u8.ToArray());
        await stream.FinishAsync();
        (List<(FrameFlags Flags, byte[] Payload)> frames, _) = await stream.ReadToEndAsync();
        Assert.Equal("""{"message":"ok","length":2}""", System.Text.Encoding.UTF8.GetString(frames[0].Payload));
        Assert.Equal(FrameFlags.Trailer, frames[1].Flags);
    }

    private void Start(ICodecProvider codecs)
    {
        _server = new AsterServer([Echo(), Notes()], new AsterServerOptions { Codecs = codecs });
        (IRpcConnection client, IRpcConnection server) = InMemoryTransport.CreatePair();
        _serving = _server.ServeConnectionAsync(server);
        _client = client;
    }

    private static byte[] Header(string service, string method)
        => _legacy.Serialize(new Release012StreamHeader { Service = service, Method = method, Version = 1, CallId = Guid.NewGuid().ToString("D"), SerializationMode = 0 });

    private static byte[] Call(string method)
        => _legacy.Serialize(new Release012CallHeader { Method = method, CallId = Guid.NewGuid().ToString("D") });

    private static ServiceDefinition Echo()
        => ServiceDefinition.CreateShared("Echo", 1, new object())
            .AddUnary<LegacyEchoRequest, LegacyEchoReply>("echo", (_, r, _) => ValueTask.FromResult(new LegacyEchoReply(r.Message, r.Message.Length)))
            .Build();

    /// <summary>A session-scoped service keeping one text per session.</summary>
    private static ServiceDefinition Notes()
        => ServiceDefinition.CreateSessionScoped("LegacyNotes", 1, _ => new System.Text.StringBuilder())
            .AddUnary<LegacyEchoRequest, LegacyEchoReply>("append", (text, r, _) => ValueTask.FromResult(Append(text, r.Message)))
            .AddDuplexStreaming<LegacyEchoRequest, LegacyEchoReply>("stream", (text, items, c) => AppendAll(text, items, c.CancellationToken))
            .Build();

    private static LegacyEchoReply Append(System.Text.StringBuilder text, string part)
    {
        text.Append(part);
        return new LegacyEchoReply(text.ToString(), text.Length);
    }

    private static async IAsyncEnumerable<LegacyEchoReply> AppendAll(System.Text.StringBuilder text, IAsyncEnumerable<LegacyEchoRequest> items, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (LegacyEchoRequest item in items.WithCancellation(cancellationToken))
        {
            yield return Append(text, item.Message);
        }
    }
}
