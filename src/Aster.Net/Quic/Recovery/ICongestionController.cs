namespace Aster.Net.Quic.Recovery;

/// <summary>
/// A congestion controller (RFC 9002, section 7). The loss recovery drives it: every in-flight packet sent, acknowledged,
/// lost or discarded is reported exactly once. All times are microsecond timestamps.
/// </summary>
internal interface ICongestionController
{
    /// <summary>Gets the maximum datagram size the window is counted in.</summary>
    int MaxDatagramSize { get; }

    /// <summary>Gets the congestion window in bytes.</summary>
    long CongestionWindow { get; }

    /// <summary>Gets the slow start threshold in bytes (<see cref="long.MaxValue"/> until the first congestion event).</summary>
    long SlowStartThreshold { get; }

    /// <summary>Gets the bytes of in-flight packets not yet acknowledged, lost or discarded.</summary>
    long BytesInFlight { get; }

    /// <summary>Gets the bytes that may still be sent: max(0, window − bytes in flight).</summary>
    long AvailableWindow { get; }

    /// <summary>
    /// Gets or sets a value indicating whether the sender is application- or flow-control-limited (it did not fill the
    /// window). The window does not grow while this is set (RFC 9002, section 7.8).
    /// </summary>
    bool ApplicationLimited { get; set; }

    /// <summary>Tells whether a packet of <paramref name="bytes"/> may be sent now within the window.</summary>
    /// <param name="bytes">The packet size.</param>
    /// <returns><see langword="true"/> if bytes in flight plus the packet stay within the window.</returns>
    bool CanSend(int bytes);

    /// <summary>Records an in-flight packet sent.</summary>
    /// <param name="nowUs">The send time.</param>
    /// <param name="bytes">Its size.</param>
    void OnPacketSent(long nowUs, int bytes);

    /// <summary>Records an in-flight packet newly acknowledged.</summary>
    /// <param name="nowUs">The time the ACK was processed.</param>
    /// <param name="timeSentUs">When the packet was sent.</param>
    /// <param name="bytes">Its size.</param>
    /// <param name="rtt">The RTT estimator (already updated by this ACK).</param>
    void OnPacketAcked(long nowUs, long timeSentUs, int bytes, RttEstimator rtt);

    /// <summary>Removes lost in-flight bytes and reacts to the loss (once per recovery period).</summary>
    /// <param name="nowUs">The time loss was detected.</param>
    /// <param name="lostBytes">The bytes of the lost in-flight packets.</param>
    /// <param name="largestLostTimeSentUs">The send time of the most recently sent lost packet.</param>
    void OnPacketsLost(long nowUs, long lostBytes, long largestLostTimeSentUs);

    /// <summary>Collapses the window to its minimum after persistent congestion (RFC 9002, section 7.6.2).</summary>
    /// <param name="nowUs">The current time.</param>
    void OnPersistentCongestion(long nowUs);

    /// <summary>Removes bytes from flight without any congestion response (discarded keys, a lost PMTU probe).</summary>
    /// <param name="bytes">The bytes removed.</param>
    void OnPacketDiscarded(int bytes);

    /// <summary>Changes the maximum datagram size (after path MTU discovery); the window keeps at least its minimum.</summary>
    /// <param name="maxDatagramSize">The new size.</param>
    void SetMaxDatagramSize(int maxDatagramSize);
}
