using System.Buffers.Binary;

namespace Aster.Compression.Zstd;

/// <summary>
/// Writes Huffman-compressed literals (RFC 8878, section 4.2) with a fresh tree per block: code lengths from the symbol
/// counts, limited to 11 bits by flattening the counts until the tree is shallow enough, the weights in the direct
/// 4-bit form, and one stream (up to 1023 literals) or four.
/// </summary>
internal static class HuffmanEncoder
{
    private const int MaxCodeBits = 11;
    private const int MaxDirectSymbol = 128;
    private const int SingleStreamLimit = 1023;

    /// <summary>
    /// Writes the literals section for <paramref name="literals"/> (at least two distinct symbols, at most 128 KiB).
    /// </summary>
    /// <returns>The section size, or -1 when the symbols do not suit the direct weight form or it does not fit.</returns>
    public static int Write(Span<byte> destination, ReadOnlySpan<byte> literals, ReadOnlySpan<int> counts, int maxSymbol)
    {
        if (maxSymbol > MaxDirectSymbol)
        {
            return -1;
        }

        Span<byte> lengths = stackalloc byte[256];
        int maxBits = BuildLengths(counts[..(maxSymbol + 1)], lengths);
        Span<ushort> codes = stackalloc ushort[256];
        AssignCodes(lengths[..(maxSymbol + 1)], maxBits, codes);

        bool fourStreams = literals.Length > SingleStreamLimit;
        (int headerBytes, int sizeBits, int sizeFormat) = literals.Length switch
        {
            <= SingleStreamLimit => (3, 10, 0),
            < 1 << 14 => (4, 14, 2),
            _ => (5, 18, 3),
        };

        // Tree description: the weights of symbols 0 .. maxSymbol-1, two per byte; the last one is implied.
        int descriptionBytes = 1 + ((maxSymbol + 1) / 2);
        int position = headerBytes;
        if (destination.Length < position + descriptionBytes + (fourStreams ? 6 : 0))
        {
            return -1;
        }

        destination[position++] = (byte)(127 + maxSymbol);
        for (int s = 0; s < maxSymbol; s += 2)
        {
            int high = Weight(lengths[s], maxBits);
            int low = s + 1 < maxSymbol ? Weight(lengths[s + 1], maxBits) : 0;
            destination[position++] = (byte)((high << 4) | low);
        }

        if (!fourStreams)
        {
            int size = WriteStream(destination[position..], literals, codes, lengths);
            if (size < 0)
            {
                return -1;
            }

            position += size;
        }
        else
        {
            int jumpTable = position;
            position += 6;
            int segment = (literals.Length + 3) / 4;
            for (int i = 0; i < 4; i++)
            {
                int from = i * segment;
                int size = WriteStream(destination[position..], literals[from..Math.Min(literals.Length, from + segment)], codes, lengths);
                if (size < 0)
                {
                    return -1;
                }

                if (i < 3)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(destination[(jumpTable + (2 * i))..], (ushort)size);
                }

                position += size;
            }
        }

        int compressedSize = position - headerBytes;
        if (compressedSize >= 1 << sizeBits)
        {
            return -1;
        }

        ulong header = 2 | ((ulong)sizeFormat << 2) | ((ulong)literals.Length << 4) | ((ulong)compressedSize << (4 + sizeBits));
        for (int i = 0; i < headerBytes; i++)
        {
            destination[i] = (byte)(header >> (8 * i));
        }

