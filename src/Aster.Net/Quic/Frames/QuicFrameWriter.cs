using Aster.Net.Quic.Packets;

namespace Aster.Net.Quic.Frames;

/// <summary>
/// Writes QUIC v1 frames (RFC 9000, section 19). Each <c>Write</c> method has a matching <c>Get…Length</c> so callers can
/// size a packet first; running out of room is a local bug and throws <see cref="ArgumentException"/>.
/// </summary>
internal static class QuicFrameWriter
{
    /// <summary>Writes <paramref name="count"/> PADDING frames (zero bytes).</summary>
    public static void WritePadding(ref QuicWriter writer, int count) => writer.WriteZeros(count);

    /// <summary>Writes PING.</summary>
    public static void WritePing(ref QuicWriter writer) => writer.WriteByte((byte)QuicFrameType.Ping);

    /// <summary>Writes HANDSHAKE_DONE.</summary>
    public static void WriteHandshakeDone(ref QuicWriter writer) => writer.WriteByte((byte)QuicFrameType.HandshakeDone);

    /// <summary>The size of an ACK frame for <paramref name="ranges"/> (largest first, disjoint, descending).</summary>
    public static int GetAckLength(ulong ackDelay, scoped ReadOnlySpan<AckRange> ranges, EcnCounts? ecn = null)
    {
        CheckRanges(ranges);
        int size = 1 + QuicVarint.GetLength(ranges[0].Largest) + QuicVarint.GetLength(ackDelay)
            + QuicVarint.GetLength((ulong)(ranges.Length - 1)) + QuicVarint.GetLength(ranges[0].Largest - ranges[0].Smallest);
        for (int i = 1; i < ranges.Length; i++)
        {
            size += QuicVarint.GetLength(ranges[i - 1].Smallest - ranges[i].Largest - 2) + QuicVarint.GetLength(ranges[i].Largest - ranges[i].Smallest);
        }

        if (ecn is { } counts)
        {
            size += QuicVarint.GetLength(counts.Ect0) + QuicVarint.GetLength(counts.Ect1) + QuicVarint.GetLength(counts.CeCount);
        }

        return size;
    }

    /// <summary>Writes ACK (or ACK_ECN when <paramref name="ecn"/> is given) for <paramref name="ranges"/>, largest first.</summary>
    public static void WriteAck(ref QuicWriter writer, ulong ackDelay, scoped ReadOnlySpan<AckRange> ranges, EcnCounts? ecn = null)
    {
        CheckRanges(ranges);
        writer.WriteByte((byte)(ecn is null ? QuicFrameType.Ack : QuicFrameType.AckEcn));
        writer.WriteVarint(ranges[0].Largest);
        writer.WriteVarint(ackDelay);
        writer.WriteVarint((ulong)(ranges.Length - 1));
        writer.WriteVarint(ranges[0].Largest - ranges[0].Smallest);
        for (int i = 1; i < ranges.Length; i++)
        {
            writer.WriteVarint(ranges[i - 1].Smallest - ranges[i].Largest - 2);
            writer.WriteVarint(ranges[i].Largest - ranges[i].Smallest);
        }

        if (ecn is { } counts)
        {
            writer.WriteVarint(counts.Ect0);
            writer.WriteVarint(counts.Ect1);
            writer.WriteVarint(counts.CeCount);
        }
    }

    /// <summary>Writes RESET_STREAM.</summary>
    public static void WriteResetStream(ref QuicWriter writer, ulong streamId, ulong errorCode, ulong finalSize)
    {
        writer.WriteByte((byte)QuicFrameType.ResetStream);
        writer.WriteVarint(streamId);
        writer.WriteVarint(errorCode);
        writer.WriteVarint(finalSize);
    }

    /// <summary>Writes STOP_SENDING.</summary>
    public static void WriteStopSending(ref QuicWriter writer, ulong streamId, ulong errorCode)
    {
        writer.WriteByte((byte)QuicFrameType.StopSending);
        writer.WriteVarint(streamId);
        writer.WriteVarint(errorCode);
    }

    /// <summary>The size of a CRYPTO frame without its data.</summary>
    public static int GetCryptoOverhead(ulong offset, int dataLength) =>
        1 + QuicVarint.GetLength(offset) + QuicVarint.GetLength((ulong)dataLength);

