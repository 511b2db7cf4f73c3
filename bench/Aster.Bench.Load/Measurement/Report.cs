using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Aster.Bench.Load.Measurement;

/// <summary>One measured figure of one implementation in one round.</summary>
/// <param name="Bench">The benchmark, e.g. <c>unary-sequential</c>.</param>
/// <param name="Metric">The figure, e.g. <c>p50</c> or <c>calls/s</c>.</param>
/// <param name="Impl">The implementation or peer pair, e.g. <c>aster</c>, <c>kestrel</c>, <c>C#→iroh</c>.</param>
/// <param name="Round">The round (1-based).</param>
/// <param name="Value">The value, in <paramref name="Unit"/>.</param>
/// <param name="Unit">The unit (<c>µs</c>, <c>calls/s</c>, <c>MB/s</c> …).</param>
/// <param name="HigherIsBetter">Whether a larger value is better (throughput) or worse (time).</param>
internal sealed record Measure(string Bench, string Metric, string Impl, int Round, double Value, string Unit, bool HigherIsBetter);

/// <summary>What a benchmark figure is judged against: an absolute bound on ours and a same-run ratio bound.</summary>
/// <param name="Text">How the target reads in the table.</param>
/// <param name="Met">Given our median and the median same-run ratio (null without a baseline), whether it is met.</param>
internal sealed record Target(string Text, Func<double, double?, bool> Met);

/// <summary>
/// Collects measures and raw rows: prints each as it arrives, appends one JSON line per segment to a file, and at the
/// end writes a Markdown summary (median per implementation, median of per-round ratios against the baseline).
/// </summary>
internal sealed class Report : IDisposable
{
    private readonly List<Measure> _measures = [];
    private readonly Dictionary<(string Bench, string Metric), Target> _targets = [];
    private readonly StreamWriter _json;
    private readonly string _markdownPath;
    private readonly string _baseline;
    private readonly string _title;

    public Report(string directory, string suite, string baseline, string title)
    {
        Directory.CreateDirectory(directory);
        _json = new StreamWriter(Path.Combine(directory, suite + ".jsonl"), append: false, Encoding.UTF8);
        _markdownPath = Path.Combine(directory, suite + ".md");
        _baseline = baseline;
        _title = title;
    }

    /// <summary>Sets the target a (bench, metric) pair is judged by.</summary>
    public void SetTarget(string bench, string metric, Target target) => _targets[(bench, metric)] = target;

    /// <summary>Records one segment: its raw JSON line and the measures derived from it.</summary>
    public void Add(string bench, string impl, int round, IReadOnlyDictionary<string, object> raw, params Measure[] measures)
    {
        using (var buffer = new MemoryStream())
        {
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("bench", bench);
                writer.WriteString("impl", impl);
                writer.WriteNumber("round", round);
                foreach ((string key, object value) in raw)
                {
                    switch (value)
                    {
                        case string s: writer.WriteString(key, s); break;
                        case bool b: writer.WriteBoolean(key, b); break;
                        case IConvertible c: writer.WriteNumber(key, Math.Round(c.ToDouble(CultureInfo.InvariantCulture), 3)); break;
                        default: writer.WriteString(key, value.ToString()); break;
                    }
                }

                writer.WriteEndObject();
            }

            _json.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
            _json.Flush();
        }

        if (AllocationSampler.Current is { } sampler)
        {
            Console.Error.Write(sampler.Top($"client, {bench} {impl}", 8));
        }

        foreach (Measure measure in measures)
        {
            _measures.Add(measure);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  round {round} {impl,-10} {bench,-22} {measure.Metric,-12} {Format(measure.Value),12} {measure.Unit}"));
        }
    }

    /// <summary>Writes the summary table (Markdown) to the console and the file.</summary>
    public string WriteSummary(string machine)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"### {_title}");
        text.AppendLine();
        text.AppendLine(machine);
        text.AppendLine();
        string[] impls = [.. _measures.Select(m => m.Impl).Distinct()];
        text.Append("| Benchmark | Metric |");
        foreach (string impl in impls)
        {
            text.Append(CultureInfo.InvariantCulture, $" {impl} |");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $" ratio vs {_baseline} (median of rounds) | target | met |");
        text.Append("|---|---|");
        text.Append(string.Concat(Enumerable.Repeat("---:|", impls.Length)));
        text.AppendLine("---:|---|---|");
        foreach (IGrouping<(string Bench, string Metric), Measure> group in _measures.GroupBy(m => (m.Bench, m.Metric)))
        {
            Measure first = group.First();
            text.Append(CultureInfo.InvariantCulture, $"| {group.Key.Bench} | {group.Key.Metric} ({first.Unit}) |");
            foreach (string impl in impls)
            {
                double[] values = [.. group.Where(m => m.Impl == impl).Select(m => m.Value)];
                text.Append(values.Length == 0 ? " — |" : string.Create(CultureInfo.InvariantCulture, $" {Format(Median(values))} ({Format(values.Min())}–{Format(values.Max())}) |"));
            }

            string[] others = [.. impls.Where(i => i != _baseline && group.Any(m => m.Impl == i))];
            string ours = others.FirstOrDefault() ?? _baseline;
            double? ratio = RatioMedian(group, ours);
            string ratios = string.Join("; ", others.Select(o => (Impl: o, Ratio: RatioMedian(group, o)))
                .Where(p => p.Ratio is not null)
                .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Impl} {p.Ratio:F2}")));
            text.Append(ratios.Length == 0 ? " — |" : $" {ratios} |");
            if (_targets.TryGetValue(group.Key, out Target? target))
            {
                double mine = Median([.. group.Where(m => m.Impl == ours).Select(m => m.Value)]);
                text.AppendLine(CultureInfo.InvariantCulture, $" {target.Text} | {(target.Met(mine, ratio) ? "yes" : "**no**")} |");
            }
            else
            {
                text.AppendLine(" | |");
            }
        }

        string summary = text.ToString();
        File.WriteAllText(_markdownPath, summary);
        Console.WriteLine();
        Console.WriteLine(summary);
        return summary;
    }

    public void Dispose() => _json.Dispose();

    private double? RatioMedian(IEnumerable<Measure> group, string ours)
    {
        var byRound = group.GroupBy(m => m.Round)
            .Select(g => (Ours: g.FirstOrDefault(m => m.Impl == ours), Base: g.FirstOrDefault(m => m.Impl == _baseline)))
            .Where(p => p.Ours is not null && p.Base is not null && p.Base.Value > 0 && ours != _baseline)
            .Select(p => p.Ours!.Value / p.Base!.Value)
            .ToArray();
        return byRound.Length == 0 ? null : Median(byRound);
    }

    private static double Median(double[] values)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }

        Array.Sort(values);
        return values.Length % 2 == 1 ? values[values.Length / 2] : (values[(values.Length / 2) - 1] + values[values.Length / 2]) / 2;
    }

    private static string Format(double value) => value switch
    {
        >= 1000 => value.ToString("N0", CultureInfo.InvariantCulture),
        >= 100 => value.ToString("F0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("F1", CultureInfo.InvariantCulture),
        _ => value.ToString("F2", CultureInfo.InvariantCulture),
    };
}