        return position;
    }

    private static int Weight(int length, int maxBits) => length == 0 ? 0 : maxBits + 1 - length;

    private static int WriteStream(Span<byte> destination, ReadOnlySpan<byte> symbols, ReadOnlySpan<ushort> codes, ReadOnlySpan<byte> lengths)
    {
        // The decoder reads the stream backwards, so the last symbol goes in first.
        var writer = new ForwardBitWriter(destination);
        for (int i = symbols.Length - 1; i >= 0; i--)
        {
            byte symbol = symbols[i];
            writer.Add(codes[symbol], lengths[symbol]);
        }

        int written = writer.Close();
        return writer.Overflowed ? -1 : written;
    }

    /// <summary>
    /// Huffman code lengths for the symbols with a count; when the tree is deeper than 11 bits, every count is raised
    /// to a growing floor and the tree rebuilt (equal counts give a balanced tree, so this ends).
    /// </summary>
    /// <returns>The longest code length.</returns>
    private static int BuildLengths(ReadOnlySpan<int> counts, Span<byte> lengths)
    {
        Span<int> adjusted = stackalloc int[counts.Length];
        int floor = 0;
        while (true)
        {
            for (int s = 0; s < counts.Length; s++)
            {
                adjusted[s] = counts[s] == 0 ? 0 : Math.Max(counts[s], floor);
            }

            int maxBits = BuildTree(adjusted, lengths);
            if (maxBits <= MaxCodeBits)
            {
                return maxBits;
            }

            floor = Math.Max(1, floor * 2);
        }
    }

    /// <summary>Classic two-queue Huffman construction over the symbols sorted by count; writes each symbol's depth.</summary>
    private static int BuildTree(ReadOnlySpan<int> counts, Span<byte> lengths)
    {
        Span<int> order = stackalloc int[256];
        int leaves = 0;
        for (int s = 0; s < counts.Length; s++)
        {
            lengths[s] = 0;
            if (counts[s] > 0)
            {
                order[leaves++] = s;
            }
        }

        order = order[..leaves];
        Span<long> keys = stackalloc long[leaves];
        for (int i = 0; i < leaves; i++)
        {
            keys[i] = ((long)counts[order[i]] << 8) | (uint)order[i];
        }

        keys.Sort();
        Span<int> weight = stackalloc int[2 * leaves];
        Span<int> parent = stackalloc int[2 * leaves];
        for (int i = 0; i < leaves; i++)
        {
            order[i] = (int)(keys[i] & 0xFF);
            weight[i] = (int)(keys[i] >> 8);
        }

        int nextLeaf = 0;
        int nextNode = leaves;
        for (int node = leaves; node < (2 * leaves) - 1; node++)
        {
            int first = TakeSmallest(weight, ref nextLeaf, leaves, ref nextNode, node);
            int second = TakeSmallest(weight, ref nextLeaf, leaves, ref nextNode, node);
            weight[node] = weight[first] + weight[second];
            parent[first] = node;
            parent[second] = node;
        }

        // Depths from the root down: parents always have higher indexes than their children.
        Span<int> depth = weight; // reuse: counts are no longer needed
        int root = (2 * leaves) - 2;
        depth[root] = 0;
        int maxBits = 0;
        for (int node = root - 1; node >= 0; node--)
        {
            depth[node] = depth[parent[node]] + 1;
            if (node < leaves)
            {
                lengths[order[node]] = (byte)Math.Min(depth[node], 255);
                maxBits = Math.Max(maxBits, depth[node]);
            }
        }

        return maxBits;
    }

    private static int TakeSmallest(ReadOnlySpan<int> weight, ref int nextLeaf, int leaves, ref int nextNode, int end)
    {
        if (nextLeaf < leaves && (nextNode >= end || weight[nextLeaf] <= weight[nextNode]))
        {
            return nextLeaf++;
        }

        return nextNode++;
    }

    /// <summary>Canonical codes in the order the decoder builds its table: longest codes first, then by symbol.</summary>
    private static void AssignCodes(ReadOnlySpan<byte> lengths, int maxBits, Span<ushort> codes)
    {
        Span<int> rankCount = stackalloc int[MaxCodeBits + 2];
        foreach (byte length in lengths)
        {
            rankCount[length]++;
        }

        Span<int> rankStart = stackalloc int[MaxCodeBits + 2];
        int next = 0;
        for (int length = maxBits; length >= 1; length--)
        {
            rankStart[length] = next;
            next += rankCount[length] << (maxBits - length);
        }

        for (int s = 0; s < lengths.Length; s++)
        {
            int length = lengths[s];
            if (length == 0)
            {
                continue;
            }

            codes[s] = (ushort)(rankStart[length] >> (maxBits - length));
            rankStart[length] += 1 << (maxBits - length);
        }
    }
}
