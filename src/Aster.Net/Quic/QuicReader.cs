using System.Buffers.Binary;

namespace Aster.Net.Quic;

/// <summary>
/// A forward-only cursor over peer bytes. Every read is bounds-checked in every build: the <c>Try</c> methods return
/// false and consume nothing when the input is short; the other methods throw <see cref="QuicProtocolException"/>
/// with the error code the caller names (FRAME_ENCODING_ERROR unless told otherwise).
/// </summary>
internal ref struct QuicReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    /// <summary>Creates a reader over <paramref name="buffer"/>.</summary>
    public QuicReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
        Error = QuicTransportError.FrameEncodingError;
        FrameType = null;
    }

    /// <summary>The error code thrown by the throwing reads.</summary>
    public QuicTransportError Error { get; set; }

    /// <summary>The frame type reported with errors thrown by the throwing reads, if any.</summary>
    public ulong? FrameType { get; set; }

    /// <summary>Bytes consumed so far.</summary>
    public readonly int Position => _position;

    /// <summary>Bytes left.</summary>
    public readonly int Remaining => _buffer.Length - _position;

    /// <summary>True when everything has been consumed.</summary>
    public readonly bool IsEmpty => _position >= _buffer.Length;

    /// <summary>The unread bytes.</summary>
    public readonly ReadOnlySpan<byte> RemainingSpan => _buffer[_position..];

    /// <summary>Reads one byte.</summary>
    public bool TryReadByte(out byte value)
    {
        if (_position >= _buffer.Length)
        {
            value = 0;
            return false;
        }

        value = _buffer[_position++];
        return true;
    }

    /// <summary>Reads a big-endian 32-bit integer.</summary>
    public bool TryReadUInt32(out uint value)
    {
        if (Remaining < 4)
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt32BigEndian(_buffer.Slice(_position, 4));
        _position += 4;
        return true;
    }

    /// <summary>Reads a varint (non-minimal encodings are accepted, as RFC 9000 allows).</summary>
    public bool TryReadVarint(out ulong value)
    {
        if (!QuicVarint.TryRead(_buffer[_position..], out value, out int length))
        {
            return false;
        }

        _position += length;
        return true;
    }

    /// <summary>Reads a varint and reports how many bytes it took.</summary>
    public bool TryReadVarint(out ulong value, out int encodedLength)
    {
        if (!QuicVarint.TryRead(_buffer[_position..], out value, out encodedLength))
        {
            return false;
        }

        _position += encodedLength;
        return true;
    }

    /// <summary>Takes <paramref name="length"/> bytes without copying.</summary>
    public bool TryReadBytes(int length, out ReadOnlySpan<byte> value)
    {
        if (length < 0 || length > Remaining)
        {
            value = default;
            return false;
        }

        value = _buffer.Slice(_position, length);
        _position += length;
        return true;
    }

    /// <summary>Reads a one-byte length then that many bytes, the length being at most <paramref name="maxLength"/>.</summary>
    public bool TryReadLengthPrefixed8(int maxLength, out ReadOnlySpan<byte> value)
    {
        int start = _position;
        if (!TryReadByte(out byte length) || length > maxLength || !TryReadBytes(length, out value))
        {
            _position = start;
            value = default;
            return false;
        }

        return true;
    }

    /// <summary>Skips <paramref name="length"/> bytes.</summary>
    public bool TrySkip(int length)
    {
        if (length < 0 || length > Remaining)
        {
            return false;
        }

        _position += length;
        return true;
    }

    /// <summary>Reads one byte or throws.</summary>
    public byte ReadByte()
    {
        if (!TryReadByte(out byte value))
        {
            ThrowShort("a byte");
        }

        return value;
    }

    /// <summary>Reads a varint or throws.</summary>
    public ulong ReadVarint()
    {
        if (!TryReadVarint(out ulong value))
        {
            ThrowShort("a variable-length integer");
        }

        return value;
    }

    /// <summary>Reads <paramref name="length"/> bytes or throws.</summary>
    public ReadOnlySpan<byte> ReadBytes(int length)
    {
        if (!TryReadBytes(length, out ReadOnlySpan<byte> value))
        {
            ThrowShort($"{length} bytes");
        }

        return value;
    }

    /// <summary>
    /// Reads a varint length, checks it against the remaining bytes and against <paramref name="limit"/>, then
    /// takes that many bytes; throws otherwise.
    /// </summary>
    public ReadOnlySpan<byte> ReadVarintLengthPrefixed(int limit, string what)
    {
        ulong length = ReadVarint();
        if (length > (ulong)limit)
        {
            QuicErrors.Throw(Error, $"{what} length {length} exceeds the limit of {limit} bytes.", FrameType);
        }

        if (length > (ulong)Remaining)
        {
            QuicErrors.Throw(Error, $"{what} length {length} exceeds the {Remaining} bytes left.", FrameType);
        }

        return ReadBytes((int)length);
    }

    private readonly void ThrowShort(string what) =>
        QuicErrors.Throw(Error, $"Truncated input: expected {what} at offset {_position}, {Remaining} bytes left.", FrameType);
}
