using Aster.Net.Quic;
using Aster.Net.Quic.ConnectionIds;
using Aster.Net.Quic.Frames;
using Aster.Net.Quic.Packets;
using Aster.Net.Quic.Protection;
using Aster.Net.Tls;
using Aster.Testing;

namespace Aster.Net.Tests.Quic;

public sealed class AssemblyTests
{
    private static readonly byte[] _clientDcid = Hex.Decode("0102030405060708090a0b0c0d0e0f1011121314");
    private static readonly byte[] _clientScid = Hex.Decode("a1a2a3a4a5a6a7a8");

    [Fact]
    public void ClientInitialPlusHandshake_Coalesced_PadsTo1200AndServerOpensBoth()
    {
        InitialSecrets.CreateKeys(_clientDcid, isServer: false, out var clientInitialRead, out var clientInitialWrite);
        InitialSecrets.CreateKeys(_clientDcid, isServer: true, out var serverInitialRead, out var serverInitialWrite);
        byte[] handshakeSecret = new byte[32];
        using var clientHandshake = PacketProtectionKeys.FromSecret(TlsCipherSuite.Aes128GcmSha256, handshakeSecret);
        using var serverHandshake = PacketProtectionKeys.FromSecret(TlsCipherSuite.Aes128GcmSha256, handshakeSecret);
        using (clientInitialRead)
        using (clientInitialWrite)
        using (serverInitialRead)
        using (serverInitialWrite)
        {
            var assembler = new QuicDatagramAssembler(1200, isClient: true);

            // Initial with an ACK only (not the last packet: no padding yet).
            var initial = QuicPacketBuilder.BeginLong(assembler.Free, QuicPacketType.Initial, _clientDcid, _clientScid, [], 1, 1);
            var writer = new QuicWriter(initial.Payload);
            QuicFrameWriter.WriteAck(ref writer, 0, [new AckRange(0, 0)]);
            int minimum = assembler.GetMinimumLength(QuicPacketType.Initial, ackEliciting: false, isLastPacket: false);
            int length = initial.Finish(writer.Position, clientInitialWrite, minimum);
            assembler.Commit(QuicPacketType.Initial, false, length);
            Assert.True(assembler.RequiresPadding);
            Assert.False(assembler.IsComplete);

            // Handshake with CRYPTO data, padded so the datagram reaches 1200.
            var handshake = QuicPacketBuilder.BeginLong(assembler.Free, QuicPacketType.Handshake, _clientDcid, _clientScid, [], 0, 2);
            writer = new QuicWriter(handshake.Payload);
            QuicFrameWriter.WriteCrypto(ref writer, 0, "finished"u8);
            minimum = assembler.GetMinimumLength(QuicPacketType.Handshake, ackEliciting: true, isLastPacket: true);
            length = handshake.Finish(writer.Position, clientHandshake, minimum);
            assembler.Commit(QuicPacketType.Handshake, true, length);
            Assert.Equal(1200, assembler.Length);
            Assert.True(assembler.IsComplete);

            // The server walks and opens both packets.
            byte[] datagram = assembler.Datagram.ToArray();
            var reader = new QuicDatagramReader(datagram, 8);
            Assert.True(reader.TryReadNext(out QuicPacketHeader h1, out QuicHeaderStatus s1));
            Assert.Equal(QuicHeaderStatus.Ok, s1);
            Span<byte> p1 = datagram.AsSpan(reader.PacketOffset, h1.PacketLength);
            Assert.Equal(QuicOpenStatus.Success, QuicPacketProtection.Open(serverInitialRead, p1, h1.PacketNumberOffset, -1, out QuicOpenedPacket o1));
            Assert.Equal(1, o1.PacketNumber);
            var frames = new QuicFrameReader(p1.Slice(o1.HeaderLength, o1.PayloadLength), QuicPacketType.Initial, true);
            Assert.True(frames.TryReadNext(out QuicFrame ack));
            Assert.Equal(QuicFrameType.Ack, ack.Type);

            Assert.True(reader.TryReadNext(out QuicPacketHeader h2, out QuicHeaderStatus s2));
            Assert.Equal(QuicHeaderStatus.Ok, s2);
            Assert.Equal(QuicPacketType.Handshake, h2.Type);
            Span<byte> p2 = datagram.AsSpan(reader.PacketOffset, h2.PacketLength);
            Assert.Equal(QuicOpenStatus.Success, QuicPacketProtection.Open(serverHandshake, p2, h2.PacketNumberOffset, -1, out QuicOpenedPacket o2));
            frames = new QuicFrameReader(p2.Slice(o2.HeaderLength, o2.PayloadLength), QuicPacketType.Handshake, true);
            Assert.True(frames.TryReadNext(out QuicFrame crypto));
            Assert.Equal("finished", System.Text.Encoding.ASCII.GetString(crypto.Data));
            Assert.True(frames.TryReadNext(out QuicFrame padding));
            Assert.Equal(QuicFrameType.Padding, padding.Type);
            Assert.False(reader.TryReadNext(out _, out _));
        }
    }

