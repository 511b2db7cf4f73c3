using System.Security.Cryptography;
using Aster.Net.Quic;
using Aster.Net.Quic.Packets;
using Aster.Net.Quic.Protection;
using Aster.Net.Tls;
using Aster.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Net.Tests.Quic;

public sealed class PacketProtectionTests
{
    [Fact]
    public void InitialKeys_Rfc9001AppendixA1_MatchSecretsIvsAndMasks()
    {
        byte[] client = new byte[32];
        byte[] server = new byte[32];
        InitialSecrets.DeriveSecrets(Hex.Decode(Rfc9001Vectors.ClientDcid), client, server);
        Assert.Equal("c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea", Hex.Encode(client));
        Assert.Equal("3c199828fd139efd216c155ad844cc81fb82fa8d7446fa7d78be803acdda951b", Hex.Encode(server));

        InitialSecrets.CreateKeys(Hex.Decode(Rfc9001Vectors.ClientDcid), isServer: false, out var read, out var write);
        using (read)
        using (write)
        {
            Span<byte> nonce = stackalloc byte[12];
            write.Aead.BuildNonce(0, nonce);
            Assert.Equal("fa044b2f42a3fd3b46fb255c", Hex.Encode(nonce));
            read.Aead.BuildNonce(0, nonce);
            Assert.Equal("0ac1493ca1905853b0bba03e", Hex.Encode(nonce));
            Span<byte> mask = stackalloc byte[5];
            write.HeaderKey.ComputeMask(Hex.Decode("d1b1c98dd7689fb8ec11d242b123dc9b"), mask);
            Assert.Equal("437b9aec36", Hex.Encode(mask));
            read.HeaderKey.ComputeMask(Hex.Decode("2cd0991cd25b0aac406a5816b6394100"), mask);
            Assert.Equal("2ec0d8356a", Hex.Encode(mask));
        }
    }

    [Fact]
    public void Seal_Rfc9001ClientInitial_MatchesAppendixA2()
    {
        InitialSecrets.CreateKeys(Hex.Decode(Rfc9001Vectors.ClientDcid), isServer: false, out var read, out var write);
        using (read)
        using (write)
        {
            byte[] packet = new byte[1200];
            byte[] header = Hex.Decode(Rfc9001Vectors.ClientInitialHeader);
            header.CopyTo(packet, 0);
            Hex.Decode(Rfc9001Vectors.ClientInitialCryptoFrame).CopyTo(packet, header.Length);

            int length = QuicPacketProtection.Seal(write, packet, 18, header.Length, 1162, 2);

            Assert.Equal(1200, length);
            Assert.Equal(Rfc9001Vectors.ClientInitialProtected, Hex.Encode(packet));
        }
    }

    [Fact]
    public void Open_Rfc9001ClientInitialAsServer_RecoversPayload()
    {
        InitialSecrets.CreateKeys(Hex.Decode(Rfc9001Vectors.ClientDcid), isServer: true, out var read, out var write);
        using (read)
        using (write)
        {
            byte[] packet = Hex.Decode(Rfc9001Vectors.ClientInitialProtected);
            Assert.Equal(QuicOpenStatus.Success, QuicPacketProtection.Open(read, packet, 18, -1, out QuicOpenedPacket opened));
            Assert.Equal(2, opened.PacketNumber);
            Assert.Equal(22, opened.HeaderLength);
            Assert.Equal(1162, opened.PayloadLength);
            Assert.Equal(Rfc9001Vectors.ClientInitialHeader, Hex.Encode(packet.AsSpan(0, 22)));
            string crypto = Rfc9001Vectors.ClientInitialCryptoFrame;
            Assert.Equal(crypto, Hex.Encode(packet.AsSpan(22, crypto.Length / 2)));
        }
    }

