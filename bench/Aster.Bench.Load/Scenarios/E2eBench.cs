using System.Globalization;
using Aster.Bench.Load.Hosting;
using Aster.Bench.Load.Measurement;
using Aster.Net.Quic;

namespace Aster.Bench.Load.Scenarios;

/// <summary>
/// <c>e2e</c>: E1 unary latency (one in flight), E2 calls/s with 1, 16 and 64 in flight on one connection, E3
/// server-stream messages/s; Aster (Fory XLANG over our QUIC) and the Kestrel HTTP/2 + TLS + System.Text.Json
/// baseline, interleaved round by round against one long-lived server process.
/// </summary>
internal sealed class E2eBench(BenchOptions options)
{
    private const string Baseline = "kestrel";
    private static readonly int[] _inFlight = [1, 16, 64];
    private ChildProcess? _server;

    public async Task<int> RunAsync()
    {
        string loadAtStart = Machine.LoadAverage();
        using var report = new Report(options.OutputDirectory, "e2e", Baseline, "End to end: Aster vs Kestrel HTTP/2 + TLS + System.Text.Json (same run)");
        report.SetTarget("unary-1", "p50", new Target("≤ 100 µs and ≤ 1.0x Kestrel", (mine, ratio) => mine <= 100 && ratio <= 1.0));
        report.SetTarget("unary-1", "p99", new Target("≤ 1.0x Kestrel", (_, ratio) => ratio <= 1.0));
        report.SetTarget("unary-1", "calls/s", new Target("≥ 1.0x Kestrel", (_, ratio) => ratio >= 1.0));
        report.SetTarget("unary-16", "calls/s", new Target("≥ 1.0x Kestrel", (_, ratio) => ratio >= 1.0));
        report.SetTarget("unary-64", "calls/s", new Target("≥ 30,000/s and ≥ 1.0x Kestrel", (mine, ratio) => mine >= 30_000 && ratio >= 1.0));
        report.SetTarget("server-stream", "messages/s", new Target("≥ 500,000/s and ≥ 1.0x Kestrel", (mine, ratio) => mine >= 500_000 && ratio >= 1.0));

        (ChildProcess serverProcess, ServerInfo server) = await Peers.StartServerAsync().ConfigureAwait(false);
        await using ChildProcess serverLifetime = serverProcess;
        _server = serverProcess;
        await using AsterTarget aster = await AsterTarget.ConnectAsync(server, options.StreamPool).ConfigureAwait(false);
        await using var kestrel = new KestrelTarget(server);
        IRpcTarget[] targets = [aster, kestrel];

        for (int round = 1; round <= options.Rounds; round++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"e2e round {round}/{options.Rounds}"));
            foreach (int n in _inFlight)
            {
                if (!options.Runs("unary-" + n.ToString(CultureInfo.InvariantCulture)))
                {
                    continue;
                }

                foreach (IRpcTarget target in round % 2 == 1 ? targets : targets.Reverse())
                {
                    await UnaryAsync(report, target, n, round).ConfigureAwait(false);
                }
            }

            if (!options.Runs("server-stream"))
            {
                continue;
            }

