namespace Aster.Net.Quic;

/// <summary>A snapshot of one connection's transport counters (transport.md 9.1, "observability on our side").</summary>
/// <param name="KeyUpdatesInitiated">1-RTT key updates this side started.</param>
/// <param name="KeyUpdatesAnswered">1-RTT key updates the peer started and this side followed.</param>
/// <param name="CongestionWindow">The congestion window in bytes.</param>
/// <param name="PathMtu">The UDP payload size this side sends up to.</param>
public readonly record struct AsterConnectionStatistics(int KeyUpdatesInitiated, int KeyUpdatesAnswered, long CongestionWindow, int PathMtu)
{
    /// <summary>Gets the number of UDP datagrams this side sent.</summary>
    public long DatagramsSent { get; init; }

    /// <summary>
    /// Gets the number of send system calls those datagrams took: fewer than <see cref="DatagramsSent"/> when
    /// full-size datagrams go out in segmented batches (UDP GSO on Linux).
    /// </summary>
    public long SendCalls { get; init; }

    /// <summary>Gets the number of UDP datagrams routed to this connection.</summary>
    public long DatagramsReceived { get; init; }

    /// <summary>Gets the number of ACK frames this side sent (all packet number spaces).</summary>
    public long AckFramesSent { get; init; }

    /// <summary>Gets the number of ACK frames this side received and processed (all packet number spaces).</summary>
    public long AckFramesReceived { get; init; }

    /// <summary>Gets the number of QUIC packets this side sent (a datagram may coalesce several during the handshake).</summary>
    public long PacketsSent { get; init; }

    /// <summary>Gets the number of packets sent that carried nothing ack-eliciting (ACK frames alone).</summary>
    public long AckOnlyPacketsSent { get; init; }

    /// <summary>
    /// Gets the number of turns of the connection's send and timer loop: wake-ups by the application, the receive path
    /// or a timer.
    /// </summary>
    public long DriverWakeups { get; init; }

    /// <summary>
    /// Gets how many times sending stopped with stream data waiting because the congestion window was full (counted
    /// once per turn of the send loop, when it has written all it may).
    /// </summary>
    public long SendStopsByCongestionWindow { get; init; }

    /// <summary>Gets how many times sending stopped with stream data waiting because the pacer held it back.</summary>
    public long SendStopsByPacing { get; init; }

    /// <summary>Gets how many times sending stopped with stream data waiting for the peer's MAX_DATA (connection flow control).</summary>
    public long SendStopsByConnectionFlowControl { get; init; }

    /// <summary>Gets how many times sending stopped with written data held back only by the peer's MAX_STREAM_DATA.</summary>
    public long SendStopsByStreamFlowControl { get; init; }
}
