using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Aster.Fory.IO;

/// <summary>
/// Writes Fory primitives to an <see cref="IBufferWriter{T}"/>, caching the current span so that most writes are a
/// bounds check and a store. Call <see cref="Flush"/> when done.
/// </summary>
internal ref struct ForyWriter
{
    private const int MinChunk = 256;
    private readonly IBufferWriter<byte> _output;
    private Span<byte> _span;
    private int _pos;
    private long _flushed;
    private readonly WriterDialect _dialect;
    private readonly int _maxDepth;
    private int _depth;

    public ForyWriter(IBufferWriter<byte> output, WriterDialect dialect = WriterDialect.Pyfory, int maxDepth = 64)
    {
        _output = output;
        _dialect = dialect;
        _maxDepth = maxDepth;
        _depth = 0;
        _span = output.GetSpan(MinChunk);
        _pos = 0;
        _flushed = 0;
    }

    /// <summary>Bytes written so far.</summary>
    public readonly long Position => _flushed + _pos;

    /// <summary>Commits the written bytes to the underlying writer.</summary>
    public void Flush()
    {
        if (_pos > 0)
        {
            _output.Advance(_pos);
            _flushed += _pos;
            _pos = 0;
        }

        _span = default;
    }

    /// <summary>Enters a record or collection; throws past the depth limit (a cycle through plain fields ends here).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void EnterDepth(string typeName)
    {
        if (++_depth > _maxDepth)
        {
            TooDeep(typeName);
        }
    }

    /// <summary>Leaves a record or collection entered with <see cref="EnterDepth"/>.</summary>
    public void ExitDepth() => _depth--;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void TooDeep(string typeName) =>
        throw new ForyEncodeException($"nesting deeper than {_maxDepth} (a reference cycle through fields?)", typeName);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Ensure(int count)
    {
        if ((uint)(_span.Length - _pos) < (uint)count)
        {
            Grow(count);
        }

        return _span.Slice(_pos);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int count)
    {
        if (_pos > 0)
        {
            _output.Advance(_pos);
            _flushed += _pos;
            _pos = 0;
        }

        _span = _output.GetSpan(Math.Max(count, MinChunk));
        if (_span.Length < count)
        {
            throw new ForyEncodeException($"output buffer returned {_span.Length} bytes, {count} needed");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteByte(byte value)
    {
        Span<byte> s = Ensure(1);
        s[0] = value;
        _pos++;
    }

    public void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public void WriteInt8(sbyte value) => WriteByte((byte)value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteInt16(short value)
    {
        BinaryPrimitives.WriteInt16LittleEndian(Ensure(2), value);
        _pos += 2;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(Ensure(4), value);
        _pos += 4;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(Ensure(8), value);
        _pos += 8;
    }

    public void WriteUInt64(ulong value) => WriteInt64((long)value);

    public void WriteFloat32(float value)
    {
        BinaryPrimitives.WriteSingleLittleEndian(Ensure(4), value);
        _pos += 4;
    }

    public void WriteFloat64(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(Ensure(8), value);
        _pos += 8;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteVarUInt32(uint value)
    {
        Span<byte> s = Ensure(5);
        if (value < 0x80)
        {
            s[0] = (byte)value;
            _pos++;
            return;
        }

        int i = 0;
        while (value >= 0x80)
        {
            s[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        s[i++] = (byte)value;
        _pos += i;
    }

    /// <summary>The encoded length of a varuint32 (1 to 5 bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int VarUInt32Length(uint value) => value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x20_0000 ? 3 : value < 0x1000_0000 ? 4 : 5;

    /// <summary>Writes a varuint32 at the start of <paramref name="dst"/> (room already ensured); does not advance.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteVarUInt32At(Span<byte> dst, uint value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            dst[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        dst[i] = (byte)value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteVarInt32(int value) => WriteVarUInt32((uint)((value << 1) ^ (value >> 31)));

    /// <summary>Fory's 1-to-9-byte unsigned varint: the ninth byte carries 8 bits.</summary>
    public void WriteVarUInt64(ulong value)
    {
        Span<byte> s = Ensure(9);
        int i = 0;
        while (i < 8)
        {
            if (value < 0x80)
            {
                s[i++] = (byte)value;
                _pos += i;
                return;
            }

            s[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        s[8] = (byte)value;
        _pos += 9;
    }

    public void WriteVarInt64(long value) => WriteVarUInt64((ulong)((value << 1) ^ (value >> 63)));

    public void WriteTaggedInt64(long value)
    {
        if (value >= -(1L << 30) && value < (1L << 30))
        {
            WriteInt32((int)value << 1);
        }
        else
        {
            Span<byte> s = Ensure(9);
            s[0] = 1;
            BinaryPrimitives.WriteInt64LittleEndian(s.Slice(1), value);
            _pos += 9;
        }
    }

    public void WriteTaggedUInt64(ulong value)
    {
        if (value < (1UL << 31))
        {
            WriteInt32((int)((uint)value << 1));
        }
        else
        {
            Span<byte> s = Ensure(9);
            s[0] = 1;
            BinaryPrimitives.WriteUInt64LittleEndian(s.Slice(1), value);
            _pos += 9;
        }
    }

    public void WriteBytes(scoped ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Ensure(bytes.Length));
        _pos += bytes.Length;
    }

    /// <summary>Writes characters the caller knows to be ASCII, one byte each (JSON text).</summary>
    public void WriteAscii(scoped ReadOnlySpan<char> text)
    {
        Span<byte> dst = Ensure(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            dst[i] = (byte)text[i];
        }

        _pos += text.Length;
    }

    /// <summary>Writes a number in its invariant UTF-8 text form (JSON text).</summary>
    public void WriteFormatted<T>(T value)
        where T : IUtf8SpanFormattable
    {
        if (!value.TryFormat(Ensure(32), out int written, default, System.Globalization.CultureInfo.InvariantCulture))
        {
            throw new ForyEncodeException($"{typeof(T).Name} value does not format in 32 bytes");
        }

        _pos += written;
    }

    /// <summary>A length-prefixed binary value.</summary>
    public void WriteBinary(scoped ReadOnlySpan<byte> bytes)
    {
        WriteVarUInt32((uint)bytes.Length);
        WriteBytes(bytes);
    }

    /// <summary>
    /// Writes a string as pyfory does: LATIN1 when every char is at most U+00FF, else UTF-16LE unless the string has
    /// a surrogate pair, else UTF-8.
    /// </summary>
    public void WriteString(string value)
    {
        ReadOnlySpan<char> chars = value.AsSpan();
        int n = chars.Length;
        if (n == 0)
        {
            WriteByte(0);
            return;
        }

        if (_dialect != WriterDialect.Pyfory)
        {
            WriteStringDialect(chars);
            return;
        }

        if (n < ShortString && TryWriteShortAscii(chars))
        {
            return;
        }

        // ASCII (the common case): narrow straight into the output after room for the header; one pass.
        uint asciiHeader = (uint)n << 2;
        int headerLength = VarUInt32Length(asciiHeader);
        Span<byte> dst = Ensure(headerLength + n);
        if (Ascii.FromUtf16(chars, dst.Slice(headerLength), out _) == OperationStatus.Done)
        {
            WriteVarUInt32At(dst, asciiHeader);
            _pos += headerLength + n;
            return;
        }

        int firstWide = chars.IndexOfAnyExceptInRange('\0', '\u00ff');
        if (firstWide < 0)
        {
            // LATIN1
            WriteVarUInt32((uint)n << 2);
            Encoding.Latin1.GetBytes(chars, Ensure(n));
            _pos += n;
            return;
        }

        if (!HasSurrogatePair(chars, firstWide))
        {
            WriteVarUInt32(((uint)n << 3) | 1);
            dst = Ensure(n * 2);
            if (BitConverter.IsLittleEndian)
            {
                MemoryMarshal.AsBytes(chars).CopyTo(dst);
            }
            else
            {
                for (int i = 0; i < n; i++)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(dst.Slice(i * 2), chars[i]);
                }
            }

            _pos += n * 2;
            return;
        }

        int byteCount = Encoding.UTF8.GetByteCount(chars);
        WriteVarUInt32(((uint)byteCount << 2) | 2);
        Span<byte> utf8 = Ensure(byteCount);
        Encoding.UTF8.GetBytes(chars, utf8);
        _pos += byteCount;
    }

    /// <summary>Strings shorter than this have a one-byte header and are narrowed by a scalar loop.</summary>
    private const int ShortString = 32;

    /// <summary>
    /// The short ASCII string: header and characters in one span, narrowed by a plain loop (for a few characters it
    /// beats the vectorised <see cref="Ascii.FromUtf16(ReadOnlySpan{char}, Span{byte}, out int)"/>, whose set-up
    /// dominates). Returns false, having written nothing, when a character is not ASCII.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryWriteShortAscii(ReadOnlySpan<char> chars)
    {
        Span<byte> dst = Ensure(chars.Length + 1);
        Span<byte> body = dst.Slice(1, chars.Length);
        uint seen = 0;
        for (int i = 0; i < body.Length; i++)
        {
            uint c = chars[i];
            seen |= c;
            body[i] = (byte)c;
        }

        if (seen >= 0x80)
        {
            return false;
        }

        dst[0] = (byte)(chars.Length << 2);
        _pos += chars.Length + 1;
        return true;
    }

    private void WriteStringDialect(ReadOnlySpan<char> chars)
    {
        int n = chars.Length;
        bool latin1 = _dialect == WriterDialect.ForyJs ? Ascii.IsValid(chars) : chars.IndexOfAnyExceptInRange('\0', '\u00ff') < 0;
        if (latin1)
        {
            WriteVarUInt32((uint)n << 2);
            Encoding.Latin1.GetBytes(chars, Ensure(n));
            _pos += n;
        }
        else if (_dialect == WriterDialect.ForyJsDetector)
        {
            WriteVarUInt32(((uint)n << 3) | 1);
            Encoding.Unicode.GetBytes(chars, Ensure(n * 2));
            _pos += n * 2;
        }
        else
        {
            int byteCount = Encoding.UTF8.GetByteCount(chars);
            WriteVarUInt32(((uint)byteCount << 2) | 2);
            Encoding.UTF8.GetBytes(chars, Ensure(byteCount));
            _pos += byteCount;
        }
    }

    private static bool HasSurrogatePair(ReadOnlySpan<char> chars, int start)
    {
        int i = chars.Slice(start).IndexOfAnyInRange('\ud800', '\udbff');
        if (i < 0)
        {
            return false;
        }

        for (i += start; i < chars.Length - 1; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && char.IsLowSurrogate(chars[i + 1]))
            {
                return true;
            }
        }

        return false;
    }
}