            foreach (IRpcTarget target in round % 2 == 1 ? targets : targets.Reverse())
            {
                await ServerStreamAsync(report, target, round).ConfigureAwait(false);
            }
        }

        report.WriteSummary(Machine.Describe(loadAtStart, $"Aster: Fory XLANG, one QUIC connection, unary calls on pooled streams (shared pool: {(options.StreamPool is { } pool ? pool.ToString(CultureInfo.InvariantCulture) : "client default")}), a new stream per server stream. Kestrel: HTTP/2 over TLS (self-signed ECDSA P-256), one connection, minimal API + source-generated System.Text.Json. Warm-up {options.Warmup.TotalSeconds:F1} s, timed {options.Segment.TotalSeconds:F1} s per segment; allocations are each process's bytes per call over the timed segment (server: Aster or Kestrel, whichever is driven); server stream of {options.StreamMessages:N0} `LogEntry`."));
        return 0;
    }

    private async Task UnaryAsync(Report report, IRpcTarget target, int inFlight, int round)
    {
        var stats = new List<ServerStats>(2);
        var transport = new List<AsterConnectionStatistics>(2);
        ClosedLoop.Result result = await ClosedLoop.RunAsync(target.UnaryAsync, inFlight,
            new LoopBudget(1_000_000, options.Warmup, 10_000_000, options.Segment), CancellationToken.None,
            async () =>
            {
                if (target is AsterTarget quic)
                {
                    transport.Add(quic.Statistics);
                }

                stats.Add(await ReadServerStatsAsync().ConfigureAwait(false));
            }).ConfigureAwait(false);
        double serverBytesPerCall = (stats[1].AllocatedBytes - stats[0].AllocatedBytes) / (double)Math.Max(1, result.Segment.Operations);
        string bench = "unary-" + inFlight.ToString(CultureInfo.InvariantCulture);
        var measures = new List<Measure> { new(bench, "calls/s", target.Name, round, result.Segment.Rate, "calls/s", HigherIsBetter: true) };
        if (inFlight == 1)
        {
            measures.Add(new(bench, "p50", target.Name, round, result.Latency.P50Us, "µs", HigherIsBetter: false));
            measures.Add(new(bench, "p99", target.Name, round, result.Latency.P99Us, "µs", HigherIsBetter: false));
        }
        else
        {
            measures.Add(new(bench, "p99 under load", target.Name, round, result.Latency.P99Us, "µs", HigherIsBetter: false));
        }

        measures.Add(new(bench, "client B/call", target.Name, round, result.Segment.AllocatedPerOp, "B", HigherIsBetter: false));
        measures.Add(new(bench, "server B/call", target.Name, round, serverBytesPerCall, "B", HigherIsBetter: false));
        Dictionary<string, object> raw = TransportBench.Raw(result);
        if (transport.Count == 2)
        {
            // Countable where times are noise (a shared 2-core machine): datagrams both ways, ACK-only packets the
            // client sent, and turns of the client's connection driver, per call.
            double calls = Math.Max(1, result.Segment.Operations);
            AsterConnectionStatistics before = transport[0];
            AsterConnectionStatistics after = transport[1];
            double datagrams = (after.DatagramsSent - before.DatagramsSent + after.DatagramsReceived - before.DatagramsReceived) / calls;
            double ackOnly = (after.AckOnlyPacketsSent - before.AckOnlyPacketsSent) / calls;
            double wakeups = (after.DriverWakeups - before.DriverWakeups) / calls;
            measures.Add(new(bench, "datagrams both ways", target.Name, round, datagrams, "/call", HigherIsBetter: false));
            measures.Add(new(bench, "client ACK-only packets", target.Name, round, ackOnly, "/call", HigherIsBetter: false));
            measures.Add(new(bench, "client driver wake-ups", target.Name, round, wakeups, "/call", HigherIsBetter: false));
            raw["datagramsPerOp"] = datagrams;
            raw["clientAckOnlyPacketsPerOp"] = ackOnly;
            raw["clientDriverWakeupsPerOp"] = wakeups;
        }

        raw["serverAllocatedBytesPerOp"] = serverBytesPerCall;
        raw["serverGen0"] = stats[1].Gen0 - stats[0].Gen0;
        raw["serverGen2"] = stats[1].Gen2 - stats[0].Gen2;
        report.Add(bench, target.Name, round, raw, [.. measures]);
    }

    private async Task<ServerStats> ReadServerStatsAsync()
    {
        string line = await _server!.RequestAsync("stats", TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        return System.Text.Json.JsonSerializer.Deserialize(line, ServerInfoContext.Default.ServerStats)
            ?? throw new InvalidOperationException($"The server answered '{line}' to stats.");
    }

    private async Task ServerStreamAsync(Report report, IRpcTarget target, int round)
    {
        int count = options.StreamMessages;
        await target.ServerStreamAsync(Math.Max(1, count / 10), CancellationToken.None).ConfigureAwait(false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Segment segment = Segment.Start();
        int received = await target.ServerStreamAsync(count, timeout.Token).ConfigureAwait(false);
        SegmentResult result = segment.Stop(received);
        if (received != count)
        {
            throw new InvalidOperationException($"{target.Name}: {received} of {count} stream messages arrived.");
        }

        report.Add("server-stream", target.Name, round, new Dictionary<string, object> { ["ops"] = received, ["seconds"] = result.Seconds, ["rate"] = result.Rate, ["allocatedBytesPerOp"] = result.AllocatedPerOp, ["gen0"] = result.Gen0, ["gen2"] = result.Gen2 },
            new Measure("server-stream", "messages/s", target.Name, round, result.Rate, "msg/s", HigherIsBetter: true),
            new Measure("server-stream", "client B/msg", target.Name, round, result.AllocatedPerOp, "B", HigherIsBetter: false));
    }
}
