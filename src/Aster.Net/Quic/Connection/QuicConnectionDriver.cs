using System.Buffers;
using System.Net;

namespace Aster.Net.Quic.Connection;

/// <summary>
/// Runs one <see cref="QuicConnectionCore"/> on an endpoint's socket: timers and sending. Full-size datagrams go out
/// in batches of up to <see cref="UdpSender.MaxSegments"/> per system call when the sender segments (UDP GSO).
/// </summary>
/// <remarks>
/// <para><b>Inline sends.</b> When the application makes something to send (<see cref="QuicConnectionCore.Wake"/>) and
/// nobody is sending for this connection, the application's thread writes and sends the datagrams itself instead of
/// waking the driver task: that saves a thread-pool hop (a few tens of microseconds) on every request and response.
/// Building and sending is serialized by <c>_sendLock</c>: the driver takes it for its whole turn, an inline sender
/// only tries it. Whoever fails to get it signals the driver, which then waits for the lock and sends, so no data is
/// left behind. The core's pacing, congestion and amplification limits apply as to the driver's own sends; timers
/// stay with the driver (an inline send moves its deadline earlier, e.g. for the new packet's PTO, and a due timer
/// sends nothing inline). Never inline: from inside the core's lock, before the driver started or after it ended,
/// outside the connected state (handshake, closing), and beyond <see cref="MaxInlineBatches"/> batches (a bulk
/// writer hands the rest to the driver).</para>
/// <para><b>Only on an idle connection</b> (no bytes in flight): that is the latency case, a request or response
/// after the peer acknowledged everything (sequential calls: each packet acknowledges the previous one). With
/// packets in flight (many calls at once, bulk) the driver sends: by the time it runs, the writes of other calls
/// have joined the same packets. Measured with 64 echoes in flight, sending every write inline cut round trips/s to
/// a third or less (one datagram per write instead of shared packets).</para>
/// <para><b>Only after a quiet moment</b> (<see cref="InlineQuietPeriodUs"/> since the previous wake-up): with 16 and
/// 64 unary calls in flight the connection is often briefly idle on loopback (ACKs return within microseconds), and
/// inline sends there cost 10–25 % of calls/s against Kestrel in the same run; bursts now go to the driver.</para>
/// </remarks>
internal sealed class QuicConnectionDriver : IDisposable
{
    /// <summary>The most batches an application thread sends before handing the rest to the driver.</summary>
    private const int MaxInlineBatches = 2;

    /// <summary>
    /// An application wake-up sends inline only if the previous one was at least this long ago (µs): sequential calls
    /// on loopback are a round trip (≈ 100 µs) apart, while many calls in flight wake the connection every few µs, and
    /// their writes are better joined into shared packets by the driver.
    /// </summary>
    private const long InlineQuietPeriodUs = 50;

    private readonly UdpSender _sender;
    private readonly SocketAddress _remoteAddress;
    private readonly DriverWakeup _wakeup = new();
    private readonly Lock _sendLock = new();
    private byte[]? _buffer;
    private long _lastApplicationWakeUs = long.MinValue / 2;

    public QuicConnectionDriver(QuicConnectionCore core, UdpSender sender, IPEndPoint remote)
    {
        Core = core;
        _sender = sender;
        Remote = remote;
        // Serialized once: sending to an EndPoint would serialize it again for every datagram.
        _remoteAddress = remote.Serialize();
        core.Wake = OnApplicationWake;
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
        // Pooled: a batch buffer is 64 KiB, and an endpoint may run many short connections. Shared with inline
        // senders, which use it only under _sendLock.
        byte[] buffer = ArrayPool<byte>.Shared.Rent(_sender.SegmentsPerSend > 1 ? UdpSender.MaxSendBytes : QuicConnectionCore.MaxDatagramBuffer);
        lock (_sendLock)
        {
            _buffer = buffer;
        }

        using CancellationTokenRegistration stopping = cancellationToken.UnsafeRegister(static state => ((DriverWakeup)state!).Signal(), _wakeup);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                lock (_sendLock)
                {
                    Core.OnDriverTurn();
                    long now = QuicClock.NowUs;
                    if (now >= Core.NextTimeoutUs)
                    {
                        Core.HandleTimeout(now);
                    }

                    while (SendBatch(buffer, now) > 0)
                    {
                    }
                }

                if (Core.State == QuicConnectionState.Closed)
                {
                    return;
                }

                long next = Core.NextTimeoutUs;
                long after = QuicClock.NowUs;
                int delayMs = next == long.MaxValue ? 1000 : (int)Math.Clamp((next - after + 999) / 1000, 0, 1000);
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
            lock (_sendLock)
            {
                _buffer = null;
            }

            ArrayPool<byte>.Shared.Return(buffer);
            Dispose();
            Core.Abandon(QuicClock.NowUs);
        }
    }

    /// <summary>The core's <see cref="QuicConnectionCore.Wake"/>: send from this thread if nobody is sending, else wake the driver.</summary>
    private void OnApplicationWake()
    {
        long now = QuicClock.NowUs;
        long previous = Interlocked.Exchange(ref _lastApplicationWakeUs, now);
        if (now - previous < InlineQuietPeriodUs || !TrySendInline())
        {
            _wakeup.Signal();
        }
    }

    /// <summary>
    /// Writes and sends what is due on the calling thread; false when the driver must do it instead (see the remarks
    /// on the class). After an inline send the driver's timer is moved to the core's next deadline.
    /// </summary>
    private bool TrySendInline()
    {
        if (Core.IsLockHeldByCurrentThread || _sendLock.IsHeldByCurrentThread || Core.State != QuicConnectionState.Connected
            || Core.HasBytesInFlight || !_sendLock.TryEnter())
        {
            return false;
        }

        bool done = false;
        try
        {
            if (_buffer is not { } buffer)
            {
                return false;
            }

            long now = QuicClock.NowUs;
            if (now >= Core.NextTimeoutUs)
            {
                return false;
            }

            for (int batch = 0; batch < MaxInlineBatches && !done; batch++)
            {
                done = SendBatch(buffer, now) == 0;
            }
        }
#pragma warning disable CA1031 // Not the writer's failure: the driver meets it again, logs it and ends the connection.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
        finally
        {
            _sendLock.Exit();
        }

        _wakeup.WakeBy(Core.NextTimeoutUs);
        return done;
    }

    /// <summary>Writes one batch of datagrams into <paramref name="buffer"/> and sends it; returns the bytes sent (0: nothing to send).</summary>
    private int SendBatch(byte[] buffer, long nowUs)
    {
        Span<byte> room = buffer.AsSpan(0, Math.Min(buffer.Length, UdpSender.MaxSendBytes));
        int n = Core.WriteDatagrams(room, _sender.SegmentsPerSend, nowUs, out int segmentSize);
        if (n > 0)
        {
            // Synchronous: a UDP send does not wait for the peer, and the sender holds a lock around the socket's
            // segment-size option. Errors count as loss.
            int calls = _sender.Send(room[..n], segmentSize, _remoteAddress);
            Core.OnDatagramsSent((n + segmentSize - 1) / segmentSize, calls);
        }

        return n;
    }
}
