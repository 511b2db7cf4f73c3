using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Aster.Contracts;

/// <summary>The canonical primitives of contracts-and-fory.md A2 (varints, strings, bytes, lists, optionals).</summary>
internal sealed class CanonicalWriter
{
    private const byte ListElementHeader = 0x0c;
    private const byte OptionalAbsent = 0xfd;
    private const byte OptionalPresent = 0x00;

    private readonly ArrayBufferWriter<byte> _buffer = new(256);

    public int Length => _buffer.WrittenCount;

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    public void WriteVarUInt(ulong value)
    {
        Span<byte> span = _buffer.GetSpan(10);
        int i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        _buffer.Advance(i);
    }

    public void WriteInt32(int value) => WriteVarUInt((uint)((value << 1) ^ (value >> 31)));

    public void WriteByte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    public void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public void WriteString(string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        WriteVarUInt(((ulong)length << 2) | 2);
        int written = Encoding.UTF8.GetBytes(value, _buffer.GetSpan(length));
        _buffer.Advance(written);
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteVarUInt((ulong)value.Length);
        value.CopyTo(_buffer.GetSpan(value.Length));
        _buffer.Advance(value.Length);
    }

    public void WriteFloat64(double value)
    {
        // +0.0, never -0.0 (A2).
        if (value == 0)
        {
            value = 0;
        }

        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    public void WriteListHeader(int count)
    {
        WriteVarUInt((ulong)count);
        WriteByte(ListElementHeader);
    }

    public void WriteAbsent() => WriteByte(OptionalAbsent);

    public void WritePresent() => WriteByte(OptionalPresent);
}
