using System.Numerics;

namespace Aster.Compression.Zstd;

/// <summary>
/// A finite-state-entropy decoding table (RFC 8878, section 4.1.1): for each state, the symbol it emits and how to
/// reach the next state (a base plus a number of bits read from the stream).
/// </summary>
internal sealed class FseTable
{
    private const int MaxTableLog = 9;

    private readonly byte[] _symbols = new byte[1 << MaxTableLog];
    private readonly byte[] _bits = new byte[1 << MaxTableLog];
    private readonly ushort[] _bases = new ushort[1 << MaxTableLog];

    /// <summary>log2 of the number of states.</summary>
    public int AccuracyLog { get; private set; }

    public byte Symbol(int state) => _symbols[state];

    public int Bits(int state) => _bits[state];

    public int Base(int state) => _bases[state];

    /// <summary>Reads a table description (normalized counts) from the start of <paramref name="source"/> and builds the table.</summary>
    /// <returns>The number of bytes the description took.</returns>
    public int ReadDescription(ReadOnlySpan<byte> source, int maxAccuracyLog, int maxSymbol)
    {
        Span<short> counts = stackalloc short[256];
        counts.Clear();
        var reader = new ForwardBitReader(source);
        int accuracyLog = (int)reader.Read(4) + 5;
        if (accuracyLog > maxAccuracyLog)
        {
            throw ZstdException.Corrupt($"FSE accuracy log {accuracyLog} above {maxAccuracyLog}");
        }

        int remaining = 1 << accuracyLog;
        int symbol = 0;
        while (remaining > 0)
        {
            if (symbol > maxSymbol)
            {
                throw ZstdException.Corrupt("FSE table has too many symbols");
            }

            int bits = BitOperations.Log2((uint)(remaining + 1)) + 1;
            int value = (int)reader.Read(bits);
            int lowerMask = (1 << (bits - 1)) - 1;
            int threshold = (1 << bits) - 1 - (remaining + 1);
            if ((value & lowerMask) < threshold)
            {
                reader.Rewind(1);
                value &= lowerMask;
            }
            else if (value > lowerMask)
            {
                value -= threshold;
            }

            int probability = value - 1;
            remaining -= Math.Abs(probability);
            counts[symbol++] = (short)probability;
            if (probability == 0)
            {
                int repeat;
                do
                {
                    repeat = (int)reader.Read(2);
                    symbol += repeat;
                    if (symbol > maxSymbol + 1)
                    {
                        throw ZstdException.Corrupt("FSE table has too many symbols");
                    }
                }
                while (repeat == 3);
            }
        }

        if (remaining != 0)
        {
            throw ZstdException.Corrupt("FSE probabilities do not add up");
        }

        int consumed = reader.BytesConsumed;
        if (consumed > source.Length)
        {
            throw ZstdException.Truncated("FSE table description");
        }

        Build(counts[..symbol], accuracyLog);
        return consumed;
    }

    /// <summary>Builds the table from normalized counts (-1 meaning "less than one").</summary>
    public void Build(ReadOnlySpan<short> counts, int accuracyLog)
    {
        int size = 1 << accuracyLog;
        Span<ushort> next = stackalloc ushort[256];
        int high = size;
        for (int s = 0; s < counts.Length; s++)
        {
            if (counts[s] == -1)
            {
                _symbols[--high] = (byte)s;
                next[s] = 1;
            }
        }

        int step = (size >> 1) + (size >> 3) + 3;
        int mask = size - 1;
        int position = 0;
        for (int s = 0; s < counts.Length; s++)
        {
            int count = counts[s];
            if (count <= 0)
            {
                continue;
            }

            next[s] = (ushort)count;
            for (int i = 0; i < count; i++)
            {
                _symbols[position] = (byte)s;
                do
                {
                    position = (position + step) & mask;
                }
                while (position >= high);
            }
        }

        if (position != 0)
        {
            throw ZstdException.Corrupt("FSE table does not fill its states");
        }

        for (int state = 0; state < size; state++)
        {
            int symbol = _symbols[state];
            int nextState = next[symbol]++;
            int bits = accuracyLog - BitOperations.Log2((uint)nextState);
            _bits[state] = (byte)bits;
            _bases[state] = (ushort)((nextState << bits) - size);
        }

        AccuracyLog = accuracyLog;
    }

    /// <summary>Makes a one-state table that always emits <paramref name="symbol"/> (the RLE mode).</summary>
    public void BuildRle(byte symbol)
    {
        _symbols[0] = symbol;
        _bits[0] = 0;
        _bases[0] = 0;
        AccuracyLog = 0;
    }

    /// <summary>Reads forward from the low bit of the first byte, as FSE table descriptions are written.</summary>
    private ref struct ForwardBitReader
    {
        private readonly ReadOnlySpan<byte> _data;
        private int _position;

        public ForwardBitReader(ReadOnlySpan<byte> data)
        {
            _data = data;
        }

        public readonly int BytesConsumed => (_position + 7) >> 3;

        public ulong Read(int count)
        {
            ulong value = 0;
            for (int i = 0; i < count; i++)
            {
                int at = _position + i;
                int index = at >> 3;
                if (index >= _data.Length)
                {
                    continue; // past the end reads as zero; the caller checks BytesConsumed
                }

                value |= (ulong)((_data[index] >> (at & 7)) & 1) << i;
            }

            _position += count;
            return value;
        }

        public void Rewind(int count) => _position -= count;
    }
}