    [Fact]
    public void Seal_Rfc9001ServerInitial_MatchesAppendixA3()
    {
        InitialSecrets.CreateKeys(Hex.Decode(Rfc9001Vectors.ClientDcid), isServer: true, out var read, out var write);
        using (read)
        using (write)
        {
            byte[] header = Hex.Decode(Rfc9001Vectors.ServerInitialHeader);
            byte[] payload = Hex.Decode(Rfc9001Vectors.ServerInitialPayload);
            byte[] packet = new byte[header.Length + payload.Length + 16];
            header.CopyTo(packet, 0);
            payload.CopyTo(packet, header.Length);

            int length = QuicPacketProtection.Seal(write, packet, header.Length - 2, header.Length, payload.Length, 1);

            Assert.Equal(packet.Length, length);
            Assert.Equal(Rfc9001Vectors.ServerInitialProtected, Hex.Encode(packet));
        }
    }

    [Fact]
    public void Open_Rfc9001ServerInitialAsClient_RecoversPayload()
    {
        InitialSecrets.CreateKeys(Hex.Decode(Rfc9001Vectors.ClientDcid), isServer: false, out var read, out var write);
        using (read)
        using (write)
        {
            byte[] packet = Hex.Decode(Rfc9001Vectors.ServerInitialProtected);
            Assert.Equal(QuicHeaderStatus.Ok, QuicPacketParser.TryParse(packet, 8, out QuicPacketHeader header));
            Assert.Equal(QuicOpenStatus.Success, QuicPacketProtection.Open(read, packet, header.PacketNumberOffset, 0, out QuicOpenedPacket opened));
            Assert.Equal(1, opened.PacketNumber);
            Assert.Equal(Rfc9001Vectors.ServerInitialPayload, Hex.Encode(packet.AsSpan(opened.HeaderLength, opened.PayloadLength)));
        }
    }

    [Fact]
    public void Open_TamperedByte_ReportsAuthenticationFailure()
    {
        InitialSecrets.CreateKeys(Hex.Decode(Rfc9001Vectors.ClientDcid), isServer: true, out var read, out var write);
        using (read)
        using (write)
        {
            byte[] original = Hex.Decode(Rfc9001Vectors.ClientInitialProtected);
            foreach (int index in new[] { 1, 10, 19, 100, 1199 })
            {
                byte[] packet = (byte[])original.Clone();
                packet[index] ^= 0x01;
                Assert.NotEqual(QuicOpenStatus.Success, QuicPacketProtection.Open(read, packet, 18, -1, out _));
            }
        }
    }

    [Fact]
    public void Open_TooShortToSample_ReportsTooShort()
    {
        InitialSecrets.CreateKeys(Hex.Decode(Rfc9001Vectors.ClientDcid), isServer: true, out var read, out var write);
        using (read)
        using (write)
        {
            byte[] packet = Hex.Decode(Rfc9001Vectors.ClientInitialProtected).AsSpan(0, 37).ToArray();
            Assert.Equal(QuicOpenStatus.TooShort, QuicPacketProtection.Open(read, packet, 18, -1, out _));
        }
    }

    [Fact]
    public void ChaCha20ShortHeader_Rfc9001AppendixA5_SealsAndOpens()
    {
        byte[] secret = Hex.Decode(Rfc9001Vectors.ChaChaSecret);
        Assert.Equal(
            Rfc9001Vectors.ChaChaKeyUpdateSecret,
            Hex.Encode(PacketProtectionKeys.NextSecret(TlsCipherSuite.ChaCha20Poly1305Sha256, secret)));
        using var keys = PacketProtectionKeys.FromSecret(TlsCipherSuite.ChaCha20Poly1305Sha256, secret);
        Span<byte> nonce = stackalloc byte[12];
        keys.Aead.BuildNonce(654360564, nonce);
        Assert.Equal("e0459b3474bdd0e46d417eb0", Hex.Encode(nonce));
        Span<byte> mask = stackalloc byte[5];
        keys.HeaderKey.ComputeMask(Hex.Decode("5e5cd55c41f69080575d7999c25a5bfb"), mask);
        Assert.Equal("aefefe7d03", Hex.Encode(mask));

        byte[] packet = new byte[21];
        int headerLength = QuicPacketWriter.WriteShortHeader(packet, [], false, false, 654360564, 3);
        packet[headerLength] = 0x01;
        int length = QuicPacketProtection.Seal(keys, packet, 1, headerLength, 1, 654360564);
        Assert.Equal(21, length);
        Assert.Equal(Rfc9001Vectors.ChaChaPacket, Hex.Encode(packet));

        Assert.Equal(QuicOpenStatus.Success, QuicPacketProtection.Open(keys, packet, 1, 654360563, out QuicOpenedPacket opened));
        Assert.Equal(654360564, opened.PacketNumber);
        Assert.Equal(1, opened.PayloadLength);
        Assert.Equal(0x01, packet[opened.HeaderLength]);
    }

