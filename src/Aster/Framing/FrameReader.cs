using System.Buffers;
using System.Buffers.Binary;

namespace Aster.Framing;

/// <summary>
/// Parses Aster frames (<c>[u32 LE length][flags][payload]</c>) from buffered stream data. A partial frame is left
/// unconsumed so the caller can wait for more data (the <c>PipeReader.AdvanceTo</c> contract).
/// </summary>
public static class FrameReader
{
    /// <summary>
    /// Reads one frame from the start of <paramref name="buffer"/>. On success <paramref name="buffer"/> is sliced past
    /// the frame; when the frame is incomplete it is left unchanged and false is returned.
    /// </summary>
    /// <param name="buffer">The buffered bytes.</param>
    /// <param name="frame">The frame, whose payload references <paramref name="buffer"/>'s memory.</param>
    /// <param name="maxLength">The largest acceptable Length (flags plus payload); at most <see cref="Frame.MaxLength"/> by default.</param>
    /// <exception cref="FrameFormatException">The announced length is zero or above <paramref name="maxLength"/>.</exception>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, out Frame frame, int maxLength = Frame.MaxLength)
    {
        frame = default;
        if (buffer.Length < 4)
        {
            return false;
        }

        uint length = ReadLength(buffer);
        if (length == 0)
        {
            throw new FrameFormatException(FrameError.ZeroLength, "zero-length frame");
        }

        if (length > (uint)maxLength)
        {
            throw new FrameFormatException(FrameError.TooLarge, $"frame size {length} exceeds maximum {maxLength}");
        }

        if (buffer.Length - 4 < length)
        {
            return false;
        }

        var flags = (FrameFlags)buffer.Slice(4, 1).FirstSpan[0];
        frame = new Frame(flags, buffer.Slice(Frame.PrefixSize, length - 1));
        buffer = buffer.Slice(4 + length);
        return true;
    }

    /// <summary>Reads one frame from a contiguous span; the payload is copied.</summary>
    /// <returns>True with the number of bytes consumed, or false when the span holds no whole frame.</returns>
    public static bool TryRead(ReadOnlySpan<byte> buffer, out Frame frame, out int consumed, int maxLength = Frame.MaxLength)
    {
        frame = default;
        consumed = 0;
        if (buffer.Length < 4)
        {
            return false;
        }

        uint length = BinaryPrimitives.ReadUInt32LittleEndian(buffer);
        if (length == 0)
        {
            throw new FrameFormatException(FrameError.ZeroLength, "zero-length frame");
        }

        if (length > (uint)maxLength)
        {
            throw new FrameFormatException(FrameError.TooLarge, $"frame size {length} exceeds maximum {maxLength}");
        }

        if ((uint)(buffer.Length - 4) < length)
        {
            return false;
        }

        frame = new Frame((FrameFlags)buffer[4], new ReadOnlySequence<byte>(buffer.Slice(Frame.PrefixSize, (int)length - 1).ToArray()));
        consumed = 4 + (int)length;
        return true;
    }

    /// <summary>
    /// Checks the bytes left when a stream ended: nothing is a clean end; anything else is a truncated frame.
    /// </summary>
    /// <exception cref="FrameFormatException">The stream ended inside a frame.</exception>
    public static void ThrowIfTruncated(in ReadOnlySequence<byte> remaining)
    {
        if (!remaining.IsEmpty)
        {
            throw new FrameFormatException(FrameError.Truncated, $"stream ended inside a frame ({remaining.Length} bytes left over)");
        }
    }

    private static uint ReadLength(in ReadOnlySequence<byte> buffer)
    {
        ReadOnlySpan<byte> first = buffer.FirstSpan;
        if (first.Length >= 4)
        {
            return BinaryPrimitives.ReadUInt32LittleEndian(first);
        }

        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        return BinaryPrimitives.ReadUInt32LittleEndian(prefix);
    }
}
