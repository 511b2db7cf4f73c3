namespace Aster.Net.Quic.Packets;

/// <summary>What <see cref="QuicPacketParser.TryParse"/> found at the start of the input.</summary>
internal enum QuicHeaderStatus
{
    /// <summary>A well-formed header of a packet we can process (or a Version Negotiation packet).</summary>
    Ok,

    /// <summary>The header is truncated or inconsistent; the rest of the datagram is dropped.</summary>
    Malformed,

    /// <summary>The fixed bit is clear; the packet is dropped (transport.md, section 3.1).</summary>
    FixedBitClear,

    /// <summary>A long header with a version other than 1; only the invariant fields are filled in.</summary>
    UnsupportedVersion,

    /// <summary>A coalesced packet whose destination connection id differs from the first packet's; it is dropped.</summary>
    DestinationMismatch,
}

/// <summary>
/// The unprotected fields of one packet's header, referencing the datagram without copying. The packet-number
/// length, reserved bits and key phase are under header protection and are read after removing it.
/// </summary>
internal readonly ref struct QuicPacketHeader
{
    /// <summary>Creates a header view.</summary>
    public QuicPacketHeader(
        QuicPacketType type,
        byte firstByte,
        uint version,
        ReadOnlySpan<byte> destinationConnectionId,
        ReadOnlySpan<byte> sourceConnectionId,
        ReadOnlySpan<byte> token,
        int packetNumberOffset,
        int packetLength)
    {
        Type = type;
        FirstByte = firstByte;
        Version = version;
        DestinationConnectionId = destinationConnectionId;
        SourceConnectionId = sourceConnectionId;
        Token = token;
        PacketNumberOffset = packetNumberOffset;
        PacketLength = packetLength;
    }

    /// <summary>The packet type.</summary>
    public QuicPacketType Type { get; }

    /// <summary>The first byte as received (still header-protected for Initial, 0-RTT, Handshake and 1-RTT).</summary>
    public byte FirstByte { get; }

    /// <summary>True for long headers.</summary>
    public bool IsLongHeader => (FirstByte & QuicConstants.LongHeaderBit) != 0;

    /// <summary>The spin bit of a short header (not header-protected); false for long headers.</summary>
    public bool SpinBit => !IsLongHeader && (FirstByte & 0x20) != 0;

    /// <summary>The version (0 for short headers and for Version Negotiation).</summary>
    public uint Version { get; }

    /// <summary>The destination connection id.</summary>
    public ReadOnlySpan<byte> DestinationConnectionId { get; }

    /// <summary>The source connection id (empty for short headers).</summary>
    public ReadOnlySpan<byte> SourceConnectionId { get; }

    /// <summary>The Initial token, or the Retry token (without its integrity tag); empty otherwise.</summary>
    public ReadOnlySpan<byte> Token { get; }

    /// <summary>The offset of the packet number from the start of the packet (Initial, 0-RTT, Handshake, 1-RTT).</summary>
    public int PacketNumberOffset { get; }

    /// <summary>The number of datagram bytes this packet occupies; the next coalesced packet starts after them.</summary>
    public int PacketLength { get; }
}
