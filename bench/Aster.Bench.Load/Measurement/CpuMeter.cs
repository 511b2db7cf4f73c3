namespace Aster.Bench.Load.Measurement;

/// <summary>
/// This process's CPU time (user and system, all threads). On a shared machine the CPU time a transfer costs per MB is
/// steadier than its MB/s, which follows whatever else runs.
/// </summary>
internal static class CpuMeter
{
    /// <summary>The process's CPU time so far, in microseconds.</summary>
    public static long NowUs() => (long)Environment.CpuUsage.TotalTime.TotalMicroseconds;

    /// <summary>Milliseconds of CPU per MB (10^6 bytes) for <paramref name="cpuUs"/> spent on <paramref name="bytes"/>.</summary>
    public static double MsPerMb(long cpuUs, long bytes) => cpuUs / 1000.0 / (bytes / 1e6);
}
