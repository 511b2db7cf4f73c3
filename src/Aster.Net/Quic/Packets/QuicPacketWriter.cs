namespace Aster.Net.Quic.Packets;

/// <summary>Writes unprotected QUIC v1 packet headers (RFC 9000, section 17). Packet protection is applied afterwards.</summary>
internal static class QuicPacketWriter
{
    /// <summary>The bytes the Length field takes for <paramref name="lengthValue"/>: 2 up to 16383, otherwise 4.</summary>
    public static int GetLengthFieldSize(int lengthValue) => lengthValue <= (int)QuicVarint.MaxTwoBytes ? 2 : 4;

    /// <summary>
    /// The size of a long header up to and including the packet number. <paramref name="lengthValue"/> is the value
    /// of the Length field: packet number + payload + AEAD tag.
    /// </summary>
    public static int GetLongHeaderLength(QuicPacketType type, int destinationLength, int sourceLength, int tokenLength, int packetNumberLength, int lengthValue)
    {
        int size = 1 + 4 + 1 + destinationLength + 1 + sourceLength;
        if (type == QuicPacketType.Initial)
        {
            size += QuicVarint.GetLength((ulong)tokenLength) + tokenLength;
        }

        return size + GetLengthFieldSize(lengthValue) + packetNumberLength;
    }

    /// <summary>
    /// Writes an Initial, 0-RTT or Handshake header with the packet number, and returns the header length (the offset of
    /// the payload). <paramref name="packetNumberOffset"/> receives where the packet number starts.
    /// </summary>
    public static int WriteLongHeader(
        Span<byte> destination,
        QuicPacketType type,
        ReadOnlySpan<byte> destinationConnectionId,
        ReadOnlySpan<byte> sourceConnectionId,
        ReadOnlySpan<byte> token,
        long packetNumber,
        int packetNumberLength,
        int lengthValue,
        out int packetNumberOffset)
    {
        if (type is not (QuicPacketType.Initial or QuicPacketType.ZeroRtt or QuicPacketType.Handshake))
        {
            throw new ArgumentException("Only Initial, 0-RTT and Handshake packets carry a packet number.", nameof(type));
        }

        CheckConnectionId(destinationConnectionId);
        CheckConnectionId(sourceConnectionId);
        if (packetNumberLength is < 1 or > 4 || lengthValue < packetNumberLength)
        {
            throw new ArgumentException("Invalid packet-number length or Length value.", nameof(packetNumberLength));
        }

        var writer = new QuicWriter(destination);
        writer.WriteByte((byte)(QuicConstants.LongHeaderBit | QuicConstants.FixedBit | ((int)type << 4) | (packetNumberLength - 1)));
        writer.WriteUInt32(QuicConstants.Version1);
        writer.WriteByte((byte)destinationConnectionId.Length);
        writer.WriteBytes(destinationConnectionId);
        writer.WriteByte((byte)sourceConnectionId.Length);
        writer.WriteBytes(sourceConnectionId);
        if (type == QuicPacketType.Initial)
        {
            writer.WriteVarint((ulong)token.Length);
            writer.WriteBytes(token);
        }
        else if (!token.IsEmpty)
        {
            throw new ArgumentException("Only Initial packets carry a token.", nameof(token));
        }

        writer.WriteVarint((ulong)lengthValue, GetLengthFieldSize(lengthValue));
        packetNumberOffset = writer.Position;
        QuicPacketNumber.Write(writer.Free, packetNumber, packetNumberLength);
        writer.Advance(packetNumberLength);
        return writer.Position;
    }

    /// <summary>Writes a 1-RTT short header with the packet number and returns its length.</summary>
    public static int WriteShortHeader(
        Span<byte> destination, ReadOnlySpan<byte> destinationConnectionId, bool spin, bool keyPhase, long packetNumber, int packetNumberLength)
    {
        CheckConnectionId(destinationConnectionId);
        if (packetNumberLength is < 1 or > 4)
        {
            throw new ArgumentException("Packet-number length must be 1 to 4.", nameof(packetNumberLength));
        }

        var writer = new QuicWriter(destination);
        writer.WriteByte((byte)(QuicConstants.FixedBit | (spin ? 0x20 : 0) | (keyPhase ? 0x04 : 0) | (packetNumberLength - 1)));
        writer.WriteBytes(destinationConnectionId);
        QuicPacketNumber.Write(writer.Free, packetNumber, packetNumberLength);
        writer.Advance(packetNumberLength);
        return writer.Position;
    }

    private static void CheckConnectionId(ReadOnlySpan<byte> connectionId)
    {
        if (connectionId.Length > QuicConstants.MaxConnectionIdLength)
        {
            throw new ArgumentException("A QUIC v1 connection id is at most 20 bytes.", nameof(connectionId));
        }
    }
}
