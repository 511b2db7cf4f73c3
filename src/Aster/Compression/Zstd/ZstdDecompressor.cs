using System.Buffers;

namespace Aster.Compression.Zstd;

/// <summary>
/// A managed zstd decoder (RFC 8878): zstd and skippable frames, raw, RLE and compressed blocks, Huffman literals,
/// FSE sequences in every mode, repeat offsets and content checksums. Dictionaries are refused. Output stops at a hard
/// limit whatever the frame header claims, so a hostile input cannot make it allocate more than the limit.
/// </summary>
public static class ZstdDecompressor
{
    /// <summary>The zstd frame magic number, little-endian on the wire (<c>28 B5 2F FD</c>).</summary>
    public const uint FrameMagic = 0xFD2FB528;

    [ThreadStatic]
    private static ZstdFrameDecoder? _cachedDecoder;

    /// <summary>
    /// Decompresses every frame in <paramref name="source"/> and writes the content to <paramref name="destination"/>.
    /// </summary>
    /// <param name="source">One or more zstd (or skippable) frames, back to back.</param>
    /// <param name="destination">Receives the decompressed bytes; nothing is written when decoding fails.</param>
    /// <param name="maxOutputLength">The most bytes the content may have.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ZstdException">
    /// The input is invalid or truncated, names a dictionary, fails its checksum, or its content exceeds
    /// <paramref name="maxOutputLength"/> (<see cref="ZstdError.OutputLimitExceeded"/>).
    /// </exception>
    public static int Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxOutputLength)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfNegative(maxOutputLength);
        ZstdFrameDecoder decoder = _cachedDecoder ?? new ZstdFrameDecoder();
        _cachedDecoder = null;
        try
        {
            ReadOnlySpan<byte> content = decoder.Decode(source, maxOutputLength);
            destination.Write(content);
            return content.Length;
        }
        finally
        {
            decoder.ReleaseOutput();
            _cachedDecoder = decoder;
        }
    }

    /// <summary>Decompresses a possibly multi-segment input; see <see cref="Decompress(ReadOnlySpan{byte}, IBufferWriter{byte}, int)"/>.</summary>
    public static int Decompress(in ReadOnlySequence<byte> source, IBufferWriter<byte> destination, int maxOutputLength)
    {
        if (source.IsSingleSegment)
        {
            return Decompress(source.FirstSpan, destination, maxOutputLength);
        }

        if (source.Length > Array.MaxLength)
        {
            throw new ZstdException(ZstdError.OutputLimitExceeded, "compressed input too large");
        }

        byte[] copy = ArrayPool<byte>.Shared.Rent((int)source.Length);
        try
        {
            source.CopyTo(copy);
            return Decompress(copy.AsSpan(0, (int)source.Length), destination, maxOutputLength);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }
}
