using System.Buffers;
using System.Buffers.Binary;

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
