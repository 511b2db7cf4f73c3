using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Aster.Compression.Zstd;
using BenchmarkDotNet.Attributes;

namespace Aster.Bench.Micro.Compression;

/// <summary>Our zstd compressor and decompressor on text, structured binary and noise.</summary>
[MemoryDiagnoser]
public class ZstdBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(4 * 1024 * 1024);
    private byte[] _data = [];
    private byte[] _frame = [];

    /// <summary>The kind of input.</summary>
    [Params("text", "records", "noise")]
    public string Input { get; set; } = "text";

    /// <summary>Input size in bytes.</summary>
    [Params(8 * 1024, 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = ZstdInputs.Create(Input, Size);
        _output.ResetWrittenCount();
        ZstdCompressor.Compress(_data, _output);
        _frame = _output.WrittenSpan.ToArray();
    }

    [Benchmark]
    public int Compress()
    {
        _output.ResetWrittenCount();
        return ZstdCompressor.Compress(_data, _output);
    }

    [Benchmark]
    public int Decompress()
    {
        _output.ResetWrittenCount();
        return ZstdDecompressor.Decompress(_frame, _output, int.MaxValue);
    }
}

/// <summary>Deterministic benchmark inputs.</summary>
internal static class ZstdInputs
{
    private static readonly string[] _words = "the quick service streams frames over quic while the peer checks its trust chain and deadline".Split(' ');

    public static byte[] Create(string kind, int size)
    {
        var random = new Random(42);
        switch (kind)
        {
            case "noise":
                byte[] noise = new byte[size];
                random.NextBytes(noise);
                return noise;
            case "records":
                var records = new List<byte>(size + 64);
                while (records.Count < size)
                {
                    // A Fory-like record: small integers, a timestamp, an id string and a float.
                    records.AddRange(BitConverter.GetBytes(random.Next(1000)));
                    records.AddRange(BitConverter.GetBytes(1_700_000_000_000L + records.Count));
                    records.AddRange(Encoding.ASCII.GetBytes($"agent-{random.Next(64):D3}"));
                    records.AddRange(BitConverter.GetBytes(random.NextDouble()));
                }

                return [.. records.Take(size)];
            default:
                var text = new StringBuilder(size + 16);
                while (text.Length < size)
                {
                    text.Append(_words[random.Next(_words.Length)]).Append(random.Next(12) == 0 ? ".\n" : " ");
                }

                return Encoding.ASCII.GetBytes(text.ToString(0, size));
        }
    }
}

/// <summary>A quick table of ratio and MB/s per input (<c>--zstd-ratio</c>), without BenchmarkDotNet's statistics.</summary>
internal static class ZstdRatio
{
    public static void Run(int seconds)
    {
        Console.WriteLine("input     size      ratio   compress MB/s   decompress MB/s");
        foreach (string kind in (string[])["text", "records", "noise"])
        {
            foreach (int size in (int[])[8 * 1024, 1024 * 1024])
            {
                byte[] data = ZstdInputs.Create(kind, size);
                var output = new ArrayBufferWriter<byte>(ZstdCompressor.GetMaxCompressedLength(size));
                int frameLength = ZstdCompressor.Compress(data, output);
                byte[] frame = output.WrittenSpan.ToArray();
                double compress = Throughput(size, seconds, () =>
                {
                    output.ResetWrittenCount();
                    ZstdCompressor.Compress(data, output);
                });
                double decompress = Throughput(size, seconds, () =>
                {
                    output.ResetWrittenCount();
                    ZstdDecompressor.Decompress(frame, output, size);
                });
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{kind,-9} {size,-9} {(double)size / frameLength,6:F2} {compress,14:F1} {decompress,17:F1}"));
            }
        }
    }

    private static double Throughput(int size, int seconds, Action action)
    {
        action();
        long bytes = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            action();
            bytes += size;
        }

        return bytes / watch.Elapsed.TotalSeconds / (1024 * 1024);
    }
}
