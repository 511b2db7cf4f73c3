namespace Aster.Net.Quic;

/// <summary>A snapshot of one connection's transport counters (transport.md 9.1, "observability on our side").</summary>
/// <param name="KeyUpdatesInitiated">1-RTT key updates this side started.</param>
/// <param name="KeyUpdatesAnswered">1-RTT key updates the peer started and this side followed.</param>
/// <param name="CongestionWindow">The congestion window in bytes.</param>
/// <param name="PathMtu">The UDP payload size this side sends up to.</param>
public readonly record struct AsterConnectionStatistics(int KeyUpdatesInitiated, int KeyUpdatesAnswered, long CongestionWindow, int PathMtu);
