using System.Globalization;
using Aster.Bench.Micro.Crypto;

namespace Aster.Bench.Micro.Fory;

/// <summary>
/// The M1 ratios for a busy machine: the <see cref="ForyBenchmarks"/> methods themselves, timed by thread CPU time
/// (CLOCK_THREAD_CPUTIME_ID, Linux), minimum per call over interleaved rounds (every candidate in every round), so
/// time spent waiting for a core does not count. "Fory" is the default (source-generated) serializer, "runtime" the
/// reflection-built codecs; for Hello, also the hand-written <see cref="ForyStraightLine"/>. Run with
/// <c>--fory-cputime [rounds] [category filter]</c>.
/// </summary>
public static class ForyCpuTime
{
    private const int CallsPerRound = 20_000;
    private static int _int;
    private static object? _obj;

    /// <summary>Runs the candidates of the categories containing <paramref name="filter"/> (all when null) for <paramref name="rounds"/> rounds and prints a Markdown table of ratios.</summary>
    public static void Run(int rounds = 15, string? filter = null)
    {
        ForyBenchmarks b = new();
        b.Setup();
        ForyStraightLine straight = new();
        (string Category, (string Name, Action Op)[] Candidates)[] categories =
        [
            ("Hello encode", [("protobuf", () => _int = b.ProtoEncodeHello()), ("fory", () => _int = b.ForyEncodeHello()), ("stj", () => _int = b.JsonEncodeHello()), ("runtime", () => _int = b.ForyRuntimeEncodeHello()), ("straight-line", () => _int = straight.EncodeHello())]),
            ("Hello decode", [("protobuf", () => _obj = b.ProtoDecodeHello()), ("fory", () => _obj = b.ForyDecodeHello()), ("stj", () => _obj = b.JsonDecodeHello()), ("runtime", () => _obj = b.ForyRuntimeDecodeHello()), ("straight-line", () => _obj = straight.DecodeHello())]),
            ("Metric encode", [("protobuf", () => _int = b.ProtoEncodeMetric()), ("fory", () => _int = b.ForyEncodeMetric()), ("stj", () => _int = b.JsonEncodeMetric()), ("runtime", () => _int = b.ForyRuntimeEncodeMetric())]),
            ("Metric decode", [("protobuf", () => _obj = b.ProtoDecodeMetric()), ("fory", () => _obj = b.ForyDecodeMetric()), ("stj", () => _obj = b.JsonDecodeMetric()), ("runtime", () => _obj = b.ForyRuntimeDecodeMetric())]),
            ("Order1K encode", [("protobuf", () => _int = b.ProtoEncodeOrder()), ("fory", () => _int = b.ForyEncodeOrder()), ("stj", () => _int = b.JsonEncodeOrder()), ("runtime", () => _int = b.ForyRuntimeEncodeOrder())]),
            ("Order1K decode", [("protobuf", () => _obj = b.ProtoDecodeOrder()), ("fory", () => _obj = b.ForyDecodeOrder()), ("stj", () => _obj = b.JsonDecodeOrder()), ("runtime", () => _obj = b.ForyRuntimeDecodeOrder())]),
        ];
        categories = [.. categories.Where(c => filter is null || c.Category.Contains(filter, StringComparison.OrdinalIgnoreCase))];

        // Warm-up: every candidate through tier-1 JIT.
        for (int w = 0; w < 3; w++)
        {
            foreach ((_, (string, Action Op)[] candidates) in categories)
            {
                foreach ((_, Action op) in candidates)
                {
                    Loop(op, 100_000);
                }
            }
        }

        double[][] best = [.. categories.Select(c => Enumerable.Repeat(double.MaxValue, c.Candidates.Length).ToArray())];
        for (int round = 0; round < rounds; round++)
        {
            for (int c = 0; c < categories.Length; c++)
            {
                for (int i = 0; i < categories[c].Candidates.Length; i++)
                {
                    double start = Ed25519CpuTime.ThreadCpuNanoseconds();
                    Loop(categories[c].Candidates[i].Op, CallsPerRound);
                    best[c][i] = Math.Min(best[c][i], (Ed25519CpuTime.ThreadCpuNanoseconds() - start) / CallsPerRound);
                }
            }
        }

        Console.WriteLine(b.Sizes());
        Console.WriteLine($"{rounds} rounds of {CallsPerRound:N0} calls; minimum thread CPU time per call (ns), loop and delegate call included");
        Console.WriteLine("| Category | Protobuf | Fory (generated) | STJ | Fory / Protobuf | STJ / Fory | Fory runtime-built | Straight-line by hand |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (int c = 0; c < categories.Length; c++)
        {
            double proto = best[c][0], fory = best[c][1], stj = best[c][2];
            double runtime = best[c][3];
            string straightLine = best[c].Length > 4 ? string.Create(CultureInfo.InvariantCulture, $"{best[c][4]:F1}") : "";
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {categories[c].Category} | {proto:F1} | {fory:F1} | {stj:F1} | {fory / proto:F2} | {stj / fory:F2} | {runtime:F1} | {straightLine} |"));
        }
    }

    private static void Loop(Action op, int count)
    {
        for (int n = 0; n < count; n++)
        {
            op();
        }
    }
}
