namespace Aster.Net.Quic;

/// <summary>A snapshot of one connection's transport counters (transport.md 9.1, "observability on our side").</summary>
/// <param name="KeyUpdatesInitiated">1-RTT key updates this side started.</param>
/// <param name="KeyUpdatesAnswered">1-RTT key updates the peer started and this side followed.</param>
/// <param name="CongestionWindow">The congestion window in bytes.</param>
/// <param name="PathMtu">The UDP payload size this side sends up to.</param>
/// <param name="DatagramsSent">UDP datagrams this side sent (one send system call each).</param>
/// <param name="DatagramsReceived">UDP datagrams routed to this connection.</param>
/// <param name="PacketsSent">QUIC packets this side sent (a datagram may coalesce several during the handshake).</param>
/// <param name="AckOnlyPacketsSent">Packets sent that carried nothing ack-eliciting (ACK frames alone).</param>
/// <param name="DriverWakeups">Turns of the connection's send and timer loop: wake-ups by the application, the
/// receive path or a timer.</param>
public readonly record struct AsterConnectionStatistics(
    int KeyUpdatesInitiated,
    int KeyUpdatesAnswered,
    long CongestionWindow,
    int PathMtu,
    long DatagramsSent = 0,
    long DatagramsReceived = 0,
    long PacketsSent = 0,
    long AckOnlyPacketsSent = 0,
    long DriverWakeups = 0);
