using System.Runtime.CompilerServices;

namespace Aster.Net.Quic.Recovery;

/// <summary>A half-open range of unsigned integers, <c>[Start, End)</c>.</summary>
/// <param name="Start">The first value in the range.</param>
/// <param name="End">One past the last value in the range; always greater than <paramref name="Start"/>.</param>
internal readonly record struct ValueRange(ulong Start, ulong End)
{
    /// <summary>Gets the number of values in the range.</summary>
    public ulong Length => End - Start;

    /// <summary>Gets the last value in the range (inclusive).</summary>
    public ulong Last => End - 1;
}

/// <summary>
/// A sorted set of disjoint, non-adjacent half-open ranges of <see cref="ulong"/> values. It holds received packet
/// numbers (ACK ranges), acknowledged stream offsets and received stream offsets.
/// </summary>
/// <remarks>
/// Ranges are kept in ascending order in one list; adding at the top end (the common case for packet numbers and
/// stream offsets) is O(1). When <see cref="MaxRanges"/> is set and an insertion would exceed it, the lowest ranges
/// are dropped first, as RFC 9000 section 13.2.4 suggests for ACK ranges.
/// </remarks>
internal sealed class RangeSet
{
    private readonly List<ValueRange> _ranges = [];

    /// <summary>Initializes a new instance of the <see cref="RangeSet"/> class.</summary>
    /// <param name="maxRanges">The most ranges kept; the lowest are dropped beyond it. Zero means unbounded.</param>
    public RangeSet(int maxRanges = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRanges);
        MaxRanges = maxRanges;
    }

    /// <summary>Gets the most ranges kept (zero means unbounded).</summary>
    public int MaxRanges { get; }

    /// <summary>Gets the number of disjoint ranges.</summary>
    public int Count => _ranges.Count;

    /// <summary>Gets a value indicating whether the set is empty.</summary>
    public bool IsEmpty => _ranges.Count == 0;

    /// <summary>Gets the smallest value in the set. The set must not be empty.</summary>
    public ulong Min => _ranges[0].Start;

    /// <summary>Gets the largest value in the set. The set must not be empty.</summary>
    public ulong Max => _ranges[^1].End - 1;

    /// <summary>Gets the range at an ascending index.</summary>
    /// <param name="index">The index, 0 being the lowest range.</param>
    public ValueRange this[int index] => _ranges[index];

    /// <summary>Removes every range.</summary>
    public void Clear() => _ranges.Clear();

    /// <summary>Adds one value.</summary>
    /// <param name="value">The value; must be less than <see cref="ulong.MaxValue"/>.</param>
    /// <returns><see langword="true"/> if the value was not present before.</returns>
    public bool Add(ulong value) => Add(value, value + 1);

    /// <summary>Adds the half-open range <c>[start, end)</c>.</summary>
    /// <param name="start">The first value.</param>
    /// <param name="end">One past the last value.</param>
    /// <returns><see langword="true"/> if at least one value was not present before.</returns>
    public bool Add(ulong start, ulong end)
    {
        if (end <= start)
        {
            return false;
        }

        int count = _ranges.Count;
        if (count == 0 || _ranges[count - 1].End < start)
        {
            _ranges.Add(new ValueRange(start, end));
            Trim();
            return true;
        }

        // First range that overlaps or touches [start, end): the first with End >= start.
        int first = FirstWithEndAtLeast(start);
        if (first == count || _ranges[first].Start > end)
        {
            _ranges.Insert(first, new ValueRange(start, end));
            Trim();
            return true;
        }

        // Ranges first..last overlap or touch; merge them.
        int last = first;
        while (last + 1 < count && _ranges[last + 1].Start <= end)
        {
            last++;
        }

        ValueRange head = _ranges[first];
        ValueRange tail = _ranges[last];
        bool added = first != last || start < head.Start || end > head.End;
        if (!added)
        {
            return false;
        }

        _ranges[first] = new ValueRange(Math.Min(start, head.Start), Math.Max(end, tail.End));
        if (last > first)
        {
            _ranges.RemoveRange(first + 1, last - first);
        }

        return true;
    }

    /// <summary>Removes the half-open range <c>[start, end)</c>.</summary>
    /// <param name="start">The first value.</param>
    /// <param name="end">One past the last value.</param>
    /// <returns><see langword="true"/> if at least one value was removed.</returns>
    public bool Remove(ulong start, ulong end)
    {
        if (end <= start || _ranges.Count == 0)
        {
            return false;
        }

        int i = FirstWithEndAtLeast(start + 1);
        bool removed = false;
        while (i < _ranges.Count)
        {
            ValueRange r = _ranges[i];
            if (r.Start >= end)
            {
                break;
            }

            removed = true;
            if (r.Start < start && r.End > end)
            {
                _ranges[i] = new ValueRange(r.Start, start);
                _ranges.Insert(i + 1, new ValueRange(end, r.End));
                Trim();
                return true;
            }

            if (r.Start < start)
            {
                _ranges[i] = new ValueRange(r.Start, start);
                i++;
            }
            else if (r.End > end)
            {
                _ranges[i] = new ValueRange(end, r.End);
                break;
            }
            else
            {
                _ranges.RemoveAt(i);
            }
        }

        return removed;
    }

    /// <summary>Removes every value below <paramref name="bound"/>.</summary>
    /// <param name="bound">The smallest value kept.</param>
    public void RemoveBelow(ulong bound)
    {
        if (bound > 0)
        {
            Remove(0, bound);
        }
    }

    /// <summary>Removes and returns the lowest range. The set must not be empty.</summary>
    /// <returns>The lowest range.</returns>
    public ValueRange PopMin()
    {
        ValueRange r = _ranges[0];
        _ranges.RemoveAt(0);
        return r;
    }

    /// <summary>Tells whether a value is in the set.</summary>
    /// <param name="value">The value.</param>
    /// <returns><see langword="true"/> if present.</returns>
    public bool Contains(ulong value)
    {
        int i = FirstWithEndAtLeast(value + 1);
        return i < _ranges.Count && _ranges[i].Start <= value;
    }

    /// <summary>Tells whether every value of <c>[start, end)</c> is in the set.</summary>
    /// <param name="start">The first value.</param>
    /// <param name="end">One past the last value.</param>
    /// <returns><see langword="true"/> if the whole range is present (an empty range is always present).</returns>
    public bool ContainsRange(ulong start, ulong end)
    {
        if (end <= start)
        {
            return true;
        }

        int i = FirstWithEndAtLeast(start + 1);
        return i < _ranges.Count && _ranges[i].Start <= start && _ranges[i].End >= end;
    }

    /// <summary>Returns the range that contains <paramref name="value"/>, if any.</summary>
    /// <param name="value">The value.</param>
    /// <param name="range">The containing range.</param>
    /// <returns><see langword="true"/> if the value is present.</returns>
    public bool TryGetRange(ulong value, out ValueRange range)
    {
        int i = FirstWithEndAtLeast(value + 1);
        if (i < _ranges.Count && _ranges[i].Start <= value)
        {
            range = _ranges[i];
            return true;
        }

        range = default;
        return false;
    }

    /// <summary>Returns the lowest range that has a value at or above <paramref name="value"/>.</summary>
    /// <param name="value">The value.</param>
    /// <param name="range">The range (it may start below <paramref name="value"/> if it contains it).</param>
    /// <returns><see langword="false"/> if every range lies below the value.</returns>
    public bool TryGetFirstRangeEndingAbove(ulong value, out ValueRange range)
    {
        int i = FirstWithEndAtLeast(value + 1);
        if (i < _ranges.Count)
        {
            range = _ranges[i];
            return true;
        }

        range = default;
        return false;
    }

    /// <summary>Enumerates the ranges from the highest to the lowest, the order of an ACK frame.</summary>
    /// <returns>An allocation-free enumerator.</returns>
    public DescendingEnumerator Descending() => new(this);

    /// <summary>Enumerates the ranges from the lowest to the highest.</summary>
    /// <returns>An allocation-free enumerator.</returns>
    public List<ValueRange>.Enumerator GetEnumerator() => _ranges.GetEnumerator();

    /// <summary>Copies the ranges, highest first, into <paramref name="destination"/>.</summary>
    /// <param name="destination">The destination.</param>
    /// <returns>The number of ranges written (at most the destination length).</returns>
    public int CopyDescending(Span<ValueRange> destination)
    {
        int n = Math.Min(destination.Length, _ranges.Count);
        for (int i = 0; i < n; i++)
        {
            destination[i] = _ranges[_ranges.Count - 1 - i];
        }

        return n;
    }

    /// <inheritdoc/>
    public override string ToString() => string.Join(",", _ranges.Select(r => $"[{r.Start},{r.End})"));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Trim()
    {
        if (MaxRanges > 0 && _ranges.Count > MaxRanges)
        {
            _ranges.RemoveRange(0, _ranges.Count - MaxRanges);
        }
    }

    // Index of the first range whose End >= value, or Count.
    private int FirstWithEndAtLeast(ulong value)
    {
        int lo = 0;
        int hi = _ranges.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_ranges[mid].End >= value)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }

    /// <summary>Enumerates ranges from the highest to the lowest.</summary>
    internal struct DescendingEnumerator
    {
        private readonly RangeSet _set;
        private int _index;

        /// <summary>Initializes a new instance of the <see cref="DescendingEnumerator"/> struct.</summary>
        /// <param name="set">The set.</param>
        public DescendingEnumerator(RangeSet set)
        {
            _set = set;
            _index = set._ranges.Count;
        }

        /// <summary>Gets the current range.</summary>
        public readonly ValueRange Current => _set._ranges[_index];

        /// <summary>Returns this enumerator.</summary>
        /// <returns>This enumerator.</returns>
        public readonly DescendingEnumerator GetEnumerator() => this;

        /// <summary>Moves to the next lower range.</summary>
        /// <returns><see langword="false"/> when done.</returns>
        public bool MoveNext() => --_index >= 0;
    }
}
