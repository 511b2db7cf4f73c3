using Aster.Net.Quic;
using Aster.Net.Quic.Frames;
using Aster.Net.Quic.Packets;
using Aster.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Net.Tests.Quic;

public sealed class QuicFrameTests
{
    private delegate void WriteFrame(ref QuicWriter writer);

    [Fact]
    public void TryReadNext_Rfc9001ClientInitialPayload_ReadsCryptoThenPadding()
    {
        byte[] payload = new byte[1162];
        byte[] crypto = Hex.Decode(Rfc9001Vectors.ClientInitialCryptoFrame);
        crypto.CopyTo(payload, 0);
        var reader = new QuicFrameReader(payload, QuicPacketType.Initial, receiverIsServer: true);

        Assert.True(reader.TryReadNext(out QuicFrame first));
        Assert.Equal(QuicFrameType.Crypto, first.Type);
        Assert.Equal(0UL, first.Offset);
        Assert.Equal(241, first.Data.Length);
        Assert.Equal(0x01, first.Data[0]); // ClientHello
        Assert.True(reader.TryReadNext(out QuicFrame padding));
        Assert.Equal(QuicFrameType.Padding, padding.Type);
        Assert.Equal(1162 - crypto.Length, padding.PaddingLength);
        Assert.False(reader.TryReadNext(out _));
        Assert.True(reader.IsAckEliciting);
    }

    [Fact]
    public void TryReadNext_Rfc9001ServerInitialPayload_ReadsAckThenCrypto()
    {
        byte[] payload = Hex.Decode(Rfc9001Vectors.ServerInitialPayload);
        var reader = new QuicFrameReader(payload, QuicPacketType.Initial, receiverIsServer: false);

        Assert.True(reader.TryReadNext(out QuicFrame ack));
        Assert.Equal(QuicFrameType.Ack, ack.Type);
        Assert.Equal(0UL, ack.LargestAcknowledged);
        int count = 0;
        foreach (AckRange range in ack.GetAckRanges())
        {
            Assert.Equal(new AckRange(0, 0), range);
            count++;
        }

        Assert.Equal(1, count);
        Assert.True(reader.TryReadNext(out QuicFrame crypto));
        Assert.Equal(QuicFrameType.Crypto, crypto.Type);
        Assert.Equal(90, crypto.Data.Length);
        Assert.False(reader.TryReadNext(out _));
    }

    [Fact]
    public void Ack_WithSeveralRanges_RoundTrips()
    {
        AckRange[] ranges = [new(95, 100), new(80, 90), new(10, 10), new(0, 5)];
        byte[] buffer = new byte[64];
        var writer = new QuicWriter(buffer);
        QuicFrameWriter.WriteAck(ref writer, 25, ranges, new EcnCounts(1, 2, 3));
        Assert.Equal(QuicFrameWriter.GetAckLength(25, ranges, new EcnCounts(1, 2, 3)), writer.Position);

        var reader = new QuicFrameReader(buffer.AsSpan(0, writer.Position), QuicPacketType.OneRtt, false);
        Assert.True(reader.TryReadNext(out QuicFrame frame));
        Assert.Equal(QuicFrameType.AckEcn, frame.Type);
        Assert.Equal(25UL, frame.AckDelay);
        Assert.Equal(new EcnCounts(1, 2, 3), frame.Ecn);
        var read = new List<AckRange>();
        foreach (AckRange range in frame.GetAckRanges())
        {
            read.Add(range);
        }

        Assert.Equal(ranges, read);
        Assert.False(reader.IsAckEliciting);
    }

    [Theory]
    [InlineData("02050003050005")] // first range 0 at 5, gap 5 -> below 0
    [InlineData("020500000a")] // first range 10 > largest 5
    [InlineData("0205000a01")] // 10 ranges claimed, no bytes
    [InlineData("020a00010000000b")] // range length beyond 0
    public void TryReadNext_AckBelowZero_ThrowsFrameEncoding(string hex)
    {
        AssertError(hex, QuicPacketType.OneRtt, false, QuicTransportError.FrameEncodingError);
    }

