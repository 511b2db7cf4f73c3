using System.Buffers;
using System.Net;

namespace Aster.Net.Quic.Connection;

/// <summary>
/// Runs one <see cref="QuicConnectionCore"/> on an endpoint's socket: timers and sending. Full-size datagrams go out
/// in batches of up to <see cref="UdpSender.MaxSegments"/> per system call when the sender segments (UDP GSO).
/// </summary>
internal sealed class QuicConnectionDriver : IDisposable
{
    private readonly UdpSender _sender;
    private readonly SocketAddress _remoteAddress;
    private readonly DriverWakeup _wakeup = new();

    public QuicConnectionDriver(QuicConnectionCore core, UdpSender sender, IPEndPoint remote)
    {
        Core = core;
        _sender = sender;
        Remote = remote;
        // Serialized once: sending to an EndPoint would serialize it again for every datagram.
        _remoteAddress = remote.Serialize();
        core.Wake = Signal;
    }

    public QuicConnectionCore Core { get; }

    public IPEndPoint Remote { get; }

    /// <summary>Gets or sets the routing keys registered for this connection (removed when it ends).</summary>
    public List<string> RouteKeys { get; } = [];

    public void Signal() => _wakeup.Signal();

    /// <summary>
    /// Hands datagrams of this connection to the core (one, or a coalesced run of <paramref name="segmentSize"/>-byte
    /// datagrams from a GRO receive), then wakes the driver once, and only if something is due to go out now; if they
    /// only armed an earlier timer (a delayed ACK), the current wait is shortened instead, which saves a thread-pool
    /// hop per datagram in request/response traffic.
    /// </summary>
    public void Receive(Span<byte> datagrams, int segmentSize, long nowUs)
    {
        if (Core.ProcessDatagrams(datagrams, segmentSize, nowUs, out long nextTimeoutUs))
        {
            _wakeup.Signal();
        }
        else
        {
            _wakeup.WakeBy(nextTimeoutUs);
        }
    }

    /// <summary>Stops the wake-up timer; <see cref="RunAsync"/> calls it when its loop ends, signals after it do nothing.</summary>
    public void Dispose() => _wakeup.Dispose();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // Pooled: a batch buffer is 64 KiB, and an endpoint may run many short connections.
        byte[] buffer = ArrayPool<byte>.Shared.Rent(_sender.SegmentsPerSend > 1 ? UdpSender.MaxSendBytes : QuicConnectionCore.MaxDatagramBuffer);
        Memory<byte> room = buffer.AsMemory(0, Math.Min(buffer.Length, UdpSender.MaxSendBytes));
        using CancellationTokenRegistration stopping = cancellationToken.UnsafeRegister(static state => ((DriverWakeup)state!).Signal(), _wakeup);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                Core.OnDriverTurn();
                long now = QuicClock.NowUs;
                if (now >= Core.NextTimeoutUs)
                {
                    Core.HandleTimeout(now);
                }

                int n;
                while ((n = Core.WriteDatagrams(room.Span, _sender.SegmentsPerSend, now, out int segmentSize)) > 0)
                {
                    // Synchronous: a UDP send does not wait for the peer, and the sender holds a lock around the
                    // socket's segment-size option. Errors count as loss.
                    int calls = _sender.Send(room.Span[..n], segmentSize, _remoteAddress);
                    Core.OnDatagramsSent((n + segmentSize - 1) / segmentSize, calls);
                }

                if (Core.State == QuicConnectionState.Closed)
                {
                    return;
                }

                long next = Core.NextTimeoutUs;
                now = QuicClock.NowUs;
                int delayMs = next == long.MaxValue ? 1000 : (int)Math.Clamp((next - now + 999) / 1000, 0, 1000);
                await _wakeup.WaitAsync(delayMs).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
#pragma warning disable CA1031 // A bug in one connection must end that connection, not the endpoint.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (Core.Logger is { } logger)
            {
                QuicConnectionLog.DriverFailed(logger, ex);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            Dispose();
            Core.Abandon(QuicClock.NowUs);
        }
    }
}
