using System.Buffers;
using System.Buffers.Binary;

namespace Aster.Compression.Zstd;

/// <summary>
/// Decodes zstd frames into one pooled output buffer. Holds the tables that later blocks of a frame may repeat, so one
/// instance serves one decode at a time (the public entry point keeps one per thread).
/// </summary>
internal sealed class ZstdFrameDecoder
{
    private const uint SkippableMagicMask = 0xFFFFFFF0;
    private const uint SkippableMagic = 0x184D2A50;
    private const int MaxBlockSize = 128 * 1024;
    private const int InitialReserveLimit = 1024 * 1024;

    private readonly HuffmanTable _huffman = new();
    private readonly FseTable _literalLengths = new();
    private readonly FseTable _offsets = new();
    private readonly FseTable _matchLengths = new();
    private readonly byte[] _literals = new byte[MaxBlockSize];
    private byte[] _output = [];
    private int _produced;
    private int _limit;
    private bool _hasHuffman;
    private bool _hasLiteralLengths;
    private bool _hasOffsets;
    private bool _hasMatchLengths;
    private int _rep1;
    private int _rep2;
    private int _rep3;
    private int _frameStart;
    private ulong _windowSize;

    /// <summary>Decodes all frames; the result stays valid until <see cref="ReleaseOutput"/>.</summary>
    public ReadOnlySpan<byte> Decode(ReadOnlySpan<byte> source, int limit)
    {
        _produced = 0;
        _limit = limit;
        if (source.IsEmpty)
        {
            throw ZstdException.Truncated("no frame");
        }

        int position = 0;
        while (position < source.Length)
        {
            if (source.Length - position < 4)
            {
                throw ZstdException.Truncated("frame magic");
            }

            uint magic = BinaryPrimitives.ReadUInt32LittleEndian(source[position..]);
            position += 4;
            if ((magic & SkippableMagicMask) == SkippableMagic)
            {
                if (source.Length - position < 4)
                {
                    throw ZstdException.Truncated("skippable frame size");
                }

                uint size = BinaryPrimitives.ReadUInt32LittleEndian(source[position..]);
                position += 4;
                if (size > (uint)(source.Length - position))
                {
                    throw ZstdException.Truncated("skippable frame");
                }

                position += (int)size;
                continue;
            }

            if (magic != ZstdDecompressor.FrameMagic)
            {
                throw ZstdException.Corrupt($"unknown frame magic 0x{magic:X8}");
            }

            position = DecodeFrame(source, position);
        }

        return _output.AsSpan(0, _produced);
    }

    /// <summary>Returns the output buffer to the pool.</summary>
    public void ReleaseOutput()
    {
        if (_output.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_output);
            _output = [];
        }

