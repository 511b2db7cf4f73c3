using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Aster.Compression.Zstd;

/// <summary>
/// Reads a zstd backward bitstream (RFC 8878, section 4.1): the last byte's highest set bit marks the end, and bits are
/// read from there towards the first byte. Reading past the start yields zero bits and leaves <see cref="Position"/>
/// negative, which callers check once at the end (an overread means corrupt input).
/// </summary>
internal ref struct BackwardBitReader
{
    private readonly ReadOnlySpan<byte> _data;
    private long _position;

    public BackwardBitReader(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            throw ZstdException.Corrupt("empty bitstream");
        }

        byte last = data[^1];
        if (last == 0)
        {
            throw ZstdException.Corrupt("bitstream without an end marker");
        }

        _data = data;
        _position = ((long)data.Length * 8) - 8 + BitOperations.Log2(last);
    }

    /// <summary>Bits not yet read; zero when the stream was consumed exactly, negative after an overread.</summary>
    public readonly long Position => _position;

    /// <summary>Reads <paramref name="count"/> bits (0 to 56) as an integer, the first bit read being the most significant.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Read(int count)
    {
        if (count == 0)
        {
            return 0;
        }

        _position -= count;
        long at = _position;
        if (at >= 0)
        {
            int index = (int)(at >> 3);
            int shift = (int)(at & 7);
            ulong word = index + 8 <= _data.Length
                ? BinaryPrimitives.ReadUInt64LittleEndian(_data[index..])
                : LoadPartial(index);
            return (word >> shift) & ((1UL << count) - 1);
        }

        if (at > -count)
        {
            int available = count + (int)at;
            ulong word = LoadPartial(0);
            return (word & ((1UL << available) - 1)) << (int)-at;
        }

        return 0;
    }

    private readonly ulong LoadPartial(int index)
    {
        ulong word = 0;
        int end = Math.Min(_data.Length, index + 8);
        for (int i = end - 1; i >= index; i--)
        {
            word = (word << 8) | _data[i];
        }

        return word;
    }
}
