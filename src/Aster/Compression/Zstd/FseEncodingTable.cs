using System.Numerics;

namespace Aster.Compression.Zstd;

/// <summary>
/// The encoding side of a finite-state-entropy table (RFC 8878, section 4.1.1): built from the same normalized counts
/// and the same symbol spread as the decoding <see cref="FseTable"/>, so the decoder retraces the states in reverse.
/// States are kept in [size, 2 × size), as the decoder's state plus the table size.
/// </summary>
internal sealed class FseEncodingTable
{
    private readonly ushort[] _nextStates;
    private readonly int[] _deltaBits;
    private readonly int[] _deltaStates;

    public FseEncodingTable(ReadOnlySpan<short> counts, int accuracyLog)
    {
        int size = 1 << accuracyLog;
        var decoding = new FseTable();
        decoding.Build(counts, accuracyLog);

        // Cumulative counts: each symbol owns a run of slots in the next-state table, in decoder state order.
        Span<int> cumulative = stackalloc int[counts.Length + 1];
        for (int s = 0; s < counts.Length; s++)
        {
            cumulative[s + 1] = cumulative[s] + (counts[s] == -1 ? 1 : counts[s]);
        }

        _nextStates = new ushort[size];
        for (int state = 0; state < size; state++)
        {
            int symbol = decoding.Symbol(state);
            _nextStates[cumulative[symbol]++] = (ushort)(size + state);
        }

        _deltaBits = new int[counts.Length];
        _deltaStates = new int[counts.Length];
        int total = 0;
        for (int s = 0; s < counts.Length; s++)
        {
            int count = counts[s];
            if (count == 0)
            {
                _deltaBits[s] = ((accuracyLog + 1) << 16) - size;
            }
            else if (count is -1 or 1)
            {
                _deltaBits[s] = (accuracyLog << 16) - size;
                _deltaStates[s] = total - 1;
                total++;
            }
            else
            {
                int maxBitsOut = accuracyLog - BitOperations.Log2((uint)(count - 1));
                int minStatePlus = count << maxBitsOut;
                _deltaBits[s] = (maxBitsOut << 16) - minStatePlus;
                _deltaStates[s] = total - count;
                total += count;
            }
        }

        AccuracyLog = accuracyLog;
    }

    /// <summary>log2 of the number of states.</summary>
    public int AccuracyLog { get; }

    /// <summary>The state to start from so that the decoder's first symbol is <paramref name="symbol"/>.</summary>
    public int InitialState(int symbol)
    {
        int bits = (_deltaBits[symbol] + (1 << 15)) >> 16;
        int value = (bits << 16) - _deltaBits[symbol];
        return _nextStates[(value >> bits) + _deltaStates[symbol]];
    }

    /// <summary>Writes the bits that lead from <paramref name="state"/> to <paramref name="symbol"/> and moves to its state.</summary>
    public void Encode(ref ForwardBitWriter writer, ref int state, int symbol)
    {
        int bits = (state + _deltaBits[symbol]) >> 16;
        writer.Add((ulong)state, bits);
        state = _nextStates[(state >> bits) + _deltaStates[symbol]];
    }

    /// <summary>Writes the final state, which the decoder reads first.</summary>
    public void Flush(ref ForwardBitWriter writer, int state) => writer.Add((ulong)state, AccuracyLog);
}
