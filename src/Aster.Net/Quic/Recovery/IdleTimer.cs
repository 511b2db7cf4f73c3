namespace Aster.Net.Quic.Recovery;

/// <summary>
/// The idle timeout and keep-alive rules of RFC 9000, section 10.1, and transport.md, section 6.6, as a pure
/// component: the effective timeout is the smaller of the two advertised <c>max_idle_timeout</c> values (zero means
/// none) and never less than 3 × PTO; the timer restarts on every packet received and processed, and on an
/// ack-eliciting packet sent when none was sent since the last receipt.
/// </summary>
internal sealed class IdleTimer
{
    private long _lastActivityUs;
    private bool _ackElicitingSentSinceReceive;

    /// <summary>Initializes a new instance of the <see cref="IdleTimer"/> class.</summary>
    /// <param name="localMaxIdleTimeoutUs">Our <c>max_idle_timeout</c> (30 s by default; zero disables).</param>
    /// <param name="keepAliveIntervalUs">Send a PING after this long without ack-eliciting traffic (5 s by default; zero disables).</param>
    /// <param name="nowUs">The time the connection starts.</param>
    public IdleTimer(long localMaxIdleTimeoutUs = 30_000_000, long keepAliveIntervalUs = 5_000_000, long nowUs = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(localMaxIdleTimeoutUs);
        ArgumentOutOfRangeException.ThrowIfNegative(keepAliveIntervalUs);
        LocalMaxIdleTimeoutUs = localMaxIdleTimeoutUs;
        KeepAliveIntervalUs = keepAliveIntervalUs;
        _lastActivityUs = nowUs;
        LastAckElicitingSentUs = nowUs;
    }

    /// <summary>Gets our <c>max_idle_timeout</c>.</summary>
    public long LocalMaxIdleTimeoutUs { get; }

    /// <summary>Gets the peer's <c>max_idle_timeout</c> (zero until known, meaning none).</summary>
    public long PeerMaxIdleTimeoutUs { get; private set; }

    /// <summary>Gets the keep-alive interval.</summary>
    public long KeepAliveIntervalUs { get; }

    /// <summary>Gets the time of the last ack-eliciting packet sent.</summary>
    public long LastAckElicitingSentUs { get; private set; }

    /// <summary>Records the peer's <c>max_idle_timeout</c> transport parameter.</summary>
    /// <param name="peerMaxIdleTimeoutUs">The value in microseconds (zero means none).</param>
    public void SetPeerMaxIdleTimeout(long peerMaxIdleTimeoutUs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(peerMaxIdleTimeoutUs);
        PeerMaxIdleTimeoutUs = peerMaxIdleTimeoutUs;
    }

    /// <summary>Computes the effective idle timeout.</summary>
    /// <param name="ptoUs">The current probe timeout.</param>
    /// <returns>The timeout, or <see cref="long.MaxValue"/> if neither side set one.</returns>
    public long EffectiveTimeoutUs(long ptoUs)
    {
        long local = LocalMaxIdleTimeoutUs;
        long peer = PeerMaxIdleTimeoutUs;
        long timeout = (local, peer) switch
        {
            (0, 0) => long.MaxValue,
            (0, _) => peer,
            (_, 0) => local,
            _ => Math.Min(local, peer),
        };

        return timeout == long.MaxValue ? timeout : Math.Max(timeout, 3 * ptoUs);
    }

    /// <summary>Computes when the connection closes silently for idleness.</summary>
    /// <param name="ptoUs">The current probe timeout.</param>
    /// <returns>The deadline, or <see cref="long.MaxValue"/>.</returns>
    public long DeadlineUs(long ptoUs)
    {
        long timeout = EffectiveTimeoutUs(ptoUs);
        return timeout == long.MaxValue ? long.MaxValue : _lastActivityUs + timeout;
    }

    /// <summary>Computes when a keep-alive PING is due.</summary>
    /// <returns>The time, or <see cref="long.MaxValue"/> if keep-alive is off.</returns>
    public long KeepAliveDueUs() => KeepAliveIntervalUs == 0 ? long.MaxValue : LastAckElicitingSentUs + KeepAliveIntervalUs;

    /// <summary>Records a packet received and successfully processed.</summary>
    /// <param name="nowUs">The current time.</param>
    public void OnPacketReceived(long nowUs)
    {
        _lastActivityUs = Math.Max(_lastActivityUs, nowUs);
        _ackElicitingSentSinceReceive = false;
    }

    /// <summary>Records an ack-eliciting packet sent.</summary>
    /// <param name="nowUs">The current time.</param>
    public void OnAckElicitingPacketSent(long nowUs)
    {
        LastAckElicitingSentUs = nowUs;
        if (!_ackElicitingSentSinceReceive)
        {
            _ackElicitingSentSinceReceive = true;
            _lastActivityUs = Math.Max(_lastActivityUs, nowUs);
        }
    }
}
