using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Aster.Fory.IO;

/// <summary>A bounds-checked reader over one message. Every failure is a <see cref="ForyDecodeException"/>.</summary>
internal ref struct ForyReader
{
    private static readonly UTF8Encoding _strictUtf8 = new(false, true);
    private readonly ReadOnlySpan<byte> _buffer;
    private int _pos;

    public ForyReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _pos = 0;
    }

    public readonly int Position => _pos;

    public readonly int Remaining => _buffer.Length - _pos;

    public readonly ReadOnlySpan<byte> Buffer => _buffer;

    [DoesNotReturn]
    public readonly void Fail(string message, string? typeName = null, string? limit = null) =>
        throw new ForyDecodeException(message, _pos, typeName, limit);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void Truncated(int needed) =>
        throw new ForyDecodeException($"truncated data: {needed} more byte(s) needed, {Remaining} left", _pos);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> Take(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _pos))
        {
            Truncated(count);
        }

        ReadOnlySpan<byte> s = _buffer.Slice(_pos, count);
        _pos += count;
        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte ReadByte()
    {
        if ((uint)_pos >= (uint)_buffer.Length)
        {
            Truncated(1);
        }

        return _buffer[_pos++];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly byte PeekByte()
    {
        if ((uint)_pos >= (uint)_buffer.Length)
        {
            Truncated(1);
        }

        return _buffer[_pos];
    }

    public bool ReadBool() => ReadByte() != 0;

    public sbyte ReadInt8() => (sbyte)ReadByte();

    public short ReadInt16() => BinaryPrimitives.ReadInt16LittleEndian(Take(2));

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public float ReadFloat32() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

    public double ReadFloat64() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint ReadVarUInt32()
    {
        if ((uint)_pos < (uint)_buffer.Length)
        {
            byte b = _buffer[_pos];
            if (b < 0x80)
            {
                _pos++;
                return b;
            }
        }

        return ReadVarUInt32Slow();
    }

    private uint ReadVarUInt32Slow()
    {
        uint result = 0;
        for (int shift = 0; shift < 35; shift += 7)
        {
            byte b = ReadByte();
            result |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        _pos--;
        Fail("varuint32 longer than 5 bytes");
        return 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ReadVarInt32()
    {
        uint v = ReadVarUInt32();
        return (int)(v >> 1) ^ -(int)(v & 1);
    }

    public ulong ReadVarUInt64()
    {
        if ((uint)_pos < (uint)_buffer.Length)
        {
            byte first = _buffer[_pos];
            if (first < 0x80)
            {
                _pos++;
                return first;
            }
        }

        ulong result = 0;
        for (int shift = 0; shift < 56; shift += 7)
        {
            byte b = ReadByte();
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        return result | ((ulong)ReadByte() << 56);
    }

    public long ReadVarInt64()
    {
        ulong v = ReadVarUInt64();
        return (long)(v >> 1) ^ -(long)(v & 1);
    }

    public long ReadTaggedInt64()
    {
        byte first = PeekByte();
        if ((first & 1) == 0)
        {
            return ReadInt32() >> 1;
        }

        _pos++;
        return ReadInt64();
    }

    public ulong ReadTaggedUInt64()
    {
        byte first = PeekByte();
        if ((first & 1) == 0)
        {
            return ReadUInt32() >> 1;
        }

        _pos++;
        return ReadUInt64();
    }

    public ReadOnlySpan<byte> ReadSpan(int count) => Take(count);

    /// <summary>Checks a declared count against the bytes left (each item takes at least one byte) and a limit.</summary>
    public readonly void CheckCount(uint count, int limit, string what)
    {
        if (count > (uint)limit)
        {
            Fail($"{what} count {count} exceeds the limit {limit}", limit: "MaxCollectionLength");
        }

        if (count > (uint)Remaining)
        {
            Fail($"{what} count {count} exceeds the {Remaining} bytes left");
        }
    }

    public ReadOnlySpan<byte> ReadBinarySpan(int maxBytes)
    {
        uint length = ReadVarUInt32();
        if (length > (uint)maxBytes)
        {
            Fail($"binary length {length} exceeds the limit {maxBytes}", limit: "MaxBinaryBytes");
        }

        return Take((int)length);
    }

    public string ReadString(int maxBytes)
    {
        uint header = ReadVarUInt32();
        uint length = header >> 2;
        int encoding = (int)(header & 3);
        if (length > (uint)maxBytes)
        {
            Fail($"string length {length} exceeds the limit {maxBytes}", limit: "MaxStringBytes");
        }

        if (length == 0)
        {
            if (encoding == 3)
            {
                Fail("unknown string encoding 3");
            }

            return string.Empty;
        }

        int start = _pos;
        ReadOnlySpan<byte> bytes = Take((int)length);
        switch (encoding)
        {
            case 0:
                return Encoding.Latin1.GetString(bytes);
            case 1:
                if ((length & 1) != 0)
                {
                    _pos = start;
                    Fail($"UTF-16 string of odd byte length {length}");
                }

                if (BitConverter.IsLittleEndian)
                {
                    return new string(MemoryMarshal.Cast<byte, char>(bytes));
                }

                return Encoding.Unicode.GetString(bytes);
            case 2:
                try
                {
                    return _strictUtf8.GetString(bytes);
                }
                catch (DecoderFallbackException e)
                {
                    throw new ForyDecodeException("invalid UTF-8 in string", start, inner: e);
                }

            default:
                throw new ForyDecodeException("unknown string encoding 3", start);
        }
    }
}
