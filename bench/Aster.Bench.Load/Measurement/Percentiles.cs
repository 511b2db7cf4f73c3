namespace Aster.Bench.Load.Measurement;

/// <summary>Nearest-rank percentiles of latency samples (performance.md, section 0): sort once, take element floor(q·n).</summary>
internal readonly record struct Percentiles(double P50Us, double P90Us, double P99Us, double P999Us)
{
    /// <summary>Sorts <paramref name="ticks"/> (Stopwatch ticks) in place and reads the percentiles in microseconds.</summary>
    public static Percentiles FromTicks(Span<long> ticks)
    {
        if (ticks.IsEmpty)
        {
            return default;
        }

        ticks.Sort();
        return new Percentiles(At(ticks, 0.50), At(ticks, 0.90), At(ticks, 0.99), At(ticks, 0.999));
    }

    private static double At(ReadOnlySpan<long> sorted, double q)
    {
        int index = Math.Min(sorted.Length - 1, (int)Math.Floor(q * sorted.Length));
        return sorted[index] * 1_000_000.0 / System.Diagnostics.Stopwatch.Frequency;
    }
}
