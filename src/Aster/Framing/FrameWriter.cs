using System.Buffers;
using System.Buffers.Binary;
using Aster.Compression.Zstd;

namespace Aster.Framing;

/// <summary>Writes Aster frames to an <see cref="IBufferWriter{T}"/>.</summary>
public static class FrameWriter
{
    private const FrameFlags EmptyAllowed = FrameFlags.Trailer | FrameFlags.Cancel | FrameFlags.EndStream;

    /// <summary>Writes one frame.</summary>
    /// <exception cref="ArgumentException">The payload is empty and none of TRAILER, CANCEL or END_STREAM is set.</exception>
    /// <exception cref="RpcException">RESOURCE_EXHAUSTED: the frame would exceed <paramref name="maxLength"/>.</exception>
    public static void Write(IBufferWriter<byte> writer, FrameFlags flags, ReadOnlySpan<byte> payload, int maxLength = Frame.MaxLength)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Validate(flags, payload.Length, maxLength);
        Span<byte> span = writer.GetSpan(Frame.PrefixSize + payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)(payload.Length + 1));
        span[4] = (byte)flags;
        payload.CopyTo(span[Frame.PrefixSize..]);
        writer.Advance(Frame.PrefixSize + payload.Length);
    }

    /// <summary>
    /// Writes a request or response data frame, as one zstd frame with the COMPRESSED flag when
    /// <paramref name="compress"/> is set, the payload is longer than <see cref="Frame.CompressionThreshold"/> bytes and
    /// the zstd frame is smaller; otherwise as it is (wire-protocol.md 4.5, D7).
    /// </summary>
    /// <param name="writer">The stream's output.</param>
    /// <param name="flags"><see cref="FrameFlags.None"/> or <see cref="FrameFlags.EndStream"/>.</param>
    /// <param name="payload">The encoded message.</param>
    /// <param name="compress">Whether this peer may send compressed data frames here.</param>
    /// <param name="maxLength">The largest frame Length; checked against the uncompressed payload.</param>
    /// <returns>True when the frame was written compressed.</returns>
    /// <exception cref="RpcException">RESOURCE_EXHAUSTED: the uncompressed frame would exceed <paramref name="maxLength"/>.</exception>
    public static bool WriteData(IBufferWriter<byte> writer, FrameFlags flags, ReadOnlySpan<byte> payload, bool compress, int maxLength = Frame.MaxLength)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (!compress || payload.Length <= Frame.CompressionThreshold)
        {
            Write(writer, flags, payload, maxLength);
            return false;
        }

        Validate(flags, payload.Length, maxLength);
        Span<byte> span = writer.GetSpan(Frame.PrefixSize + payload.Length);

        // The zstd frame must fit in one byte less than the payload, so a success is always a saving.
        if (!ZstdCompressor.TryCompress(payload, span.Slice(Frame.PrefixSize, payload.Length - 1), out int compressed))
        {
            Write(writer, flags, payload, maxLength);
            return false;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)(compressed + 1));
        span[4] = (byte)(flags | FrameFlags.Compressed);
        writer.Advance(Frame.PrefixSize + compressed);
        return true;
    }

    /// <summary>Writes one frame whose payload is a (possibly multi-segment) sequence.</summary>
    public static void Write(IBufferWriter<byte> writer, FrameFlags flags, in ReadOnlySequence<byte> payload, int maxLength = Frame.MaxLength)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (payload.IsSingleSegment)
        {
            Write(writer, flags, payload.FirstSpan, maxLength);
            return;
        }

        Validate(flags, payload.Length, maxLength);
        Span<byte> prefix = writer.GetSpan(Frame.PrefixSize);
        BinaryPrimitives.WriteUInt32LittleEndian(prefix, (uint)(payload.Length + 1));
        prefix[4] = (byte)flags;
        writer.Advance(Frame.PrefixSize);
        foreach (ReadOnlyMemory<byte> segment in payload)
        {
            writer.Write(segment.Span);
        }
    }

    /// <summary>Writes a frame with an empty payload (a sentinel such as CANCEL, END_STREAM or an empty trailer).</summary>
    public static void WriteEmpty(IBufferWriter<byte> writer, FrameFlags flags) => Write(writer, flags, ReadOnlySpan<byte>.Empty);

    private static void Validate(FrameFlags flags, long payloadLength, int maxLength)
    {
        if (payloadLength == 0 && (flags & EmptyAllowed) == 0)
        {
            throw new ArgumentException("zero-length payload is not permitted without TRAILER, CANCEL or END_STREAM", nameof(flags));
        }

        if (payloadLength + 1 > maxLength)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"frame of {payloadLength + 1} bytes exceeds the limit of {maxLength}");
        }
    }
}
