using System.Diagnostics;
using Aster.Net.Crypto;

namespace Aster.Bench.Micro.Crypto;

/// <summary>
/// The <c>--b3sum-compare FILE [RUNS]</c> mode used by <c>bench/blake3-vs-b3sum.sh</c>: hashes the file with our BLAKE3 the
/// way <c>b3sum --num-threads 1</c> does (streamed from the file, and in memory), and prints throughput lines the script parses.
/// </summary>
internal static class Blake3FileCompare
{
    public static void Run(string path, int runs)
    {
        byte[] all = File.ReadAllBytes(path);
        double mib = all.Length / (1024.0 * 1024.0);
        byte[] hash = new byte[32];

        // Warm up the JIT (tier 1) on a smaller slice.
        for (int i = 0; i < 20; i++)
        {
            Blake3.Hash(all.AsSpan(0, Math.Min(all.Length, 4 << 20)), hash);
        }

        List<double> memory = [];
        List<double> stream = [];
        byte[] buffer = new byte[1 << 20];
        for (int r = 0; r < runs; r++)
        {
            long start = Stopwatch.GetTimestamp();
            Blake3.Hash(all, hash);
            memory.Add(mib / Stopwatch.GetElapsedTime(start).TotalSeconds);

            start = Stopwatch.GetTimestamp();
            using (FileStream file = new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
            using (Blake3Hasher hasher = new())
            {
                int n;
                while ((n = file.Read(buffer)) > 0)
                {
                    hasher.Update(buffer.AsSpan(0, n));
                }

                hasher.Finalize(hash);
            }

            stream.Add(mib / Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        Console.WriteLine($"backend {Blake3Core.BestBackend}");
        Console.WriteLine($"hash {Convert.ToHexStringLower(hash)}");
        Console.WriteLine($"memory_mibps_best {memory.Max():F1} median {Median(memory):F1}");
        Console.WriteLine($"stream_mibps_best {stream.Max():F1} median {Median(stream):F1}");
    }

    private static double Median(List<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted[sorted.Length / 2];
    }
}