    [Fact]
    public void EveryFrameType_WriteThenRead_RoundTrips()
    {
        byte[] cid = Hex.Decode("0102030405060708");
        byte[] token = Hex.Decode("00112233445566778899aabbccddeeff");
        byte[] path = Hex.Decode("a1a2a3a4a5a6a7a8");
        byte[] data = "hello"u8.ToArray();

        RoundTrip((ref QuicWriter w) => QuicFrameWriter.WritePing(ref w), f => Assert.Equal(QuicFrameType.Ping, f.Type));
        RoundTrip((ref QuicWriter w) => QuicFrameWriter.WritePadding(ref w, 7), f => Assert.Equal(7, f.PaddingLength));
        RoundTrip((ref QuicWriter w) => QuicFrameWriter.WriteHandshakeDone(ref w), f => Assert.Equal(QuicFrameType.HandshakeDone, f.Type));
        RoundTrip((ref QuicWriter w) => QuicFrameWriter.WriteResetStream(ref w, 4, 99, 1234), f =>
        {
            Assert.Equal(QuicFrameType.ResetStream, f.Type);
            Assert.Equal((4UL, 99UL, 1234UL), (f.StreamId, f.ErrorCode, f.FinalSize));
        });
        RoundTrip((ref QuicWriter w) => QuicFrameWriter.WriteStopSending(ref w, 8, 7), f => Assert.Equal((8UL, 7UL), (f.StreamId, f.ErrorCode)));
        RoundTrip((ref QuicWriter w) => QuicFrameWriter.WriteCrypto(ref w, 300, data), f =>
        {
            Assert.Equal(300UL, f.Offset);
            Assert.Equal(data, f.Data.ToArray());
        });
        RoundTrip((ref QuicWriter w) => QuicFrameWriter.WriteNewToken(ref w, token), f => Assert.Equal(token, f.Data.ToArray()));
        RoundTrip((ref QuicWriter w) => QuicFrameWriter.WriteStream(ref w, 4, 0, data, fin: false), f =>
        {
            Assert.Equal(0x0aUL, f.RawType);
            Assert.Equal(data, f.Data.ToArray());
            Assert.False(f.Fin);
        });
        RoundTrip((ref QuicWriter w) => QuicFrameWriter.WriteStream(ref w, 4, 1 << 20, data, fin: true, includeLength: false), f =>
        {
            Assert.Equal(0x0dUL, f.RawType);
            Assert.Equal(1UL << 20, f.Offset);
            Assert.Equal(data, f.Data.ToArray());
            Assert.True(f.Fin);
        });
        RoundTrip((ref QuicWriter w) => QuicFrameWriter.WriteMaxData(ref w, 1UL << 40), f => Assert.Equal(1UL << 40, f.Maximum));
        RoundTrip((ref QuicWriter w) => QuicFrameWriter.WriteMaxStreamData(ref w, 4, 5000), f => Assert.Equal((4UL, 5000UL), (f.StreamId, f.Maximum)));
        RoundTrip((ref QuicWriter w) => QuicFrameWriter.WriteMaxStreams(ref w, true, 100), f => Assert.Equal((QuicFrameType.MaxStreamsBidi, 100UL), (f.Type, f.Maximum)));
        RoundTrip((ref QuicWriter w) => QuicFrameWriter.WriteMaxStreams(ref w, false, 3), f => Assert.Equal((QuicFrameType.MaxStreamsUni, 3UL), (f.Type, f.Maximum)));
        RoundTrip((ref QuicWriter w) => QuicFrameWriter.WriteDataBlocked(ref w, 77), f => Assert.Equal((QuicFrameType.DataBlocked, 77UL), (f.Type, f.Maximum)));
        RoundTrip((ref QuicWriter w) => QuicFrameWriter.WriteStreamDataBlocked(ref w, 12, 88), f => Assert.Equal((12UL, 88UL), (f.StreamId, f.Maximum)));
        RoundTrip((ref QuicWriter w) => QuicFrameWriter.WriteStreamsBlocked(ref w, true, 9), f => Assert.Equal((QuicFrameType.StreamsBlockedBidi, 9UL), (f.Type, f.Maximum)));
        RoundTrip((ref QuicWriter w) => QuicFrameWriter.WriteStreamsBlocked(ref w, false, 10), f => Assert.Equal((QuicFrameType.StreamsBlockedUni, 10UL), (f.Type, f.Maximum)));
        RoundTrip((ref QuicWriter w) => QuicFrameWriter.WriteNewConnectionId(ref w, 3, 1, cid, token), f =>
        {
            Assert.Equal((3UL, 1UL), (f.SequenceNumber, f.RetirePriorTo));
            Assert.Equal(cid, f.ConnectionId.ToArray());
            Assert.Equal(token, f.StatelessResetToken.ToArray());
        });
        RoundTrip((ref QuicWriter w) => QuicFrameWriter.WriteRetireConnectionId(ref w, 2), f => Assert.Equal((QuicFrameType.RetireConnectionId, 2UL), (f.Type, f.SequenceNumber)));
        RoundTrip((ref QuicWriter w) => QuicFrameWriter.WritePathChallenge(ref w, path), f => Assert.Equal((QuicFrameType.PathChallenge, Hex.Encode(path)), (f.Type, Hex.Encode(f.Data))));
        RoundTrip((ref QuicWriter w) => QuicFrameWriter.WritePathResponse(ref w, path), f => Assert.Equal((QuicFrameType.PathResponse, Hex.Encode(path)), (f.Type, Hex.Encode(f.Data))));
        RoundTrip((ref QuicWriter w) => QuicFrameWriter.WriteConnectionClose(ref w, 0x0a, 0x08, "bad"u8), f =>
        {
            Assert.Equal((QuicFrameType.ConnectionClose, 0x0aUL, 0x08UL), (f.Type, f.ErrorCode, f.TriggerFrameType));
            Assert.Equal("bad", System.Text.Encoding.UTF8.GetString(f.ReasonPhrase));
        });
        RoundTrip((ref QuicWriter w) => QuicFrameWriter.WriteApplicationClose(ref w, 0, "normal close"u8), f =>
        {
            Assert.Equal((QuicFrameType.ApplicationClose, 0UL), (f.Type, f.ErrorCode));
            Assert.Equal("normal close", System.Text.Encoding.UTF8.GetString(f.ReasonPhrase));
        });
    }

