using Aster.Net.Quic.Packets;

namespace Aster.Net.Quic.Protection;

/// <summary>The outcome of removing protection from a received packet.</summary>
internal enum QuicOpenStatus
{
    /// <summary>Header and payload were unprotected; the payload is plaintext.</summary>
    Success,

    /// <summary>The packet is too short to sample or to hold a tag; it is dropped.</summary>
    TooShort,

    /// <summary>The AEAD tag did not verify; the packet is dropped (and counts towards the integrity limit).</summary>
    AuthenticationFailed,

    /// <summary>The packet is for a key phase whose keys are gone; it is dropped.</summary>
    KeyUnavailable,
}

/// <summary>The result of opening a packet: where its plaintext frames are.</summary>
internal readonly record struct QuicOpenedPacket(long PacketNumber, int HeaderLength, int PayloadLength, byte FirstByte)
{
    /// <summary>The key-phase bit of an opened short-header packet.</summary>
    public bool KeyPhase => (FirstByte & 0x04) != 0;
}

/// <summary>
/// Packet and header protection applied in place (RFC 9001, sections 5.3 to 5.5). A packet buffer holds the header,
/// then the payload, then room for the 16-byte tag. Nothing is allocated per packet.
/// </summary>
internal static class QuicPacketProtection
{
    /// <summary>
    /// Encrypts the payload that follows a written header, appends the tag and applies header protection. Returns the
    /// protected packet length: <paramref name="headerLength"/> + <paramref name="payloadLength"/> + 16.
    /// </summary>
    /// <exception cref="ArgumentException">The buffer is too small, or the packet too short to sample (the caller must pad: packet number + payload at least 4 bytes).</exception>
    public static int Seal(PacketProtectionKeys keys, Span<byte> packet, int packetNumberOffset, int headerLength, int payloadLength, long packetNumber) =>
        Seal(keys.Aead, keys.HeaderKey, packet, packetNumberOffset, headerLength, payloadLength, packetNumber);

    /// <summary>Like <see cref="Seal(PacketProtectionKeys, Span{byte}, int, int, int, long)"/> with the AEAD and header key given separately (1-RTT key phases).</summary>
    public static int Seal(
        PacketAead aead, HeaderProtectionKey headerKey, Span<byte> packet, int packetNumberOffset, int headerLength, int payloadLength, long packetNumber)
    {
        int total = EncryptPayload(aead, packet, packetNumberOffset, headerLength, payloadLength, packetNumber);
        Span<byte> mask = stackalloc byte[HeaderProtectionKey.MaskLength];
        headerKey.ComputeMask(packet.Slice(packetNumberOffset + QuicConstants.MaxPacketNumberLength, QuicConstants.HeaderProtectionSampleLength), mask);
        MaskHeader(packet, packetNumberOffset, mask);
        return total;
    }

    /// <summary>
    /// The first half of <see cref="Seal(PacketAead, HeaderProtectionKey, Span{byte}, int, int, int, long)"/>: encrypts
    /// the payload and appends the tag, leaving the header plain for header protection (alone or in a
    /// <see cref="HeaderProtectionBatch"/>). Returns the protected packet length.
    /// </summary>
    /// <exception cref="ArgumentException">The buffer is too small, or the packet too short to sample.</exception>
    public static int EncryptPayload(PacketAead aead, Span<byte> packet, int packetNumberOffset, int headerLength, int payloadLength, long packetNumber)
    {
        int total = headerLength + payloadLength + QuicConstants.AeadTagLength;
        if (packet.Length < total)
        {
            throw new ArgumentException("Packet buffer too small for payload and tag.", nameof(packet));
        }

        if (packetNumberOffset + QuicConstants.MaxPacketNumberLength + QuicConstants.HeaderProtectionSampleLength > total)
        {
            throw new ArgumentException("Packet too short for a header-protection sample; pad the payload.", nameof(payloadLength));
        }

        aead.Encrypt(
            packetNumber,
            packet[..headerLength],
            packet.Slice(headerLength, payloadLength),
            packet.Slice(headerLength + payloadLength, QuicConstants.AeadTagLength));
        return total;
    }

    /// <summary>
    /// Applies a computed <paramref name="mask"/> to a plain header: the packet-number length comes from the plain first
    /// byte, then the first byte's low bits and the packet number are masked.
    /// </summary>
    public static void MaskHeader(Span<byte> packet, int packetNumberOffset, ReadOnlySpan<byte> mask)
    {
        int packetNumberLength = (packet[0] & 0x03) + 1;
        bool isLong = (packet[0] & QuicConstants.LongHeaderBit) != 0;
        packet[0] ^= (byte)(mask[0] & (isLong ? 0x0f : 0x1f));
        for (int i = 0; i < packetNumberLength; i++)
        {
            packet[packetNumberOffset + i] ^= mask[1 + i];
        }
    }

