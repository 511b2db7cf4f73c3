namespace Aster.Net.Quic.Recovery;

/// <summary>The phases of path MTU discovery (RFC 8899, section 5.2).</summary>
internal enum PathMtuState
{
    /// <summary>Using the base size; a search starts when <see cref="PathMtuDiscovery.TryGetProbe"/> is next due.</summary>
    Base = 0,

    /// <summary>Probing larger sizes.</summary>
    Searching = 1,

    /// <summary>The largest working size is found; a new search is scheduled after the search interval.</summary>
    SearchComplete = 2,
}

/// <summary>
/// Datagram packetization layer path MTU discovery (RFC 8899 as RFC 9000, section 14.3 applies it) as a pure state
/// machine, with noq's defaults: base 1200 bytes, upper bound 1452 (capped by the peer's
/// <c>max_udp_payload_size</c>), a new search every 600 s, a 60 s black-hole cooldown and a 20-byte minimum change.
/// </summary>
/// <remarks>
/// <para>The connection asks <see cref="TryGetProbe"/> for a size, sends a PING + PADDING packet of exactly that size
/// marked <see cref="SentPacket.IsMtuProbe"/> (so its loss is not congestion), and reports the outcome with
/// <see cref="OnProbeAcked"/> or <see cref="OnProbeLost"/>. One probe is outstanding at a time.</para>
/// <para>The first probe tries the upper bound (which usually works on LANs and loopback); after
/// <see cref="MaxProbes"/> losses of one size the search continues by bisection between the confirmed size and the
/// failed size, and ends when the interval is narrower than <see cref="MinimumChange"/>.</para>
/// <para><b>Black holes.</b> The connection reports every loss event (one batch of packets declared lost) that included
/// a non-probe packet larger than the base size, and every acknowledgement of such a packet. After
/// <see cref="BlackHoleThreshold"/> such loss events with no large packet acknowledged in between, the size falls
/// back to the base and searching resumes after the cooldown.</para>
/// </remarks>
internal sealed class PathMtuDiscovery
{
    /// <summary>The QUIC minimum and base size, 1200 bytes.</summary>
    public const int BaseMtu = 1200;

    /// <summary>noq's default upper bound, 1452 bytes.</summary>
    public const int DefaultUpperBound = 1452;

    private int _searchLow;
    private int _searchHigh;
    private int _probeSize;
    private int _probeLosses;
    private bool _probeInFlight;
    private long _nextSearchUs;
    private int _suspiciousLossEvents;

    /// <summary>Initializes a new instance of the <see cref="PathMtuDiscovery"/> class.</summary>
    /// <param name="peerMaxUdpPayloadSize">The peer's <c>max_udp_payload_size</c> transport parameter (65527 if absent).</param>
    /// <param name="upperBound">Our own upper bound.</param>
    /// <param name="searchIntervalUs">The time between searches.</param>
    /// <param name="blackHoleCooldownUs">The wait before searching again after a black hole.</param>
    /// <param name="minimumChange">The smallest interval still worth probing.</param>
    /// <param name="maxProbes">The losses of one probe size that mark it as failed.</param>
    /// <param name="blackHoleThreshold">The loss events that mark a black hole.</param>
    public PathMtuDiscovery(
        int peerMaxUdpPayloadSize = 65_527,
        int upperBound = DefaultUpperBound,
        long searchIntervalUs = 600_000_000,
        long blackHoleCooldownUs = 60_000_000,
        int minimumChange = 20,
        int maxProbes = 3,
        int blackHoleThreshold = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumChange, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxProbes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(blackHoleThreshold, 1);
        MaxMtu = Math.Max(BaseMtu, Math.Min(upperBound, peerMaxUdpPayloadSize));
        SearchIntervalUs = searchIntervalUs;
        BlackHoleCooldownUs = blackHoleCooldownUs;
        MinimumChange = minimumChange;
        MaxProbes = maxProbes;
        BlackHoleThreshold = blackHoleThreshold;
        CurrentMtu = BaseMtu;
    }

    /// <summary>Gets the largest datagram size to use (UDP payload), confirmed by an acknowledged probe.</summary>
    public int CurrentMtu { get; private set; }

    /// <summary>Gets the upper bound of the search.</summary>
    public int MaxMtu { get; }

    /// <summary>Gets the phase.</summary>
    public PathMtuState State { get; private set; }

