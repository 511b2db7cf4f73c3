namespace Aster.Trust.Mesh;

/// <summary>
/// The replay window and duplicate suppression of trust.md 9.6 steps 2 and 3: a message is fresh while
/// |now − epoch_ms| ≤ window, and each signature is remembered for twice the window, in a bounded set.
/// Not thread-safe: its owner locks.
/// </summary>
internal sealed class ReplayGuard
{
    private readonly long _windowMs;
    private readonly int _capacity;
    private readonly Dictionary<string, long> _seen = new(StringComparer.Ordinal);
    private readonly Queue<(string Signature, long ExpiresMs)> _order = new();

    public ReplayGuard(TimeSpan window, int capacity)
    {
        _windowMs = (long)window.TotalMilliseconds;
        _capacity = capacity;
    }

    public int Count => _seen.Count;

    /// <summary>Step 2: the sender's clock is within the window of ours.</summary>
    public bool IsFresh(ulong epochMs, long nowMs)
        => epochMs <= long.MaxValue && Math.Abs(nowMs - (long)epochMs) <= _windowMs;

    /// <summary>Step 3: whether the signature was already seen (and is still remembered).</summary>
    public bool IsDuplicate(ReadOnlySpan<byte> signature, long nowMs)
    {
        Expire(nowMs);
        return _seen.ContainsKey(Convert.ToHexStringLower(signature));
    }

    /// <summary>Remembers a verified signature for twice the window; the oldest entry goes when full.</summary>
    public void Remember(ReadOnlySpan<byte> signature, long nowMs)
    {
        string key = Convert.ToHexStringLower(signature);
        long expires = nowMs + (2 * _windowMs);
        if (_seen.TryAdd(key, expires))
        {
            _order.Enqueue((key, expires));
        }

        while (_seen.Count > _capacity && _order.TryDequeue(out (string Signature, long ExpiresMs) oldest))
        {
            _seen.Remove(oldest.Signature);
        }
    }

    private void Expire(long nowMs)
    {
        while (_order.TryPeek(out (string Signature, long ExpiresMs) head) && head.ExpiresMs <= nowMs)
        {
            _order.Dequeue();
            _seen.Remove(head.Signature);
        }
    }
}

/// <summary>
/// Clock-drift tracking (trust.md 9.7): each accepted message records offset = now − epoch_ms for its sender; with
/// enough offsets the upper median is the mesh's clock, a peer far from it is isolated until it is back in
/// tolerance, and when this node itself is the outlier the mesh is dead for it. Not thread-safe: its owner locks.
/// </summary>
internal sealed class ClockDriftTracker
{
    private readonly long _toleranceMs;
    private readonly int _minPeers;

    public ClockDriftTracker(TimeSpan tolerance, int minPeersForMedian)
    {
        _toleranceMs = (long)tolerance.TotalMilliseconds;
        _minPeers = minPeersForMedian;
    }

    /// <summary>Records an offset and re-decides isolation; returns true when this node's own clock is the outlier.</summary>
    /// <param name="offsets">Offsets by peer (updated).</param>
    /// <param name="isolated">Isolated peers (updated).</param>
    /// <param name="sender">The sender.</param>
    /// <param name="offsetMs">now − epoch_ms.</param>
    /// <param name="decide">False within the grace period: offsets are recorded, nothing is decided.</param>
    public bool Record(SortedDictionary<string, long> offsets, SortedSet<string> isolated, string sender, long offsetMs, bool decide)
    {
        offsets[sender] = offsetMs;
        if (!decide || offsets.Count < _minPeers)
        {
            return false;
        }

        long median = UpperMedian(offsets.Values);
        if (Math.Abs(offsetMs - median) > _toleranceMs)
        {
            isolated.Add(sender);
        }
        else
        {
            isolated.Remove(sender);
        }

        return Math.Abs(median) > _toleranceMs;
    }

    /// <summary>Python's <c>statistics.median_high</c>: the larger middle value.</summary>
    public static long UpperMedian(IEnumerable<long> values)
    {
        long[] sorted = [.. values];
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }
}
