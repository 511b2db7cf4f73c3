using System.Buffers.Binary;

namespace Aster.Net.Quic.Packets;

/// <summary>Version Negotiation packets (RFC 9000, section 17.2.1; transport.md, section 3.2).</summary>
internal static class VersionNegotiationPacket
{
    /// <summary>The size of a Version Negotiation packet.</summary>
    public static int GetLength(int destinationLength, int sourceLength, int versionCount) =>
        1 + 4 + 1 + destinationLength + 1 + sourceLength + (4 * versionCount);

    /// <summary>
    /// Writes a Version Negotiation packet answering a packet that had <paramref name="receivedSourceConnectionId"/> and
    /// <paramref name="receivedDestinationConnectionId"/>: the ids are swapped, as the RFC requires.
    /// <paramref name="randomBits"/> supplies the unused low 7 bits of the first byte.
    /// </summary>
    public static int Write(
        Span<byte> destination,
        byte randomBits,
        ReadOnlySpan<byte> receivedSourceConnectionId,
        ReadOnlySpan<byte> receivedDestinationConnectionId,
        ReadOnlySpan<uint> supportedVersions)
    {
        if (supportedVersions.IsEmpty
            || receivedSourceConnectionId.Length > QuicConstants.MaxInvariantConnectionIdLength
            || receivedDestinationConnectionId.Length > QuicConstants.MaxInvariantConnectionIdLength)
        {
            throw new ArgumentException("A Version Negotiation packet needs at least one version and ids of at most 255 bytes.");
        }

        var writer = new QuicWriter(destination);
        writer.WriteByte((byte)(QuicConstants.LongHeaderBit | (randomBits & 0x7f)));
        writer.WriteUInt32(0);
        writer.WriteByte((byte)receivedSourceConnectionId.Length);
        writer.WriteBytes(receivedSourceConnectionId);
        writer.WriteByte((byte)receivedDestinationConnectionId.Length);
        writer.WriteBytes(receivedDestinationConnectionId);
        foreach (uint version in supportedVersions)
        {
            writer.WriteUInt32(version);
        }

        return writer.Position;
    }

    /// <summary>Parses a Version Negotiation packet; false if it is not one or is malformed.</summary>
    public static bool TryParse(
        ReadOnlySpan<byte> packet,
        out ReadOnlySpan<byte> destinationConnectionId,
        out ReadOnlySpan<byte> sourceConnectionId,
        out ReadOnlySpan<byte> versions)
    {
        destinationConnectionId = default;
        sourceConnectionId = default;
        versions = default;
        if (QuicPacketParser.TryParse(packet, 0, out QuicPacketHeader header) != QuicHeaderStatus.Ok
            || header.Type != QuicPacketType.VersionNegotiation)
        {
            return false;
        }

        destinationConnectionId = header.DestinationConnectionId;
        sourceConnectionId = header.SourceConnectionId;
        versions = packet[header.PacketNumberOffset..];
        return true;
    }

    /// <summary>True if the raw version list contains <paramref name="version"/>.</summary>
    public static bool ContainsVersion(ReadOnlySpan<byte> versions, uint version)
    {
        for (int i = 0; i + 4 <= versions.Length; i += 4)
        {
            if (BinaryPrimitives.ReadUInt32BigEndian(versions[i..]) == version)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// True if a server should answer <paramref name="datagram"/> with Version Negotiation: a long header with a version
    /// other than 1 and 0, in a datagram of at least 1200 bytes (transport.md, section 3.2).
    /// </summary>
    public static bool ShouldRespond(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= QuicConstants.MinInitialDatagramSize
        && QuicPacketParser.TryParse(datagram, 0, out _) == QuicHeaderStatus.UnsupportedVersion;

    /// <summary>True if <paramref name="version"/> is a reserved version of the form 0x?a?a?a?a (RFC 9000, section 15).</summary>
    public static bool IsReservedVersion(uint version) => (version & 0x0f0f0f0f) == 0x0a0a0a0a;

    /// <summary>
    /// True if a client must abandon its connection attempt on this Version Negotiation packet (RFC 9000, section 6.2;
    /// transport.md, section 3.2): it echoes our connection ids, does not list version 1, and nothing else from the
    /// server was processed yet. Otherwise the packet is ignored.
    /// </summary>
    public static bool ShouldAbortConnection(
        ReadOnlySpan<byte> packet, ReadOnlySpan<byte> ourSourceConnectionId, ReadOnlySpan<byte> ourDestinationConnectionId, bool processedOtherServerPacket)
    {
        return !processedOtherServerPacket
            && TryParse(packet, out ReadOnlySpan<byte> destination, out ReadOnlySpan<byte> source, out ReadOnlySpan<byte> versions)
            && destination.SequenceEqual(ourSourceConnectionId)
            && source.SequenceEqual(ourDestinationConnectionId)
            && !ContainsVersion(versions, QuicConstants.Version1);
    }
}
