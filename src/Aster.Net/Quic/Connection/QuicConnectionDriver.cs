using System.Net;
using System.Net.Sockets;

namespace Aster.Net.Quic.Connection;

/// <summary>Runs one <see cref="QuicConnectionCore"/> on an endpoint's socket: timers and sending.</summary>
internal sealed class QuicConnectionDriver
{
    private readonly Socket _socket;
    private TaskCompletionSource? _waiter;
    private int _wakePending;

    public QuicConnectionDriver(QuicConnectionCore core, Socket socket, IPEndPoint remote)
    {
        Core = core;
        _socket = socket;
        Remote = remote;
        core.Wake = Signal;
    }

    public QuicConnectionCore Core { get; }

    public IPEndPoint Remote { get; }

    /// <summary>Gets or sets the routing keys registered for this connection (removed when it ends).</summary>
    public List<string> RouteKeys { get; } = [];

    public void Signal()
    {
        Volatile.Write(ref _wakePending, 1);
        Interlocked.Exchange(ref _waiter, null)?.TrySetResult();
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[QuicConnectionCore.MaxDatagramBuffer];
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
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
                        await _socket.SendToAsync(buffer.AsMemory(0, n), SocketFlags.None, Remote, cancellationToken).ConfigureAwait(false);
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
                var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Volatile.Write(ref _waiter, waiter);
                if (delayMs > 0 && Volatile.Read(ref _wakePending) == 0)
                {
                    await Task.WhenAny(waiter.Task, Task.Delay(delayMs, cancellationToken)).ConfigureAwait(false);
                    cancellationToken.ThrowIfCancellationRequested();
                }

                Interlocked.Exchange(ref _wakePending, 0);
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
            Core.Abandon(QuicClock.NowUs);
        }
    }
}
