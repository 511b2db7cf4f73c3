using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Aster.Framing;
using Aster.Server;
using Aster.Testing;
using Aster.Transport;

namespace Aster.Tests.Rpc;

/// <summary>
/// Replays the client frames captured from the reference TypeScript peer (release 0.1.2, JSON mode) into our server
/// and compares our answers with the reference server's, frame by frame: same flags, same JSON, same status codes
/// except where we deliberately differ (documented per case). A subclass supplies the transport.
/// </summary>
public abstract class WireReplayTestsBase : IAsyncLifetime
{
    private AsterServer _server = null!;
    private IRpcConnection _client = null!;

    public async Task InitializeAsync()
    {
        _server = new AsterServer([ReferenceServices.Hello(), ReferenceServices.MissionControl(), ReferenceServices.AgentSession()], ConfigureServer(new AsterServerOptions { Codecs = JsonTestCodecProvider.Instance }));
        _client = await ConnectAsync(_server);
    }

    public async Task DisposeAsync()
    {
        await _client.CloseAsync(0, "done");
        await _server.DisposeAsync();
        await DisposeTransportAsync();
    }

    /// <summary>Adjusts the server's options for the transport.</summary>
    protected virtual AsterServerOptions ConfigureServer(AsterServerOptions options) => options;

    /// <summary>Connects a client connection to <paramref name="server"/>, serving the server end as needed.</summary>
    protected abstract Task<IRpcConnection> ConnectAsync(AsterServer server);

    /// <summary>Waits for what <see cref="ConnectAsync"/> started, after the server is disposed.</summary>
    protected virtual Task DisposeTransportAsync() => Task.CompletedTask;

