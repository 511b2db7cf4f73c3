using System.Diagnostics;
using System.IO.MemoryMappedFiles;
using System.Security.Cryptography;
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
        List<double> mapped = [];
        List<double> mappedCpu = [];
        List<double> memoryCpu = [];
        List<double> streamCpu = [];
        using Process self = Process.GetCurrentProcess();
        byte[] buffer = new byte[1 << 20];
        for (int r = 0; r < runs; r++)
        {
            TimeSpan cpu = CpuTime(self);
            long start = Stopwatch.GetTimestamp();
            Blake3.Hash(all, hash);
            memory.Add(mib / Stopwatch.GetElapsedTime(start).TotalSeconds);
            memoryCpu.Add(mib / (CpuTime(self) - cpu).TotalSeconds);

            cpu = CpuTime(self);
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
            streamCpu.Add(mib / (CpuTime(self) - cpu).TotalSeconds);

            cpu = CpuTime(self);
            start = Stopwatch.GetTimestamp();
            HashMapped(path, hash);
            mapped.Add(mib / Stopwatch.GetElapsedTime(start).TotalSeconds);
            mappedCpu.Add(mib / (CpuTime(self) - cpu).TotalSeconds);
        }

        ReportSizes();
        Console.WriteLine($"backend {Blake3Core.BestBackend}");
        Console.WriteLine($"hash {Convert.ToHexStringLower(hash)}");
        Console.WriteLine($"memory_wall_mibps best {memory.Max():F1} median {Median(memory):F1}");
        Console.WriteLine($"stream_wall_mibps best {stream.Max():F1} median {Median(stream):F1}");
        Console.WriteLine($"mapped_wall_mibps best {mapped.Max():F1} median {Median(mapped):F1}");
        Console.WriteLine($"mapped_cpu_mibps best {mappedCpu.Max():F1} median {Median(mappedCpu):F1}");
        Console.WriteLine($"memory_cpu_mibps best {memoryCpu.Max():F1} median {Median(memoryCpu):F1}");
        Console.WriteLine($"stream_cpu_mibps best {streamCpu.Max():F1} median {Median(streamCpu):F1}");
    }

    /// <summary>
    /// CPU time per hash (best of five rounds, interleaved) for 64 B, 1 KiB and 1 MiB inputs on every back end and for
    /// SHA-256, printed as <c>cpu_ns SIZE NAME NS</c> lines.
    /// </summary>
    public static void ReportSizes()
    {
        using Process self = Process.GetCurrentProcess();
        byte[] output = new byte[32];
        (string Name, Action<byte[]> Hash)[] candidates =
        [
            ("sha256", d => SHA256.HashData(d, output)),
            ("blake3", d => Blake3.Hash(d, output)),
            ("blake3-scalar", d => Blake3.Hash(d, output, Blake3Backend.Scalar)),
            ("blake3-vector128", d => Blake3.Hash(d, output, Blake3Backend.Vector128)),
            ("blake3-vector256", d => Blake3.Hash(d, output, Blake3Backend.Vector256)),
            ("blake3-vector512", d => Blake3.Hash(d, output, Blake3Backend.Vector512)),
        ];
        foreach (int size in new[] { 64, 1024, 1 << 20 })
        {
            byte[] data = new byte[size];
            new Random(42).NextBytes(data);
            int iterations = Math.Max(20, (64 << 20) / Math.Max(size, 256) / 4);
            double[] best = new double[candidates.Length];
            Array.Fill(best, double.MaxValue);
            for (int round = 0; round < 6; round++)
            {
                for (int c = 0; c < candidates.Length; c++)
                {
                    Action<byte[]> hash = candidates[c].Hash;
                    TimeSpan start = CpuTime(self);
                    for (int i = 0; i < iterations; i++)
                    {
                        hash(data);
                    }

                    double ns = (CpuTime(self) - start).TotalNanoseconds / iterations;
                    if (round > 0)
                    {
                        best[c] = Math.Min(best[c], ns);
                    }
                }
            }

            for (int c = 0; c < candidates.Length; c++)
            {
                Console.WriteLine($"cpu_ns {size} {candidates[c].Name} {best[c]:F1} ratio_to_sha256 {best[c] / best[0]:F3}");
            }
        }
    }

    /// <summary>Hashes a memory-mapped file, as b3sum does for files it can map.</summary>
    private static unsafe void HashMapped(string path, Span<byte> hash)
    {
        long length = new FileInfo(path).Length;
        using MemoryMappedFile map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using MemoryMappedViewAccessor view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        try
        {
            using Blake3Hasher hasher = new();
            byte* at = pointer + view.PointerOffset;
            for (long done = 0; done < length;)
            {
                int n = (int)Math.Min(length - done, 1L << 30);
                hasher.Update(new ReadOnlySpan<byte>(at + done, n));
                done += n;
            }

            hasher.Finalize(hash);
        }
        finally
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
    }

    /// <summary>User plus system CPU time of this process (the machine is shared, so wall time is mostly waiting).</summary>
    private static TimeSpan CpuTime(Process self)
    {
        self.Refresh();
        return self.TotalProcessorTime;
    }

    private static double Median(List<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted[sorted.Length / 2];
    }
}
