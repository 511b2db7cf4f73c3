using System.Diagnostics;

namespace Aster.Net.Quic.Connection;

/// <summary>The monotonic microsecond clock that drives connections.</summary>
internal static class QuicClock
{
    private static readonly double _ticksToMicroseconds = 1_000_000.0 / Stopwatch.Frequency;

    /// <summary>Gets the current time in microseconds.</summary>
    public static long NowUs => (long)(Stopwatch.GetTimestamp() * _ticksToMicroseconds);
}