    /// <summary>Gets the time between searches.</summary>
    public long SearchIntervalUs { get; }

    /// <summary>Gets the wait before searching again after a black hole.</summary>
    public long BlackHoleCooldownUs { get; }

    /// <summary>Gets the smallest interval still worth probing.</summary>
    public int MinimumChange { get; }

    /// <summary>Gets the losses of one probe size that mark it as failed.</summary>
    public int MaxProbes { get; }

    /// <summary>Gets the loss events that mark a black hole.</summary>
    public int BlackHoleThreshold { get; }

    /// <summary>Gets the number of times the size fell back to the base after a black hole.</summary>
    public int BlackHolesDetected { get; private set; }

    /// <summary>Gets the time at which a search may start (for the connection's timer), or <see cref="long.MaxValue"/> while searching.</summary>
    public long NextSearchUs => State == PathMtuState.Searching ? long.MaxValue : _nextSearchUs;

    /// <summary>Returns the size of the probe to send now, if one is due.</summary>
    /// <param name="nowUs">The current time (only the 1-RTT space after handshake confirmation probes).</param>
    /// <param name="probeSize">The UDP payload size of the probe packet.</param>
    /// <returns><see langword="true"/> if a probe should be sent now.</returns>
    public bool TryGetProbe(long nowUs, out int probeSize)
    {
        probeSize = 0;
        if (_probeInFlight)
        {
            return false;
        }

        if (State != PathMtuState.Searching)
        {
            if (nowUs < _nextSearchUs || CurrentMtu + MinimumChange > MaxMtu)
            {
                return false;
            }

            State = PathMtuState.Searching;
            _searchLow = CurrentMtu;
            _searchHigh = MaxMtu;
            _probeSize = MaxMtu;
            _probeLosses = 0;
        }

        _probeInFlight = true;
        probeSize = _probeSize;
        return true;
    }

    /// <summary>Records that the outstanding probe was acknowledged: its size is confirmed.</summary>
    /// <param name="nowUs">The current time.</param>
    public void OnProbeAcked(long nowUs)
    {
        if (!_probeInFlight)
        {
            return;
        }

        _probeInFlight = false;
        CurrentMtu = Math.Max(CurrentMtu, _probeSize);
        _searchLow = _probeSize;
        _suspiciousLossEvents = 0;
        NextProbe(nowUs);
    }

    /// <summary>Records that the outstanding probe was declared lost.</summary>
    /// <param name="nowUs">The current time.</param>
    public void OnProbeLost(long nowUs)
    {
        if (!_probeInFlight)
        {
            return;
        }

        _probeInFlight = false;
        if (++_probeLosses < MaxProbes)
        {
            return;
        }

        _searchHigh = _probeSize - 1;
        NextProbe(nowUs);
    }

    /// <summary>Records the acknowledgement of a non-probe packet.</summary>
    /// <param name="size">Its size.</param>
    public void OnPacketAcked(int size)
    {
        if (size > BaseMtu)
        {
            _suspiciousLossEvents = 0;
        }
    }

    /// <summary>Records a loss event (one batch of non-probe packets declared lost).</summary>
    /// <param name="largestLostSize">The size of the largest packet lost in the batch.</param>
    /// <param name="nowUs">The current time.</param>
    /// <returns><see langword="true"/> if a black hole was detected: <see cref="CurrentMtu"/> is back to the base.</returns>
    public bool OnPacketsLost(int largestLostSize, long nowUs)
    {
        if (largestLostSize <= BaseMtu || CurrentMtu <= BaseMtu)
        {
            return false;
        }

        if (++_suspiciousLossEvents < BlackHoleThreshold)
        {
            return false;
        }

        _suspiciousLossEvents = 0;
        BlackHolesDetected++;
        CurrentMtu = BaseMtu;
        State = PathMtuState.Base;
        _probeInFlight = false;
        _nextSearchUs = nowUs + BlackHoleCooldownUs;
        return true;
    }

    private void NextProbe(long nowUs)
    {
        if (_searchHigh - _searchLow < MinimumChange)
        {
            State = PathMtuState.SearchComplete;
            _nextSearchUs = nowUs + SearchIntervalUs;
            return;
        }

        _probeSize = (_searchLow + _searchHigh + 1) / 2;
        _probeLosses = 0;
    }
}
