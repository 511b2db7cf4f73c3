using Aster.Net.Quic;
using Aster.Net.Quic.Packets;
using Aster.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Net.Tests.Quic;

public sealed class QuicPacketTests
{
    [Fact]
    public void Decode_Rfc9000AppendixA3Example_RecoversPacketNumber()
    {
        Assert.Equal(0xa82f9b32L, QuicPacketNumber.Decode(0xa82f30ea, 0x9b32, 2));
    }

    [Fact]
    public void GetEncodedLength_Rfc9000AppendixA2Examples_MatchSpec()
    {
        Assert.Equal(2, QuicPacketNumber.GetEncodedLength(0xac5c02, 0xabe8b3));
        Assert.Equal(3, QuicPacketNumber.GetEncodedLength(0xace8fe, 0xabe8b3));
        Assert.Equal(1, QuicPacketNumber.GetEncodedLength(0, -1));
    }

    [Fact]
    public void EncodeDecode_RandomNumbersWithinWindow_RoundTrip()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(5000), Prop.ForAll(
            ArbMap.Default.ArbFor<long>(), ArbMap.Default.ArbFor<int>(), (rawLargest, rawDelta) =>
            {
                long largestAcked = (long)((ulong)rawLargest % (1UL << 40));
                long packetNumber = largestAcked + 1 + (long)((uint)rawDelta % 1_000_000);
                int length = QuicPacketNumber.GetEncodedLength(packetNumber, largestAcked);
                Span<byte> buffer = stackalloc byte[4];
                QuicPacketNumber.Write(buffer, packetNumber, length);
                uint truncated = QuicPacketNumber.ReadTruncated(buffer, length);

                // The receiver has seen anything up to the packet before this one, or only up to the largest acked.
                return QuicPacketNumber.Decode(packetNumber - 1, truncated, length) == packetNumber
                    && QuicPacketNumber.Decode(largestAcked, truncated, length) == packetNumber;
            }));
    }

    [Fact]
    public void TryParse_Rfc9001ClientInitial_ReadsHeaderFields()
    {
        byte[] packet = Hex.Decode(Rfc9001Vectors.ClientInitialProtected);
        Assert.Equal(QuicHeaderStatus.Ok, QuicPacketParser.TryParse(packet, 8, out QuicPacketHeader header));
        Assert.Equal(QuicPacketType.Initial, header.Type);
        Assert.Equal(QuicConstants.Version1, header.Version);
        Assert.Equal(Rfc9001Vectors.ClientDcid, Hex.Encode(header.DestinationConnectionId));
        Assert.True(header.SourceConnectionId.IsEmpty);
        Assert.True(header.Token.IsEmpty);
        Assert.Equal(18, header.PacketNumberOffset);
        Assert.Equal(1200, header.PacketLength);
    }

    [Fact]
    public void TryParse_Rfc9001Retry_ReadsTokenWithoutTag()
    {
        byte[] packet = Hex.Decode(Rfc9001Vectors.Retry);
        Assert.Equal(QuicHeaderStatus.Ok, QuicPacketParser.TryParse(packet, 8, out QuicPacketHeader header));
        Assert.Equal(QuicPacketType.Retry, header.Type);
        Assert.Equal("f067a5502a4262b5", Hex.Encode(header.SourceConnectionId));
        Assert.Equal("746f6b656e", Hex.Encode(header.Token));
    }

    [Fact]
    public void TryParse_FixedBitClear_IsReported()
    {
        byte[] packet = Hex.Decode(Rfc9001Vectors.ClientInitialProtected);
        packet[0] &= 0xbf;
        Assert.Equal(QuicHeaderStatus.FixedBitClear, QuicPacketParser.TryParse(packet, 8, out _));
        byte[] shortPacket = new byte[30];
        Assert.Equal(QuicHeaderStatus.FixedBitClear, QuicPacketParser.TryParse(shortPacket, 8, out _));
    }

    [Fact]
    public void TryParse_ConnectionIdLongerThan20_IsMalformed()
    {
        byte[] packet = new byte[100];
        packet[0] = 0xc0;
        packet[4] = 1;
        packet[5] = 21;
        Assert.Equal(QuicHeaderStatus.Malformed, QuicPacketParser.TryParse(packet, 8, out _));
    }

    [Fact]
    public void TryParse_LengthBeyondDatagram_IsMalformed()
    {
        byte[] packet = Hex.Decode(Rfc9001Vectors.ClientInitialProtected).AsSpan(0, 600).ToArray();
        Assert.Equal(QuicHeaderStatus.Malformed, QuicPacketParser.TryParse(packet, 8, out _));
    }

    [Fact]
    public void TryParse_UnknownVersion_ReportsInvariantFields()
    {
        byte[] packet = new byte[1200];
        packet[0] = 0xc0;
        packet[1] = 0x1a;
        packet[2] = 0x2a;
        packet[3] = 0x3a;
        packet[4] = 0x4a;
        packet[5] = 30; // Longer than 20 bytes is fine for an unknown version.
        packet[36] = 2;
        Assert.Equal(QuicHeaderStatus.UnsupportedVersion, QuicPacketParser.TryParse(packet, 8, out QuicPacketHeader header));
        Assert.Equal(0x1a2a3a4au, header.Version);
        Assert.Equal(30, header.DestinationConnectionId.Length);
        Assert.Equal(2, header.SourceConnectionId.Length);
        Assert.True(VersionNegotiationPacket.ShouldRespond(packet));
        Assert.False(VersionNegotiationPacket.ShouldRespond(packet.AsSpan(0, 1199)));
    }

    [Fact]
    public void WriteLongHeader_InitialWithToken_ParsesBack()
    {
        byte[] dcid = Hex.Decode("0102030405060708");
        byte[] scid = Hex.Decode("a1a2a3a4a5a6a7a8");
        byte[] token = Hex.Decode("746f6b656e2d6279746573");
        byte[] buffer = new byte[200];
        int headerLength = QuicPacketWriter.WriteLongHeader(buffer, QuicPacketType.Initial, dcid, scid, token, 0x1234, 2, 100, out int pnOffset);
        Assert.Equal(QuicPacketWriter.GetLongHeaderLength(QuicPacketType.Initial, 8, 8, token.Length, 2, 100), headerLength);

        Assert.Equal(QuicHeaderStatus.Ok, QuicPacketParser.TryParse(buffer, 8, out QuicPacketHeader header));
        Assert.Equal(QuicPacketType.Initial, header.Type);
        Assert.Equal(token, header.Token.ToArray());
        Assert.Equal(scid, header.SourceConnectionId.ToArray());
        Assert.Equal(pnOffset, header.PacketNumberOffset);
        Assert.Equal(pnOffset + 100, header.PacketLength);
        Assert.Equal(0x1234u, QuicPacketNumber.ReadTruncated(buffer.AsSpan(pnOffset), 2));
        Assert.Throws<ArgumentException>(() =>
            QuicPacketWriter.WriteLongHeader(buffer, QuicPacketType.Handshake, dcid, scid, token, 0, 1, 10, out _));
        Assert.Throws<ArgumentException>(() =>
            QuicPacketWriter.WriteLongHeader(buffer, QuicPacketType.Initial, new byte[21], scid, [], 0, 1, 10, out _));
    }

    [Fact]
    public void WriteLongHeader_Rfc9001ClientInitial_MatchesUnprotectedHeader()
    {
        byte[] buffer = new byte[64];
        int length = QuicPacketWriter.WriteLongHeader(
            buffer, QuicPacketType.Initial, Hex.Decode(Rfc9001Vectors.ClientDcid), [], [], 2, 4, 1182, out int pnOffset);
        Assert.Equal(Rfc9001Vectors.ClientInitialHeader, Hex.Encode(buffer.AsSpan(0, length)));
        Assert.Equal(18, pnOffset);
        Assert.Equal(length, QuicPacketWriter.GetLongHeaderLength(QuicPacketType.Initial, 8, 0, 0, 4, 1182));
    }

    [Fact]
    public void WriteLongHeader_Rfc9001ServerInitial_MatchesUnprotectedHeader()
    {
        byte[] buffer = new byte[64];
        int length = QuicPacketWriter.WriteLongHeader(
            buffer, QuicPacketType.Initial, [], Hex.Decode("f067a5502a4262b5"), [], 1, 2, 0x75, out _);
        Assert.Equal(Rfc9001Vectors.ServerInitialHeader, Hex.Encode(buffer.AsSpan(0, length)));
    }

    [Fact]
    public void WriteShortHeader_Rfc9001ChaChaExample_MatchesUnprotectedHeader()
    {
        byte[] buffer = new byte[8];
        int length = QuicPacketWriter.WriteShortHeader(buffer, [], spin: false, keyPhase: false, 654360564, 3);
        Assert.Equal("4200bff4", Hex.Encode(buffer.AsSpan(0, length)));
        QuicPacketWriter.WriteShortHeader(buffer, [], spin: true, keyPhase: true, 1, 1);
        Assert.Equal(0x40 | 0x20 | 0x04, buffer[0]);
        byte[] packet = new byte[30];
        QuicPacketWriter.WriteShortHeader(packet, new byte[8], spin: true, keyPhase: false, 1, 1);
        Assert.Equal(QuicHeaderStatus.Ok, QuicPacketParser.TryParse(packet, 8, out QuicPacketHeader header));
        Assert.True(header.SpinBit);
    }

    [Fact]
    public void DatagramReader_CoalescedPackets_YieldsEachThenShortHeader()
    {
        byte[] dcid = Hex.Decode("0102030405060708");
        byte[] datagram = new byte[300];
        int offset = QuicPacketWriter.WriteLongHeader(datagram, QuicPacketType.Initial, dcid, dcid, [], 0, 1, 40, out _) + 39;
        offset += QuicPacketWriter.WriteLongHeader(datagram.AsSpan(offset), QuicPacketType.Handshake, dcid, dcid, [], 0, 1, 40, out _) + 39;
        int third = offset;
        offset += QuicPacketWriter.WriteShortHeader(datagram.AsSpan(offset), dcid, false, false, 0, 1) + 30;
        var reader = new QuicDatagramReader(datagram.AsSpan(0, offset), 8);

        Assert.True(reader.TryReadNext(out QuicPacketHeader h1, out QuicHeaderStatus s1));
        Assert.Equal(QuicHeaderStatus.Ok, s1);
        Assert.Equal(QuicPacketType.Initial, h1.Type);
        Assert.True(reader.TryReadNext(out QuicPacketHeader h2, out QuicHeaderStatus s2));
        Assert.Equal(QuicHeaderStatus.Ok, s2);
        Assert.Equal(QuicPacketType.Handshake, h2.Type);
        Assert.True(reader.TryReadNext(out QuicPacketHeader h3, out QuicHeaderStatus s3));
        Assert.Equal(QuicHeaderStatus.Ok, s3);
        Assert.Equal(QuicPacketType.OneRtt, h3.Type);
        Assert.Equal(third, reader.PacketOffset);
        Assert.False(reader.TryReadNext(out _, out _));
    }

    [Fact]
    public void DatagramReader_DifferentDestination_ReportsMismatch()
    {
        byte[] dcid = Hex.Decode("0102030405060708");
        byte[] other = Hex.Decode("0807060504030201");
        byte[] datagram = new byte[200];
        int offset = QuicPacketWriter.WriteLongHeader(datagram, QuicPacketType.Initial, dcid, dcid, [], 0, 1, 40, out _) + 39;
        offset += QuicPacketWriter.WriteLongHeader(datagram.AsSpan(offset), QuicPacketType.Handshake, other, dcid, [], 0, 1, 40, out _) + 39;
        var reader = new QuicDatagramReader(datagram.AsSpan(0, offset), 8);
        Assert.True(reader.TryReadNext(out _, out QuicHeaderStatus s1));
        Assert.Equal(QuicHeaderStatus.Ok, s1);
        Assert.True(reader.TryReadNext(out _, out QuicHeaderStatus s2));
        Assert.Equal(QuicHeaderStatus.DestinationMismatch, s2);
        Assert.False(reader.TryReadNext(out _, out _));
    }

    [Fact]
    public void DatagramReader_RandomBytes_NeverThrows()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(20_000), Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            var random = new Random(seed);
            byte[] bytes = new byte[random.Next(0, 80)];
            random.NextBytes(bytes);
            if (bytes.Length > 5 && random.Next(2) == 0)
            {
                bytes[0] |= 0xc0;
                bytes[1] = 0;
                bytes[2] = 0;
                bytes[3] = 0;
                bytes[4] = 1;
                bytes[5] = (byte)random.Next(22);
            }

            var reader = new QuicDatagramReader(bytes, 8);
            int count = 0;
            while (reader.TryReadNext(out QuicPacketHeader header, out QuicHeaderStatus status) && count++ < 100)
            {
                if (status == QuicHeaderStatus.Ok && header.PacketLength > bytes.Length)
                {
                    return false;
                }
            }

            return count < 100;
        }));
    }

    [Fact]
    public void VersionNegotiation_WriteThenParse_SwapsIdsAndListsVersions()
    {
        byte[] clientDcid = Hex.Decode("0011223344556677");
        byte[] clientScid = Hex.Decode("aabbccdd");
        byte[] buffer = new byte[64];
        int length = VersionNegotiationPacket.Write(buffer, 0x55, clientScid, clientDcid, [QuicConstants.Version1, 0x1a2a3a4a]);
        Assert.Equal(VersionNegotiationPacket.GetLength(4, 8, 2), length);
        Assert.Equal(0x80 | 0x55, buffer[0]);
        Assert.True(VersionNegotiationPacket.TryParse(buffer.AsSpan(0, length), out var dcid, out var scid, out var versions));
        Assert.Equal(clientScid, dcid.ToArray());
        Assert.Equal(clientDcid, scid.ToArray());
        Assert.True(VersionNegotiationPacket.ContainsVersion(versions, QuicConstants.Version1));
        Assert.False(VersionNegotiationPacket.ContainsVersion(versions, 2));
        Assert.True(VersionNegotiationPacket.IsReservedVersion(0x1a2a3a4a));
        Assert.False(VersionNegotiationPacket.IsReservedVersion(1));
    }

    [Fact]
    public void ShouldAbortConnection_VersionListWithoutV1_AbortsOnlyBeforeOtherPackets()
    {
        byte[] ourScid = Hex.Decode("aabbccdd");
        byte[] ourDcid = Hex.Decode("0011223344556677");
        byte[] buffer = new byte[64];
        int length = VersionNegotiationPacket.Write(buffer, 0, ourScid, ourDcid, [0xff00001du]);
        Assert.True(VersionNegotiationPacket.ShouldAbortConnection(buffer.AsSpan(0, length), ourScid, ourDcid, false));
        Assert.False(VersionNegotiationPacket.ShouldAbortConnection(buffer.AsSpan(0, length), ourScid, ourDcid, true));
        Assert.False(VersionNegotiationPacket.ShouldAbortConnection(buffer.AsSpan(0, length), ourDcid, ourScid, false));
        length = VersionNegotiationPacket.Write(buffer, 0, ourScid, ourDcid, [0xff00001du, QuicConstants.Version1]);
        Assert.False(VersionNegotiationPacket.ShouldAbortConnection(buffer.AsSpan(0, length), ourScid, ourDcid, false));
    }

    [Fact]
    public void VersionNegotiation_EmptyOrRaggedVersionList_IsRejected()
    {
        byte[] buffer = Hex.Decode("80000000000000");
        Assert.False(VersionNegotiationPacket.TryParse(buffer, out _, out _, out _));
        Assert.False(VersionNegotiationPacket.TryParse(Hex.Decode("80000000000000000001"), out _, out _, out _));
    }
}
