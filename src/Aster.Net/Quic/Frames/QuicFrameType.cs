namespace Aster.Net.Quic.Frames;

/// <summary>QUIC v1 frame types (RFC 9000, section 19). STREAM frames use 0x08 to 0x0f; <see cref="Stream"/> is the base.</summary>
internal enum QuicFrameType : ulong
{
    /// <summary>PADDING (a run of consecutive zero bytes is reported as one frame).</summary>
    Padding = 0x00,

    /// <summary>PING.</summary>
    Ping = 0x01,

    /// <summary>ACK.</summary>
    Ack = 0x02,

    /// <summary>ACK with ECN counts.</summary>
    AckEcn = 0x03,

    /// <summary>RESET_STREAM.</summary>
    ResetStream = 0x04,

    /// <summary>STOP_SENDING.</summary>
    StopSending = 0x05,

    /// <summary>CRYPTO.</summary>
    Crypto = 0x06,

    /// <summary>NEW_TOKEN.</summary>
    NewToken = 0x07,

    /// <summary>STREAM (0x08 to 0x0f, with the OFF 0x04, LEN 0x02 and FIN 0x01 bits).</summary>
    Stream = 0x08,

    /// <summary>MAX_DATA.</summary>
    MaxData = 0x10,

    /// <summary>MAX_STREAM_DATA.</summary>
    MaxStreamData = 0x11,

    /// <summary>MAX_STREAMS for bidirectional streams.</summary>
    MaxStreamsBidi = 0x12,

    /// <summary>MAX_STREAMS for unidirectional streams.</summary>
    MaxStreamsUni = 0x13,

    /// <summary>DATA_BLOCKED.</summary>
    DataBlocked = 0x14,

    /// <summary>STREAM_DATA_BLOCKED.</summary>
    StreamDataBlocked = 0x15,

    /// <summary>STREAMS_BLOCKED for bidirectional streams.</summary>
    StreamsBlockedBidi = 0x16,

    /// <summary>STREAMS_BLOCKED for unidirectional streams.</summary>
    StreamsBlockedUni = 0x17,

    /// <summary>NEW_CONNECTION_ID.</summary>
    NewConnectionId = 0x18,

    /// <summary>RETIRE_CONNECTION_ID.</summary>
    RetireConnectionId = 0x19,

    /// <summary>PATH_CHALLENGE.</summary>
    PathChallenge = 0x1a,

    /// <summary>PATH_RESPONSE.</summary>
    PathResponse = 0x1b,

    /// <summary>CONNECTION_CLOSE carrying a transport error.</summary>
    ConnectionClose = 0x1c,

    /// <summary>CONNECTION_CLOSE carrying an application error.</summary>
    ApplicationClose = 0x1d,

    /// <summary>HANDSHAKE_DONE.</summary>
    HandshakeDone = 0x1e,
}

/// <summary>Limits and bit masks for frames.</summary>
internal static class QuicFrameLimits
{
    /// <summary>The STREAM frame OFF bit.</summary>
    public const byte StreamOffsetBit = 0x04;

    /// <summary>The STREAM frame LEN bit.</summary>
    public const byte StreamLengthBit = 0x02;

    /// <summary>The STREAM frame FIN bit.</summary>
    public const byte StreamFinBit = 0x01;

    /// <summary>The largest stream count MAX_STREAMS and STREAMS_BLOCKED may carry, 2^60.</summary>
    public const ulong MaxStreamCount = 1UL << 60;

    /// <summary>The longest data, reason phrase or token a frame may carry: no UDP payload is longer.</summary>
    public const int MaxFrameBytes = 65535;

    /// <summary>The longest NEW_TOKEN token we accept (iroh sends 58 bytes).</summary>
    public const int MaxNewTokenLength = 1024;

    /// <summary>The PATH_CHALLENGE/PATH_RESPONSE data length.</summary>
    public const int PathDataLength = 8;

    /// <summary>True if frames of <paramref name="type"/> make a packet ack-eliciting (all but PADDING, ACK and CONNECTION_CLOSE).</summary>
    public static bool IsAckEliciting(QuicFrameType type) =>
        type is not (QuicFrameType.Padding or QuicFrameType.Ack or QuicFrameType.AckEcn or QuicFrameType.ConnectionClose or QuicFrameType.ApplicationClose);

    /// <summary>A name for extension frame types that iroh knows but we never negotiate (transport.md, section 3.7), or null.</summary>
    public static string? GetExtensionName(ulong type) => type switch
    {
        0xaf => "ACK_FREQUENCY",
        0x1f => "IMMEDIATE_ACK",
        0x30 or 0x31 => "DATAGRAM",
        0x3e or 0x3f => "PATH_ACK",
        0x3e75 => "PATH_ABANDON",
        0x3e76 => "PATH_STATUS_BACKUP",
        0x3e77 => "PATH_STATUS_AVAILABLE",
        0x3e78 => "PATH_NEW_CONNECTION_ID",
        0x3e79 => "PATH_RETIRE_CONNECTION_ID",
        0x3e7a => "MAX_PATH_ID",
        0x3e7b => "PATHS_BLOCKED",
        0x3e7c => "PATH_CIDS_BLOCKED",
        0x9f81a6 or 0x9f81a7 => "OBSERVED_ADDRESS",
        >= 0x3d7f90 and <= 0x3d7f94 => "n0 NAT traversal",
        _ => null,
    };
}
