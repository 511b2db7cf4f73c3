using System.Buffers;
using System.Text.Json;
using Aster.Framing;
using Aster.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Tests.Framing;

public sealed class FrameReaderTests
{
    [VectorFact]
    public void TryRead_ReferenceDecodeVectors_YieldPayloadAndFlags()
    {
        using JsonDocument doc = Vectors.Load("framing.json");
        int count = 0;
        foreach (JsonElement vector in doc.RootElement.GetProperty("decode_vectors").EnumerateArray())
        {
            var buffer = new ReadOnlySequence<byte>(Hex.Decode(vector.GetProperty("wire_hex").GetString()!));
            Assert.True(FrameReader.TryRead(ref buffer, out Frame frame));
            Assert.Equal(vector.GetProperty("expected_payload_hex").GetString(), Hex.Encode(frame.Payload.ToArray()));
            Assert.Equal(vector.GetProperty("expected_flags").GetInt32(), (int)frame.Flags);
            Assert.True(buffer.IsEmpty);
            count++;
        }

        Assert.True(count >= 3);
    }

    [VectorFact]
    public void TryRead_ReferenceEncodeVectors_RoundTrip()
    {
        using JsonDocument doc = Vectors.Load("framing.json");
        foreach (JsonElement vector in doc.RootElement.GetProperty("encode_vectors").EnumerateArray())
        {
            var buffer = new ReadOnlySequence<byte>(Hex.Decode(vector.GetProperty("expected_wire_hex").GetString()!));
            Assert.True(FrameReader.TryRead(ref buffer, out Frame frame));
            Assert.Equal(vector.GetProperty("payload_hex").GetString(), Hex.Encode(frame.Payload.ToArray()));
            Assert.Equal(vector.GetProperty("flags").GetInt32(), (int)frame.Flags);
        }
    }

    [VectorFact]
    public void TryRead_ZeroLengthVector_ThrowsZeroLength()
    {
        using JsonDocument doc = Vectors.Load("framing.json");
        JsonElement vector = doc.RootElement.GetProperty("error_vectors").EnumerateArray()
            .Single(v => v.GetProperty("name").GetString() == "zero length frame");
        var buffer = new ReadOnlySequence<byte>(Hex.Decode(vector.GetProperty("wire_hex").GetString()!));
        FrameFormatException ex = Assert.Throws<FrameFormatException>(() => FrameReader.TryRead(ref buffer, out _));
        Assert.Equal(FrameError.ZeroLength, ex.Error);
        Assert.Equal(vector.GetProperty("error").GetString(), ex.Message);
    }

    [Fact]
    public void TryRead_LengthAboveSixteenMebibytes_ThrowsTooLarge()
    {
        byte[] wire = [0x01, 0x00, 0x00, 0x01, 0x00]; // 16,777,217
        var buffer = new ReadOnlySequence<byte>(wire);
        FrameFormatException ex = Assert.Throws<FrameFormatException>(() => FrameReader.TryRead(ref buffer, out _));
        Assert.Equal(FrameError.TooLarge, ex.Error);
    }

    [Fact]
    public void TryRead_ExactlySixteenMebibytesAnnounced_WaitsForPayload()
    {
        byte[] wire = [0x00, 0x00, 0x00, 0x01, 0x00];
        var buffer = new ReadOnlySequence<byte>(wire);
        Assert.False(FrameReader.TryRead(ref buffer, out _));
        Assert.Equal(5, buffer.Length);
    }

    [Fact]
    public void TryRead_PartialFrame_LeavesBufferUntouched()
    {
        byte[] wire = Hex.Decode("060000000048656c");
        var buffer = new ReadOnlySequence<byte>(wire);
        Assert.False(FrameReader.TryRead(ref buffer, out _));
        Assert.Equal(wire.Length, buffer.Length);
        Assert.Throws<FrameFormatException>(() => FrameReader.ThrowIfTruncated(buffer));
    }

    [Fact]
    public void TryRead_SeveralFramesAcrossSegments_ReadsEachInOrder()
    {
        byte[] wire = Hex.Decode("060000000048656c6c6f" + "0100000002" + "0100000040");
        ReadOnlySequence<byte> buffer = Segmented(wire, 3);
        var flags = new List<FrameFlags>();
        while (FrameReader.TryRead(ref buffer, out Frame frame))
        {
            flags.Add(frame.Flags);
        }

        Assert.Equal([FrameFlags.None, FrameFlags.Trailer, FrameFlags.EndStream], flags);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void TryRead_RandomBytes_NeverThrowsUntypedException()
    {
        Config config = Config.QuickThrowOnFailure.WithMaxTest(20_000);
        Check.One(config, Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
        {
            var buffer = new ReadOnlySequence<byte>(bytes);
            try
            {
                while (FrameReader.TryRead(ref buffer, out _, maxLength: 1024))
                {
                }

                return true;
            }
            catch (FrameFormatException)
            {
                return true;
            }
        }));
    }

    [Fact]
    public void WriteThenRead_RandomPayloads_RoundTrip()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2_000), Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), ArbMap.Default.ArbFor<byte>(), (payload, flagByte) =>
        {
            var flags = (FrameFlags)flagByte | (payload.Length == 0 ? FrameFlags.Trailer : FrameFlags.None);
            var writer = new ArrayBufferWriter<byte>();
            FrameWriter.Write(writer, flags, payload);
            ReadOnlySequence<byte> buffer = Segmented(writer.WrittenSpan.ToArray(), 2);
            return FrameReader.TryRead(ref buffer, out Frame frame)
                && frame.Flags == flags
                && frame.Payload.ToArray().AsSpan().SequenceEqual(payload)
                && buffer.IsEmpty;
        }));
    }

    internal static ReadOnlySequence<byte> Segmented(byte[] data, int segmentSize)
    {
        if (data.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        Segment first = new(data.AsMemory(0, Math.Min(segmentSize, data.Length)), 0);
        Segment last = first;
        for (int offset = segmentSize; offset < data.Length; offset += segmentSize)
        {
            last = last.Append(data.AsMemory(offset, Math.Min(segmentSize, data.Length - offset)));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
