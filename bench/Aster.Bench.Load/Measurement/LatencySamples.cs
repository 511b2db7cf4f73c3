using System.Diagnostics;

namespace Aster.Bench.Load.Measurement;

/// <summary>A preallocated array of per-operation durations (Stopwatch ticks), filled without allocating.</summary>
internal sealed class LatencySamples(int capacity)
{
    private readonly long[] _ticks = new long[capacity];
    private int _count;

    public int Count => _count;

    public bool IsFull => _count >= _ticks.Length;

    /// <summary>Records one operation that started at <paramref name="startTimestamp"/>; ignored once full. Thread-safe.</summary>
    public void Add(long startTimestamp)
    {
        long elapsed = Stopwatch.GetTimestamp() - startTimestamp;
        int slot = Interlocked.Increment(ref _count) - 1;
        if (slot < _ticks.Length)
        {
            _ticks[slot] = elapsed;
        }
    }

    public Percentiles Compute() => Percentiles.FromTicks(_ticks.AsSpan(0, Math.Min(_count, _ticks.Length)));
}
