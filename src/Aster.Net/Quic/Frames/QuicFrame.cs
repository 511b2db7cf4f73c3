namespace Aster.Net.Quic.Frames;

/// <summary>
/// One parsed frame, referencing the packet payload without copying. Which properties are meaningful depends on
/// <see cref="Type"/>; the remarks of each property say for which frames.
/// </summary>
internal readonly ref struct QuicFrame
{
    /// <summary>The frame type; STREAM frames report <see cref="QuicFrameType.Stream"/> (the flags are in <see cref="RawType"/>).</summary>
    public QuicFrameType Type { get; init; }

    /// <summary>The frame type as encoded (0x08 to 0x0f for STREAM frames).</summary>
    public ulong RawType { get; init; }

    /// <summary>PADDING: the number of consecutive padding bytes.</summary>
    public int PaddingLength { get; init; }

    /// <summary>STREAM, RESET_STREAM, STOP_SENDING, MAX_STREAM_DATA, STREAM_DATA_BLOCKED: the stream id.</summary>
    public ulong StreamId { get; init; }

    /// <summary>STREAM, CRYPTO: the offset of <see cref="Data"/>.</summary>
    public ulong Offset { get; init; }

    /// <summary>STREAM, CRYPTO: the data; NEW_TOKEN: the token; PATH_CHALLENGE, PATH_RESPONSE: the 8 bytes.</summary>
    public ReadOnlySpan<byte> Data { get; init; }

    /// <summary>STREAM: the FIN bit.</summary>
    public bool Fin { get; init; }

    /// <summary>RESET_STREAM, STOP_SENDING, CONNECTION_CLOSE: the error code.</summary>
    public ulong ErrorCode { get; init; }

    /// <summary>RESET_STREAM: the final size.</summary>
    public ulong FinalSize { get; init; }

    /// <summary>MAX_DATA, MAX_STREAM_DATA, MAX_STREAMS: the new maximum; DATA_BLOCKED, STREAM_DATA_BLOCKED, STREAMS_BLOCKED: the limit.</summary>
    public ulong Maximum { get; init; }

    /// <summary>NEW_CONNECTION_ID, RETIRE_CONNECTION_ID: the sequence number.</summary>
    public ulong SequenceNumber { get; init; }

    /// <summary>NEW_CONNECTION_ID: Retire Prior To.</summary>
    public ulong RetirePriorTo { get; init; }

    /// <summary>NEW_CONNECTION_ID: the connection id (1 to 20 bytes).</summary>
    public ReadOnlySpan<byte> ConnectionId { get; init; }

    /// <summary>NEW_CONNECTION_ID: the 16-byte stateless reset token.</summary>
    public ReadOnlySpan<byte> StatelessResetToken { get; init; }

    /// <summary>CONNECTION_CLOSE (0x1c): the frame type that triggered the error (0 if unknown).</summary>
    public ulong TriggerFrameType { get; init; }

    /// <summary>CONNECTION_CLOSE: the reason phrase (UTF-8, possibly invalid).</summary>
    public ReadOnlySpan<byte> ReasonPhrase { get; init; }

    /// <summary>ACK: the largest acknowledged packet number.</summary>
    public ulong LargestAcknowledged { get; init; }

    /// <summary>ACK: the encoded ACK delay (scale it by 2^ack_delay_exponent microseconds).</summary>
    public ulong AckDelay { get; init; }

    /// <summary>ACK: the First ACK Range field.</summary>
    public ulong FirstAckRange { get; init; }

    /// <summary>ACK: the number of additional ranges.</summary>
    public ulong AckRangeCount { get; init; }

    /// <summary>ACK: the encoded additional ranges (validated).</summary>
    public ReadOnlySpan<byte> AckRangeBytes { get; init; }

    /// <summary>ACK_ECN: the ECN counts (all zero for plain ACK).</summary>
    public EcnCounts Ecn { get; init; }

    /// <summary>ACK: every acknowledged range, largest first.</summary>
    public AckRangeEnumerator GetAckRanges() => new(LargestAcknowledged, FirstAckRange, AckRangeBytes);
}
