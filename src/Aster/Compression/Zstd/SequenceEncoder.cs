using System.Numerics;

namespace Aster.Compression.Zstd;

/// <summary>
/// Writes the sequences section of a compressed block (RFC 8878, section 3.1.1.3.2) with the predefined FSE tables for
/// literal lengths, match lengths and offsets, which need no table description.
/// </summary>
internal static class SequenceEncoder
{
    private const int LiteralLengthTableLimit = 64;
    private const int MatchLengthTableLimit = 128;

    private static readonly FseEncodingTable _literalLengths = new(SequenceCodes.LiteralLengthDefault, SequenceCodes.LiteralLengthDefaultLog);
    private static readonly FseEncodingTable _matchLengths = new(SequenceCodes.MatchLengthDefault, SequenceCodes.MatchLengthDefaultLog);
    private static readonly FseEncodingTable _offsets = new(SequenceCodes.OffsetDefault, SequenceCodes.OffsetDefaultLog);
    private static readonly byte[] _literalLengthCodes = CodesBelow(SequenceCodes.LiteralLengthBase, 0, LiteralLengthTableLimit);
    private static readonly byte[] _matchLengthCodes = CodesBelow(SequenceCodes.MatchLengthBase, 3, MatchLengthTableLimit);

    /// <summary>
    /// Writes the section for <paramref name="count"/> sequences. <paramref name="offsetValues"/> are the wire offset
    /// values (1 to 3 repeat codes, otherwise offset + 3).
    /// </summary>
    /// <returns>The bytes written, or -1 when <paramref name="destination"/> is too small.</returns>
    public static int Write(Span<byte> destination, ReadOnlySpan<int> literalLengths, ReadOnlySpan<int> matchLengths, ReadOnlySpan<int> offsetValues, int count)
    {
        if (destination.Length < 4)
        {
            return -1;
        }

        int position;
        if (count < 128)
        {
            destination[0] = (byte)count;
            position = 1;
        }
        else if (count < 0x7F00)
        {
            destination[0] = (byte)((count >> 8) + 128);
            destination[1] = (byte)count;
            position = 2;
        }
        else
        {
            destination[0] = 0xFF;
            destination[1] = (byte)(count - 0x7F00);
            destination[2] = (byte)((count - 0x7F00) >> 8);
            position = 3;
        }

        if (count == 0)
        {
            return position;
        }

        destination[position++] = 0; // literal lengths, offsets and match lengths all in predefined mode
        var writer = new ForwardBitWriter(destination[position..]);
        int last = count - 1;
        int llCode = LiteralLengthCode(literalLengths[last]);
        int mlCode = MatchLengthCode(matchLengths[last] - 3);
        int ofCode = BitOperations.Log2((uint)offsetValues[last]);
        int mlState = _matchLengths.InitialState(mlCode);
        int ofState = _offsets.InitialState(ofCode);
        int llState = _literalLengths.InitialState(llCode);
        AddExtraBits(ref writer, literalLengths[last], llCode, matchLengths[last], mlCode, offsetValues[last], ofCode);
        for (int i = last - 1; i >= 0; i--)
        {
            llCode = LiteralLengthCode(literalLengths[i]);
            mlCode = MatchLengthCode(matchLengths[i] - 3);
            ofCode = BitOperations.Log2((uint)offsetValues[i]);
            _offsets.Encode(ref writer, ref ofState, ofCode);
            _matchLengths.Encode(ref writer, ref mlState, mlCode);
            _literalLengths.Encode(ref writer, ref llState, llCode);
            AddExtraBits(ref writer, literalLengths[i], llCode, matchLengths[i], mlCode, offsetValues[i], ofCode);
        }

        _matchLengths.Flush(ref writer, mlState);
        _offsets.Flush(ref writer, ofState);
        _literalLengths.Flush(ref writer, llState);
        int written = writer.Close();
        return writer.Overflowed ? -1 : position + written;
    }

    private static void AddExtraBits(ref ForwardBitWriter writer, int literalLength, int llCode, int matchLength, int mlCode, int offsetValue, int ofCode)
    {
        writer.Add((ulong)(literalLength - SequenceCodes.LiteralLengthBase[llCode]), SequenceCodes.LiteralLengthBits[llCode]);
        writer.Add((ulong)(matchLength - SequenceCodes.MatchLengthBase[mlCode]), SequenceCodes.MatchLengthBits[mlCode]);
        writer.Add((ulong)offsetValue, ofCode);
    }

    private static int LiteralLengthCode(int literalLength) =>
        literalLength < LiteralLengthTableLimit ? _literalLengthCodes[literalLength] : BitOperations.Log2((uint)literalLength) + 19;

    private static int MatchLengthCode(int matchLengthMinus3) =>
        matchLengthMinus3 < MatchLengthTableLimit ? _matchLengthCodes[matchLengthMinus3] : BitOperations.Log2((uint)matchLengthMinus3) + 36;

    /// <summary>For each value below <paramref name="limit"/>, the largest code whose base does not exceed it.</summary>
    private static byte[] CodesBelow(ReadOnlySpan<int> bases, int bias, int limit)
    {
        byte[] codes = new byte[limit];
        int code = 0;
        for (int value = 0; value < limit; value++)
        {
            while (code + 1 < bases.Length && bases[code + 1] - bias <= value)
            {
                code++;
            }

            codes[value] = (byte)code;
        }

        return codes;
    }
}
