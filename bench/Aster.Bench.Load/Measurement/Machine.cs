using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;

namespace Aster.Bench.Load.Measurement;

/// <summary>The "Machine" facts every report carries (performance.md, section 5.7), as far as a process can read them.</summary>
internal static class Machine
{
    public static string LoadAverage() => Read("/proc/loadavg") is { } text ? string.Join(' ', text.Split(' ').Take(3)) : "n/a";

    public static string Describe(string loadAtStart, string extra)
    {
        string cpu = Read("/proc/cpuinfo")?.Split('\n').FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "n/a";
        string kernel = Read("/proc/sys/kernel/osrelease")?.Trim() ?? RuntimeInformation.OSDescription;
        string rmem = Read("/proc/sys/net/core/rmem_max")?.Trim() ?? "n/a";
        string gc = GCSettings.IsServerGC ? "server" : "workstation";
        gc += GCSettings.LatencyMode == GCLatencyMode.Interactive ? ", concurrent" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"""
            Machine: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; {cpu}; {Environment.ProcessorCount} logical cores; kernel {kernel};
            .NET {RuntimeInformation.FrameworkDescription}, {gc} GC, Release; net.core.rmem_max {rmem}; no CPU pinning;
            client and server in separate processes on 127.0.0.1; load average at start {loadAtStart}, at end {LoadAverage()}. {extra}
            """);
    }

    public static string CommandOutput(string file, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
            if (process is null)
            {
                return "n/a";
            }

            string output = process.StandardOutput.ReadToEnd().Trim();
            return process.WaitForExit(5000) && process.ExitCode == 0 ? output : "n/a";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "n/a";
        }
    }

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
