using System.Buffers;
using System.Text.Json;
using Aster.Client;
using Aster.Codec;
using Aster.Contracts;
using Aster.Framing;
using Aster.Fory;
using Aster.Fory.Dynamic;
using Aster.Protocol;
using Aster.Testing;
using Aster.Transport;

namespace Aster.Tests.Rpc;

/// <summary>
/// Our client against the frames the reference TypeScript client sent (current sources, XLANG; <c>wire/xlang-current.json</c>):
/// a scripted server records our client's frames and answers with the reference server's recorded frames. Header
/// fields and request payloads must mean the same; flags follow section 9, which differs from the recording in one
/// deliberate way: the reference client ends its requests with FIN, ours with END_STREAM (on the single request of a
/// unary or server-stream call, as the <c>E0</c> sentinel after a client stream, sections 9.1 to 9.3), so pooled streams can be reused.
/// </summary>
public sealed class ClientWireConformanceTests
{
    [VectorFact]
    public Task SayHello_MatchesReferenceClient() => UnaryAsync<XHelloRequest, XHelloResponse>("xlang.hello.sayHello", "Hello", "sayHello", r => Assert.Equal("Hello, TypeScript-typed!", r.Message));

    [VectorFact]
    public Task GetStatus_MatchesReferenceClient() => UnaryAsync<XStatusRequest, XStatusResponse>("xlang.mission-control.getStatus", "MissionControl", "getStatus", r => Assert.Equal("edge-1", r.AgentId));

    [VectorFact]
    public Task SubmitLog_MatchesReferenceClient() => UnaryAsync<XLogEntry, XSubmitLogResult>("xlang.mission-control.submitLog", "MissionControl", "submitLog", r => Assert.True(r.Accepted));

    [VectorFact]
    public async Task Countdown_MatchesReferenceClient()
    {
        Exchange exchange = Exchange.Load("xlang.hello.countdown");
        var codecs = new ForyCodecProvider();
        var method = new ClientMethod<XHelloRequest, XHelloResponse>("Hello", 1, "countdown", MethodPattern.ServerStream);
        XHelloRequest request = codecs.GetCodec<XHelloRequest>(SerializationMode.Xlang).Decode(new(exchange.Requests[1].Payload));

        List<(FrameFlags Flags, byte[] Payload)> sent = await RunAsync(exchange, async client =>
        {
            var items = new List<XHelloResponse>();
            await foreach (XHelloResponse item in client.ServerStreamingAsync(method, request))
            {
                items.Add(item);
            }

            Assert.Equal(4, items.Count);
        });

        AssertSameCall(exchange, sent, codecs, expectedFlags: [FrameFlags.Header, FrameFlags.EndStream]);
    }

    [VectorFact]
    public async Task IngestMetrics_MatchesReferenceClient()
    {
        Exchange exchange = Exchange.Load("xlang.mission-control.ingestMetrics");
        var codecs = new ForyCodecProvider();
        var method = new ClientMethod<XMetricPoint, XIngestResult>("MissionControl", 1, "ingestMetrics", MethodPattern.ClientStream);
        IMessageCodec<XMetricPoint> codec = codecs.GetCodec<XMetricPoint>(SerializationMode.Xlang);
        XMetricPoint[] points = [.. exchange.Requests.Skip(1).Select(f => codec.Decode(new(f.Payload)))];

        List<(FrameFlags Flags, byte[] Payload)> sent = await RunAsync(exchange, async client =>
        {
            // The recorded reply decodes, but its values are not checked: the TypeScript server declared the
            // IngestResult fields as float64 (JavaScript numbers), this record as varint32 like the Python examples,
            // and compatible mode skips a field whose type differs. A codec matter, not the client's.
            XIngestResult result = await client.ClientStreamingAsync(method, Items(points));
            Assert.NotNull(result);
        });

        AssertSameCall(exchange, sent, codecs, expectedFlags: [FrameFlags.Header, FrameFlags.None, FrameFlags.None, FrameFlags.None, FrameFlags.EndStream]);
        Assert.Empty(sent[^1].Payload); // the E0 sentinel
    }

    private static async IAsyncEnumerable<T> Items<T>(IEnumerable<T> items)
    {
        foreach (T item in items)
        {
            await Task.Yield();
            yield return item;
        }
    }

    private static async Task UnaryAsync<TRequest, TResponse>(string id, string service, string name, Action<TResponse> check)
    {
        Exchange exchange = Exchange.Load(id);
        var codecs = new ForyCodecProvider();
        var method = new ClientMethod<TRequest, TResponse>(service, 1, name, MethodPattern.Unary);
        TRequest request = codecs.GetCodec<TRequest>(SerializationMode.Xlang).Decode(new(exchange.Requests[1].Payload));

        List<(FrameFlags Flags, byte[] Payload)> sent = await RunAsync(exchange, async client => check(await client.UnaryAsync(method, request)));

        AssertSameCall(exchange, sent, codecs, expectedFlags: [FrameFlags.Header, FrameFlags.EndStream]);
    }

