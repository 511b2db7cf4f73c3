using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Aster.Compression.Zstd;

/// <summary>
/// Writes the bitstreams a <see cref="BackwardBitReader"/> reads (RFC 8878, section 4.1): bits go in from the low end of
/// the first byte onwards, and <see cref="Close"/> adds the end marker. Running out of room sets <see cref="Overflowed"/>
/// instead of throwing; the caller then falls back to a raw block.
/// </summary>
internal ref struct ForwardBitWriter
{
    private readonly Span<byte> _destination;
    private ulong _container;
    private int _count;
    private int _position;

    public ForwardBitWriter(Span<byte> destination)
    {
        _destination = destination;
    }

    /// <summary>True once the destination was too small; the written bytes are then incomplete.</summary>
    public bool Overflowed { get; private set; }

    /// <summary>Appends the low <paramref name="count"/> bits of <paramref name="value"/> (0 to 31 bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(ulong value, int count)
    {
        _container |= (value & ((1UL << count) - 1)) << _count;
        _count += count;
        if (_count >= 32)
        {
            FlushWord();
        }
    }

    /// <summary>Adds the end marker and the last partial byte; returns the number of bytes written.</summary>
    public int Close()
    {
        Add(1, 1);
        int bytes = (_count + 7) >> 3;
        if (_position + bytes > _destination.Length)
        {
            Overflowed = true;
            return _position;
        }

        for (int i = 0; i < bytes; i++)
        {
            _destination[_position++] = (byte)(_container >> (8 * i));
        }

        _container = 0;
        _count = 0;
        return _position;
    }

    private void FlushWord()
    {
        if (_position + 4 <= _destination.Length)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(_destination[_position..], (uint)_container);
            _position += 4;
        }
        else
        {
            Overflowed = true;
        }

        _container >>= 32;
        _count -= 32;
    }
}
