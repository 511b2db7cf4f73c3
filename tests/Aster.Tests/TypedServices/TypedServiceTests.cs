using System.Runtime.CompilerServices;
using Aster.Client;
using Aster.Codec;
using Aster.Framing;
using Aster.Protocol;
using Aster.Server;
using Aster.Testing;
using Aster.Tests.Contracts.Samples;
using Aster.Transport;
using RawStream = Aster.Tests.Rpc.RawStream;

namespace Aster.Tests.TypedServices;

/// <summary>
/// C# service types end to end: contracts bound by reflection on the server, typed proxies on the client, Fory XLANG
/// and JSON mode payloads over the in-memory transport.
/// </summary>
public sealed class TypedServiceTests
{
    private static readonly ForyCodecProvider _codecs = new();

    [Theory]
    [InlineData(SerializationMode.Xlang)]
    [InlineData(SerializationMode.Json)]
    public async Task Hello_UnaryAndServerStream_ThroughTypedProxy(SerializationMode mode)
    {
        await using var pair = await StartAsync(mode);
        IHello hello = ServiceProxy.Create<IHello>(pair.Client);
        HelloResponse response = await hello.SayHelloAsync(new HelloRequest("World")).AsTask().DefaultTimeout();
        Assert.Equal("Hello, World!", response.Message);

        List<HelloResponse> countdown = await hello.CountdownAsync(new HelloRequest("C#")).CollectAsync();
        Assert.Equal(["C#: 3...", "C#: 2...", "C#: 1...", "C#: Go!"], countdown.Select(r => r.Message));
    }

    [Theory]
    [InlineData(SerializationMode.Xlang)]
    [InlineData(SerializationMode.Json)]
    public async Task MissionControl_AllPatterns_ThroughTypedProxy(SerializationMode mode)
    {
        await using var pair = await StartAsync(mode);
        IMissionControl mission = ServiceProxy.Create<IMissionControl>(pair.Client);
        StatusResponse status = await mission.GetStatusAsync(new StatusRequest("edge-1")).AsTask().DefaultTimeout();
        Assert.Equal(("edge-1", "running", 3600L), (status.AgentId, status.Status, status.UptimeSecs));

        Assert.True((await mission.SubmitLogAsync(new LogEntry(1700000000, "info", "boot", "edge-1")).AsTask().DefaultTimeout()).Accepted);

        List<LogEntry> logs = await mission.TailLogsAsync(new TailRequest("edge-1")).Take(3).ToListAsync().AsTask().DefaultTimeout();
        Assert.Equal(["log 0", "log 1", "log 2"], logs.Select(l => l.Message));

        IngestResult ingest = await mission.IngestMetricsAsync(Points(5)).AsTask().DefaultTimeout();
        Assert.Equal((5, 0), (ingest.Accepted, ingest.Dropped));
    }

    [Fact]
    public async Task HandlerRpcException_ReachesTypedClient()
    {
        await using var pair = await StartAsync(SerializationMode.Xlang);
        IHello hello = ServiceProxy.Create<IHello>(pair.Client);
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => hello.SayHelloAsync(new HelloRequest("")).AsTask().DefaultTimeout());
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal("name is required", ex.Status.Message);
    }

    [Fact]
    public async Task Xlang_HeaderAndTrailer_AreForyMessages()
    {
        await using var pair = await StartAsync(SerializationMode.Xlang);
        await using RawStream stream = await RawStream.OpenAsync(pair.ClientConnection);
        var header = new StreamHeader { Service = "Hello", Method = "noSuchMethod", Version = 1, SerializationMode = SerializationMode.Xlang };
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        _codecs.XlangProtocol.WriteHeader(buffer, header);
        Assert.Equal("02001e00", Hex.Encode(buffer.WrittenSpan[..4]));
        await stream.WriteFrameAsync(FrameFlags.Header, buffer.WrittenSpan.ToArray());
        await stream.WriteFrameAsync(FrameFlags.EndStream, Encode(_codecs.GetCodec<HelloRequest>(SerializationMode.Xlang), new HelloRequest("x")));
        List<(FrameFlags Flags, byte[] Payload)> frames = await stream.ReadUntilTrailerAsync();
        (FrameFlags flags, byte[] trailer) = Assert.Single(frames);
        Assert.Equal(FrameFlags.Trailer, flags);
        Assert.Equal("02001e00", Hex.Encode(trailer.AsSpan(0, 4)));
    }

    private static byte[] Encode<T>(IMessageCodec<T> codec, T value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        codec.Encode(value, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private static async IAsyncEnumerable<MetricPoint> Points(int count)
    {
        for (int i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return new MetricPoint { Name = "cpu", Value = i * 1.5, Timestamp = 1700000000 + i, Tags = { ["host"] = "h1" } };
        }
    }

    private static Task<Pair> StartAsync(SerializationMode mode)
    {
        var server = new AsterServer([ServiceBinder.FromInstance(new HelloService()), ServiceBinder.FromInstance(new MissionControlService())], new AsterServerOptions { Codecs = _codecs });
        (IRpcConnection clientEnd, IRpcConnection serverEnd) = InMemoryTransport.CreatePair();
        Task serving = server.ServeConnectionAsync(serverEnd);
        var client = new AsterClient(clientEnd, new AsterClientOptions { Codecs = _codecs, DefaultSerializationMode = mode });
        return Task.FromResult(new Pair(server, serving, client, clientEnd));
    }

    private sealed record Pair(AsterServer Server, Task Serving, AsterClient Client, IRpcConnection ClientConnection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await Server.DisposeAsync();
            await Serving.DefaultTimeout();
        }
    }

    private sealed class HelloService : IHello
    {
        public ValueTask<HelloResponse> SayHelloAsync(HelloRequest request, CancellationToken cancellationToken = default)
            => request.Name.Length == 0
                ? throw new RpcException(StatusCode.InvalidArgument, "name is required")
                : ValueTask.FromResult(new HelloResponse($"Hello, {request.Name}!"));

        public async IAsyncEnumerable<HelloResponse> CountdownAsync(HelloRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            foreach (string step in new[] { "3...", "2...", "1...", "Go!" })
            {
                await Task.Yield();
                yield return new HelloResponse($"{request.Name}: {step}");
            }
        }
    }

    private sealed class MissionControlService : IMissionControl
    {
        public ValueTask<StatusResponse> GetStatusAsync(StatusRequest request, CancellationToken cancellationToken = default)
            => ValueTask.FromResult(new StatusResponse(request.AgentId, "running", 3600));

        public ValueTask<SubmitLogResult> SubmitLogAsync(LogEntry entry, CancellationToken cancellationToken = default)
            => ValueTask.FromResult(new SubmitLogResult(true));

        public async IAsyncEnumerable<LogEntry> TailLogsAsync(TailRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            for (int i = 0; ; i++)
            {
                await Task.Delay(1, cancellationToken);
                yield return new LogEntry(1700000000 + i, request.Level, $"log {i}", request.AgentId);
            }
        }

        public async ValueTask<IngestResult> IngestMetricsAsync(IAsyncEnumerable<MetricPoint> points, CancellationToken cancellationToken = default)
        {
            int accepted = 0;
            await foreach (MetricPoint point in points.WithCancellation(cancellationToken))
            {
                accepted++;
            }

            return new IngestResult(accepted, 0);
        }
    }
}
