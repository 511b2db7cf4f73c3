using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Aster.Client;
using Aster.Contracts;
using Aster.Framing;
using Aster.Protocol;
using Aster.Testing;
using Aster.Transport;

namespace Aster.Tests.Rpc;

/// <summary>
/// The client's 0.1.2 session protocol (wire-protocol.md 20.5) against the captured TypeScript 0.1.2 session exchanges
/// (<c>wire/session-json.json</c>): a scripted server checks each frame our client sends against the capture (call ids
/// aside) and answers with the captured server frames. Our server's side is in <see cref="Release012SessionServerTests"/>.
/// </summary>
public sealed class Release012SessionTests
{
    private static readonly ClientMethod<Heartbeat, Assignment> _register = new("AgentSession", 1, "register", MethodPattern.Unary);
    private static readonly ClientMethod<Heartbeat, Assignment> _heartbeat = new("AgentSession", 1, "heartbeat", MethodPattern.Unary);
    private static readonly ClientMethod<CommandRequest, CommandResult> _runCommand = new("AgentSession", 1, "runCommand", MethodPattern.BidiStream);

    [VectorFact]
    public async Task UnaryCalls_MatchCapturedSession()
    {
        await ReplayAsync("session.agent-session.unary-calls", async client =>
        {
            var session = new CallOptions { SessionId = client.NewSessionId() };
            Assignment first = await client.UnaryAsync(_register, new Heartbeat("edge-1", ["gpu"], 0.5), session);
            Assignment second = await client.UnaryAsync(_heartbeat, new Heartbeat("edge-1", [], 0.1), session);
            Assert.Equal(new Assignment("train-42", "python train.py"), first);
            Assert.Equal(new Assignment("continue", ""), second);
        });
    }

    [VectorFact]
    public async Task BidiCall_MatchesCapturedSession()
    {
        await ReplayAsync("session.agent-session.bidi", async client =>
        {
            var results = new List<CommandResult>();
            await foreach (CommandResult result in client.DuplexStreamingAsync(_runCommand, Commands(), new CallOptions { SessionId = client.NewSessionId() }))
            {
                results.Add(result);
            }

            Assert.Equal([new CommandResult("hello-from-bidi\n", "", 0), new CommandResult("abc", "", 3)], results);
        });
    }

    [Fact]
    public async Task ErrorTrailer_FailsTheCall_AndTheSessionGoesOn()
    {
        (IRpcConnection clientSide, IRpcConnection serverSide) = InMemoryTransport.CreatePair();
        await using (clientSide)
        await using (serverSide)
        {
            Task server = Task.Run(async () =>
            {
                await using IRpcStream stream = (await serverSide.AcceptStreamAsync().DefaultTimeout())!;
                var reader = new FrameStreamReader(stream.Input, Frame.MaxLength);
                Assert.Equal(FrameFlags.Header, (await reader.ReadAsync(CancellationToken.None).DefaultTimeout())!.Value.Flags);
                foreach (string answer in (string[])["{\"code\":9,\"message\":\"no\",\"detailKeys\":[],\"detailValues\":[]}", "{\"task_id\":\"t\",\"command\":\"c\"}"])
                {
                    Assert.Equal(FrameFlags.Call, (await reader.ReadAsync(CancellationToken.None).DefaultTimeout())!.Value.Flags);
                    Assert.Equal(FrameFlags.None, (await reader.ReadAsync(CancellationToken.None).DefaultTimeout())!.Value.Flags);
                    var output = new System.Buffers.ArrayBufferWriter<byte>();
                    FrameWriter.Write(output, answer.Contains("code", StringComparison.Ordinal) ? FrameFlags.Trailer : FrameFlags.None, System.Text.Encoding.UTF8.GetBytes(answer));
                    await stream.Output.WriteAsync(output.WrittenMemory);
                }

                Assert.Null(await reader.ReadAsync(CancellationToken.None).DefaultTimeout()); // the client's FIN
                await stream.Output.CompleteAsync();
            });
            await using (var client = new AsterClient(clientSide, Options()))
            {
                var session = new CallOptions { SessionId = client.NewSessionId() };
                var ex = await Assert.ThrowsAsync<RpcException>(async () => await client.UnaryAsync(_register, new Heartbeat("a", [], 0), session).AsTask().DefaultTimeout());
                Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
                Assert.Equal(new Assignment("t", "c"), await client.UnaryAsync(_heartbeat, new Heartbeat("a", [], 0), session).AsTask().DefaultTimeout());
            }

            await server.DefaultTimeout();
        }
    }

    private static async IAsyncEnumerable<CommandRequest> Commands()
    {
        yield return new CommandRequest("echo hello-from-bidi");
        await Task.Yield();
        yield return new CommandRequest("printf abc; exit 3");
    }

    private static AsterClientOptions Options() => new() { Codecs = JsonTestCodecProvider.Instance, WireDialect = WireDialect.Release012 };

    /// <summary>Runs <paramref name="calls"/> against a server that replays the captured exchange <paramref name="id"/>.</summary>
    private static async Task ReplayAsync(string id, Func<AsterClient, Task> calls)
    {
        using JsonDocument doc = Vectors.Load("wire", "session-json.json");
        JsonElement[] frames = [.. doc.RootElement.GetProperty("exchanges").EnumerateArray().Single(e => e.GetProperty("id").GetString() == id).GetProperty("frames").EnumerateArray()];
        (IRpcConnection clientSide, IRpcConnection serverSide) = InMemoryTransport.CreatePair();
        await using (clientSide)
        await using (serverSide)
        {
            Task server = Task.Run(async () =>
            {
                await using IRpcStream stream = (await serverSide.AcceptStreamAsync().DefaultTimeout())!;
                var reader = new FrameStreamReader(stream.Input, Frame.MaxLength);
                foreach (JsonElement expected in frames)
                {
                    if (expected.GetProperty("dir").GetString() == "s2c")
                    {
                        await stream.Output.WriteAsync(Hex.Decode(expected.GetProperty("hex").GetString()!));
                        continue;
                    }

                    Frame frame = (await reader.ReadAsync(CancellationToken.None).DefaultTimeout())!.Value;
                    Assert.Equal(expected.GetProperty("flags").GetInt32(), (int)frame.Flags);
                    AssertSameJson(expected.GetProperty("payload_text").GetString()!, frame.Payload.ToArray());
                }

                Assert.Null(await reader.ReadAsync(CancellationToken.None).DefaultTimeout()); // FIN when the client is disposed
                await stream.Output.CompleteAsync();
            });
            await using (var client = new AsterClient(clientSide, Options()))
            {
                await calls(client).DefaultTimeout();
            }

            await server.DefaultTimeout();
        }
    }

    /// <summary>The same JSON with the same key order, except that call ids are fresh UUIDs on our side.</summary>
    private static void AssertSameJson(string expected, byte[] actual)
    {
        JsonNode theirs = JsonNode.Parse(expected)!;
        JsonNode ours = JsonNode.Parse(actual)!;
        if (theirs is JsonObject theirObject && theirObject.ContainsKey("callId"))
        {
            Assert.True(Guid.TryParseExact(ours["callId"]!.GetValue<string>(), "D", out _));
            theirObject["callId"] = ours["callId"]!.GetValue<string>();
        }

        Assert.Equal(theirs.ToJsonString(), ours.ToJsonString());
    }
}

public sealed record CommandRequest(string Command);

public sealed record CommandResult(string Stdout, string Stderr, int ExitCode);
