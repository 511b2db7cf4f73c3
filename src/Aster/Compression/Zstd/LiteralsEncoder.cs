namespace Aster.Compression.Zstd;

/// <summary>
/// Writes the literals section of a compressed block (RFC 8878, section 3.1.1.3.1): RLE when all literals are one byte
/// value, Huffman-coded when that is smaller, raw otherwise.
/// </summary>
internal static class LiteralsEncoder
{
    private const int HuffmanMinimum = 64;

    /// <summary>Writes <paramref name="literals"/>; returns the section size, or -1 when it does not fit.</summary>
    public static int Write(Span<byte> destination, ReadOnlySpan<byte> literals)
    {
        if (literals.Length < HuffmanMinimum)
        {
            return WriteRaw(destination, literals, type: 0);
        }

        Span<int> counts = stackalloc int[256];
        counts.Clear();
        foreach (byte b in literals)
        {
            counts[b]++;
        }

        int maxSymbol = 255;
        while (counts[maxSymbol] == 0)
        {
            maxSymbol--;
        }

        if (counts[maxSymbol] == literals.Length)
        {
            return WriteRaw(destination, literals[..1], type: 1, literals.Length);
        }

        int rawSize = RawHeaderSize(literals.Length) + literals.Length;
        int huffmanSize = HuffmanEncoder.Write(destination[..Math.Min(destination.Length, rawSize - 1)], literals, counts, maxSymbol);
        return huffmanSize > 0 ? huffmanSize : WriteRaw(destination, literals, type: 0);
    }

    private static int RawHeaderSize(int size) => size < 32 ? 1 : size < 4096 ? 2 : 3;

    /// <summary>Raw (type 0) or RLE (type 1) literals: the header, then the bytes (for RLE the one repeated byte).</summary>
    private static int WriteRaw(Span<byte> destination, ReadOnlySpan<byte> literals, int type, int size = -1)
    {
        size = size < 0 ? literals.Length : size;
        int header = RawHeaderSize(size);
        if (destination.Length < header + literals.Length)
        {
            return -1;
        }

        switch (header)
        {
            case 1:
                destination[0] = (byte)((size << 3) | type);
                break;
            case 2:
                destination[0] = (byte)((size << 4) | 0x04 | type);
                destination[1] = (byte)(size >> 4);
                break;
            default:
                destination[0] = (byte)((size << 4) | 0x0C | type);
                destination[1] = (byte)(size >> 4);
                destination[2] = (byte)(size >> 12);
                break;
        }

        literals.CopyTo(destination[header..]);
        return header + literals.Length;
    }
}