    /// <summary>Writes CRYPTO.</summary>
    public static void WriteCrypto(ref QuicWriter writer, ulong offset, scoped ReadOnlySpan<byte> data)
    {
        writer.WriteByte((byte)QuicFrameType.Crypto);
        writer.WriteVarint(offset);
        writer.WriteVarint((ulong)data.Length);
        writer.WriteBytes(data);
    }

    /// <summary>Writes NEW_TOKEN.</summary>
    public static void WriteNewToken(ref QuicWriter writer, scoped ReadOnlySpan<byte> token)
    {
        if (token.IsEmpty)
        {
            throw new ArgumentException("NEW_TOKEN needs a token.", nameof(token));
        }

        writer.WriteByte((byte)QuicFrameType.NewToken);
        writer.WriteVarint((ulong)token.Length);
        writer.WriteBytes(token);
    }

    /// <summary>The size of a STREAM frame without its data.</summary>
    public static int GetStreamOverhead(ulong streamId, ulong offset, int dataLength, bool includeLength) =>
        1 + QuicVarint.GetLength(streamId) + (offset == 0 ? 0 : QuicVarint.GetLength(offset))
        + (includeLength ? QuicVarint.GetLength((ulong)dataLength) : 0);

    /// <summary>
    /// Writes STREAM. The OFF bit is set when <paramref name="offset"/> is not 0; without <paramref name="includeLength"/>
    /// the data runs to the end of the packet, so the frame must be the packet's last.
    /// </summary>
    public static void WriteStream(ref QuicWriter writer, ulong streamId, ulong offset, scoped ReadOnlySpan<byte> data, bool fin, bool includeLength = true)
    {
        WriteStreamHeader(ref writer, streamId, offset, data.Length, fin, includeLength);
        writer.WriteBytes(data);
    }

    /// <summary>
    /// Writes a STREAM frame's type, stream id, offset and length; the caller then writes <paramref name="length"/>
    /// data bytes straight into <see cref="QuicWriter.Free"/> and advances (no intermediate copy).
    /// </summary>
    public static void WriteStreamHeader(ref QuicWriter writer, ulong streamId, ulong offset, int length, bool fin, bool includeLength = true)
    {
        byte type = (byte)QuicFrameType.Stream;
        type |= offset != 0 ? QuicFrameLimits.StreamOffsetBit : (byte)0;
        type |= includeLength ? QuicFrameLimits.StreamLengthBit : (byte)0;
        type |= fin ? QuicFrameLimits.StreamFinBit : (byte)0;
        writer.WriteByte(type);
        writer.WriteVarint(streamId);
        if (offset != 0)
        {
            writer.WriteVarint(offset);
        }

        if (includeLength)
        {
            writer.WriteVarint((ulong)length);
        }
    }

    /// <summary>Writes MAX_DATA.</summary>
    public static void WriteMaxData(ref QuicWriter writer, ulong maximum) => WriteTypeAndValue(ref writer, QuicFrameType.MaxData, maximum);

    /// <summary>Writes MAX_STREAM_DATA.</summary>
    public static void WriteMaxStreamData(ref QuicWriter writer, ulong streamId, ulong maximum)
    {
        writer.WriteByte((byte)QuicFrameType.MaxStreamData);
        writer.WriteVarint(streamId);
        writer.WriteVarint(maximum);
    }

