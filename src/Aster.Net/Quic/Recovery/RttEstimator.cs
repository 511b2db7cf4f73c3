namespace Aster.Net.Quic.Recovery;

/// <summary>Round-trip time estimation (RFC 9002, section 5). All values are in microseconds.</summary>
internal sealed class RttEstimator
{
    /// <summary>The RTT assumed before the first sample: 333 ms (RFC 9002, section 6.2.2; noq uses the same).</summary>
    public const long DefaultInitialRttUs = 333_000;

    /// <summary>The timer granularity, 1 ms (RFC 9002, section 6.1.2).</summary>
    public const long GranularityUs = 1_000;

    private readonly long _initialRttUs;

    /// <summary>Initializes a new instance of the <see cref="RttEstimator"/> class.</summary>
    /// <param name="initialRttUs">The RTT assumed before the first sample.</param>
    public RttEstimator(long initialRttUs = DefaultInitialRttUs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialRttUs, 1);
        _initialRttUs = initialRttUs;
        Reset();
    }

    /// <summary>Gets a value indicating whether at least one RTT sample was taken.</summary>
    public bool HasSample { get; private set; }

    /// <summary>Gets the most recent RTT sample.</summary>
    public long LatestRttUs { get; private set; }

    /// <summary>Gets the minimum RTT seen (not adjusted for ACK delay).</summary>
    public long MinRttUs { get; private set; }

    /// <summary>Gets the smoothed RTT.</summary>
    public long SmoothedRttUs { get; private set; }

    /// <summary>Gets the RTT variation.</summary>
    public long RttVarUs { get; private set; }

    /// <summary>Gets or sets the peer's <c>max_ack_delay</c> (25 ms unless the peer's transport parameters say otherwise).</summary>
    public long PeerMaxAckDelayUs { get; set; } = 25_000;

    /// <summary>
    /// Gets the probe timeout base for a space: smoothed_rtt + max(4 × rttvar, granularity), without
    /// <c>max_ack_delay</c> and without backoff (RFC 9002, section 6.2.1).
    /// </summary>
    public long PtoBaseUs => SmoothedRttUs + Math.Max(4 * RttVarUs, GranularityUs);

    /// <summary>Forgets every sample (for example after a path change).</summary>
    public void Reset()
    {
        HasSample = false;
        LatestRttUs = 0;
        MinRttUs = 0;
        SmoothedRttUs = _initialRttUs;
        RttVarUs = _initialRttUs / 2;
    }

    /// <summary>
    /// Adds an RTT sample taken when an ACK newly acknowledged the largest acknowledged packet and at least one
    /// ack-eliciting packet (RFC 9002, sections 5.1 to 5.3).
    /// </summary>
    /// <param name="latestRttUs">now − time the largest acknowledged packet was sent.</param>
    /// <param name="ackDelayUs">The peer's reported ACK delay, already decoded with its exponent.</param>
    /// <param name="handshakeConfirmed">Whether the handshake is confirmed (the delay is then capped by <see cref="PeerMaxAckDelayUs"/>).</param>
    /// <param name="isApplicationSpace">Whether the ACK was in the Application Data space (the delay is ignored otherwise).</param>
    public void Update(long latestRttUs, long ackDelayUs, bool handshakeConfirmed, bool isApplicationSpace = true)
    {
        latestRttUs = Math.Max(latestRttUs, 1);
        LatestRttUs = latestRttUs;
        if (!HasSample)
        {
            HasSample = true;
            MinRttUs = latestRttUs;
            SmoothedRttUs = latestRttUs;
            RttVarUs = latestRttUs / 2;
            return;
        }

        MinRttUs = Math.Min(MinRttUs, latestRttUs);

        if (!isApplicationSpace)
        {
            ackDelayUs = 0;
        }
        else if (handshakeConfirmed)
        {
            ackDelayUs = Math.Min(ackDelayUs, PeerMaxAckDelayUs);
        }

        ackDelayUs = Math.Max(ackDelayUs, 0);
        long adjusted = latestRttUs;
        if (latestRttUs >= MinRttUs + ackDelayUs)
        {
            adjusted = latestRttUs - ackDelayUs;
        }

        RttVarUs = ((3 * RttVarUs) + Math.Abs(SmoothedRttUs - adjusted)) / 4;
        SmoothedRttUs = ((7 * SmoothedRttUs) + adjusted) / 8;
    }
}