    [Theory]
    [InlineData("04000000", (byte)QuicPacketType.Initial)] // RESET_STREAM
    [InlineData("0800", (byte)QuicPacketType.Handshake)] // STREAM
    [InlineData("1d0000", (byte)QuicPacketType.Initial)] // application CONNECTION_CLOSE
    [InlineData("1e", (byte)QuicPacketType.Handshake)] // HANDSHAKE_DONE
    [InlineData("020000000000", (byte)QuicPacketType.ZeroRtt)] // ACK in 0-RTT
    [InlineData("1b0102030405060708", (byte)QuicPacketType.ZeroRtt)] // PATH_RESPONSE in 0-RTT
    public void TryReadNext_FrameNotAllowedInPacketType_ThrowsProtocolViolation(string hex, byte packetType)
    {
        AssertError(hex, (QuicPacketType)packetType, false, QuicTransportError.ProtocolViolation);
    }

    [Theory]
    [InlineData("1e")]
    [InlineData("070101")]
    public void TryReadNext_ServerOnlyFrameFromClient_ThrowsProtocolViolation(string hex)
    {
        AssertError(hex, QuicPacketType.OneRtt, true, QuicTransportError.ProtocolViolation);
    }

    [Fact]
    public void TryReadNext_EmptyPayload_ThrowsProtocolViolation()
    {
        AssertError(string.Empty, QuicPacketType.OneRtt, false, QuicTransportError.ProtocolViolation);
    }

    [Theory]
    [InlineData("4001")] // PING encoded in two bytes
    [InlineData("1f")] // IMMEDIATE_ACK
    [InlineData("40af")] // ACK_FREQUENCY
    [InlineData("30")] // DATAGRAM
    [InlineData("7e78")] // PATH_NEW_CONNECTION_ID
    [InlineData("21")] // unknown
    [InlineData("0700")] // NEW_TOKEN with an empty token
    [InlineData("18010000" + "00112233445566778899aabbccddeeff")] // zero-length connection id
    [InlineData("1801020108" + "0102030405060708" + "00112233445566778899aabbccddeeff")] // retire prior to > sequence
    [InlineData("10")] // truncated MAX_DATA
    [InlineData("12d000000000000001")] // MAX_STREAMS beyond 2^60
    [InlineData("0e00ffffffffffffffff01")] // STREAM offset + length beyond 2^62 - 1
    [InlineData("0b0005aabb")] // STREAM length beyond the packet
    [InlineData("1a01020304")] // truncated PATH_CHALLENGE
    [InlineData("1c0a00ff")] // CONNECTION_CLOSE reason beyond the packet
    public void TryReadNext_MalformedFrame_ThrowsFrameEncoding(string hex)
    {
        AssertError(hex, QuicPacketType.OneRtt, false, QuicTransportError.FrameEncodingError);
    }

