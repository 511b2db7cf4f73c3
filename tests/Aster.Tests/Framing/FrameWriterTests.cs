using System.Buffers;
using System.Text.Json;
using Aster.Framing;
using Aster.Testing;

namespace Aster.Tests.Framing;

public sealed class FrameWriterTests
{
    [VectorFact]
    public void Write_ReferenceEncodeVectors_ProduceExpectedBytes()
    {
        using JsonDocument doc = Vectors.Load("framing.json");
        foreach (JsonElement vector in doc.RootElement.GetProperty("encode_vectors").EnumerateArray())
        {
            var writer = new ArrayBufferWriter<byte>();
            FrameWriter.Write(writer, (FrameFlags)vector.GetProperty("flags").GetInt32(), Hex.Decode(vector.GetProperty("payload_hex").GetString()!));
            Assert.Equal(vector.GetProperty("expected_wire_hex").GetString(), Hex.Encode(writer.WrittenSpan));
        }
    }

    [Fact]
    public void WriteEmpty_EndStreamSentinel_MatchesSpec()
    {
        var writer = new ArrayBufferWriter<byte>();
        FrameWriter.WriteEmpty(writer, FrameFlags.EndStream);
        Assert.Equal("0100000040", Hex.Encode(writer.WrittenSpan));
    }

    [Fact]
    public void Write_EmptyPayloadWithoutSentinelFlag_Throws()
    {
        var writer = new ArrayBufferWriter<byte>();
        ArgumentException ex = Assert.Throws<ArgumentException>(() => FrameWriter.Write(writer, FrameFlags.None, ReadOnlySpan<byte>.Empty));
        Assert.Contains("zero-length payload is not permitted", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, writer.WrittenCount);
    }

    [Fact]
    public void Write_PayloadAboveLimit_ThrowsResourceExhausted()
    {
        var writer = new ArrayBufferWriter<byte>();
        RpcException ex = Assert.Throws<RpcException>(() => FrameWriter.Write(writer, FrameFlags.None, new byte[100], maxLength: 100));
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Equal(0, writer.WrittenCount);
    }

    [Fact]
    public void Write_MultiSegmentPayload_SameBytesAsContiguous()
    {
        byte[] payload = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        var contiguous = new ArrayBufferWriter<byte>();
        FrameWriter.Write(contiguous, FrameFlags.Compressed, payload);
        var segmented = new ArrayBufferWriter<byte>();
        FrameWriter.Write(segmented, FrameFlags.Compressed, FrameReaderTests.Segmented(payload, 77));
        Assert.Equal(contiguous.WrittenSpan.ToArray(), segmented.WrittenSpan.ToArray());
    }

    [Theory]
    [InlineData(4096, true, FrameFlags.None, FrameFlags.None)]
    [InlineData(4097, true, FrameFlags.None, FrameFlags.Compressed)]
    [InlineData(4097, true, FrameFlags.EndStream, FrameFlags.Compressed | FrameFlags.EndStream)]
    [InlineData(100_000, false, FrameFlags.EndStream, FrameFlags.EndStream)]
    public void WriteData_CompressesOnlyAboveThresholdWhenEnabled(int length, bool compress, FrameFlags flags, FrameFlags expected)
    {
        byte[] payload = new byte[length];
        payload.AsSpan().Fill((byte)'x');
        var writer = new ArrayBufferWriter<byte>();

        bool compressed = FrameWriter.WriteData(writer, flags, payload, compress);

        var buffer = new ReadOnlySequence<byte>(writer.WrittenMemory);
        Assert.True(FrameReader.TryRead(ref buffer, out Frame frame));
        Assert.Equal(expected, frame.Flags);
        Assert.Equal((expected & FrameFlags.Compressed) != 0, compressed);
        byte[] plain = compressed ? Decompress(frame.Payload) : frame.Payload.ToArray();
        Assert.Equal(payload, plain);
    }

    [Fact]
    public void WriteData_IncompressiblePayload_WrittenPlain()
    {
        byte[] payload = new byte[10_000];
        new Random(5).NextBytes(payload);
        var writer = new ArrayBufferWriter<byte>();

        Assert.False(FrameWriter.WriteData(writer, FrameFlags.None, payload, compress: true));
        Assert.Equal(Frame.PrefixSize + payload.Length, writer.WrittenCount);
        Assert.Equal(payload, writer.WrittenSpan[Frame.PrefixSize..].ToArray());
    }

    [Fact]
    public void WriteData_PlainPayloadAboveLimit_ThrowsEvenIfItWouldCompress()
    {
        var writer = new ArrayBufferWriter<byte>();

        var ex = Assert.Throws<RpcException>(() => FrameWriter.WriteData(writer, FrameFlags.None, new byte[10_000], compress: true, maxLength: 5_000));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Equal(0, writer.WrittenCount);
    }

    private static byte[] Decompress(in ReadOnlySequence<byte> payload)
    {
        var output = new ArrayBufferWriter<byte>();
        Aster.Compression.Zstd.ZstdDecompressor.Decompress(payload, output, 1 << 20);
        return output.WrittenSpan.ToArray();
    }
}
