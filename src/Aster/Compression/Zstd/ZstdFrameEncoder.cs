using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Aster.Compression.Zstd;

/// <summary>
/// Encodes one zstd frame (RFC 8878): a greedy hash-table LZ77 match finder with a repeat-offset check (roughly the
/// speed and ratio of zstd's fast levels), literals raw or Huffman-coded, sequences with the predefined FSE tables, a raw
/// or RLE block wherever that is smaller, the content size and the XXH64 content checksum. Every working buffer is
/// rented from <see cref="ArrayPool{T}"/> for one call and sized to the input.
/// </summary>
internal static class ZstdFrameEncoder
{
    /// <summary>The largest block content (RFC 8878, section 3.1.1.2.4).</summary>
    public const int MaxBlockSize = 128 * 1024;

    /// <summary>log2 of the largest match distance; inputs up to this size are written as a single segment.</summary>
    public const int WindowLog = 23;

    private const int FrameHeaderMax = 4 + 1 + 1 + 8;
    private const int BlockHeaderSize = 3;
    private const int ChecksumSize = 4;
    private const int MinMatch = 4;
    private const int MinHashLog = 10;
    private const int MaxHashLog = 16;
    private const int SkipShift = 6;
    private const uint HashMultiplier = 2654435761;

    /// <summary>The most bytes a frame for <paramref name="sourceLength"/> input bytes can take.</summary>
    public static long MaxFrameLength(long sourceLength)
    {
        long blocks = Math.Max(1, (sourceLength + MaxBlockSize - 1) / MaxBlockSize);
        return FrameHeaderMax + sourceLength + (blocks * BlockHeaderSize) + ChecksumSize;
    }

    /// <summary>Writes the frame for <paramref name="source"/>; returns its length, or -1 when it does not fit in <paramref name="destination"/>.</summary>
    public static int Encode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int position = WriteFrameHeader(source.Length, destination);
        if (position < 0)
        {
            return -1;
        }

        if (source.IsEmpty)
        {
            return TryWriteBlockHeader(destination, ref position, last: true, type: 0, size: 0) && TryWriteChecksum(source, destination, ref position) ? position : -1;
        }

        var workspace = new Workspace(source.Length);
        try
        {
            for (int start = 0; start < source.Length; start += MaxBlockSize)
            {
                int length = Math.Min(MaxBlockSize, source.Length - start);
                if (!workspace.TryWriteBlock(source, start, length, destination, ref position))
                {
                    return -1;
                }
            }
        }
        finally
        {
            workspace.Return();
        }

