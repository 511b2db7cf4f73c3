using System.Net;
using System.Net.Sockets;

namespace Aster.Net.Quic.Connection;

/// <summary>Runs one <see cref="QuicConnectionCore"/> on an endpoint's socket: timers and sending.</summary>
internal sealed class QuicConnectionDriver : IDisposable
{
    private readonly Socket _socket;
    private readonly SocketAddress _remoteAddress;
    private readonly DriverWakeup _wakeup = new();

    public QuicConnectionDriver(QuicConnectionCore core, Socket socket, IPEndPoint remote)
    {
        Core = core;
        _socket = socket;
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
    /// Hands a datagram of this connection to the core, then wakes the driver only if something is due to go out now;
    /// if the datagram only armed an earlier timer (a delayed ACK), the current wait is shortened instead, which saves
    /// a thread-pool hop per datagram in request/response traffic.
    /// </summary>
    public void Receive(Span<byte> datagram, long nowUs)
    {
        if (Core.ProcessDatagram(datagram, nowUs, out long nextTimeoutUs))
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
        byte[] buffer = new byte[QuicConnectionCore.MaxDatagramBuffer];
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
                while ((n = Core.WriteDatagram(buffer, now)) > 0)
                {
                    try
                    {
                        await _socket.SendToAsync(buffer.AsMemory(0, n), SocketFlags.None, _remoteAddress, cancellationToken).ConfigureAwait(false);
                    }
                    catch (SocketException)
                    {
                        // Treated like loss.
                    }
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
            Dispose();
            Core.Abandon(QuicClock.NowUs);
        }
    }
}
