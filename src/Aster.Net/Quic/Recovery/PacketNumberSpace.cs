namespace Aster.Net.Quic.Recovery;

/// <summary>The three QUIC packet number spaces (RFC 9000, section 12.3), each with its own loss recovery state.</summary>
internal enum PacketNumberSpace
{
    /// <summary>Initial packets.</summary>
    Initial = 0,

    /// <summary>Handshake packets.</summary>
    Handshake = 1,

    /// <summary>0-RTT and 1-RTT packets.</summary>
    ApplicationData = 2,
}
