using System.Buffers;

namespace Aster.Compression.Zstd;

/// <summary>
/// A managed zstd encoder (RFC 8878) of the speed class of zstd's fast levels: one frame per call with the content size
/// and an XXH64 content checksum, blocks of up to 128 KiB, each compressed, RLE or raw, whichever is smallest. Any zstd
/// decoder reads the output; matches reach back at most 8 MiB.
/// </summary>
public static class ZstdCompressor
{
    /// <summary>The most bytes <see cref="Compress(ReadOnlySpan{byte}, IBufferWriter{byte})"/> can write for an input of <paramref name="sourceLength"/> bytes.</summary>
    public static int GetMaxCompressedLength(int sourceLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sourceLength);
        long length = ZstdFrameEncoder.MaxFrameLength(sourceLength);
        return length <= Array.MaxLength ? (int)length : throw new ArgumentOutOfRangeException(nameof(sourceLength), "input too large for one zstd frame in memory");
    }

    /// <summary>Compresses <paramref name="source"/> into one zstd frame written to <paramref name="destination"/>.</summary>
    /// <returns>The number of bytes written.</returns>
    public static int Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        Span<byte> span = destination.GetSpan(GetMaxCompressedLength(source.Length));
        int written = ZstdFrameEncoder.Encode(source, span);
        if (written < 0)
        {
            throw new InvalidOperationException("the buffer writer returned less space than requested");
        }

        destination.Advance(written);
        return written;
    }

    /// <summary>
    /// Compresses <paramref name="source"/> into <paramref name="destination"/> if the frame fits; a destination shorter
    /// than the input therefore asks for compression only when it shrinks the data.
    /// </summary>
    /// <returns>True and the frame length in <paramref name="written"/>, or false (and 0) when the frame does not fit.</returns>
    public static bool TryCompress(ReadOnlySpan<byte> source, Span<byte> destination, out int written)
    {
        int length = ZstdFrameEncoder.Encode(source, destination);
        written = Math.Max(length, 0);
        return length >= 0;
    }
}