        _produced = 0;
    }

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> source, int position, int count, string what) =>
        count <= source.Length - position ? source.Slice(position, count) : throw ZstdException.Truncated(what);

    private static ulong ReadLittleEndian(ReadOnlySpan<byte> bytes)
    {
        ulong value = 0;
        for (int i = bytes.Length - 1; i >= 0; i--)
        {
            value = (value << 8) | bytes[i];
        }

        return value;
    }

    private int DecodeFrame(ReadOnlySpan<byte> source, int position)
    {
        byte descriptor = Take(source, position++, 1, "frame header")[0];
        int contentSizeFlag = descriptor >> 6;
        bool singleSegment = (descriptor & 0x20) != 0;
        bool hasChecksum = (descriptor & 0x04) != 0;
        int dictionaryFlag = descriptor & 0x03;
        if ((descriptor & 0x08) != 0)
        {
            throw ZstdException.Corrupt("reserved bit set in the frame header");
        }

        ulong windowSize = 0;
        if (!singleSegment)
        {
            byte window = Take(source, position++, 1, "window descriptor")[0];
            int windowLog = 10 + (window >> 3);
            ulong windowBase = 1UL << windowLog;
            windowSize = windowBase + ((windowBase >> 3) * (ulong)(window & 7));
        }

        int dictionaryBytes = dictionaryFlag == 3 ? 4 : dictionaryFlag;
        ulong dictionaryId = ReadLittleEndian(Take(source, position, dictionaryBytes, "dictionary id"));
        position += dictionaryBytes;
        if (dictionaryId != 0)
        {
            throw new ZstdException(ZstdError.DictionaryNotSupported, $"zstd frame needs dictionary {dictionaryId}; dictionaries are not supported");
        }

        int contentSizeBytes = contentSizeFlag switch
        {
            0 => singleSegment ? 1 : 0,
            1 => 2,
            2 => 4,
            _ => 8,
        };
        ulong? contentSize = null;
        if (contentSizeBytes > 0)
        {
            ulong size = ReadLittleEndian(Take(source, position, contentSizeBytes, "content size"));
            position += contentSizeBytes;
            contentSize = contentSizeBytes == 2 ? size + 256 : size;
            if (contentSize > (ulong)(_limit - _produced))
            {
                throw LimitExceeded();
            }
        }

        if (singleSegment)
        {
            windowSize = contentSize!.Value;
        }

        StartFrame(windowSize, contentSize);
        int blockLimit = (int)Math.Min(windowSize, MaxBlockSize);
        bool last;
        do
        {
            uint header = (uint)ReadLittleEndian(Take(source, position, 3, "block header"));
            position += 3;
            last = (header & 1) != 0;
            int type = (int)((header >> 1) & 3);
            int size = (int)(header >> 3);
            if (size > blockLimit)
            {
                throw ZstdException.Corrupt($"block of {size} bytes above the maximum {blockLimit}");
            }

            switch (type)
            {
                case 0:
                    Append(Take(source, position, size, "raw block"));
                    position += size;
                    break;
                case 1:
                    byte value = Take(source, position, 1, "RLE block")[0];
                    position += 1;
                    Reserve(size);
                    _output.AsSpan(_produced, size).Fill(value);
                    _produced += size;
                    break;
                case 2:
                    DecodeCompressedBlock(Take(source, position, size, "compressed block"));
                    position += size;
                    break;
                default:
                    throw ZstdException.Corrupt("reserved block type");
            }
        }
        while (!last);

        int frameLength = _produced - _frameStart;
        if (contentSize is { } expected && (ulong)frameLength != expected)
        {
            throw ZstdException.Corrupt($"frame content is {frameLength} bytes but its header says {expected}");
        }

        if (hasChecksum)
        {
            uint stored = BinaryPrimitives.ReadUInt32LittleEndian(Take(source, position, 4, "content checksum"));
            position += 4;
            uint actual = (uint)XxHash64.Hash(_output.AsSpan(_frameStart, frameLength));
            if (stored != actual)
            {
                throw new ZstdException(ZstdError.ChecksumMismatch, $"zstd content checksum mismatch (stored 0x{stored:X8}, computed 0x{actual:X8})");
            }
        }

        return position;
    }

    private void StartFrame(ulong windowSize, ulong? contentSize)
    {
        _windowSize = windowSize;
        _frameStart = _produced;
        _hasHuffman = false;
        _hasLiteralLengths = false;
        _hasOffsets = false;
        _hasMatchLengths = false;
        _rep1 = 1;
        _rep2 = 4;
        _rep3 = 8;
        if (contentSize is { } size && size > 0)
        {
            // Trust the header only so far: a hostile size must not make us allocate before any output exists.
            Reserve((int)Math.Min(size, InitialReserveLimit));
        }
    }

    private void DecodeCompressedBlock(ReadOnlySpan<byte> block)
    {
        int blockStart = _produced;
        int literalBytes = DecodeLiterals(block, out ReadOnlySpan<byte> literals);
        ReadOnlySpan<byte> sequences = block[literalBytes..];
        DecodeSequences(sequences, literals);
        if (_produced - blockStart > MaxBlockSize)
        {
            throw ZstdException.Corrupt("block decompresses to more than 128 KiB");
        }
    }

    /// <summary>Reads the literals section; returns its size in bytes.</summary>
    private int DecodeLiterals(ReadOnlySpan<byte> block, out ReadOnlySpan<byte> literals)
    {
        if (block.IsEmpty)
        {
            throw ZstdException.Truncated("literals section");
        }

        int type = block[0] & 3;
        int sizeFormat = (block[0] >> 2) & 3;
        if (type < 2)
        {
            int headerBytes = sizeFormat switch { 1 => 2, 3 => 3, _ => 1 };
            ReadOnlySpan<byte> header = Take(block, 0, headerBytes, "literals header");
            int regenerated = headerBytes switch
            {
                1 => header[0] >> 3,
                2 => (header[0] >> 4) | (header[1] << 4),
                _ => (header[0] >> 4) | (header[1] << 4) | (header[2] << 12),
            };
            if (regenerated > MaxBlockSize)
            {
                throw ZstdException.Corrupt("literals above 128 KiB");
            }

            if (type == 0)
            {
                literals = Take(block, headerBytes, regenerated, "raw literals");
                return headerBytes + regenerated;
            }

            byte value = Take(block, headerBytes, 1, "RLE literals")[0];
            _literals.AsSpan(0, regenerated).Fill(value);
            literals = _literals.AsSpan(0, regenerated);
            return headerBytes + 1;
        }

        (int bytes, int bits, bool fourStreams) = sizeFormat switch
        {
            0 => (3, 10, false),
            1 => (3, 10, true),
            2 => (4, 14, true),
            _ => (5, 18, true),
        };
        ulong sizes = ReadLittleEndian(Take(block, 0, bytes, "literals header"));
        int mask = (1 << bits) - 1;
        int regeneratedSize = (int)(sizes >> 4) & mask;
        int compressedSize = (int)(sizes >> (4 + bits)) & mask;
        if (regeneratedSize > MaxBlockSize)
        {
            throw ZstdException.Corrupt("literals above 128 KiB");
        }

        ReadOnlySpan<byte> data = Take(block, bytes, compressedSize, "compressed literals");
        if (type == 2)
        {
            data = data[_huffman.ReadDescription(data)..];
            _hasHuffman = true;
        }
        else if (!_hasHuffman)
        {
            throw ZstdException.Corrupt("treeless literals without a previous Huffman table");
        }

        Span<byte> output = _literals.AsSpan(0, regeneratedSize);
        if (!fourStreams)
        {
            _huffman.DecodeStream(data, output);
        }
        else
        {
            DecodeFourStreams(data, output);
        }

        literals = output;
        return bytes + compressedSize;
    }

    private void DecodeFourStreams(ReadOnlySpan<byte> data, Span<byte> output)
    {
        if (data.Length < 6)
        {
            throw ZstdException.Truncated("literals jump table");
        }

        int size1 = BinaryPrimitives.ReadUInt16LittleEndian(data);
        int size2 = BinaryPrimitives.ReadUInt16LittleEndian(data[2..]);
        int size3 = BinaryPrimitives.ReadUInt16LittleEndian(data[4..]);
        int size4 = data.Length - 6 - size1 - size2 - size3;
        int segment = (output.Length + 3) / 4;
        if (size4 < 0 || segment * 3 > output.Length)
        {
            throw ZstdException.Corrupt("literals jump table does not fit");
        }

        ReadOnlySpan<byte> streams = data[6..];
        _huffman.DecodeStream(streams[..size1], output[..segment]);
        _huffman.DecodeStream(streams.Slice(size1, size2), output.Slice(segment, segment));
        _huffman.DecodeStream(streams.Slice(size1 + size2, size3), output.Slice(2 * segment, segment));
        _huffman.DecodeStream(streams[(size1 + size2 + size3)..], output[(3 * segment)..]);
    }

    private void DecodeSequences(ReadOnlySpan<byte> section, ReadOnlySpan<byte> literals)
    {
        if (section.IsEmpty)
        {
            throw ZstdException.Truncated("sequences section");
        }

        int count;
        int position;
        byte first = section[0];
        if (first < 128)
        {
            count = first;
            position = 1;
        }
        else if (first < 255)
        {
            count = ((first - 128) << 8) + Take(section, 1, 1, "sequence count")[0];
            position = 2;
        }
        else
        {
            count = BinaryPrimitives.ReadUInt16LittleEndian(Take(section, 1, 2, "sequence count")) + 0x7F00;
            position = 3;
        }

        if (count == 0)
        {
            if (position != section.Length)
            {
                throw ZstdException.Corrupt("bytes after an empty sequences section");
            }

            Append(literals);
            return;
        }

        byte modes = Take(section, position++, 1, "sequence compression modes")[0];
        if ((modes & 3) != 0)
        {
            throw ZstdException.Corrupt("reserved bits set in the sequence compression modes");
        }

        position += ReadTable(_literalLengths, ref _hasLiteralLengths, modes >> 6, section[position..], SequenceCodes.LiteralLengthDefault, SequenceCodes.LiteralLengthDefaultLog, SequenceCodes.LiteralLengthMaxLog, SequenceCodes.MaxLiteralLengthCode);
        position += ReadTable(_offsets, ref _hasOffsets, (modes >> 4) & 3, section[position..], SequenceCodes.OffsetDefault, SequenceCodes.OffsetDefaultLog, SequenceCodes.OffsetMaxLog, SequenceCodes.MaxOffsetCode);
        position += ReadTable(_matchLengths, ref _hasMatchLengths, (modes >> 2) & 3, section[position..], SequenceCodes.MatchLengthDefault, SequenceCodes.MatchLengthDefaultLog, SequenceCodes.MatchLengthMaxLog, SequenceCodes.MaxMatchLengthCode);
        ExecuteSequences(section[position..], count, literals);
    }

    private static int ReadTable(FseTable table, ref bool defined, int mode, ReadOnlySpan<byte> source, ReadOnlySpan<short> defaults, int defaultLog, int maxLog, int maxSymbol)
    {
        switch (mode)
        {
            case 0:
                table.Build(defaults, defaultLog);
                defined = true;
                return 0;
            case 1:
                byte symbol = Take(source, 0, 1, "RLE sequence table")[0];
                if (symbol > maxSymbol)
                {
                    throw ZstdException.Corrupt($"RLE sequence code {symbol} above {maxSymbol}");
                }

                table.BuildRle(symbol);
                defined = true;
                return 1;
            case 2:
                int bytes = table.ReadDescription(source, maxLog, maxSymbol);
                defined = true;
                return bytes;
            default:
                return defined ? 0 : throw ZstdException.Corrupt("repeat mode without a previous sequence table");
        }
    }

    private void ExecuteSequences(ReadOnlySpan<byte> bitstream, int count, ReadOnlySpan<byte> literals)
    {
        var reader = new BackwardBitReader(bitstream);
        FseTable ll = _literalLengths, of = _offsets, ml = _matchLengths;
        int llState = (int)reader.Read(ll.AccuracyLog);
        int ofState = (int)reader.Read(of.AccuracyLog);
        int mlState = (int)reader.Read(ml.AccuracyLog);
        ReadOnlySpan<int> llBase = SequenceCodes.LiteralLengthBase, mlBase = SequenceCodes.MatchLengthBase;
        ReadOnlySpan<byte> llBits = SequenceCodes.LiteralLengthBits, mlBits = SequenceCodes.MatchLengthBits;
        int literalPosition = 0;
        for (int i = 0; i < count; i++)
        {
            int ofCode = of.Symbol(ofState);
            int mlCode = ml.Symbol(mlState);
            int llCode = ll.Symbol(llState);
            if (ofCode > SequenceCodes.MaxOffsetCode || mlCode > SequenceCodes.MaxMatchLengthCode || llCode > SequenceCodes.MaxLiteralLengthCode)
            {
                throw ZstdException.Corrupt("sequence code out of range");
            }

            ulong offsetValue = (1UL << ofCode) + reader.Read(ofCode);
            int matchLength = mlBase[mlCode] + (int)reader.Read(mlBits[mlCode]);
            int literalLength = llBase[llCode] + (int)reader.Read(llBits[llCode]);
            if (i + 1 < count)
            {
                llState = ll.Base(llState) + (int)reader.Read(ll.Bits(llState));
                mlState = ml.Base(mlState) + (int)reader.Read(ml.Bits(mlState));
                ofState = of.Base(ofState) + (int)reader.Read(of.Bits(ofState));
            }

            int offset = ResolveOffset(offsetValue, literalLength);
            if (literalLength > literals.Length - literalPosition)
            {
                throw ZstdException.Corrupt("sequence uses more literals than the block has");
            }

            Append(literals.Slice(literalPosition, literalLength));
            literalPosition += literalLength;
            CopyMatch(offset, matchLength);
        }

        if (reader.Position != 0)
        {
            throw ZstdException.Corrupt("sequences bitstream not consumed exactly");
        }

        Append(literals[literalPosition..]);
    }

    private int ResolveOffset(ulong offsetValue, int literalLength)
    {
        if (offsetValue > 3)
        {
            ulong value = offsetValue - 3;
            if (value > int.MaxValue)
            {
                throw ZstdException.Corrupt("offset out of range");
            }

            _rep3 = _rep2;
            _rep2 = _rep1;
            _rep1 = (int)value;
            return _rep1;
        }

        int index = (int)offsetValue + (literalLength == 0 ? 1 : 0);
        int offset;
        switch (index)
        {
            case 1:
                return _rep1;
            case 2:
                offset = _rep2;
                _rep2 = _rep1;
                break;
            case 3:
                offset = _rep3;
                _rep3 = _rep2;
                _rep2 = _rep1;
                break;
            default:
                offset = _rep1 - 1;
                if (offset == 0)
                {
                    throw ZstdException.Corrupt("repeat offset of zero");
                }

                _rep3 = _rep2;
                _rep2 = _rep1;
                break;
        }

        _rep1 = offset;
        return offset;
    }

    private void CopyMatch(int offset, int length)
    {
        if (offset > _produced - _frameStart || (ulong)offset > _windowSize)
        {
            throw ZstdException.Corrupt($"match offset {offset} reaches before the window");
        }

        Reserve(length);
        Span<byte> output = _output;
        int from = _produced - offset;
        if (offset >= length)
        {
            output.Slice(from, length).CopyTo(output[_produced..]);
        }
        else
        {
            for (int i = 0; i < length; i++)
            {
                output[_produced + i] = output[from + i];
            }
        }

        _produced += length;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        Reserve(bytes.Length);
        bytes.CopyTo(_output.AsSpan(_produced));
        _produced += bytes.Length;
    }

    /// <summary>Makes room for <paramref name="count"/> more bytes, failing past the limit.</summary>
    private void Reserve(int count)
    {
        if (count > _limit - _produced)
        {
            throw LimitExceeded();
        }

        int needed = _produced + count;
        if (needed <= _output.Length)
        {
            return;
        }

        int capacity = (int)Math.Min(Math.Max((long)needed, Math.Max(_output.Length * 2L, 4096)), _limit);
        byte[] larger = ArrayPool<byte>.Shared.Rent(capacity);
        _output.AsSpan(0, _produced).CopyTo(larger);
        if (_output.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_output);
        }

        _output = larger;
    }

    private ZstdException LimitExceeded() =>
        new(ZstdError.OutputLimitExceeded, $"decompressed content exceeds the limit of {_limit} bytes");
}