    [Fact]
    public void ShortPacket_TinyPayload_IsPaddedForTheSample()
    {
        using var keys = new OneRttKeySet(TlsCipherSuite.Aes128GcmSha256, new byte[32], new byte[32]);
        byte[] buffer = new byte[100];
        var builder = QuicPacketBuilder.BeginShort(buffer, _clientScid, spin: false, packetNumber: 7, packetNumberLength: 1);
        builder.Payload[0] = (byte)QuicFrameType.Ping;
        int length = builder.Finish(1, keys);
        Assert.Equal(1 + 8 + 1 + 3 + 16, length);
        Assert.Equal(QuicOpenStatus.Success, keys.Open(buffer.AsSpan(0, length), 9, 6, out QuicOpenedPacket opened));
        Assert.Equal(7, opened.PacketNumber);
    }

    [Fact]
    public void Assembler_ServerInitialWithoutAckEliciting_NeedsNoPadding()
    {
        var assembler = new QuicDatagramAssembler(1200, isClient: false);
        Assert.Equal(0, assembler.GetMinimumLength(QuicPacketType.Initial, ackEliciting: false, isLastPacket: true));
        Assert.Equal(1200, assembler.GetMinimumLength(QuicPacketType.Initial, ackEliciting: true, isLastPacket: true));
        assembler.Commit(QuicPacketType.Handshake, true, 100);
        Assert.Throws<InvalidOperationException>(() => assembler.Commit(QuicPacketType.Initial, true, 100));
        assembler.Commit(QuicPacketType.OneRtt, true, 100);
        Assert.Throws<InvalidOperationException>(() => assembler.Commit(QuicPacketType.OneRtt, true, 100));
        assembler.Reset();
        Assert.Equal(0, assembler.Length);
    }

    [Fact]
    public void AntiAmplification_BeforeValidation_AllowsThreeTimesReceived()
    {
        var limit = new AntiAmplificationLimit();
        Assert.False(limit.CanSend(1));
        limit.OnDatagramReceived(1200);
        Assert.Equal(3600, limit.Allowance);
        limit.OnDatagramSent(1200);
        limit.OnDatagramSent(1200);
        Assert.True(limit.CanSend(1200));
        Assert.False(limit.CanSend(1201));
        limit.OnDatagramSent(1200);
        Assert.Throws<InvalidOperationException>(() => limit.OnDatagramSent(1));
        limit.OnAddressValidated();
        Assert.True(limit.CanSend(1_000_000));
    }

    [Fact]
    public void ConnectionIds_IssueAndRetire_FollowPeerLimit()
    {
        byte[] resetKey = StatelessReset.DeriveResetKey(new byte[32]);
        var manager = new ConnectionIdManager(resetKey, _clientScid, _clientDcid) { PeerActiveLimit = 5 };
        IReadOnlyList<ConnectionIdEntry> issued = manager.IssueConnectionIds();
        Assert.Equal(3, issued.Count);
        Assert.Equal([1UL, 2UL, 3UL], issued.Select(e => e.SequenceNumber));
        Assert.All(issued, e => Assert.Equal(8, e.ConnectionId.Length));
        Assert.True(manager.IsLocal(issued[0].ConnectionId));

        manager.OnRetireConnectionId(1, _clientScid);
        Assert.False(manager.IsLocal(issued[0].ConnectionId));
        Assert.Single(manager.IssueConnectionIds());
        var ex = Assert.Throws<QuicProtocolException>(() => manager.OnRetireConnectionId(99, _clientScid));
        Assert.Equal(QuicTransportError.ProtocolViolation, ex.Error);
        Assert.Throws<QuicProtocolException>(() => manager.OnRetireConnectionId(2, issued[1].ConnectionId));
    }

