using System.Security.Cryptography;
using Aster.Net.Quic;
using Aster.Net.Quic.Packets;
using Aster.Net.Quic.Protection;
using Aster.Net.Tls;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Net.Tests.Quic;

public sealed class HeaderProtectionBatchTests
{
    private const int PacketLength = 80;
    private const int PacketNumberOffset = 9;
    private static readonly byte[] _cid = [1, 2, 3, 4, 5, 6, 7, 8];

    [Theory]
    [InlineData((ushort)TlsCipherSuite.Aes128GcmSha256)]
    [InlineData((ushort)TlsCipherSuite.Aes256GcmSha384)]
    [InlineData((ushort)TlsCipherSuite.ChaCha20Poly1305Sha256)]
    public void ComputeMasks_WholeBatch_EqualsOneMaskAtATime(ushort suiteValue)
    {
        var suite = (TlsCipherSuite)suiteValue;
        using HeaderProtectionKey key = HeaderProtectionKey.Create(suite, RandomNumberGenerator.GetBytes(QuicCipherSuites.GetKeyLength(suite)));
        var batch = new HeaderProtectionBatch();
        byte[][] packets = new byte[HeaderProtectionBatch.Capacity][];
        for (int i = 0; i < packets.Length; i++)
        {
            packets[i] = RandomNumberGenerator.GetBytes(PacketLength);
            Assert.Equal(i, batch.Add(packets[i], i * PacketLength, PacketNumberOffset));
        }

        Assert.True(batch.IsFull);
        Assert.Throws<InvalidOperationException>(() => batch.Add(packets[0], 0, PacketNumberOffset));
        batch.ComputeMasks(key);
        Span<byte> expected = stackalloc byte[HeaderProtectionKey.MaskLength];
        for (int i = 0; i < packets.Length; i++)
        {
            key.ComputeMask(packets[i].AsSpan(PacketNumberOffset + 4, 16), expected);
            Assert.True(expected.SequenceEqual(batch.MaskOf(i)), $"packet {i}");
            Assert.Equal(i * PacketLength, batch.LocationOf(i));
        }
    }

    [Fact]
    public void Add_PacketTooShortToSample_Throws()
    {
        var batch = new HeaderProtectionBatch();
        Assert.Throws<ArgumentException>(() => batch.Add(new byte[PacketNumberOffset + 4 + 15], 0, PacketNumberOffset));
        Assert.Equal(0, batch.Count);
    }

    [Fact]
    public void SealBatched_AcrossAKeyUpdate_IsByteForByteTheUnbatchedSeal_AndOpensWithBatchedMasks()
    {
        // Two identical senders: one seals each packet alone, the other leaves the headers to one batch call. A key
        // update in the middle of the batch changes the AEAD key and the key-phase bit, not the header key.
        byte[] clientSecret = RandomNumberGenerator.GetBytes(32);
        byte[] serverSecret = RandomNumberGenerator.GetBytes(32);
        using var alone = new OneRttKeySet(TlsCipherSuite.Aes128GcmSha256, serverSecret, clientSecret);
        using var batched = new OneRttKeySet(TlsCipherSuite.Aes128GcmSha256, serverSecret, clientSecret);
        using var receiver = new OneRttKeySet(TlsCipherSuite.Aes128GcmSha256, clientSecret, serverSecret);
        SealOne(alone, new byte[PacketLength], 0, null, 0);
        SealOne(batched, new byte[PacketLength], 0, null, 0);
        alone.OnPacketAcknowledged(0);
        batched.OnPacketAcknowledged(0);

        const int count = 10;
        byte[] expected = new byte[count * PacketLength];
        byte[] buffer = new byte[count * PacketLength];
        var batch = new HeaderProtectionBatch();
        for (int i = 0; i < count; i++)
        {
            if (i == 4)
            {
                alone.InitiateKeyUpdate();
                batched.InitiateKeyUpdate();
            }

            SealOne(alone, expected.AsSpan(i * PacketLength, PacketLength), i + 1, null, 0);
            SealOne(batched, buffer.AsSpan(i * PacketLength, PacketLength), i + 1, batch, i * PacketLength);
        }

        Assert.Equal(count, batch.Count);
        batched.ProtectHeaders(batch, buffer);
        Assert.Equal(0, batch.Count);
        Assert.Equal(expected, buffer);

        // Receiving: every mask from one call, then each packet opens with its own key phase.
        for (int i = 0; i < count; i++)
        {
            batch.Add(buffer.AsSpan(i * PacketLength, PacketLength), i * PacketLength, PacketNumberOffset);
        }

        receiver.ComputeReadMasks(batch);
        for (int i = 0; i < count; i++)
        {
            Span<byte> packet = buffer.AsSpan(i * PacketLength, PacketLength);
            Assert.Equal(QuicOpenStatus.Success, receiver.Open(packet, PacketNumberOffset, i, batch.MaskOf(i), out QuicOpenedPacket opened));
            Assert.Equal(i + 1, opened.PacketNumber);
            Assert.Equal(i >= 4, opened.KeyPhase);
            Assert.Equal((byte)(i + 1), packet[opened.HeaderLength]);
        }

        Assert.Equal(1, receiver.KeyUpdatesAnswered);
    }

