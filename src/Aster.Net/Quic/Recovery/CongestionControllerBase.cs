namespace Aster.Net.Quic.Recovery;

/// <summary>
/// The parts every congestion controller shares: bytes in flight, the recovery period and the window limits of RFC 9002,
/// section 7.2.
/// </summary>
internal abstract class CongestionControllerBase : ICongestionController
{
    /// <summary>The smallest datagram size allowed by QUIC.</summary>
    public const int MinDatagramSize = 1200;

    private long _recoveryStartTimeUs = long.MinValue;

    /// <summary>Initializes a new instance of the <see cref="CongestionControllerBase"/> class.</summary>
    /// <param name="maxDatagramSize">The maximum datagram size.</param>
    protected CongestionControllerBase(int maxDatagramSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDatagramSize, MinDatagramSize);
        MaxDatagramSize = maxDatagramSize;
        CongestionWindow = InitialWindow(maxDatagramSize);
    }

    /// <inheritdoc/>
    public int MaxDatagramSize { get; private set; }

    /// <inheritdoc/>
    public long CongestionWindow { get; protected set; }

    /// <inheritdoc/>
    public long SlowStartThreshold { get; protected set; } = long.MaxValue;

    /// <inheritdoc/>
    public long BytesInFlight { get; private set; }

    /// <inheritdoc/>
    public long AvailableWindow => Math.Max(0, CongestionWindow - BytesInFlight);

    /// <inheritdoc/>
    public bool ApplicationLimited { get; set; }

    /// <summary>Gets the minimum window: 2 × max datagram size.</summary>
    public long MinimumWindow => 2L * MaxDatagramSize;

    /// <summary>Gets a value indicating whether the window is below the slow start threshold.</summary>
    public bool InSlowStart => CongestionWindow < SlowStartThreshold;

    /// <summary>Gets a value indicating whether a recovery period has started.</summary>
    protected bool HasRecoveryPeriod => _recoveryStartTimeUs != long.MinValue;

    /// <summary>Computes the initial window: min(10 × size, max(14720, 2 × size)) (RFC 9002, section 7.2).</summary>
    /// <param name="maxDatagramSize">The maximum datagram size.</param>
    /// <returns>The initial window in bytes.</returns>
    public static long InitialWindow(int maxDatagramSize) => Math.Min(10L * maxDatagramSize, Math.Max(14_720L, 2L * maxDatagramSize));

    /// <summary>Tells whether a packet sent at <paramref name="timeSentUs"/> belongs to the current recovery period.</summary>
    /// <param name="timeSentUs">The packet's send time.</param>
    /// <returns><see langword="true"/> if it was sent at or before the start of the recovery period.</returns>
    public bool InCongestionRecovery(long timeSentUs) => HasRecoveryPeriod && timeSentUs <= _recoveryStartTimeUs;

    /// <inheritdoc/>
    public bool CanSend(int bytes) => BytesInFlight + bytes <= CongestionWindow;

    /// <inheritdoc/>
    public void OnPacketSent(long nowUs, int bytes) => BytesInFlight += bytes;

    /// <inheritdoc/>
    public void OnPacketAcked(long nowUs, long timeSentUs, int bytes, RttEstimator rtt)
    {
        RemoveFromFlight(bytes);
        if (ApplicationLimited || InCongestionRecovery(timeSentUs))
        {
            return;
        }

        if (InSlowStart)
        {
            CongestionWindow += bytes;
            return;
        }

        OnCongestionAvoidanceAck(nowUs, bytes, rtt);
    }

    /// <inheritdoc/>
    public void OnPacketsLost(long nowUs, long lostBytes, long largestLostTimeSentUs)
    {
        RemoveFromFlight(lostBytes);
        if (InCongestionRecovery(largestLostTimeSentUs))
        {
            return;
        }

        _recoveryStartTimeUs = nowUs;
        OnCongestionEvent(nowUs);
        CongestionWindow = Math.Max(CongestionWindow, MinimumWindow);
    }

    /// <inheritdoc/>
    public void OnPersistentCongestion(long nowUs)
    {
        _recoveryStartTimeUs = long.MinValue;
        CongestionWindow = MinimumWindow;
        OnWindowCollapsed(nowUs);
    }

    /// <inheritdoc/>
    public void OnPacketDiscarded(int bytes) => RemoveFromFlight(bytes);

    /// <inheritdoc/>
    public void SetMaxDatagramSize(int maxDatagramSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDatagramSize, MinDatagramSize);
        MaxDatagramSize = maxDatagramSize;
        CongestionWindow = Math.Max(CongestionWindow, MinimumWindow);
    }

    /// <summary>Grows the window for an acknowledgement outside slow start and outside recovery.</summary>
    /// <param name="nowUs">The current time.</param>
    /// <param name="ackedBytes">The bytes acknowledged.</param>
    /// <param name="rtt">The RTT estimator.</param>
    protected abstract void OnCongestionAvoidanceAck(long nowUs, long ackedBytes, RttEstimator rtt);

    /// <summary>Reduces the window at the start of a new recovery period (the base then enforces the minimum window).</summary>
    /// <param name="nowUs">The current time.</param>
    protected abstract void OnCongestionEvent(long nowUs);

    /// <summary>Resets algorithm state after persistent congestion collapsed the window.</summary>
    /// <param name="nowUs">The current time.</param>
    protected virtual void OnWindowCollapsed(long nowUs)
    {
    }

    private void RemoveFromFlight(long bytes) => BytesInFlight = Math.Max(0, BytesInFlight - bytes);
}