    /// <summary>
    /// Removes header protection with a computed <paramref name="mask"/>: unmasks the first byte, reads the
    /// packet-number length from it and unmasks the packet number. Returns that length.
    /// </summary>
    public static int UnmaskHeader(Span<byte> packet, int packetNumberOffset, ReadOnlySpan<byte> mask)
    {
        bool isLong = (packet[0] & QuicConstants.LongHeaderBit) != 0;
        packet[0] ^= (byte)(mask[0] & (isLong ? 0x0f : 0x1f));
        int packetNumberLength = (packet[0] & 0x03) + 1;
        for (int i = 0; i < packetNumberLength; i++)
        {
            packet[packetNumberOffset + i] ^= mask[1 + i];
        }

        return packetNumberLength;
    }

    /// <summary>
    /// Removes header protection in place. Returns false if the packet is too short to sample. On success the first
    /// byte and the packet number are plain and <paramref name="packetNumberLength"/> is known.
    /// </summary>
    public static bool TryRemoveHeaderProtection(HeaderProtectionKey headerKey, Span<byte> packet, int packetNumberOffset, out int packetNumberLength) =>
        TryRemoveHeaderProtection(headerKey, packet, packetNumberOffset, default, out packetNumberLength);

    /// <summary>
    /// Like <see cref="TryRemoveHeaderProtection(HeaderProtectionKey, Span{byte}, int, out int)"/> with the mask already
    /// computed (<paramref name="precomputedMask"/>, from a <see cref="HeaderProtectionBatch"/>) unless it is empty.
    /// </summary>
    public static bool TryRemoveHeaderProtection(
        HeaderProtectionKey headerKey, Span<byte> packet, int packetNumberOffset, ReadOnlySpan<byte> precomputedMask, out int packetNumberLength)
    {
        packetNumberLength = 0;
        if (packetNumberOffset < 1
            || packet.Length < packetNumberOffset + QuicConstants.MaxPacketNumberLength + QuicConstants.HeaderProtectionSampleLength)
        {
            return false;
        }

        if (precomputedMask.IsEmpty)
        {
            Span<byte> mask = stackalloc byte[HeaderProtectionKey.MaskLength];
            headerKey.ComputeMask(packet.Slice(packetNumberOffset + QuicConstants.MaxPacketNumberLength, QuicConstants.HeaderProtectionSampleLength), mask);
            packetNumberLength = UnmaskHeader(packet, packetNumberOffset, mask);
        }
        else
        {
            packetNumberLength = UnmaskHeader(packet, packetNumberOffset, precomputedMask);
        }

        return true;
    }

    /// <summary>
    /// Decrypts the payload of a packet whose header protection is already removed. Returns false if the tag does not
    /// verify or there is no room for one.
    /// </summary>
    public static bool TryDecryptPayload(PacketAead aead, Span<byte> packet, int headerLength, long packetNumber, out int payloadLength)
    {
        payloadLength = packet.Length - headerLength - QuicConstants.AeadTagLength;
        if (payloadLength < 0)
        {
            payloadLength = 0;
            return false;
        }

        return aead.TryDecrypt(
            packetNumber,
            packet[..headerLength],
            packet.Slice(headerLength, payloadLength),
            packet.Slice(headerLength + payloadLength, QuicConstants.AeadTagLength));
    }

    /// <summary>
    /// Opens an Initial, Handshake or (single-phase) 1-RTT packet in place: removes header protection, recovers the
    /// packet number from <paramref name="largestPacketNumber"/> (the largest processed in the space, or -1) and
    /// decrypts the payload. <paramref name="packet"/> must be exactly this packet's bytes.
    /// </summary>
    /// <exception cref="QuicProtocolException">PROTOCOL_VIOLATION: reserved header bits were set in an authenticated packet.</exception>
    public static QuicOpenStatus Open(
        PacketProtectionKeys keys, Span<byte> packet, int packetNumberOffset, long largestPacketNumber, out QuicOpenedPacket opened)
    {
        opened = default;
        if (!TryRemoveHeaderProtection(keys.HeaderKey, packet, packetNumberOffset, out int packetNumberLength))
        {
            return QuicOpenStatus.TooShort;
        }

        long packetNumber = QuicPacketNumber.Decode(
            largestPacketNumber, QuicPacketNumber.ReadTruncated(packet[packetNumberOffset..], packetNumberLength), packetNumberLength);
        int headerLength = packetNumberOffset + packetNumberLength;
        if (!TryDecryptPayload(keys.Aead, packet, headerLength, packetNumber, out int payloadLength))
        {
            return QuicOpenStatus.AuthenticationFailed;
        }

        CheckReservedBits(packet[0]);
        opened = new QuicOpenedPacket(packetNumber, headerLength, payloadLength, packet[0]);
        return QuicOpenStatus.Success;
    }

    /// <summary>Throws PROTOCOL_VIOLATION if the reserved bits of an authenticated first byte are set (RFC 9000, section 17).</summary>
    public static void CheckReservedBits(byte firstByte)
    {
        bool isLong = (firstByte & QuicConstants.LongHeaderBit) != 0;
        if ((firstByte & (isLong ? 0x0c : 0x18)) != 0)
        {
            QuicErrors.ThrowProtocolViolation("Reserved header bits are set.");
        }
    }
}
