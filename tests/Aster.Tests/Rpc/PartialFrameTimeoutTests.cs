using System.Text;
using Aster.Framing;
using Aster.Server;
using Aster.Testing;
using Aster.Transport;

namespace Aster.Tests.Rpc;

/// <summary>Row 7 of wire-protocol.md 19.1: no byte for 30 s inside a partly received frame resets the stream and cancels the call.</summary>
public sealed class PartialFrameTimeoutTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _time = new();
    private readonly TaskCompletionSource _handlerCancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private AsterServer _server = null!;
    private IRpcConnection _connection = null!;
    private Task _serving = null!;

    public Task InitializeAsync()
    {
        ServiceDefinition ingest = ServiceDefinition.CreateShared("MissionControl", 1, new object())
            .AddClientStreaming<MetricPoint, IngestResult>("ingestMetrics", async (_, points, context) =>
            {
                using CancellationTokenRegistration registration = context.CancellationToken.Register(() => _handlerCancelled.TrySetResult());
                int accepted = 0;
                await foreach (MetricPoint point in points)
                {
                    accepted++;
                }

                return new IngestResult(accepted, 0);
            })
            .Build();
        var options = new AsterServerOptions { Codecs = JsonTestCodecProvider.Instance, TimeProvider = _time, MaxHandlerTimeout = TimeSpan.FromDays(1) };
        _server = new AsterServer([ingest], options);
        (IRpcConnection client, IRpcConnection server) = InMemoryTransport.CreatePair();
        _connection = client;
        _serving = _server.ServeConnectionAsync(server);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _server.DisposeAsync();
        await _serving.DefaultTimeout();
    }

    [Fact]
    public async Task SilenceInsideFrame_ResetsStreamAndCancelsCall()
    {
        await using RawStream stream = await RawStream.OpenAsync(_connection);
        await stream.WriteFrameAsync(FrameFlags.Header, Header());
        await stream.WriteFrameAsync(FrameFlags.None, Point());
        await stream.WriteAsync([100, 0, 0, 0, 0, (byte)'{', (byte)'"']); // a frame of 100 bytes, 2 of them sent

        // The server arms its timer once it has read the partial frame; advance the clock until it fires.
        // The loop is bounded by wall time (a hang guard): a loaded machine may take seconds to schedule the server's read.
        DateTime until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!_handlerCancelled.Task.IsCompleted && DateTime.UtcNow < until)
        {
            _time.Advance(TimeSpan.FromSeconds(31));
            await Task.WhenAny(_handlerCancelled.Task, Task.Delay(50));
        }

        await _handlerCancelled.Task.DefaultTimeout();
        (List<(FrameFlags Flags, byte[] Payload)> frames, bool ended) = await stream.ReadToEndAsync();
        Assert.True(ended);
        Assert.DoesNotContain(frames, f => (f.Flags & FrameFlags.Trailer) != 0);
    }

    [Fact]
    public async Task SlowButSteadyFrame_AndIdleBetweenFrames_AreNotTimedOut()
    {
        await using RawStream stream = await RawStream.OpenAsync(_connection);
        await stream.WriteFrameAsync(FrameFlags.Header, Header());
        _time.Advance(TimeSpan.FromMinutes(5)); // idle at a frame boundary is fine
        byte[] point = Point();
        byte[] frame = [.. BitConverter.GetBytes(point.Length + 1), 0x40, .. point];
        await stream.WriteAsync(frame[..10]);
        await Task.Delay(50);
        _time.Advance(TimeSpan.FromSeconds(29)); // under the limit, however late the server armed its timer
        await stream.WriteAsync(frame[10..]);

        List<(FrameFlags Flags, byte[] Payload)> frames = await stream.ReadUntilTrailerAsync();
        Assert.Equal(2, frames.Count);
        Assert.Equal("{\"accepted\":1,\"dropped\":0}", Encoding.UTF8.GetString(frames[0].Payload));
        Assert.Equal(FrameFlags.Trailer, frames[1].Flags);
        Assert.False(_handlerCancelled.Task.IsCompleted);
    }

    private static byte[] Header() => Encoding.UTF8.GetBytes(
        "{\"service\":\"MissionControl\",\"method\":\"ingestMetrics\",\"version\":1,\"callId\":1,\"deadline\":0,\"serializationMode\":3,\"metadataKeys\":[],\"metadataValues\":[],\"sessionId\":0}");

    private static byte[] Point() => "{\"name\":\"cpu\",\"value\":0.5,\"timestamp\":1}"u8.ToArray();
}