    [Fact]
    public void ChaCha20Block_Rfc8439Section232_MatchesVector()
    {
        byte[] key = Hex.Decode("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        byte[] nonce = Hex.Decode("000000090000004a00000000");
        byte[] block = new byte[64];
        ChaCha20Block.Compute(key, 1, nonce, block);
        Assert.Equal(
            "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4ed2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e",
            Hex.Encode(block));
    }

    [Fact]
    public void ChaCha20Block_RandomKeys_MatchesBclKeystream()
    {
        // ChaCha20-Poly1305 encrypts with keystream blocks 1, 2, ...: encrypting zeros exposes them.
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), Prop.ForAll(ArbMap.Default.ArbFor<Guid>(), ArbMap.Default.ArbFor<Guid>(), (a, b) =>
        {
            byte[] key = [.. a.ToByteArray(), .. b.ToByteArray()];
            byte[] nonce = a.ToByteArray().AsSpan(0, 12).ToArray();
            byte[] stream = new byte[128];
            using var aead = new ChaCha20Poly1305(key);
            aead.Encrypt(nonce, new byte[128], stream, new byte[16]);
            byte[] block = new byte[64];
            ChaCha20Block.Compute(key, 2, nonce, block);
            return block.AsSpan().SequenceEqual(stream.AsSpan(64, 64));
        }));
    }

    [Theory]
    [InlineData((ushort)TlsCipherSuite.Aes128GcmSha256)]
    [InlineData((ushort)TlsCipherSuite.Aes256GcmSha384)]
    [InlineData((ushort)TlsCipherSuite.ChaCha20Poly1305Sha256)]
    public void SealThenOpen_EverySuite_RoundTrips(ushort suiteValue)
    {
        var suite = (TlsCipherSuite)suiteValue;
        byte[] secret = RandomNumberGenerator.GetBytes(QuicCipherSuites.GetHashLength(suite));
        using var keys = PacketProtectionKeys.FromSecret(suite, secret);
        byte[] dcid = RandomNumberGenerator.GetBytes(8);
        byte[] packet = new byte[1200];
        int headerLength = QuicPacketWriter.WriteShortHeader(packet, dcid, true, false, 1000, 2);
        byte[] payload = RandomNumberGenerator.GetBytes(1200 - headerLength - 16);
        payload.CopyTo(packet, headerLength);
        int length = QuicPacketProtection.Seal(keys, packet, 9, headerLength, payload.Length, 1000);

        Assert.Equal(1200, length);
        Assert.Equal(QuicOpenStatus.Success, QuicPacketProtection.Open(keys, packet, 9, 999, out QuicOpenedPacket opened));
        Assert.Equal(1000, opened.PacketNumber);
        Assert.Equal(payload, packet.AsSpan(opened.HeaderLength, opened.PayloadLength).ToArray());
    }

    [Fact]
    public void Seal_AfterWarmUp_AllocatesNothing()
    {
        using var keys = PacketProtectionKeys.FromSecret(TlsCipherSuite.Aes128GcmSha256, new byte[32]);
        byte[] packet = new byte[1200];
        byte[] work = new byte[1200];
        int headerLength = QuicPacketWriter.WriteShortHeader(packet, new byte[8], false, false, 5, 2);
        for (int i = 0; i < 10; i++)
        {
            packet.CopyTo(work, 0);
            QuicPacketProtection.Seal(keys, work, 9, headerLength, 1200 - headerLength - 16, 5);
            QuicPacketProtection.Open(keys, work, 9, 4, out _);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            packet.CopyTo(work, 0);
            QuicPacketProtection.Seal(keys, work, 9, headerLength, 1200 - headerLength - 16, 5);
            QuicPacketProtection.Open(keys, work, 9, 4, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Open_ReservedBitsSetInAuthenticPacket_ThrowsProtocolViolation()
    {
        using var keys = PacketProtectionKeys.FromSecret(TlsCipherSuite.Aes128GcmSha256, new byte[32]);
        byte[] packet = new byte[60];
        int headerLength = QuicPacketWriter.WriteShortHeader(packet, new byte[8], false, false, 1, 1);
        packet[0] |= 0x08;
        QuicPacketProtection.Seal(keys, packet, 9, headerLength, 60 - headerLength - 16, 1);
        var ex = Assert.Throws<QuicProtocolException>(() => QuicPacketProtection.Open(keys, packet, 9, 0, out _));
        Assert.Equal(QuicTransportError.ProtocolViolation, ex.Error);
    }

    [Fact]
    public void Open_RandomDatagrams_NeverThrows()
    {
        using var keys = PacketProtectionKeys.FromSecret(TlsCipherSuite.Aes128GcmSha256, new byte[32]);
        using var oneRtt = new OneRttKeySet(TlsCipherSuite.Aes128GcmSha256, new byte[32], new byte[32]);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(5_000), Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            var random = new Random(seed);
            byte[] datagram = new byte[random.Next(0, 120)];
            random.NextBytes(datagram);
            if (datagram.Length > 6 && random.Next(2) == 0)
            {
                datagram[0] = (byte)(0xc0 | (datagram[0] & 0x3f));
                datagram[1] = 0;
                datagram[2] = 0;
                datagram[3] = 0;
                datagram[4] = 1;
                datagram[5] = (byte)random.Next(21);
            }

            var reader = new QuicDatagramReader(datagram, 8);
            while (reader.TryReadNext(out QuicPacketHeader header, out QuicHeaderStatus status))
            {
                if (status != QuicHeaderStatus.Ok || header.Type is QuicPacketType.Retry or QuicPacketType.VersionNegotiation)
                {
                    continue;
                }

                Span<byte> packet = datagram.AsSpan(reader.PacketOffset, header.PacketLength);
                QuicOpenStatus result = header.Type == QuicPacketType.OneRtt
                    ? oneRtt.Open(packet, header.PacketNumberOffset, random.Next(-1, 1000), out _)
                    : QuicPacketProtection.Open(keys, packet, header.PacketNumberOffset, random.Next(-1, 1000), out _);
                if (result == QuicOpenStatus.Success)
                {
                    return false;
                }
            }

            return true;
        }));
    }

    [Fact]
    public void Retry_Rfc9001AppendixA4_VerifiesAndRebuilds()
    {
        byte[] retry = Hex.Decode(Rfc9001Vectors.Retry);
        byte[] odcid = Hex.Decode(Rfc9001Vectors.ClientDcid);
        Assert.True(RetryIntegrity.Verify(odcid, retry));
        byte[] tampered = (byte[])retry.Clone();
        tampered[10] ^= 1;
        Assert.False(RetryIntegrity.Verify(odcid, tampered));
        Assert.False(RetryIntegrity.Verify(Hex.Decode("8394c8f03e515709"), retry));

        byte[] rebuilt = new byte[retry.Length];
        int length = RetryIntegrity.WritePacket(rebuilt, [], Hex.Decode("f067a5502a4262b5"), "token"u8, odcid, unusedBits: 0x0f);
        Assert.Equal(retry.Length, length);
        Assert.Equal(Rfc9001Vectors.Retry, Hex.Encode(rebuilt));
    }

    [Fact]
    public void StatelessReset_TokenAtEnd_IsDetected()
    {
        byte[] key = StatelessReset.DeriveResetKey(new byte[32]);
        byte[] token = new byte[16];
        StatelessReset.ComputeToken(key, Hex.Decode("0102030405060708"), token);
        byte[] reset = new byte[64];
        int length = StatelessReset.Write(reset, 100, token);
        Assert.Equal(StatelessReset.MaxLength, length);
        Assert.Equal(0x40, reset[0] & 0xc0);
        Assert.True(StatelessReset.Matches(reset.AsSpan(0, length), token));
        Assert.False(StatelessReset.Matches(reset.AsSpan(0, length - 1), token));
        Assert.Equal(0, StatelessReset.Write(reset, 21, token));
        Assert.Equal(21, StatelessReset.Write(reset, 22, token));
    }
}