    [Fact]
    public void TryReadNext_RandomBytes_ThrowOnlyQuicProtocolException()
    {
        Config config = Config.QuickThrowOnFailure.WithMaxTest(10_000);
        Check.One(config, Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), ArbMap.Default.ArbFor<byte>(), (bytes, selector) =>
            ParseNeverThrowsUntyped(bytes, selector)));
    }

    [Fact]
    public void TryReadNext_SeededRandomPayloads_ThrowOnlyQuicProtocolException()
    {
        // 100,000+ cases cheaply: FsCheck picks seeds, a seeded generator builds payloads biased towards known frame types.
        Config config = Config.QuickThrowOnFailure.WithMaxTest(120_000);
        Check.One(config, Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            var random = new Random(seed);
            byte[] bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            for (int i = 0; i < bytes.Length; i += 1 + random.Next(8))
            {
                bytes[i] = (byte)random.Next(0x20);
            }

            return ParseNeverThrowsUntyped(bytes, (byte)random.Next(256));
        }));
    }

    [Fact]
    public void TryReadNext_MutatedValidFrames_ThrowOnlyQuicProtocolException()
    {
        byte[] seed = BuildSamplePayload();
        var random = new Random(1234);
        for (int i = 0; i < 20_000; i++)
        {
            byte[] mutated = (byte[])seed.Clone();
            int flips = 1 + random.Next(4);
            for (int j = 0; j < flips; j++)
            {
                mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            }

            int length = random.Next(mutated.Length + 1);
            try
            {
                var reader = new QuicFrameReader(mutated.AsSpan(0, length), QuicPacketType.OneRtt, false);
                while (reader.TryReadNext(out _))
                {
                }
            }
            catch (QuicProtocolException)
            {
            }
        }
    }

    [Fact]
    public void RandomValidFrames_WriteThenRead_RoundTrip()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(5000), Prop.ForAll(
            ArbMap.Default.ArbFor<byte>(), ArbMap.Default.ArbFor<ulong>(), ArbMap.Default.ArbFor<byte[]>(),
            (kind, a, data) =>
            {
                ulong b = (a * 0x9E3779B97F4A7C15UL) ^ (a >> 17) ^ ((ulong)kind << 40);
                ulong x = a & QuicVarint.MaxValue;
                ulong y = b & (QuicVarint.MaxValue >> 1);
                byte[] buffer = new byte[data.Length + 64];
                var writer = new QuicWriter(buffer);
                switch (kind % 8)
                {
                    case 0:
                        QuicFrameWriter.WriteStream(ref writer, x, y, data, (kind & 0x80) != 0, includeLength: (kind & 0x40) != 0);
                        break;
                    case 1:
                        QuicFrameWriter.WriteCrypto(ref writer, y, data);
                        break;
                    case 2:
                        QuicFrameWriter.WriteResetStream(ref writer, x, y, x ^ y);
                        break;
                    case 3:
                        QuicFrameWriter.WriteMaxStreamData(ref writer, x, y);
                        break;
                    case 4:
                        QuicFrameWriter.WriteConnectionClose(ref writer, x, y, data);
                        break;
                    case 5:
                        QuicFrameWriter.WriteAck(ref writer, y, [new AckRange(y / 2, y)]);
                        break;
                    case 6:
                        QuicFrameWriter.WriteApplicationClose(ref writer, x, data);
                        break;
                    default:
                        QuicFrameWriter.WriteMaxStreams(ref writer, (kind & 1) != 0, x % (QuicFrameLimits.MaxStreamCount + 1));
                        break;
                }

                var reader = new QuicFrameReader(buffer.AsSpan(0, writer.Position), QuicPacketType.OneRtt, false);
                if (!reader.TryReadNext(out QuicFrame f))
                {
                    return false;
                }

                bool ok = (kind % 8) switch
                {
                    0 => f.StreamId == x && f.Offset == y && f.Data.SequenceEqual(data) && f.Fin == ((kind & 0x80) != 0),
                    1 => f.Offset == y && f.Data.SequenceEqual(data),
                    2 => f.StreamId == x && f.ErrorCode == y && f.FinalSize == (x ^ y),
                    3 => f.StreamId == x && f.Maximum == y,
                    4 => f.ErrorCode == x && f.TriggerFrameType == y && f.ReasonPhrase.SequenceEqual(data),
                    5 => f.LargestAcknowledged == y && f.FirstAckRange == y - (y / 2) && f.AckDelay == y,
                    6 => f.ErrorCode == x && f.ReasonPhrase.SequenceEqual(data),
                    _ => f.Maximum == x % (QuicFrameLimits.MaxStreamCount + 1),
                };
                return ok && !reader.TryReadNext(out _);
            }));
    }

    private static bool ParseNeverThrowsUntyped(byte[] bytes, byte selector)
    {
        var packetType = (QuicPacketType)(selector % 5 == 3 ? 4 : selector % 5);
        try
        {
            var reader = new QuicFrameReader(bytes, packetType, (selector & 0x80) != 0);
            int guard = 0;
            while (reader.TryReadNext(out QuicFrame frame))
            {
                if (frame.Type is QuicFrameType.Ack or QuicFrameType.AckEcn)
                {
                    foreach (AckRange range in frame.GetAckRanges())
                    {
                        if (range.Smallest > range.Largest)
                        {
                            return false;
                        }
                    }
                }

                if (++guard > bytes.Length + 1)
                {
                    return false;
                }
            }

            return true;
        }
        catch (QuicProtocolException)
        {
            return true;
        }
    }

    private static byte[] BuildSamplePayload()
    {
        byte[] buffer = new byte[256];
        var w = new QuicWriter(buffer);
        QuicFrameWriter.WriteAck(ref w, 3, [new AckRange(50, 60), new AckRange(10, 20)]);
        QuicFrameWriter.WriteNewConnectionId(ref w, 1, 0, new byte[8], new byte[16]);
        QuicFrameWriter.WriteCrypto(ref w, 5, new byte[10]);
        QuicFrameWriter.WriteConnectionClose(ref w, 1, 2, "x"u8);
        QuicFrameWriter.WriteMaxStreams(ref w, true, 100);
        QuicFrameWriter.WriteStream(ref w, 4, 100, new byte[20], true);
        return buffer.AsSpan(0, w.Position).ToArray();
    }

    private static void RoundTrip(WriteFrame write, Action<FrameSnapshot> check)
    {
        byte[] buffer = new byte[128];
        var writer = new QuicWriter(buffer);
        write(ref writer);
        var reader = new QuicFrameReader(buffer.AsSpan(0, writer.Position), QuicPacketType.OneRtt, false);
        Assert.True(reader.TryReadNext(out QuicFrame frame));
        check(new FrameSnapshot(frame));
        Assert.False(reader.TryReadNext(out _));
    }

    private static void AssertError(string hex, QuicPacketType packetType, bool receiverIsServer, QuicTransportError expected)
    {
        byte[] payload = Hex.Decode(hex);
        var ex = Assert.Throws<QuicProtocolException>(() =>
        {
            var reader = new QuicFrameReader(payload, packetType, receiverIsServer);
            while (reader.TryReadNext(out _))
            {
            }
        });
        Assert.Equal(expected, ex.Error);
    }

    /// <summary>A heap copy of a frame, so assertions can run in a lambda.</summary>
    private sealed class FrameSnapshot
    {
        public FrameSnapshot(QuicFrame frame)
        {
            Type = frame.Type;
            RawType = frame.RawType;
            PaddingLength = frame.PaddingLength;
            StreamId = frame.StreamId;
            Offset = frame.Offset;
            Data = frame.Data.ToArray();
            Fin = frame.Fin;
            ErrorCode = frame.ErrorCode;
            FinalSize = frame.FinalSize;
            Maximum = frame.Maximum;
            SequenceNumber = frame.SequenceNumber;
            RetirePriorTo = frame.RetirePriorTo;
            ConnectionId = frame.ConnectionId.ToArray();
            StatelessResetToken = frame.StatelessResetToken.ToArray();
            TriggerFrameType = frame.TriggerFrameType;
            ReasonPhrase = frame.ReasonPhrase.ToArray();
        }

        public QuicFrameType Type { get; }

        public ulong RawType { get; }

        public int PaddingLength { get; }

        public ulong StreamId { get; }

        public ulong Offset { get; }

        public byte[] Data { get; }

        public bool Fin { get; }

        public ulong ErrorCode { get; }

        public ulong FinalSize { get; }

        public ulong Maximum { get; }

        public ulong SequenceNumber { get; }

        public ulong RetirePriorTo { get; }

        public byte[] ConnectionId { get; }

        public byte[] StatelessResetToken { get; }

        public ulong TriggerFrameType { get; }

        public byte[] ReasonPhrase { get; }
    }
}
