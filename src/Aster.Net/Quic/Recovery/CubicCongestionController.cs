namespace Aster.Net.Quic.Recovery;

/// <summary>
/// CUBIC congestion control (RFC 9438) on top of the RFC 9002 recovery rules: slow start as NewReno, β = 0.7,
/// C = 0.4, the Reno-friendly region and fast convergence.
/// </summary>
/// <remarks>Window arithmetic is in segments of <see cref="ICongestionController.MaxDatagramSize"/> bytes, as RFC 9438 writes it.</remarks>
internal sealed class CubicCongestionController : CongestionControllerBase
{
    /// <summary>The CUBIC constant C, in segments per second cubed.</summary>
    public const double C = 0.4;

    /// <summary>The multiplicative decrease factor β.</summary>
    public const double Beta = 0.7;

    /// <summary>The Reno-friendly additive increase α = 3(1 − β)/(1 + β).</summary>
    public const double RenoAlpha = 3 * (1 - Beta) / (1 + Beta);

    private readonly bool _fastConvergence;
    private double _windowSegments;
    private double _wMax;
    private double _k;
    private double _wEst;
    private double _cwndPrior;
    private long _epochStartUs = long.MinValue;

    /// <summary>Initializes a new instance of the <see cref="CubicCongestionController"/> class.</summary>
    /// <param name="maxDatagramSize">The maximum datagram size.</param>
    /// <param name="fastConvergence">Whether to use fast convergence (RFC 9438, section 4.7). On by default.</param>
    public CubicCongestionController(int maxDatagramSize = MinDatagramSize, bool fastConvergence = true)
        : base(maxDatagramSize)
    {
        _fastConvergence = fastConvergence;
    }

    /// <summary>Gets W_max, the window (in segments) before the last reduction.</summary>
    public double WMax => _wMax;

    /// <summary>Gets K, the time in seconds the cubic function takes to return to <see cref="WMax"/>.</summary>
    public double K => _k;

    /// <summary>Computes W_cubic(t) = C × (t − K)³ + W_max in segments.</summary>
    /// <param name="tSeconds">Seconds since the start of the congestion avoidance epoch.</param>
    /// <returns>The window in segments.</returns>
    public double WCubic(double tSeconds)
    {
        double d = tSeconds - _k;
        return (C * d * d * d) + _wMax;
    }

    /// <inheritdoc/>
    protected override void OnCongestionAvoidanceAck(long nowUs, long ackedBytes, RttEstimator rtt)
    {
        double mss = MaxDatagramSize;
        if ((long)(_windowSegments * mss) != CongestionWindow)
        {
            _windowSegments = CongestionWindow / mss;
        }

        double cwnd = _windowSegments;
        if (_epochStartUs == long.MinValue)
        {
            // Entering congestion avoidance: after a reduction W_max is above the window; after slow start ended at
            // ssthresh without loss it is not, and the curve starts flat at the current window.
            _epochStartUs = nowUs;
            if (cwnd < _wMax)
            {
                _k = Math.Cbrt((_wMax - cwnd) / C);
            }
            else
            {
                _k = 0;
                _wMax = cwnd;
            }

            _wEst = cwnd;
        }

        double ackedSegments = ackedBytes / mss;
        double t = (nowUs - _epochStartUs) / 1_000_000.0;
        double srtt = rtt.SmoothedRttUs / 1_000_000.0;

        // Reno-friendly estimate (RFC 9438, section 4.3); α becomes 1 once W_est reaches the window before the loss.
        double alpha = _wEst >= _cwndPrior ? 1.0 : RenoAlpha;
        _wEst += alpha * ackedSegments / cwnd;

        if (WCubic(t) < _wEst)
        {
            cwnd = _wEst;
        }
        else
        {
            // Concave or convex region (RFC 9438, sections 4.4 and 4.5).
            double target = Math.Clamp(WCubic(t + srtt), cwnd, 1.5 * cwnd);
            cwnd += (target - cwnd) / cwnd * ackedSegments;
        }

        _windowSegments = cwnd;
        CongestionWindow = Math.Max((long)(cwnd * mss), MinimumWindow);
    }

    /// <inheritdoc/>
    protected override void OnCongestionEvent(long nowUs)
    {
        double mss = MaxDatagramSize;
        double cwnd = CongestionWindow / mss;
        _cwndPrior = cwnd;
        _wMax = _fastConvergence && cwnd < _wMax ? cwnd * (1 + Beta) / 2 : cwnd;

        long ssthresh = CongestionWindow * 7 / 10; // β = 0.7 in integer arithmetic
        SlowStartThreshold = Math.Max(ssthresh, MinimumWindow);
        CongestionWindow = SlowStartThreshold;
        _windowSegments = CongestionWindow / mss;
        _epochStartUs = long.MinValue;
    }

    /// <inheritdoc/>
    protected override void OnWindowCollapsed(long nowUs)
    {
        _epochStartUs = long.MinValue;
        _windowSegments = CongestionWindow / (double)MaxDatagramSize;
    }
}
