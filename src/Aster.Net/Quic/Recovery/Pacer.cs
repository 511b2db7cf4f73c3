namespace Aster.Net.Quic.Recovery;

/// <summary>
/// A token-bucket pacer (RFC 9002, section 7.7): tokens accrue at 1.25 × cwnd / smoothed_rtt bytes per second and the
/// bucket holds at most <see cref="MaxBurstPackets"/> datagrams, so a sender bursts at most that many packets back to
/// back and spreads the rest over the round trip.
/// </summary>
/// <remarks>The connection asks <see cref="GetSendTimeUs"/> before sending a packet and reports it with
/// <see cref="OnPacketSent"/>. Probe packets and ACK-only packets may bypass pacing.</remarks>
internal sealed class Pacer
{
    /// <summary>The default burst: 10 datagrams (transport.md, section 7.2).</summary>
    public const int DefaultMaxBurstPackets = 10;

    /// <summary>
    /// The burst interval a connection uses (2 ms, as quinn/noq): the bucket may hold what the rate sends in that time,
    /// between <see cref="DefaultMaxBurstPackets"/> and <see cref="MaxBurstIntervalPackets"/> datagrams. Timers here
    /// fire no finer than about a millisecond, so a bucket of 10 datagrams would cap a fast path at ~10 datagrams/ms.
    /// </summary>
    public const long DefaultBurstIntervalUs = 2_000;

    /// <summary>The most datagrams a burst interval may allow.</summary>
    public const int MaxBurstIntervalPackets = 256;

    /// <summary>The pacing gain N = 1.25, as a fraction.</summary>
    public const double Gain = 1.25;

    private double _tokens;
    private long _lastUpdateUs = long.MinValue;

    /// <summary>Initializes a new instance of the <see cref="Pacer"/> class.</summary>
    /// <param name="maxBurstPackets">The most datagrams sent back to back (the least, with a burst interval).</param>
    /// <param name="burstIntervalUs">0: the bucket holds <paramref name="maxBurstPackets"/> datagrams; otherwise it holds
    /// what the rate sends in this interval, at least <paramref name="maxBurstPackets"/> and at most
    /// <see cref="MaxBurstIntervalPackets"/> datagrams.</param>
    public Pacer(int maxBurstPackets = DefaultMaxBurstPackets, long burstIntervalUs = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBurstPackets, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(burstIntervalUs);
        MaxBurstPackets = maxBurstPackets;
        BurstIntervalUs = burstIntervalUs;
    }

    /// <summary>Gets the burst interval (0 = a fixed burst of <see cref="MaxBurstPackets"/>).</summary>
    public long BurstIntervalUs { get; }

    /// <summary>Gets the most datagrams sent back to back.</summary>
    public int MaxBurstPackets { get; }

    /// <summary>Gets the tokens (bytes) available at the last update.</summary>
    public double Tokens => _tokens;

    /// <summary>Computes the pacing rate in bytes per second.</summary>
    /// <param name="congestionWindow">The congestion window in bytes.</param>
    /// <param name="smoothedRttUs">The smoothed RTT in microseconds.</param>
    /// <returns>The rate.</returns>
    public static double RateBytesPerSecond(long congestionWindow, long smoothedRttUs)
        => Gain * congestionWindow * 1_000_000.0 / Math.Max(smoothedRttUs, 1);

    /// <summary>Returns the earliest time a packet of <paramref name="bytes"/> may be sent (<paramref name="nowUs"/> if at once).</summary>
    /// <param name="nowUs">The current time.</param>
    /// <param name="bytes">The packet size.</param>
    /// <param name="congestionWindow">The congestion window in bytes.</param>
    /// <param name="smoothedRttUs">The smoothed RTT.</param>
    /// <param name="maxDatagramSize">The maximum datagram size.</param>
    /// <returns>The send time.</returns>
    public long GetSendTimeUs(long nowUs, int bytes, long congestionWindow, long smoothedRttUs, int maxDatagramSize)
    {
        Refill(nowUs, congestionWindow, smoothedRttUs, maxDatagramSize);
        if (_tokens >= bytes)
        {
            return nowUs;
        }

        double rate = RateBytesPerSecond(congestionWindow, smoothedRttUs);
        double waitUs = (bytes - _tokens) * 1_000_000.0 / rate;
        return nowUs + Math.Max(1, (long)Math.Ceiling(waitUs));
    }

    /// <summary>Spends tokens for a packet sent.</summary>
    /// <param name="nowUs">The send time.</param>
    /// <param name="bytes">The packet size.</param>
    /// <param name="congestionWindow">The congestion window in bytes.</param>
    /// <param name="smoothedRttUs">The smoothed RTT.</param>
    /// <param name="maxDatagramSize">The maximum datagram size.</param>
    public void OnPacketSent(long nowUs, int bytes, long congestionWindow, long smoothedRttUs, int maxDatagramSize)
    {
        Refill(nowUs, congestionWindow, smoothedRttUs, maxDatagramSize);
        _tokens = Math.Max(0, _tokens - bytes);
    }

    private void Refill(long nowUs, long congestionWindow, long smoothedRttUs, int maxDatagramSize)
    {
        double burst = (double)MaxBurstPackets * maxDatagramSize;
        if (BurstIntervalUs > 0)
        {
            double inInterval = (double)congestionWindow * BurstIntervalUs / Math.Max(smoothedRttUs, 1);
            burst = Math.Max(burst, Math.Min(inInterval, (double)MaxBurstIntervalPackets * maxDatagramSize));
        }

        double capacity = Math.Min(burst, Math.Max(congestionWindow, maxDatagramSize));
        if (_lastUpdateUs == long.MinValue)
        {
            _tokens = capacity;
        }
        else if (nowUs > _lastUpdateUs)
        {
            double rate = RateBytesPerSecond(congestionWindow, smoothedRttUs);
            _tokens += (nowUs - _lastUpdateUs) * rate / 1_000_000.0;
        }

        _tokens = Math.Min(_tokens, capacity);
        _lastUpdateUs = Math.Max(_lastUpdateUs, nowUs);
    }
}
