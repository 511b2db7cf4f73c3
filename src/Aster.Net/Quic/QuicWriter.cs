using System.Buffers.Binary;

namespace Aster.Net.Quic;

/// <summary>
/// A forward-only cursor that writes QUIC encodings into a caller-provided span. Running out of room is a local
/// bug (callers size their output with the <c>GetLength</c> helpers first) and throws <see cref="ArgumentException"/>.
/// </summary>
internal ref struct QuicWriter
{
    private readonly Span<byte> _buffer;
    private int _position;

    /// <summary>Creates a writer over <paramref name="buffer"/>.</summary>
    public QuicWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    /// <summary>Bytes written so far.</summary>
    public readonly int Position => _position;

    /// <summary>Room left.</summary>
    public readonly int Remaining => _buffer.Length - _position;

    /// <summary>The bytes written so far.</summary>
    public readonly Span<byte> Written => _buffer[.._position];

    /// <summary>The unwritten room.</summary>
    public readonly Span<byte> Free => _buffer[_position..];

    /// <summary>Writes one byte.</summary>
    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[_position++] = value;
    }

    /// <summary>Writes a big-endian 32-bit integer.</summary>
    public void WriteUInt32(uint value)
    {
        Ensure(4);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer[_position..], value);
        _position += 4;
    }

    /// <summary>Writes a minimal varint.</summary>
    public void WriteVarint(ulong value)
    {
        Ensure(QuicVarint.GetLength(value));
        _position += QuicVarint.Write(_buffer[_position..], value);
    }

    /// <summary>Writes a varint in exactly <paramref name="length"/> bytes.</summary>
    public void WriteVarint(ulong value, int length)
    {
        Ensure(length);
        _position += QuicVarint.WriteWithLength(_buffer[_position..], value, length);
    }

    /// <summary>Copies <paramref name="value"/>.</summary>
    public void WriteBytes(scoped ReadOnlySpan<byte> value)
    {
        Ensure(value.Length);
        value.CopyTo(_buffer[_position..]);
        _position += value.Length;
    }

    /// <summary>Writes <paramref name="count"/> zero bytes (PADDING frames, for instance).</summary>
    public void WriteZeros(int count)
    {
        Ensure(count);
        _buffer.Slice(_position, count).Clear();
        _position += count;
    }

    /// <summary>Moves past <paramref name="count"/> bytes the caller fills in itself.</summary>
    public void Advance(int count)
    {
        Ensure(count);
        _position += count;
    }

    private readonly void Ensure(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw new ArgumentException($"QUIC writer needs {count} bytes but has {Remaining} left.");
        }
    }
}