        return TryWriteChecksum(source, destination, ref position) ? position : -1;
    }

    private static int WriteFrameHeader(int contentSize, Span<byte> destination)
    {
        if (destination.Length < FrameHeaderMax)
        {
            return -1;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(destination, ZstdDecompressor.FrameMagic);
        bool singleSegment = contentSize <= 1 << WindowLog;
        (int sizeFlag, int sizeBytes) = contentSize switch
        {
            < 256 when singleSegment => (0, 1),
            < 65536 + 256 => (1, 2),
            _ => (2, 4),
        };
        destination[4] = (byte)((sizeFlag << 6) | (singleSegment ? 0x20 : 0) | 0x04);
        int position = 5;
        if (!singleSegment)
        {
            destination[position++] = (byte)((WindowLog - 10) << 3);
        }

        uint stored = sizeBytes == 2 ? (uint)contentSize - 256 : (uint)contentSize;
        for (int i = 0; i < sizeBytes; i++)
        {
            destination[position++] = (byte)(stored >> (8 * i));
        }

        return position;
    }

    private static bool TryWriteBlockHeader(Span<byte> destination, ref int position, bool last, int type, int size)
    {
        if (destination.Length - position < BlockHeaderSize)
        {
            return false;
        }

        uint header = (uint)(size << 3) | (uint)(type << 1) | (last ? 1u : 0u);
        destination[position] = (byte)header;
        destination[position + 1] = (byte)(header >> 8);
        destination[position + 2] = (byte)(header >> 16);
        position += BlockHeaderSize;
        return true;
    }

    private static bool TryWriteChecksum(ReadOnlySpan<byte> source, Span<byte> destination, ref int position)
    {
        if (destination.Length - position < ChecksumSize)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(destination[position..], (uint)XxHash64.Hash(source));
        position += ChecksumSize;
        return true;
    }

    /// <summary>The pooled buffers of one call and the state that crosses block boundaries.</summary>
    private struct Workspace
    {
        private readonly int[] _hashTable;
        private readonly int _hashShift;
        private readonly byte[] _literals;
        private readonly byte[] _block;
        private readonly int[] _literalLengths;
        private readonly int[] _matchLengths;
        private readonly int[] _offsets;
        private int _rep1;
        private int _rep2;
        private int _rep3;
        private int _finderRep;

        public Workspace(int sourceLength)
        {
            int hashLog = Math.Clamp(BitOperations.Log2((uint)sourceLength) + 1, MinHashLog, MaxHashLog);
            int blockCapacity = Math.Min(sourceLength, MaxBlockSize);
            int sequenceCapacity = (blockCapacity / MinMatch) + 1;
            _hashShift = 32 - hashLog;
            _hashTable = ArrayPool<int>.Shared.Rent(1 << hashLog);
            _hashTable.AsSpan(0, 1 << hashLog).Clear();
            _literals = ArrayPool<byte>.Shared.Rent(blockCapacity);
            _block = ArrayPool<byte>.Shared.Rent(blockCapacity);
            _literalLengths = ArrayPool<int>.Shared.Rent(sequenceCapacity);
            _matchLengths = ArrayPool<int>.Shared.Rent(sequenceCapacity);
            _offsets = ArrayPool<int>.Shared.Rent(sequenceCapacity);
            (_rep1, _rep2, _rep3) = (1, 4, 8);
            _finderRep = 1;
        }

        public readonly void Return()
        {
            ArrayPool<int>.Shared.Return(_hashTable);
            ArrayPool<byte>.Shared.Return(_literals);
            ArrayPool<byte>.Shared.Return(_block);
            ArrayPool<int>.Shared.Return(_literalLengths);
            ArrayPool<int>.Shared.Return(_matchLengths);
            ArrayPool<int>.Shared.Return(_offsets);
        }

        public bool TryWriteBlock(ReadOnlySpan<byte> source, int start, int length, Span<byte> destination, ref int position)
        {
            bool last = start + length == source.Length;
            ReadOnlySpan<byte> content = source.Slice(start, length);
            if (length > 1 && content[1..].IndexOfAnyExcept(content[0]) < 0)
            {
                if (!TryWriteBlockHeader(destination, ref position, last, type: 1, size: length) || position >= destination.Length)
                {
                    return false;
                }

                destination[position++] = content[0];
                return true;
            }

            int compressed = CompressBlock(source, start, length);
            if (compressed > 0)
            {
                if (!TryWriteBlockHeader(destination, ref position, last, type: 2, size: compressed) || destination.Length - position < compressed)
                {
                    return false;
                }

                _block.AsSpan(0, compressed).CopyTo(destination[position..]);
                position += compressed;
                return true;
            }

            if (!TryWriteBlockHeader(destination, ref position, last, type: 0, size: length) || destination.Length - position < length)
            {
                return false;
            }

            content.CopyTo(destination[position..]);
            position += length;
            return true;
        }

        /// <summary>Compresses one block into the block buffer; returns its size, or 0 when it would not be smaller than the raw block.</summary>
        private int CompressBlock(ReadOnlySpan<byte> source, int start, int length)
        {
            int count = FindSequences(source, start, start + length, out int literalCount);
            (int rep1, int rep2, int rep3) = (_rep1, _rep2, _rep3);
            for (int i = 0; i < count; i++)
            {
                _offsets[i] = OffsetValue(_offsets[i], _literalLengths[i], ref rep1, ref rep2, ref rep3);
            }

            Span<byte> block = _block.AsSpan(0, length - 1);
            int literalsSize = LiteralsEncoder.Write(block, _literals.AsSpan(0, literalCount));
            if (literalsSize < 0)
            {
                return 0;
            }

            int sequencesSize = SequenceEncoder.Write(block[literalsSize..], _literalLengths, _matchLengths, _offsets, count);
            if (sequencesSize < 0)
            {
                return 0;
            }

            (_rep1, _rep2, _rep3) = (rep1, rep2, rep3); // repeat offsets advance only with a compressed block
            return literalsSize + sequencesSize;
        }

        /// <summary>
        /// Greedy parse of [start, end): at each position, first the last offset one byte ahead, then the hash table's
        /// candidate; misses make the search step grow so incompressible data passes quickly. Matches never cross end.
        /// </summary>
        private int FindSequences(ReadOnlySpan<byte> source, int start, int end, out int literalCount)
        {
            int count = 0;
            literalCount = 0;
            int anchor = start;
            int ip = start;
            int limit = end - MinMatch;
            int window = 1 << WindowLog;
            while (ip <= limit)
            {
                uint current = Read32(source, ip);
                ref int slot = ref _hashTable[Hash(current)];
                int candidate = slot - 1;
                slot = ip + 1;
                int matchStart;
                int offset;
                int next = ip + 1;
                if (next <= limit && _finderRep <= next && Read32(source, next) == Read32(source, next - _finderRep))
                {
                    matchStart = next;
                    offset = _finderRep;
                }
                else if (candidate >= 0 && ip - candidate <= window && Read32(source, candidate) == current)
                {
                    matchStart = ip;
                    offset = ip - candidate;
                    while (matchStart > anchor && matchStart - offset > 0 && source[matchStart - 1] == source[matchStart - offset - 1])
                    {
                        matchStart--;
                    }
                }
                else
                {
                    ip += 1 + ((ip - anchor) >> SkipShift);
                    continue;
                }

                int matchLength = source[matchStart..end].CommonPrefixLength(source[(matchStart - offset)..(end - offset)]);
                int literalLength = matchStart - anchor;
                source[anchor..matchStart].CopyTo(_literals.AsSpan(literalCount));
                literalCount += literalLength;
                _literalLengths[count] = literalLength;
                _matchLengths[count] = matchLength;
                _offsets[count] = offset;
                count++;
                _finderRep = offset;
                ip = matchStart + matchLength;
                anchor = ip;
                if (ip - 2 > start && ip - 2 <= limit)
                {
                    _hashTable[Hash(Read32(source, ip - 2))] = ip - 2 + 1;
                }
            }

            source[anchor..end].CopyTo(_literals.AsSpan(literalCount));
            literalCount += end - anchor;
            return count;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly int Hash(uint value) => (int)((value * HashMultiplier) >> _hashShift);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static uint Read32(ReadOnlySpan<byte> source, int at) => BinaryPrimitives.ReadUInt32LittleEndian(source[at..]);

        /// <summary>The wire offset value of a match (RFC 8878, section 3.1.2.5), updating the repeat offsets as the decoder will.</summary>
        private static int OffsetValue(int offset, int literalLength, ref int rep1, ref int rep2, ref int rep3)
        {
            int value;
            if (literalLength > 0)
            {
                if (offset == rep1)
                {
                    return 1;
                }

                value = offset == rep2 ? 2 : offset == rep3 ? 3 : 0;
            }
            else
            {
                value = offset == rep2 ? 1 : offset == rep3 ? 2 : offset == rep1 - 1 ? 3 : 0;
            }

            if (value == 0 || offset != rep2)
            {
                rep3 = rep2;
            }

            rep2 = rep1;
            rep1 = offset;
            return value == 0 ? offset + 3 : value;
        }
    }
}
