using System.Buffers.Binary;

namespace Aster.Net.Quic;

/// <summary>QUIC variable-length integers (RFC 9000, section 16): 1, 2, 4 or 8 bytes, 62-bit values.</summary>
internal static class QuicVarint
{
    /// <summary>The largest value a varint can hold, 2^62 - 1.</summary>
    public const ulong MaxValue = (1UL << 62) - 1;

    /// <summary>The largest value that fits in one byte.</summary>
    public const ulong MaxOneByte = 63;

    /// <summary>The largest value that fits in two bytes.</summary>
    public const ulong MaxTwoBytes = 16383;

    /// <summary>The largest value that fits in four bytes.</summary>
    public const ulong MaxFourBytes = 1073741823;

    /// <summary>The minimal encoded length of <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value exceeds 2^62 - 1 (a local bug, never peer data).</exception>
    public static int GetLength(ulong value)
    {
        if (value <= MaxOneByte)
        {
            return 1;
        }

        if (value <= MaxTwoBytes)
        {
            return 2;
        }

        if (value <= MaxFourBytes)
        {
            return 4;
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxValue);
        return 8;
    }

    /// <summary>The encoded length announced by a varint's first byte.</summary>
    public static int GetLengthFromFirstByte(byte firstByte) => 1 << (firstByte >> 6);

    /// <summary>Reads a varint; false if <paramref name="source"/> is too short.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out ulong value, out int bytesRead)
    {
        if (source.IsEmpty)
        {
            value = 0;
            bytesRead = 0;
            return false;
        }

        int length = GetLengthFromFirstByte(source[0]);
        if (source.Length < length)
        {
            value = 0;
            bytesRead = 0;
            return false;
        }

        value = length switch
        {
            1 => source[0],
            2 => BinaryPrimitives.ReadUInt16BigEndian(source) & 0x3fffu,
            4 => BinaryPrimitives.ReadUInt32BigEndian(source) & 0x3fffffffu,
            _ => BinaryPrimitives.ReadUInt64BigEndian(source) & MaxValue,
        };
        bytesRead = length;
        return true;
    }

    /// <summary>True if a value read in <paramref name="encodedLength"/> bytes used the shortest encoding.</summary>
    public static bool IsMinimal(ulong value, int encodedLength) => GetLength(value) == encodedLength;

    /// <summary>Writes <paramref name="value"/> minimally; false if <paramref name="destination"/> is too short.</summary>
    public static bool TryWrite(Span<byte> destination, ulong value, out int bytesWritten)
    {
        int length = GetLength(value);
        if (destination.Length < length)
        {
            bytesWritten = 0;
            return false;
        }

        bytesWritten = WriteWithLength(destination, value, length);
        return true;
    }

    /// <summary>Writes <paramref name="value"/> minimally and returns the number of bytes written.</summary>
    /// <exception cref="ArgumentException">The destination is too short or the value exceeds 2^62 - 1.</exception>
    public static int Write(Span<byte> destination, ulong value) => WriteWithLength(destination, value, GetLength(value));

    /// <summary>Writes <paramref name="value"/> in exactly <paramref name="length"/> bytes (1, 2, 4 or 8), as Length fields reserved before the payload is known need.</summary>
    /// <exception cref="ArgumentException">The length is not allowed, too small for the value, or the destination is too short.</exception>
    public static int WriteWithLength(Span<byte> destination, ulong value, int length)
    {
        if (destination.Length < length)
        {
            throw new ArgumentException("Destination too short for the varint.", nameof(destination));
        }

        switch (length)
        {
            case 1 when value <= MaxOneByte:
                destination[0] = (byte)value;
                break;
            case 2 when value <= MaxTwoBytes:
                BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(0x4000 | value));
                break;
            case 4 when value <= MaxFourBytes:
                BinaryPrimitives.WriteUInt32BigEndian(destination, 0x8000_0000u | (uint)value);
                break;
            case 8 when value <= MaxValue:
                BinaryPrimitives.WriteUInt64BigEndian(destination, 0xC000_0000_0000_0000UL | value);
                break;
            default:
                throw new ArgumentException($"Cannot encode {value} as a {length}-byte varint.", nameof(length));
        }

        return length;
    }
}
