using System.Security.Cryptography;
using Aster.Net.Quic;
using Aster.Net.Quic.Packets;
using Aster.Net.Quic.Protection;
using Aster.Net.Tls;

namespace Aster.Net.Tests.Quic;

public sealed class KeyUpdateTests
{
    private static readonly byte[] _cid = [1, 2, 3, 4, 5, 6, 7, 8];

    [Theory]
    [InlineData((ushort)TlsCipherSuite.Aes128GcmSha256)]
    [InlineData((ushort)TlsCipherSuite.Aes256GcmSha384)]
    [InlineData((ushort)TlsCipherSuite.ChaCha20Poly1305Sha256)]
    public void KeyUpdate_InitiatedByClient_ServerFollowsAndBothDirectionsWork(ushort suiteValue)
    {
        var suite = (TlsCipherSuite)suiteValue;
        byte[] clientSecret = RandomNumberGenerator.GetBytes(QuicCipherSuites.GetHashLength(suite));
        byte[] serverSecret = RandomNumberGenerator.GetBytes(QuicCipherSuites.GetHashLength(suite));
        using var client = new OneRttKeySet(suite, serverSecret, clientSecret);
        using var server = new OneRttKeySet(suite, clientSecret, serverSecret);

        byte[] early = Seal(client, 0, 0x10);
        Assert.Equal(0x11, Open(server, Seal(client, 1, 0x11), -1));
        Assert.False(client.CanInitiateKeyUpdate);
        Assert.Throws<InvalidOperationException>(client.InitiateKeyUpdate);

        client.OnPacketAcknowledged(1);
        client.InitiateKeyUpdate();
        Assert.True(client.KeyPhase);
        Assert.False(client.CanInitiateKeyUpdate);

        byte[] updated = Seal(client, 2, 0x12);
        Assert.Equal(0x12, Open(server, updated, 1));
        Assert.True(server.KeyPhase);
        Assert.Equal(1, server.KeyUpdatesAnswered);
        Assert.Equal(1, server.ReadKeyGeneration);
        Assert.True(server.HasPreviousKeys);

        // A delayed packet from the old phase still opens with the previous keys.
        Assert.Equal(0x10, Open(server, early, 2));

        // The server's reply travels in the new phase; the client's receive keys follow without a second update.
        Assert.Equal(0x20, Open(client, Seal(server, 0, 0x20), -1));
        Assert.True(client.KeyPhase);
        Assert.Equal(0, client.KeyUpdatesAnswered);
        Assert.Equal(1, client.KeyUpdatesInitiated);

        server.DiscardPreviousKeys();
        byte[] stale = Seal(client, 3, 0x13);
        Assert.Equal(0x13, Open(server, stale, 2));
        Assert.False(server.HasPreviousKeys);
    }

    [Fact]
    public void KeyUpdate_ManyRounds_StayInStep()
    {
        byte[] a = RandomNumberGenerator.GetBytes(32);
        byte[] b = RandomNumberGenerator.GetBytes(32);
        using var client = new OneRttKeySet(TlsCipherSuite.Aes128GcmSha256, b, a);
        using var server = new OneRttKeySet(TlsCipherSuite.Aes128GcmSha256, a, b);
        long clientPn = 0;
        long serverPn = 0;
        long serverLargest = -1;
        long clientLargest = -1;
        for (int round = 0; round < 6; round++)
        {
            OneRttKeySet initiator = round % 2 == 0 ? client : server;
            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(i, Open(server, Seal(client, clientPn, (byte)i), serverLargest));
                serverLargest = clientPn;
                client.OnPacketAcknowledged(clientPn++);
                Assert.Equal(i, Open(client, Seal(server, serverPn, (byte)i), clientLargest));
                clientLargest = serverPn;
                server.OnPacketAcknowledged(serverPn++);
            }

            initiator.InitiateKeyUpdate();
        }

