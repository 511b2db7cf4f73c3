namespace Aster.Net.Quic.Packets;

/// <summary>QUIC v1 packet types (RFC 9000, section 17).</summary>
internal enum QuicPacketType : byte
{
    /// <summary>Initial (long header, type 0).</summary>
    Initial = 0,

    /// <summary>0-RTT (long header, type 1). Aster never sends or accepts it.</summary>
    ZeroRtt = 1,

    /// <summary>Handshake (long header, type 2).</summary>
    Handshake = 2,

    /// <summary>Retry (long header, type 3).</summary>
    Retry = 3,

    /// <summary>1-RTT (short header).</summary>
    OneRtt = 4,

    /// <summary>Version Negotiation (long header, version 0).</summary>
    VersionNegotiation = 5,
}

/// <summary>Constants of the QUIC v1 packet layer.</summary>
internal static class QuicConstants
{
    /// <summary>QUIC version 1.</summary>
    public const uint Version1 = 0x00000001;

    /// <summary>The longest connection id QUIC v1 allows (RFC 9000, section 17.2).</summary>
    public const int MaxConnectionIdLength = 20;

    /// <summary>The longest connection id the version-independent invariants allow (RFC 8999).</summary>
    public const int MaxInvariantConnectionIdLength = 255;

    /// <summary>The smallest datagram that may carry a client Initial (RFC 9000, section 14.1).</summary>
    public const int MinInitialDatagramSize = 1200;

    /// <summary>The AEAD tag length of every QUIC v1 cipher suite.</summary>
    public const int AeadTagLength = 16;

    /// <summary>The header-protection sample length.</summary>
    public const int HeaderProtectionSampleLength = 16;

    /// <summary>The largest packet-number encoding (4 bytes).</summary>
    public const int MaxPacketNumberLength = 4;

    /// <summary>The stateless reset token length.</summary>
    public const int StatelessResetTokenLength = 16;

    /// <summary>The Retry integrity tag length.</summary>
    public const int RetryIntegrityTagLength = 16;

    /// <summary>The longest token we accept in an Initial packet header or NEW_TOKEN frame.</summary>
    public const int MaxTokenLength = 1024;

    /// <summary>The fixed bit (0x40) that every QUIC v1 packet carries.</summary>
    public const byte FixedBit = 0x40;

    /// <summary>The long-header form bit (0x80).</summary>
    public const byte LongHeaderBit = 0x80;
}
