using System.Text;

namespace Aster.Net.Identity;

/// <summary>
/// Reads the subset of postcard 1.x (serde's compact binary format) that iroh tickets use: LEB128 varints for
/// integers, lengths and enum variant indices; raw bytes for fixed arrays; varint length + UTF-8 for strings.
/// Like postcard it accepts any varint that fits the type (including over-long encodings); every failure is an
/// <see cref="AddressFormatException"/> with the byte offset.
/// </summary>
internal ref struct PostcardReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly string _what;

    public PostcardReader(ReadOnlySpan<byte> data, string what)
    {
        _data = data;
        _what = what;
        Position = 0;
    }

    public int Position { get; private set; }

    public readonly int Remaining => _data.Length - Position;

    public byte ReadByte(string field)
    {
        if (Position >= _data.Length)
        {
            throw Truncated(field);
        }

        return _data[Position++];
    }

    public ReadOnlySpan<byte> ReadBytes(int count, string field)
    {
        if (count > Remaining)
        {
            throw Truncated(field);
        }

        ReadOnlySpan<byte> slice = _data.Slice(Position, count);
        Position += count;
        return slice;
    }

    /// <summary>Reads a varint of at most <paramref name="maxBits"/> significant bits (16, 32 or 64).</summary>
    public ulong ReadVarint(int maxBits, string field)
    {
        int start = Position;
        int maxBytes = (maxBits + 6) / 7;
        ulong value = 0;
        for (int i = 0; i < maxBytes; i++)
        {
            byte b = ReadByte(field);
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                int lastBits = maxBits - (7 * i);
                if (i == maxBytes - 1 && lastBits < 7 && b >> lastBits != 0)
                {
                    throw Error($"the {field} varint does not fit in {maxBits} bits", start);
                }

                return value;
            }
        }

        throw Error($"the {field} varint is longer than {maxBytes} bytes", start);
    }

    /// <summary>A length or count that must not exceed the bytes left (each element takes at least one byte).</summary>
    public int ReadLength(string field)
    {
        int start = Position;
        ulong length = ReadVarint(64, field);
        if (length > (ulong)Remaining)
        {
            throw Error($"the {field} {length} is more than the {Remaining} bytes that remain", start);
        }

        return (int)length;
    }

    public string ReadString(string field)
    {
        int length = ReadLength(field + " length");
        int start = Position;
        ReadOnlySpan<byte> bytes = ReadBytes(length, field);
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Error($"the {field} is not valid UTF-8", start);
        }
    }

    public readonly AddressFormatException Error(string reason, int offset) => IdentityErrors.AddressAtByte(_what, reason, offset);

    private readonly AddressFormatException Truncated(string field) => Error($"truncated while reading the {field}", _data.Length);
}

/// <summary>Writes the postcard subset of <see cref="PostcardReader"/>, always in canonical (shortest) form.</summary>
internal sealed class PostcardWriter
{
    private readonly List<byte> _buffer = new(64);

    public void WriteByte(byte value) => _buffer.Add(value);

    public void WriteBytes(ReadOnlySpan<byte> bytes) => _buffer.AddRange(bytes);

    public void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.Add((byte)(value | 0x80));
            value >>= 7;
        }

        _buffer.Add((byte)value);
    }

    public void WriteString(string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        WriteVarint((ulong)bytes.Length);
        WriteBytes(bytes);
    }

    public byte[] ToArray() => [.. _buffer];
}
