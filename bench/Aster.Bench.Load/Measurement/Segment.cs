using System.Diagnostics;

namespace Aster.Bench.Load.Measurement;

/// <summary>Process-wide counters around one timed segment: wall time, bytes allocated and GC collections (section 5.3–5.4).</summary>
internal readonly struct Segment
{
    private readonly long _start;
    private readonly long _allocated;
    private readonly int _gen0;
    private readonly int _gen1;
    private readonly int _gen2;

    private Segment(long start, long allocated, int gen0, int gen1, int gen2)
    {
        _start = start;
        _allocated = allocated;
        _gen0 = gen0;
        _gen1 = gen1;
        _gen2 = gen2;
    }

    public static Segment Start() => new(Stopwatch.GetTimestamp(), GC.GetTotalAllocatedBytes(precise: true), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));

    /// <summary>Ends the segment and returns its totals.</summary>
    public SegmentResult Stop(long operations)
    {
        double seconds = Stopwatch.GetElapsedTime(_start).TotalSeconds;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - _allocated;
        return new SegmentResult(operations, seconds, operations == 0 ? 0 : allocated / (double)operations,
            GC.CollectionCount(0) - _gen0, GC.CollectionCount(1) - _gen1, GC.CollectionCount(2) - _gen2);
    }
}

/// <summary>The totals of one timed segment.</summary>
internal readonly record struct SegmentResult(long Operations, double Seconds, double AllocatedPerOp, int Gen0, int Gen1, int Gen2)
{
    public double Rate => Seconds > 0 ? Operations / Seconds : 0;
}