    private static void AssertSameCall(Exchange exchange, List<(FrameFlags Flags, byte[] Payload)> sent, ForyCodecProvider codecs, FrameFlags[] expectedFlags)
    {
        Assert.Equal(expectedFlags, sent.Select(f => f.Flags));

        // Header: the same fields, except callId (the reference client sends 0, "none"; ours numbers its calls, 5.1).
        StreamHeader theirs = codecs.XlangProtocol.ReadHeader(new(exchange.Requests[0].Payload));
        StreamHeader ours = codecs.XlangProtocol.ReadHeader(new(sent[0].Payload));
        Assert.Equal(
            (theirs.Service, theirs.Method, theirs.Version, theirs.Deadline, theirs.SerializationMode, theirs.SessionId, theirs.Dialect),
            (ours.Service, ours.Method, ours.Version, ours.Deadline, ours.SerializationMode, ours.SessionId, ours.Dialect));
        Assert.Equal(theirs.MetadataKeys, ours.MetadataKeys);
        Assert.Equal(theirs.MetadataValues, ours.MetadataValues);
        Assert.NotEqual(0, ours.CallId);

        // Requests: the same values, type names and field names (read schema-less, so nothing of ours is assumed).
        byte[][] theirRequests = [.. exchange.Requests.Skip(1).Select(f => f.Payload)];
        byte[][] ourRequests = [.. sent.Skip(1).Where(f => f.Payload.Length > 0).Select(f => f.Payload)];
        Assert.Equal(theirRequests.Select(p => ForyDynamic.Read(p).ToString()), ourRequests.Select(p => ForyDynamic.Read(p).ToString()));
    }

    /// <summary>Runs <paramref name="call"/> against a server that records our frames and answers with the recorded ones.</summary>
    private static async Task<List<(FrameFlags Flags, byte[] Payload)>> RunAsync(Exchange exchange, Func<AsterClient, Task> call)
    {
        (IRpcConnection clientSide, IRpcConnection serverSide) = InMemoryTransport.CreatePair();
        await using (serverSide)
        {
            var sent = new List<(FrameFlags, byte[])>();
            Task server = Task.Run(async () =>
            {
                IRpcStream stream = (await serverSide.AcceptStreamAsync().DefaultTimeout())!;
                await using (stream)
                {
                    var reader = new FrameStreamReader(stream.Input, Frame.MaxLength);
                    using var timeout = new CancellationTokenSource(Aster.Testing.TaskExtensions.DefaultTimeoutSpan);
                    while (await reader.ReadAsync(timeout.Token) is { } frame)
                    {
                        sent.Add((frame.Flags, frame.Payload.ToArray()));
                        if ((frame.Flags & FrameFlags.EndStream) != 0)
                        {
                            break;
                        }
                    }

                    reader.Release();
                    await stream.Output.WriteAsync(exchange.ResponseBytes);
                    await stream.Output.CompleteAsync();
                }
            });

            await using (var client = new AsterClient(clientSide, new AsterClientOptions { Codecs = new ForyCodecProvider() }))
            {
                await call(client).DefaultTimeout();
            }

            await server.DefaultTimeout();
            return sent;
        }
    }

    private sealed record Exchange(List<(FrameFlags Flags, byte[] Payload)> Requests, byte[] ResponseBytes)
    {
        public static Exchange Load(string id)
        {
            using JsonDocument doc = Vectors.Load("wire", "xlang-current.json");
            JsonElement exchange = doc.RootElement.GetProperty("exchanges").EnumerateArray().Single(e => e.GetProperty("id").GetString() == id);
            var requests = new List<(FrameFlags, byte[])>();
            var responses = new List<byte>();
            foreach (JsonElement frame in exchange.GetProperty("frames").EnumerateArray())
            {
                byte[] bytes = Hex.Decode(frame.GetProperty("hex").GetString()!);
                if (frame.GetProperty("dir").GetString() == "c2s")
                {
                    requests.Add(((FrameFlags)bytes[4], bytes[5..]));
                }
                else
                {
                    responses.AddRange(bytes);
                }
            }

            return new Exchange(requests, [.. responses]);
        }
    }
}

[WireType("hello/HelloRequest")]
public sealed record XHelloRequest(string Name);

[WireType("hello/HelloResponse")]
public sealed record XHelloResponse(string Message);

[WireType("mission/StatusRequest")]
public sealed record XStatusRequest(string AgentId);

[WireType("mission/StatusResponse")]
public sealed record XStatusResponse(string AgentId, string Status, long UptimeSecs);

[WireType("mission/LogEntry")]
public sealed record XLogEntry(double Timestamp, string Level, string Message, string AgentId);

[WireType("mission/SubmitLogResult")]
public sealed record XSubmitLogResult(bool Accepted);

[WireType("mission/MetricPoint")]
public sealed record XMetricPoint(string Name, double Value, double Timestamp, Dictionary<string, string> Tags);

[WireType("mission/IngestResult")]
public sealed record XIngestResult(int Accepted, int Dropped);