    /// <summary>Writes MAX_STREAMS (bidirectional or unidirectional).</summary>
    public static void WriteMaxStreams(ref QuicWriter writer, bool bidirectional, ulong maximum)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maximum, QuicFrameLimits.MaxStreamCount);
        WriteTypeAndValue(ref writer, bidirectional ? QuicFrameType.MaxStreamsBidi : QuicFrameType.MaxStreamsUni, maximum);
    }

    /// <summary>Writes DATA_BLOCKED.</summary>
    public static void WriteDataBlocked(ref QuicWriter writer, ulong limit) => WriteTypeAndValue(ref writer, QuicFrameType.DataBlocked, limit);

    /// <summary>Writes STREAM_DATA_BLOCKED.</summary>
    public static void WriteStreamDataBlocked(ref QuicWriter writer, ulong streamId, ulong limit)
    {
        writer.WriteByte((byte)QuicFrameType.StreamDataBlocked);
        writer.WriteVarint(streamId);
        writer.WriteVarint(limit);
    }

    /// <summary>Writes STREAMS_BLOCKED (bidirectional or unidirectional).</summary>
    public static void WriteStreamsBlocked(ref QuicWriter writer, bool bidirectional, ulong limit)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, QuicFrameLimits.MaxStreamCount);
        WriteTypeAndValue(ref writer, bidirectional ? QuicFrameType.StreamsBlockedBidi : QuicFrameType.StreamsBlockedUni, limit);
    }

    /// <summary>Writes NEW_CONNECTION_ID.</summary>
    public static void WriteNewConnectionId(
        ref QuicWriter writer, ulong sequenceNumber, ulong retirePriorTo, scoped ReadOnlySpan<byte> connectionId, scoped ReadOnlySpan<byte> statelessResetToken)
    {
        if (connectionId.Length is < 1 or > QuicConstants.MaxConnectionIdLength
            || statelessResetToken.Length != QuicConstants.StatelessResetTokenLength
            || retirePriorTo > sequenceNumber)
        {
            throw new ArgumentException("NEW_CONNECTION_ID needs a 1-20 byte id, a 16-byte token and Retire Prior To <= sequence.");
        }

        writer.WriteByte((byte)QuicFrameType.NewConnectionId);
        writer.WriteVarint(sequenceNumber);
        writer.WriteVarint(retirePriorTo);
        writer.WriteByte((byte)connectionId.Length);
        writer.WriteBytes(connectionId);
        writer.WriteBytes(statelessResetToken);
    }

    /// <summary>Writes RETIRE_CONNECTION_ID.</summary>
    public static void WriteRetireConnectionId(ref QuicWriter writer, ulong sequenceNumber) =>
        WriteTypeAndValue(ref writer, QuicFrameType.RetireConnectionId, sequenceNumber);

    /// <summary>Writes PATH_CHALLENGE.</summary>
    public static void WritePathChallenge(ref QuicWriter writer, scoped ReadOnlySpan<byte> data) => WritePath(ref writer, QuicFrameType.PathChallenge, data);

    /// <summary>Writes PATH_RESPONSE.</summary>
    public static void WritePathResponse(ref QuicWriter writer, scoped ReadOnlySpan<byte> data) => WritePath(ref writer, QuicFrameType.PathResponse, data);

    /// <summary>Writes CONNECTION_CLOSE (type 0x1c) with a transport error and the frame type that caused it.</summary>
    public static void WriteConnectionClose(ref QuicWriter writer, ulong errorCode, ulong triggerFrameType, scoped ReadOnlySpan<byte> reason)
    {
        writer.WriteByte((byte)QuicFrameType.ConnectionClose);
        writer.WriteVarint(errorCode);
        writer.WriteVarint(triggerFrameType);
        writer.WriteVarint((ulong)reason.Length);
        writer.WriteBytes(reason);
    }

    /// <summary>Writes CONNECTION_CLOSE (type 0x1d) with an application error.</summary>
    public static void WriteApplicationClose(ref QuicWriter writer, ulong errorCode, scoped ReadOnlySpan<byte> reason)
    {
        writer.WriteByte((byte)QuicFrameType.ApplicationClose);
        writer.WriteVarint(errorCode);
        writer.WriteVarint((ulong)reason.Length);
        writer.WriteBytes(reason);
    }

    private static void WriteTypeAndValue(ref QuicWriter writer, QuicFrameType type, ulong value)
    {
        writer.WriteByte((byte)type);
        writer.WriteVarint(value);
    }

    private static void WritePath(ref QuicWriter writer, QuicFrameType type, scoped ReadOnlySpan<byte> data)
    {
        if (data.Length != QuicFrameLimits.PathDataLength)
        {
            throw new ArgumentException("Path challenge data is 8 bytes.", nameof(data));
        }

        writer.WriteByte((byte)type);
        writer.WriteBytes(data);
    }

    private static void CheckRanges(scoped ReadOnlySpan<AckRange> ranges)
    {
        if (ranges.IsEmpty)
        {
            throw new ArgumentException("An ACK frame needs at least one range.", nameof(ranges));
        }

        for (int i = 0; i < ranges.Length; i++)
        {
            if (ranges[i].Smallest > ranges[i].Largest || (i > 0 && ranges[i].Largest + 2 > ranges[i - 1].Smallest))
            {
                throw new ArgumentException("ACK ranges must be disjoint, non-adjacent and in descending order.", nameof(ranges));
            }
        }
    }
}
