namespace Aster.Net.Quic.Recovery;

/// <summary>NewReno congestion control as RFC 9002, section 7 and Appendix B describe it.</summary>
internal sealed class NewRenoCongestionController : CongestionControllerBase
{
    private long _bytesAckedInAvoidance;

    /// <summary>Initializes a new instance of the <see cref="NewRenoCongestionController"/> class.</summary>
    /// <param name="maxDatagramSize">The maximum datagram size (1200 unless path MTU discovery raised it).</param>
    public NewRenoCongestionController(int maxDatagramSize = MinDatagramSize)
        : base(maxDatagramSize)
    {
    }

    /// <inheritdoc/>
    protected override void OnCongestionAvoidanceAck(long nowUs, long ackedBytes, RttEstimator rtt)
    {
        // cwnd += max_datagram_size × acked_bytes / cwnd, accumulated so that no fraction is lost: one datagram per
        // window of bytes acknowledged.
        _bytesAckedInAvoidance += ackedBytes;
        if (_bytesAckedInAvoidance >= CongestionWindow)
        {
            _bytesAckedInAvoidance -= CongestionWindow;
            CongestionWindow += MaxDatagramSize;
        }
    }

    /// <inheritdoc/>
    protected override void OnCongestionEvent(long nowUs)
    {
        // ssthresh = cwnd × kLossReductionFactor (0.5); cwnd = max(ssthresh, kMinimumWindow).
        SlowStartThreshold = CongestionWindow / 2;
        CongestionWindow = Math.Max(SlowStartThreshold, MinimumWindow);
        _bytesAckedInAvoidance = 0;
    }

    /// <inheritdoc/>
    protected override void OnWindowCollapsed(long nowUs) => _bytesAckedInAvoidance = 0;
}
