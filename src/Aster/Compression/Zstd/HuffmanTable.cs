using System.Numerics;

namespace Aster.Compression.Zstd;

/// <summary>
/// The Huffman table of a literals section (RFC 8878, section 4.2): read from its weights, then used to decode one or
/// four backward bitstreams. Indexed by the next <see cref="MaxBits"/> bits of the stream.
/// </summary>
internal sealed class HuffmanTable
{
    private const int MaxCodeBits = 11;
    private const int MaxWeightAccuracyLog = 6;

    private readonly byte[] _symbols = new byte[1 << MaxCodeBits];
    private readonly byte[] _lengths = new byte[1 << MaxCodeBits];
    private readonly FseTable _weightTable = new();

    /// <summary>The longest code, in bits; 0 before a table has been read.</summary>
    public int MaxBits { get; private set; }

    /// <summary>Reads a Huffman tree description from the start of <paramref name="source"/> and builds the table.</summary>
    /// <returns>The number of bytes the description took.</returns>
    public int ReadDescription(ReadOnlySpan<byte> source)
    {
        if (source.IsEmpty)
        {
            throw ZstdException.Truncated("Huffman tree description");
        }

        Span<byte> weights = stackalloc byte[256];
        weights.Clear();
        int header = source[0];
        int count;
        int consumed;
        if (header < 128)
        {
            consumed = 1 + header;
            if (header == 0 || source.Length < consumed)
            {
                throw ZstdException.Truncated("Huffman weights");
            }

            count = DecodeWeights(source.Slice(1, header), weights);
        }
        else
        {
            count = header - 127;
            consumed = 1 + ((count + 1) / 2);
            if (source.Length < consumed)
            {
                throw ZstdException.Truncated("Huffman weights");
            }

            for (int i = 0; i < count; i++)
            {
                byte packed = source[1 + (i / 2)];
                weights[i] = (byte)((i & 1) == 0 ? packed >> 4 : packed & 0xF);
            }
        }

        Build(weights, count);
        return consumed;
    }

    /// <summary>Decodes one stream of <paramref name="destination"/>.Length symbols; the stream must be consumed exactly.</summary>
    public void DecodeStream(ReadOnlySpan<byte> stream, Span<byte> destination)
    {
        var reader = new BackwardBitReader(stream);
        int maxBits = MaxBits;
        int mask = (1 << maxBits) - 1;
        int state = (int)reader.Read(maxBits);
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = _symbols[state];
            int bits = _lengths[state];
            state = ((state << bits) | (int)reader.Read(bits)) & mask;
        }

        if (reader.Position != -maxBits)
        {
            throw ZstdException.Corrupt("Huffman stream not consumed exactly");
        }
    }

    private int DecodeWeights(ReadOnlySpan<byte> source, Span<byte> weights)
    {
        int tableBytes = _weightTable.ReadDescription(source, MaxWeightAccuracyLog, 255);
        var reader = new BackwardBitReader(source[tableBytes..]);
        int log = _weightTable.AccuracyLog;
        int state1 = (int)reader.Read(log);
        int state2 = (int)reader.Read(log);
        int count = 0;
        while (true)
        {
            if (count >= 255)
            {
                throw ZstdException.Corrupt("too many Huffman weights");
            }

            weights[count++] = _weightTable.Symbol(state1);
            state1 = _weightTable.Base(state1) + (int)reader.Read(_weightTable.Bits(state1));
            if (reader.Position < 0)
            {
                weights[count++] = _weightTable.Symbol(state2);
                break;
            }

            if (count >= 255)
            {
                throw ZstdException.Corrupt("too many Huffman weights");
            }

            weights[count++] = _weightTable.Symbol(state2);
            state2 = _weightTable.Base(state2) + (int)reader.Read(_weightTable.Bits(state2));
            if (reader.Position < 0)
            {
                weights[count++] = _weightTable.Symbol(state1);
                break;
            }
        }

        return count;
    }

    private void Build(ReadOnlySpan<byte> weights, int count)
    {
        // The last symbol's weight is implied: it completes the total to the next power of two.
        uint total = 0;
        for (int i = 0; i < count; i++)
        {
            int w = weights[i];
            if (w > MaxCodeBits)
            {
                throw ZstdException.Corrupt($"Huffman weight {w} above {MaxCodeBits}");
            }

            if (w > 0)
            {
                total += 1u << (w - 1);
            }
        }

        if (total == 0)
        {
            throw ZstdException.Corrupt("Huffman weights are all zero");
        }

        int maxBits = BitOperations.Log2(total) + 1;
        uint rest = (1u << maxBits) - total;
        if (maxBits > MaxCodeBits || !BitOperations.IsPow2(rest) || count >= 256)
        {
            throw ZstdException.Corrupt("Huffman weights do not form a prefix code");
        }

        Span<byte> lengths = stackalloc byte[256];
        lengths.Clear();
        int symbols = count + 1;
        Span<byte> all = stackalloc byte[256];
        weights[..count].CopyTo(all);
        all[count] = (byte)(BitOperations.Log2(rest) + 1);

        Span<int> rankCount = stackalloc int[MaxCodeBits + 2];
        rankCount.Clear();
        for (int s = 0; s < symbols; s++)
        {
            int w = all[s];
            lengths[s] = (byte)(w == 0 ? 0 : maxBits + 1 - w);
            rankCount[lengths[s]]++;
        }

        // Longest codes (weight 1) take the lowest indexes; within a length, symbols in increasing order.
        Span<int> rankStart = stackalloc int[MaxCodeBits + 2];
        int next = 0;
        for (int length = maxBits; length >= 1; length--)
        {
            rankStart[length] = next;
            next += rankCount[length] << (maxBits - length);
        }

        for (int s = 0; s < symbols; s++)
        {
            int length = lengths[s];
            if (length == 0)
            {
                continue;
            }

            int span = 1 << (maxBits - length);
            int start = rankStart[length];
            _symbols.AsSpan(start, span).Fill((byte)s);
            _lengths.AsSpan(start, span).Fill((byte)length);
            rankStart[length] = start + span;
        }

        MaxBits = maxBits;
    }
}
