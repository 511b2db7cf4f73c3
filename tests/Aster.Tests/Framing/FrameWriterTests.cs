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
}