    [Fact]
    public void Open_WithAnotherPacketsMask_FailsWithoutChangingState()
    {
        byte[] secret = RandomNumberGenerator.GetBytes(32);
        using var sender = new OneRttKeySet(TlsCipherSuite.Aes128GcmSha256, secret, secret);
        using var receiver = new OneRttKeySet(TlsCipherSuite.Aes128GcmSha256, secret, secret);
        byte[] first = new byte[PacketLength];
        byte[] second = new byte[PacketLength];
        SealOne(sender, first, 0, null, 0);
        SealOne(sender, second, 1, null, 0);
        var batch = new HeaderProtectionBatch();
        batch.Add(first, 0, PacketNumberOffset);
        batch.Add(second, PacketLength, PacketNumberOffset);
        receiver.ComputeReadMasks(batch);

        byte[] wrong = (byte[])second.Clone();
        Assert.NotEqual(QuicOpenStatus.Success, receiver.Open(wrong, PacketNumberOffset, -1, batch.MaskOf(0), out _));
        Assert.Equal(QuicOpenStatus.Success, receiver.Open(second, PacketNumberOffset, -1, batch.MaskOf(1), out QuicOpenedPacket opened));
        Assert.Equal(1, opened.PacketNumber);
        Assert.Equal(0, receiver.ReadKeyGeneration);
    }

    [Fact]
    public void Open_RandomDatagramsWithBatchedMasks_NeverThrowOrOpen()
    {
        byte[] secret = RandomNumberGenerator.GetBytes(32);
        using var receiver = new OneRttKeySet(TlsCipherSuite.Aes128GcmSha256, secret, secret);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            var random = new Random(seed);
            byte[] datagram = new byte[random.Next(PacketNumberOffset + 4 + 16, 200)];
            random.NextBytes(datagram);
            var batch = new HeaderProtectionBatch();
            batch.Add(datagram, 0, PacketNumberOffset);
            receiver.ComputeReadMasks(batch);
            return receiver.Open(datagram, PacketNumberOffset, 100, batch.MaskOf(0), out _) != QuicOpenStatus.Success;
        }));
    }

    private static void SealOne(OneRttKeySet keys, Span<byte> packet, long packetNumber, HeaderProtectionBatch? batch, int location)
    {
        int headerLength = QuicPacketWriter.WriteShortHeader(packet, _cid, false, false, packetNumber, 2);
        packet[headerLength] = (byte)packetNumber;
        int length = keys.Seal(packet, PacketNumberOffset, headerLength, PacketLength - 16 - headerLength, packetNumber, batch, location);
        Assert.Equal(PacketLength, length);
    }
}
