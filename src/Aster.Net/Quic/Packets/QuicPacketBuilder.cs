using Aster.Net.Quic.Protection;

namespace Aster.Net.Quic.Packets;

/// <summary>
/// Builds one protected packet in a caller's buffer: write the header with <see cref="BeginLong"/> or
/// <see cref="BeginShort"/>, write frames into <see cref="Payload"/>, then <c>Finish</c> pads as needed (to reach the
/// header-protection sample and any minimum size), fixes the Length field and seals. Allocates nothing.
/// </summary>
internal ref struct QuicPacketBuilder
{
    private const int LengthFieldSize = 2;
    private readonly Span<byte> _buffer;
    private readonly int _packetNumberOffset;
    private readonly int _headerLength;
    private readonly long _packetNumber;
    private readonly bool _isLong;

    private QuicPacketBuilder(Span<byte> buffer, int packetNumberOffset, int headerLength, long packetNumber, bool isLong)
    {
        _buffer = buffer;
        _packetNumberOffset = packetNumberOffset;
        _headerLength = headerLength;
        _packetNumber = packetNumber;
        _isLong = isLong;
    }

    /// <summary>The room for frames (the buffer minus the header and the AEAD tag).</summary>
    public readonly Span<byte> Payload => _buffer[_headerLength..^QuicConstants.AeadTagLength];

    /// <summary>The header length, packet number included.</summary>
    public readonly int HeaderLength => _headerLength;

    /// <summary>
    /// Starts an Initial, 0-RTT or Handshake packet. The Length field is reserved as a 2-byte varint, so a long-header
    /// packet holds at most 16383 bytes after it. <paramref name="buffer"/> bounds the whole packet.
    /// </summary>
    public static QuicPacketBuilder BeginLong(
        Span<byte> buffer,
        QuicPacketType type,
        ReadOnlySpan<byte> destinationConnectionId,
        ReadOnlySpan<byte> sourceConnectionId,
        ReadOnlySpan<byte> token,
        long packetNumber,
        int packetNumberLength)
    {
        int headerLength = QuicPacketWriter.WriteLongHeader(
            buffer, type, destinationConnectionId, sourceConnectionId, token, packetNumber, packetNumberLength, packetNumberLength, out int packetNumberOffset);
        if (buffer.Length < headerLength + QuicConstants.AeadTagLength)
        {
            throw new ArgumentException("Buffer too small for a packet.", nameof(buffer));
        }

        return new QuicPacketBuilder(buffer, packetNumberOffset, headerLength, packetNumber, isLong: true);
    }

    /// <summary>Starts a 1-RTT packet (the key-phase bit is set when sealing with <see cref="OneRttKeySet"/>).</summary>
    public static QuicPacketBuilder BeginShort(
        Span<byte> buffer, ReadOnlySpan<byte> destinationConnectionId, bool spin, long packetNumber, int packetNumberLength)
    {
        int headerLength = QuicPacketWriter.WriteShortHeader(buffer, destinationConnectionId, spin, false, packetNumber, packetNumberLength);
        if (buffer.Length < headerLength + QuicConstants.AeadTagLength)
        {
            throw new ArgumentException("Buffer too small for a packet.", nameof(buffer));
        }

        return new QuicPacketBuilder(buffer, 1 + destinationConnectionId.Length, headerLength, packetNumber, isLong: false);
    }

    /// <summary>
    /// Pads, fixes the Length field and seals with <paramref name="keys"/>. Returns the packet length, at least
    /// <paramref name="minimumPacketLength"/> (PADDING frames are appended to reach it).
    /// </summary>
    public readonly int Finish(int payloadLength, PacketProtectionKeys keys, int minimumPacketLength = 0)
    {
        int padded = Pad(payloadLength, minimumPacketLength);
        return QuicPacketProtection.Seal(keys, _buffer, _packetNumberOffset, _headerLength, padded, _packetNumber);
    }

    /// <summary>Like <see cref="Finish(int, PacketProtectionKeys, int)"/> for 1-RTT packets sealed with the current key phase.</summary>
    public readonly int Finish(int payloadLength, OneRttKeySet keys, int minimumPacketLength = 0) =>
        Finish(payloadLength, keys, minimumPacketLength, null, 0);

    /// <summary>
    /// Like <see cref="Finish(int, OneRttKeySet, int)"/>; with <paramref name="headerBatch"/> the header is masked later
    /// with the rest of the batch (<see cref="OneRttKeySet.ProtectHeaders"/>), the packet being at
    /// <paramref name="location"/> in the batch's buffer.
    /// </summary>
    public readonly int Finish(int payloadLength, OneRttKeySet keys, int minimumPacketLength, HeaderProtectionBatch? headerBatch, int location)
    {
        if (_isLong)
        {
            throw new InvalidOperationException("1-RTT keys seal short-header packets only.");
        }

        int padded = Pad(payloadLength, minimumPacketLength);
        return keys.Seal(_buffer, _packetNumberOffset, _headerLength, padded, _packetNumber, headerBatch, location);
    }

    private readonly int Pad(int payloadLength, int minimumPacketLength)
    {
        int maxPayload = _buffer.Length - _headerLength - QuicConstants.AeadTagLength;
        if (payloadLength < 0 || payloadLength > maxPayload)
        {
            throw new ArgumentOutOfRangeException(nameof(payloadLength));
        }

        int packetNumberLength = _headerLength - _packetNumberOffset;
        int padded = Math.Max(payloadLength, QuicConstants.MaxPacketNumberLength - packetNumberLength);
        padded = Math.Max(padded, minimumPacketLength - _headerLength - QuicConstants.AeadTagLength);
        if (padded > maxPayload)
        {
            throw new ArgumentException("Buffer too small for the minimum packet length.", nameof(minimumPacketLength));
        }

        _buffer.Slice(_headerLength + payloadLength, padded - payloadLength).Clear();
        if (_isLong)
        {
            int lengthValue = packetNumberLength + padded + QuicConstants.AeadTagLength;
            if (lengthValue > (int)QuicVarint.MaxTwoBytes)
            {
                throw new ArgumentException("A long-header packet built here holds at most 16383 bytes after its Length field.");
            }

            QuicVarint.WriteWithLength(_buffer.Slice(_packetNumberOffset - LengthFieldSize, LengthFieldSize), (ulong)lengthValue, LengthFieldSize);
        }

        return padded;
    }
}