        Assert.Equal(3, client.KeyUpdatesInitiated);
        Assert.Equal(3, server.KeyUpdatesInitiated);
        Assert.Equal(2, client.KeyUpdatesAnswered);
        Assert.Equal(3, server.KeyUpdatesAnswered);
    }

    [Fact]
    public void Open_ForgedPacket_CountsFailureAndKeepsPhase()
    {
        byte[] a = RandomNumberGenerator.GetBytes(32);
        using var receiver = new OneRttKeySet(TlsCipherSuite.Aes128GcmSha256, a, a);
        using var sender = new OneRttKeySet(TlsCipherSuite.Aes128GcmSha256, a, a);
        byte[] packet = Seal(sender, 0, 1);
        packet[^1] ^= 0xff;
        Assert.Equal(QuicOpenStatus.AuthenticationFailed, receiver.Open(packet, 1 + _cid.Length, -1, out _));
        Assert.Equal(1, receiver.FailedDecryptions);

        // A forged packet claiming the other phase does not flip anything.
        byte[] forged = Seal(sender, 1, 1);
        forged[0] ^= 0x04;
        Assert.NotEqual(QuicOpenStatus.Success, receiver.Open(forged, 1 + _cid.Length, -1, out _));
        Assert.False(receiver.KeyPhase);
        Assert.Equal(1, Open(receiver, Seal(sender, 2, 1), -1));
    }

    [Fact]
    public void Open_ConsecutiveUpdatesWithoutOurAck_ThrowsKeyUpdateErrorWhenEnforced()
    {
        byte[] a = RandomNumberGenerator.GetBytes(32);
        byte[] b = RandomNumberGenerator.GetBytes(32);
        using var client = new OneRttKeySet(TlsCipherSuite.Aes128GcmSha256, b, a);
        using var server = new OneRttKeySet(TlsCipherSuite.Aes128GcmSha256, a, b) { EnforceConsecutiveUpdateCheck = true };
        Assert.Equal(0, Open(server, Seal(client, 0, 0), -1));
        client.OnPacketAcknowledged(0);
        client.InitiateKeyUpdate();
        Assert.Equal(1, Open(server, Seal(client, 1, 1), 0));

        // The client updates again before the server acknowledged packet 1 in the new phase (a misbehaving peer).
        Assert.Equal(9, Open(client, Seal(server, 0, 9), -1));
        Assert.Equal(2, Open(server, Seal(client, 2, 2), 1));
        client.OnPacketAcknowledged(2);
        client.InitiateKeyUpdate();
        var ex = Assert.Throws<QuicProtocolException>(() => server.Open(Seal(client, 3, 3), 9, 2, out _));
        Assert.Equal(QuicTransportError.KeyUpdateError, ex.Error);
    }

    [Fact]
    public void Open_ConsecutiveUpdatesAfterOurAck_AreAccepted()
    {
        byte[] a = RandomNumberGenerator.GetBytes(32);
        byte[] b = RandomNumberGenerator.GetBytes(32);
        using var client = new OneRttKeySet(TlsCipherSuite.Aes128GcmSha256, b, a);
        using var server = new OneRttKeySet(TlsCipherSuite.Aes128GcmSha256, a, b) { EnforceConsecutiveUpdateCheck = true };
        Assert.Equal(0, Open(server, Seal(client, 0, 0), -1));
        client.OnPacketAcknowledged(0);
        client.InitiateKeyUpdate();
        Assert.Equal(1, Open(server, Seal(client, 1, 1), -1));
        server.OnAcknowledgmentSent(1);
        Assert.Equal(9, Open(client, Seal(server, 0, 9), -1));
        client.OnPacketAcknowledged(1);
        client.InitiateKeyUpdate();
        Assert.Equal(2, Open(server, Seal(client, 2, 2), 1));
        Assert.Equal(2, server.ReadKeyGeneration);
    }

    [Fact]
    public void FromTlsKeys_HandshakeSecrets_CreatesMatchingDirections()
    {
        byte[] clientSecret = RandomNumberGenerator.GetBytes(32);
        byte[] serverSecret = RandomNumberGenerator.GetBytes(32);
        PacketProtectionKeys.FromTlsKeys(
            new TlsTrafficKeys(EncryptionLevel.Handshake, TlsCipherSuite.Aes128GcmSha256, serverSecret, clientSecret), out var clientRead, out var clientWrite);
        PacketProtectionKeys.FromTlsKeys(
            new TlsTrafficKeys(EncryptionLevel.Handshake, TlsCipherSuite.Aes128GcmSha256, clientSecret, serverSecret), out var serverRead, out var serverWrite);
        using (clientRead)
        using (clientWrite)
        using (serverRead)
        using (serverWrite)
        {
            byte[] packet = new byte[64];
            int headerLength = QuicPacketWriter.WriteShortHeader(packet, _cid, false, false, 3, 1);
            int length = QuicPacketProtection.Seal(clientWrite, packet, 9, headerLength, 64 - 16 - headerLength, 3);
            Assert.Equal(QuicOpenStatus.Success, QuicPacketProtection.Open(serverRead, packet.AsSpan(0, length), 9, 2, out _));
        }
    }

    [Fact]
    public void NextSecret_ThreeGenerations_AreDistinctAndDeterministic()
    {
        byte[] secret = RandomNumberGenerator.GetBytes(32);
        byte[] g1 = PacketProtectionKeys.NextSecret(TlsCipherSuite.Aes128GcmSha256, secret);
        byte[] g2 = PacketProtectionKeys.NextSecret(TlsCipherSuite.Aes128GcmSha256, g1);
        byte[] g3 = PacketProtectionKeys.NextSecret(TlsCipherSuite.Aes128GcmSha256, g2);
        Assert.Equal(g3, PacketProtectionKeys.NextSecret(
            TlsCipherSuite.Aes128GcmSha256, PacketProtectionKeys.NextSecret(TlsCipherSuite.Aes128GcmSha256, g1)));
        Assert.NotEqual(g1, g2);
        Assert.NotEqual(g2, g3);
        Assert.Equal(48, PacketProtectionKeys.NextSecret(TlsCipherSuite.Aes256GcmSha384, new byte[48]).Length);
    }

    private static byte[] Seal(OneRttKeySet keys, long packetNumber, byte marker)
    {
        byte[] packet = new byte[64];
        int headerLength = QuicPacketWriter.WriteShortHeader(packet, _cid, false, false, packetNumber, 2);
        packet[headerLength] = marker;
        int length = keys.Seal(packet, 1 + _cid.Length, headerLength, 64 - 16 - headerLength, packetNumber);
        return packet.AsSpan(0, length).ToArray();
    }

    private static byte Open(OneRttKeySet keys, byte[] packet, long largest)
    {
        Assert.Equal(QuicOpenStatus.Success, keys.Open(packet, 1 + _cid.Length, largest, out QuicOpenedPacket opened));
        return packet[opened.HeaderLength];
    }
}