    [VectorTheory]
    [InlineData("unary-json.json", "unary.hello.sayHello")]
    [InlineData("unary-json.json", "unary.hello.sayHello.typed")]
    [InlineData("unary-json.json", "unary.mission-control.getStatus")]
    [InlineData("unary-json.json", "unary.mission-control.submitLog")]
    [InlineData("server-stream-json.json", "server-stream.hello.countdown")]
    [InlineData("client-stream-json.json", "client-stream.mission-control.ingestMetrics")]
    [InlineData("errors-json.json", "error.unimplemented-method")]
    [InlineData("errors-json.json", "tolerated.missing-request-field")]
    [InlineData("errors-json.json", "error.first-frame-not-header")]
    [InlineData("errors-json.json", "error.session-stream-to-shared-service")]
    public async Task Replay_ReferenceClientFrames_ServerAnswersLikeReference(string file, string id)
    {
        (List<(int Flags, byte[] Payload)> requests, List<(int Flags, byte[] Payload)> expected) = Load(file, id);
        await using RawStream stream = await RawStream.OpenAsync(_client);
        foreach ((int flags, byte[] payload) in requests)
        {
            await stream.WriteFrameAsync((FrameFlags)flags, payload);
        }

        await stream.FinishAsync();
        (List<(FrameFlags Flags, byte[] Payload)> actual, bool ended) = await stream.ReadToEndAsync();
        Assert.True(ended, "the server must finish a 0.1.2 stream after its call");
        Assert.Equal(expected.Select(f => f.Flags), actual.Select(f => (int)f.Flags));
        for (int i = 0; i < expected.Count; i++)
        {
            if ((expected[i].Flags & (int)FrameFlags.Trailer) != 0)
            {
                Assert.Equal(Code(expected[i].Payload), Code(actual[i].Payload));
            }
            else
            {
                Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected[i].Payload), JsonNode.Parse(actual[i].Payload)),
                    $"frame {i}: expected {Encoding.UTF8.GetString(expected[i].Payload)}, got {Encoding.UTF8.GetString(actual[i].Payload)}");
            }
        }
    }

    /// <summary>
    /// The captured 0.1.2 session exchanges (wire-protocol.md 20.5): the client's frames go in one by one and each of the
    /// reference server's frames must come back with the same flags and the same JSON, in the same place; after the
    /// client's FIN the server finishes the stream with nothing more.
    /// </summary>
    [VectorTheory]
    [InlineData("session.agent-session.unary-calls")]
    [InlineData("session.agent-session.bidi")]
    public async Task Replay_Release012Session_ServerAnswersLikeReference(string id)
    {
        using JsonDocument doc = Vectors.Load("wire", "session-json.json");
        JsonElement exchange = doc.RootElement.GetProperty("exchanges").EnumerateArray().Single(e => e.GetProperty("id").GetString() == id);
        await using RawStream stream = await RawStream.OpenAsync(_client);
        int answers = 0;
        foreach (JsonElement frame in exchange.GetProperty("frames").EnumerateArray())
        {
            byte[] bytes = Hex.Decode(frame.GetProperty("hex").GetString()!);
            if (frame.GetProperty("dir").GetString() == "c2s")
            {
                await stream.WriteAsync(bytes);
                continue;
            }

            (FrameFlags flags, byte[] payload) = Assert.NotNull(await stream.ReadFrameAsync());
            Assert.Equal(bytes[4], (byte)flags);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(bytes.AsSpan(5)), JsonNode.Parse(payload)), $"answer {answers}: expected {Encoding.UTF8.GetString(bytes, 5, bytes.Length - 5)}, got {Encoding.UTF8.GetString(payload)}");
            answers++;
        }

        await stream.FinishAsync();
        (List<(FrameFlags Flags, byte[] Payload)> rest, bool ended) = await stream.ReadToEndAsync();
        Assert.True(ended, "the server must finish the session stream after the client's FIN");
        Assert.Empty(rest);
        Assert.True(answers >= 2);
    }

    [VectorFact]
    public async Task Replay_OkTrailers_AreByteIdenticalToReference()
    {
        (List<(int Flags, byte[] Payload)> requests, List<(int Flags, byte[] Payload)> expected) = Load("unary-json.json", "unary.hello.sayHello");
        await using RawStream stream = await RawStream.OpenAsync(_client);
        foreach ((int flags, byte[] payload) in requests)
        {
            await stream.WriteFrameAsync((FrameFlags)flags, payload);
        }

        await stream.FinishAsync();
        (List<(FrameFlags Flags, byte[] Payload)> actual, _) = await stream.ReadToEndAsync();
        Assert.Equal(expected.Select(f => Hex.Encode(f.Payload)), actual.Select(f => Hex.Encode(f.Payload)));
    }

    [VectorTheory]
    [InlineData("error.unknown-service", 12)] // reference 0.1.2 answers NOT_FOUND (5); we answer UNIMPLEMENTED (D1)
    [InlineData("error.unknown-version", 12)] // same
    [InlineData("error.unknown-request-field", 101)]
    [InlineData("error.header-missing-keys", 3)] // reference: a JavaScript TypeError (13); here missing keys take defaults (5.3) and the missing request frame is INVALID_ARGUMENT (row 23)
    [InlineData("tolerated.mode-0-with-json-bytes", 3)] // reference ignores the mode; here the mode decides the payload codec (16.3 rule 4)
    [InlineData("error.compressed-request-unsupported", 3)] // reference: INTERNAL; the payload is not valid zstd (a raw block longer than the data): INVALID_ARGUMENT (row 26)
    [InlineData("tolerated.deadline-in-the-past", 4)] // reference let the fast handler answer; 20.4 says DEADLINE_EXCEEDED
    public async Task Replay_DeliberateDifferences_AnswerWithOurCode(string id, int code)
    {
        (List<(int Flags, byte[] Payload)> requests, _) = Load("errors-json.json", id);
        await using RawStream stream = await RawStream.OpenAsync(_client);
        foreach ((int flags, byte[] payload) in requests)
        {
            await stream.WriteFrameAsync((FrameFlags)flags, payload);
        }

        await stream.FinishAsync();
        (List<(FrameFlags Flags, byte[] Payload)> actual, _) = await stream.ReadToEndAsync();
        (FrameFlags _, byte[] trailer) = Assert.Single(actual, f => (f.Flags & FrameFlags.Trailer) != 0);
        Assert.Equal(code, Code(trailer));
    }

    [VectorFact]
    public async Task Replay_TailLogs_StreamsRecordedEntriesUntilCancelled()
    {
        (List<(int Flags, byte[] Payload)> requests, List<(int Flags, byte[] Payload)> expected) = Load("server-stream-json.json", "server-stream.mission-control.tailLogs");
        await using RawStream stream = await RawStream.OpenAsync(_client);
        foreach ((int flags, byte[] payload) in requests)
        {
            await stream.WriteFrameAsync((FrameFlags)flags, payload);
        }

        (List<(FrameFlags Flags, byte[] Payload)> actual, bool ended) = await stream.ReadToEndAsync(TimeSpan.FromMilliseconds(500));
        Assert.False(ended);
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.Select(f => Encoding.UTF8.GetString(f.Payload)), actual.Select(f => Encoding.UTF8.GetString(f.Payload)));
    }

    private static int Code(byte[] trailer) => JsonDocument.Parse(trailer).RootElement.GetProperty("code").GetInt32();

    private static (List<(int Flags, byte[] Payload)> Requests, List<(int Flags, byte[] Payload)> Responses) Load(string file, string id)
    {
        using JsonDocument doc = Vectors.Load("wire", file);
        JsonElement exchange = doc.RootElement.GetProperty("exchanges").EnumerateArray().Single(e => e.GetProperty("id").GetString() == id);
        var requests = new List<(int, byte[])>();
        var responses = new List<(int, byte[])>();
        foreach (JsonElement frame in exchange.GetProperty("frames").EnumerateArray())
        {
            byte[] bytes = Hex.Decode(frame.GetProperty("hex").GetString()!);
            (frame.GetProperty("dir").GetString() == "c2s" ? requests : responses).Add((bytes[4], bytes[5..]));
        }

        return (requests, responses);
    }
}

/// <summary>The replay over the in-memory transport.</summary>
public sealed class WireReplayTests : WireReplayTestsBase
{
    private Task _serving = Task.CompletedTask;

    protected override Task<IRpcConnection> ConnectAsync(AsterServer server)
    {
        (IRpcConnection client, IRpcConnection serverEnd) = InMemoryTransport.CreatePair();
        _serving = server.ServeConnectionAsync(serverEnd);
        return Task.FromResult(client);
    }

    protected override Task DisposeTransportAsync() => _serving.DefaultTimeout();
}