    [Fact]
    public void ConnectionIds_RetirePriorTo_RetiresOldAndSwitchesDestination()
    {
        var manager = new ConnectionIdManager(new byte[32], _clientScid, _clientDcid, localActiveLimit: 3);
        byte[] token1 = Enumerable.Repeat((byte)1, 16).ToArray();
        byte[] token2 = Enumerable.Repeat((byte)2, 16).ToArray();
        manager.OnNewConnectionId(1, 0, [1, 1, 1, 1, 1, 1, 1, 1], token1);
        manager.OnNewConnectionId(1, 0, [1, 1, 1, 1, 1, 1, 1, 1], token1); // A repeat is harmless.
        Assert.Equal(0UL, manager.Current.SequenceNumber);

        manager.OnNewConnectionId(2, 2, [2, 2, 2, 2, 2, 2, 2, 2], token2);
        Assert.Equal(2UL, manager.Current.SequenceNumber);
        Assert.True(manager.TryTakeRetirement(out ulong first));
        Assert.True(manager.TryTakeRetirement(out ulong second));
        Assert.Equal([0UL, 1UL], new[] { first, second }.Order());
        Assert.False(manager.TryTakeRetirement(out _));

        // A late id below Retire Prior To is retired at once.
        manager.OnNewConnectionId(1, 0, [3, 3, 3, 3, 3, 3, 3, 3], token1);
        Assert.True(manager.TryTakeRetirement(out ulong late));
        Assert.Equal(1UL, late);

        byte[] reset = new byte[30];
        token2.CopyTo(reset, 14);
        Assert.True(manager.IsStatelessReset(reset));
        Assert.False(manager.IsStatelessReset(new byte[30]));
    }

    [Fact]
    public void ConnectionIds_TooManyFromPeer_ThrowsConnectionIdLimitError()
    {
        var manager = new ConnectionIdManager(new byte[32], _clientScid, _clientDcid, localActiveLimit: 2);
        manager.OnNewConnectionId(1, 0, [1, 1, 1, 1], new byte[16]);
        var ex = Assert.Throws<QuicProtocolException>(() => manager.OnNewConnectionId(2, 0, [2, 2, 2, 2], new byte[16]));
        Assert.Equal(QuicTransportError.ConnectionIdLimitError, ex.Error);
    }

    [Fact]
    public void ConnectionIds_SequenceReusedWithOtherId_ThrowsProtocolViolation()
    {
        var manager = new ConnectionIdManager(new byte[32], _clientScid, _clientDcid);
        manager.OnNewConnectionId(1, 0, [1, 1, 1, 1], new byte[16]);
        Assert.Throws<QuicProtocolException>(() => manager.OnNewConnectionId(1, 0, [9, 9, 9, 9], new byte[16]));
    }

    [Fact]
    public void ConnectionIds_Rotate_MovesToNextAndRetiresCurrent()
    {
        var manager = new ConnectionIdManager(new byte[32], _clientScid, _clientDcid);
        Assert.False(manager.TryRotateDestination());
        manager.SetInitialRemoteResetToken(new byte[16]);
        manager.OnNewConnectionId(1, 0, [1, 1, 1, 1], Enumerable.Repeat((byte)7, 16).ToArray());
        Assert.True(manager.TryRotateDestination());
        Assert.Equal(1UL, manager.Current.SequenceNumber);
        Assert.True(manager.TryTakeRetirement(out ulong retired));
        Assert.Equal(0UL, retired);
    }
}
