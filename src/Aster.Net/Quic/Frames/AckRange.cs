namespace Aster.Net.Quic.Frames;

/// <summary>An inclusive range of acknowledged packet numbers.</summary>
/// <param name="Smallest">The smallest packet number in the range.</param>
/// <param name="Largest">The largest packet number in the range.</param>
internal readonly record struct AckRange(ulong Smallest, ulong Largest);

/// <summary>ECN counts carried by ACK_ECN frames (type 0x03).</summary>
/// <param name="Ect0">ECT(0) count.</param>
/// <param name="Ect1">ECT(1) count.</param>
/// <param name="CeCount">ECN-CE count.</param>
internal readonly record struct EcnCounts(ulong Ect0, ulong Ect1, ulong CeCount);

/// <summary>
/// Walks the ranges of a validated ACK frame, largest first, without allocating. The first range is the one
/// ending at the largest acknowledged packet.
/// </summary>
internal ref struct AckRangeEnumerator
{
    private QuicReader _reader;
    private ulong _smallest;
    private ulong _firstLargest;
    private ulong _firstRange;
    private bool _started;

    /// <summary>Creates the enumerator over the encoded additional ranges.</summary>
    public AckRangeEnumerator(ulong largest, ulong firstRange, ReadOnlySpan<byte> encodedRanges)
    {
        _reader = new QuicReader(encodedRanges);
        _firstLargest = largest;
        _firstRange = firstRange;
        _smallest = 0;
        _started = false;
        Current = default;
    }

    /// <summary>The current range.</summary>
    public AckRange Current { get; private set; }

    /// <summary>Returns this enumerator (for <c>foreach</c>).</summary>
    public readonly AckRangeEnumerator GetEnumerator() => this;

    /// <summary>Moves to the next range.</summary>
    public bool MoveNext()
    {
        if (!_started)
        {
            _started = true;
            _smallest = _firstLargest - _firstRange;
            Current = new AckRange(_smallest, _firstLargest);
            return true;
        }

        // The frame was validated when parsed, so these reads and subtractions cannot fail.
        if (!_reader.TryReadVarint(out ulong gap) || !_reader.TryReadVarint(out ulong length))
        {
            return false;
        }

        ulong largest = _smallest - gap - 2;
        _smallest = largest - length;
        Current = new AckRange(_smallest, largest);
        return true;
    }
}
