using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Aster.Bench.Load.Hosting;
using Aster.Bench.Load.Measurement;
using Aster.Net.Identity;
using Aster.Net.Quic;

namespace Aster.Bench.Load.Scenarios;

/// <summary>
/// <c>transport</c>: E4 bulk MB/s on one stream, E5 handshake p50/p99, and small echo round trips on one connection,
/// for every pair of stacks that can run here (C#→C#, C#→iroh, iroh→C#, iroh→iroh), iroh→iroh being the baseline.
/// </summary>
internal sealed class TransportBench(BenchOptions options)
{
    private const string Baseline = "iroh→iroh";
    private const string CsCs = "C#→C#";
    private const string CsIroh = "C#→iroh";
    private const string IrohCs = "iroh→C#";
    private readonly byte[] _chunk = CreateChunk();
    private ChildProcess? _server;
    private bool _bulkWarmedUp;

    public async Task<int> RunAsync()
    {
        string loadAtStart = Machine.LoadAverage();
        using var report = new Report(options.OutputDirectory, "transport", Baseline, "Transport: bulk, handshake and round trips vs iroh (same run)");
        report.SetTarget("bulk", "MB/s", new Target("≥ 1.0x iroh→iroh", (_, ratio) => ratio >= 1.0));
        report.SetTarget("handshake", "p50", new Target("≤ 3 ms and ≤ 1.0x iroh", (mine, ratio) => mine <= 3000 && ratio is null or <= 1.0));
        report.SetTarget("handshake", "p99", new Target("≤ 10 ms", (mine, _) => mine <= 10_000));
        report.SetTarget("echo-1", "round trips/s", new Target("≥ 20,000/s", (mine, _) => mine >= 20_000));
        report.SetTarget("echo-64", "round trips/s", new Target("≥ 20,000/s", (mine, _) => mine >= 20_000));

        (ChildProcess serverProcess, ServerInfo server) = await Peers.StartServerAsync().ConfigureAwait(false);
        await using ChildProcess serverLifetime = serverProcess;
        _server = serverProcess;
        string? peerDirectory = options.SkipIroh ? null : Peers.FindPeerDirectory(options.PeerDirectory);
        if (peerDirectory is null && !options.SkipIroh)
        {
            Console.Error.WriteLine("iroh rows skipped: no bench/Aster.Bench.Load/peer/node_modules (run `npm ci` there) or --peer-dir.");
        }

        await using IrohPeer? iroh = peerDirectory is null ? null : new IrohPeer(peerDirectory);
        if (iroh is not null)
        {
            await iroh.StartAsync().ConfigureAwait(false);
        }

        var clientOptions = new AsterEndpointOptions { SecretKey = SecretKey.Generate() };
        await using AsterEndpoint client = await AsterEndpoint.BindAsync(clientOptions).ConfigureAwait(false);
        EndpointAddr ours = Peers.Address(server.EndpointId, server.Addr);
        EndpointAddr? theirs = iroh is null ? null : Peers.Address(iroh.EndpointId, iroh.Addr);

        for (int round = 1; round <= options.Rounds; round++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"transport round {round}/{options.Rounds}"));
            // Interleaved: the baseline and ours alternate within each round.
            if (options.Runs("bulk"))
            {
                if (iroh is not null)
                {
                    await IrohBulkAsync(report, iroh, Baseline, iroh.EndpointId, iroh.Addr, round, irohReceives: true).ConfigureAwait(false);
                }

                await BulkAsync(report, client, ours, CsCs, round, null).ConfigureAwait(false);
                if (iroh is not null)
                {
                    await BulkAsync(report, client, theirs!, CsIroh, round, iroh).ConfigureAwait(false);
                    await IrohBulkAsync(report, iroh, IrohCs, server.EndpointId, server.Addr, round, irohReceives: false).ConfigureAwait(false);
                }
            }

            if (options.Runs("handshake"))
            {
                if (iroh is not null)
                {
                    await IrohHandshakeAsync(report, iroh, Baseline, iroh.EndpointId, iroh.Addr, round).ConfigureAwait(false);
                }

                await HandshakeAsync(report, client, ours, CsCs, round).ConfigureAwait(false);
                if (iroh is not null)
                {
                    await HandshakeAsync(report, client, theirs!, CsIroh, round).ConfigureAwait(false);
                    await IrohHandshakeAsync(report, iroh, IrohCs, server.EndpointId, server.Addr, round).ConfigureAwait(false);
                }
            }

            if (options.Runs("echo"))
            {
                if (iroh is not null)
                {
                    await IrohEchoAsync(report, iroh, Baseline, iroh.EndpointId, iroh.Addr, round).ConfigureAwait(false);
                }

                await EchoAsync(report, client, ours, CsCs, 1, round).ConfigureAwait(false);
                await EchoAsync(report, client, ours, CsCs, 64, round).ConfigureAwait(false);
                if (iroh is not null)
                {
                    await EchoAsync(report, client, theirs!, CsIroh, 1, round).ConfigureAwait(false);
                    await IrohEchoAsync(report, iroh, IrohCs, server.EndpointId, server.Addr, round).ConfigureAwait(false);
                }
            }
        }

        string node = iroh is null ? "iroh rows skipped" : $"Node {Machine.CommandOutput("node", "--version")}, @aster-rpc/transport addon {iroh.AddonVersion} (iroh 0.97)";
        report.WriteSummary(Machine.Describe(loadAtStart, $"{node}; bulk {options.BulkBytes / (1024 * 1024)} MiB in 1 MiB writes after {options.BulkWarmupBytes / (1024 * 1024)} MiB untimed, CPU ms per MB (10^6 B) of the sending and the receiving process; {options.Handshakes} handshakes after {options.HandshakeWarmup} untimed; echo 64 B on a new stream per round trip."));
        return 0;
    }

    /// <summary>
    /// One bulk transfer from our client to our server or (<paramref name="irohReceiver"/>) the iroh peer; besides MB/s
    /// it reports CPU milliseconds per MB on each side, the sender's cost per datagram (send system calls per MB,
    /// datagrams per ACK frame received, bytes allocated per datagram), why its sending stopped with data waiting,
    /// and, when our server receives, the receiver's bytes allocated per datagram.
    /// </summary>
    private async Task BulkAsync(Report report, AsterEndpoint client, EndpointAddr target, string pair, int round, IrohPeer? irohReceiver)
    {
        bool oursReceives = irohReceiver is null;
        await using AsterConnection connection = await client.ConnectAsync(target, TransportProtocol.SinkAlpn).ConfigureAwait(false);
        // The first transfer of the run also warms our server up (its receive path is shared by every pair it serves).
        long warmup = _bulkWarmedUp ? _chunk.Length : Math.Max(_chunk.Length, options.BulkWarmupBytes);
        _bulkWarmedUp = true;
        await TransportProtocol.SendBulkAsync(connection, warmup, _chunk, CancellationToken.None).ConfigureAwait(false);
        ServerStats? serverBefore = oursReceives ? await ReadServerStatsAsync().ConfigureAwait(false) : null;
        long irohCpuBefore = irohReceiver is null ? 0 : await irohReceiver.ReadServerCpuUsAsync().ConfigureAwait(false);
        AsterConnectionStatistics before = connection.GetStatistics();
        long cpuBefore = CpuMeter.NowUs();
        Segment segment = Segment.Start();
        long count = await TransportProtocol.SendBulkAsync(connection, options.BulkBytes, _chunk, CancellationToken.None).ConfigureAwait(false);
        SegmentResult result = segment.Stop(1);
        long senderCpuUs = CpuMeter.NowUs() - cpuBefore;
        AsterConnectionStatistics after = connection.GetStatistics();
        ServerStats? serverAfter = oursReceives ? await ReadServerStatsAsync().ConfigureAwait(false) : null;
        long receiverCpuUs = irohReceiver is null
            ? serverAfter!.CpuUs - serverBefore!.CpuUs
            : await irohReceiver.ReadServerCpuUsAsync().ConfigureAwait(false) - irohCpuBefore;
        if (count != options.BulkBytes)
        {
            throw new InvalidOperationException($"{pair}: the sink counted {count} of {options.BulkBytes} bytes.");
        }

        double mbps = options.BulkBytes / result.Seconds / 1e6;
        double datagrams = Math.Max(1, after.DatagramsSent - before.DatagramsSent);
        double sendCallsPerMb = (after.SendCalls - before.SendCalls) / (options.BulkBytes / 1e6);
        double datagramsPerAck = datagrams / Math.Max(1, after.AckFramesReceived - before.AckFramesReceived);
        double clientBytesPerDatagram = result.AllocatedPerOp / datagrams;
        var raw = new Dictionary<string, object>
        {
            ["bytes"] = options.BulkBytes, ["seconds"] = result.Seconds, ["mbps"] = mbps, ["allocatedBytes"] = result.AllocatedPerOp,
            ["gen0"] = result.Gen0, ["gen2"] = result.Gen2, ["pathMtu"] = after.PathMtu, ["datagramsSent"] = datagrams,
            ["sendCalls"] = after.SendCalls - before.SendCalls, ["ackFramesReceived"] = after.AckFramesReceived - before.AckFramesReceived,
            ["segmentationOffload"] = client.SegmentationOffload, ["senderCpuUs"] = senderCpuUs, ["receiverCpuUs"] = receiverCpuUs,
            ["ackFramesSent"] = after.AckFramesSent - before.AckFramesSent,
            ["stopsByCongestionWindow"] = after.SendStopsByCongestionWindow - before.SendStopsByCongestionWindow,
            ["stopsByPacing"] = after.SendStopsByPacing - before.SendStopsByPacing,
            ["stopsByConnectionFlowControl"] = after.SendStopsByConnectionFlowControl - before.SendStopsByConnectionFlowControl,
            ["stopsByStreamFlowControl"] = after.SendStopsByStreamFlowControl - before.SendStopsByStreamFlowControl,
            ["driverTurns"] = after.DriverWakeups - before.DriverWakeups,
        };
        var measures = new List<Measure>
        {
            new("bulk", "MB/s", pair, round, mbps, "MB/s", HigherIsBetter: true),
            new("bulk", "sender CPU ms/MB", pair, round, CpuMeter.MsPerMb(senderCpuUs, options.BulkBytes), "ms", HigherIsBetter: false),
            new("bulk", "receiver CPU ms/MB", pair, round, CpuMeter.MsPerMb(receiverCpuUs, options.BulkBytes), "ms", HigherIsBetter: false),
            new("bulk", "send calls per MB", pair, round, sendCallsPerMb, "", HigherIsBetter: false),
            new("bulk", "datagrams per ACK", pair, round, datagramsPerAck, "", HigherIsBetter: true),
            new("bulk", "sender B/datagram", pair, round, clientBytesPerDatagram, "B", HigherIsBetter: false),
        };
        if (serverBefore is not null && serverAfter is not null)
        {
            double serverBytesPerDatagram = (serverAfter.AllocatedBytes - serverBefore.AllocatedBytes) / datagrams;
            raw["serverAllocatedBytes"] = serverAfter.AllocatedBytes - serverBefore.AllocatedBytes;
            measures.Add(new("bulk", "receiver B/datagram", pair, round, serverBytesPerDatagram, "B", HigherIsBetter: false));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {pair} bulk: {mbps:F1} MB/s, CPU ms/MB sender {CpuMeter.MsPerMb(senderCpuUs, options.BulkBytes):F2} receiver {CpuMeter.MsPerMb(receiverCpuUs, options.BulkBytes):F2}, path MTU {after.PathMtu}, {datagrams:F0} datagrams in {after.SendCalls - before.SendCalls} send calls (GSO {client.SegmentationOffload}), {datagramsPerAck:F1} datagrams per ACK, sender {clientBytesPerDatagram:F1} B/datagram, stops cwnd {raw["stopsByCongestionWindow"]} pacing {raw["stopsByPacing"]} MAX_DATA {raw["stopsByConnectionFlowControl"]} MAX_STREAM_DATA {raw["stopsByStreamFlowControl"]}, driver turns {raw["driverTurns"]}"));
        report.Add("bulk", pair, round, raw, [.. measures]);
    }

    private async Task<ServerStats> ReadServerStatsAsync()
    {
        string line = await _server!.RequestAsync("stats", TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        return JsonSerializer.Deserialize(line, ServerInfoContext.Default.ServerStats)
            ?? throw new InvalidOperationException($"The server answered '{line}' to stats.");
    }

    private async Task HandshakeAsync(Report report, AsterEndpoint client, EndpointAddr target, string pair, int round)
    {
        var closing = new List<Task>();
        var samples = new LatencySamples(options.Handshakes);
        Segment segment = Segment.Start();
        for (int i = 0; i < options.HandshakeWarmup + options.Handshakes; i++)
        {
            long start = Stopwatch.GetTimestamp();
            AsterConnection connection = await client.ConnectAsync(target, TransportProtocol.EchoAlpn).ConfigureAwait(false);
            if (i >= options.HandshakeWarmup)
            {
                samples.Add(start);
            }

            // Closed before the next one starts; the closing period runs in the background.
            closing.Add(connection.DisposeAsync().AsTask());
        }

        SegmentResult result = segment.Stop(options.HandshakeWarmup + options.Handshakes);
        Percentiles p = samples.Compute();
        await Task.WhenAll(closing).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        report.Add("handshake", pair, round, new Dictionary<string, object> { ["count"] = options.Handshakes, ["p50Us"] = p.P50Us, ["p90Us"] = p.P90Us, ["p99Us"] = p.P99Us, ["allocatedBytesPerHandshake"] = result.AllocatedPerOp },
            new Measure("handshake", "p50", pair, round, p.P50Us, "µs", HigherIsBetter: false),
            new Measure("handshake", "p99", pair, round, p.P99Us, "µs", HigherIsBetter: false));
    }

    private async Task EchoAsync(Report report, AsterEndpoint client, EndpointAddr target, string pair, int inFlight, int round)
    {
        await using AsterConnection connection = await client.ConnectAsync(target, TransportProtocol.EchoAlpn).ConfigureAwait(false);
        byte[] payload = new byte[64];
        var scratch = new ThreadLocal<byte[]>(() => new byte[TransportProtocol.MaxEcho]);
        using (scratch)
        {
            ClosedLoop.Result result = await ClosedLoop.RunAsync(ct => TransportProtocol.EchoOnceAsync(connection, payload, scratch.Value, ct), inFlight,
                new LoopBudget(1_000_000, options.Warmup, 10_000_000, options.Segment), CancellationToken.None).ConfigureAwait(false);
            string bench = "echo-" + inFlight.ToString(CultureInfo.InvariantCulture);
            report.Add(bench, pair, round, Raw(result),
                new Measure(bench, "round trips/s", pair, round, result.Segment.Rate, "/s", HigherIsBetter: true),
                new Measure(bench, "p50", pair, round, result.Latency.P50Us, "µs", HigherIsBetter: false));
        }
    }

    /// <summary>
    /// One bulk transfer from a Node iroh client to the iroh peer or (<paramref name="irohReceives"/> false) our server.
    /// The sender's CPU covers the timed transfer; the receiver's is read around the client's whole run, so it also
    /// holds the handshake and the untimed 1 MiB warm-up (about 1.6% more data at 64 MiB).
    /// </summary>
    private async Task IrohBulkAsync(Report report, IrohPeer iroh, string pair, string id, string addr, int round, bool irohReceives)
    {
        long receiverBefore = irohReceives ? await iroh.ReadServerCpuUsAsync().ConfigureAwait(false) : (await ReadServerStatsAsync().ConfigureAwait(false)).CpuUs;
        List<JsonElement> lines = await iroh.RunClientAsync("bulk", id, addr, "--bytes", options.BulkBytes.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
        long receiverCpuUs = (irohReceives ? await iroh.ReadServerCpuUsAsync().ConfigureAwait(false) : (await ReadServerStatsAsync().ConfigureAwait(false)).CpuUs) - receiverBefore;
        foreach (JsonElement line in lines)
        {
            double mbps = line.GetProperty("mbps").GetDouble();
            long senderCpuUs = line.GetProperty("cpuUs").GetInt64();
            report.Add("bulk", pair, round, new Dictionary<string, object> { ["bytes"] = options.BulkBytes, ["seconds"] = line.GetProperty("seconds").GetDouble(), ["mbps"] = mbps, ["mtu"] = line.GetProperty("mtu").ToString(), ["senderCpuUs"] = senderCpuUs, ["receiverCpuUs"] = receiverCpuUs },
                new Measure("bulk", "MB/s", pair, round, mbps, "MB/s", HigherIsBetter: true),
                new Measure("bulk", "sender CPU ms/MB", pair, round, CpuMeter.MsPerMb(senderCpuUs, options.BulkBytes), "ms", HigherIsBetter: false),
                new Measure("bulk", "receiver CPU ms/MB", pair, round, CpuMeter.MsPerMb(receiverCpuUs, options.BulkBytes), "ms", HigherIsBetter: false));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {pair} bulk: {mbps:F1} MB/s, CPU ms/MB sender {CpuMeter.MsPerMb(senderCpuUs, options.BulkBytes):F2} receiver {CpuMeter.MsPerMb(receiverCpuUs, options.BulkBytes):F2}"));
        }
    }

    private async Task IrohHandshakeAsync(Report report, IrohPeer iroh, string pair, string id, string addr, int round)
    {
        foreach (JsonElement line in await iroh.RunClientAsync("handshake", id, addr, "--count", options.Handshakes.ToString(CultureInfo.InvariantCulture), "--warmup", options.HandshakeWarmup.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false))
        {
            double p50 = line.GetProperty("p50Us").GetDouble();
            double p99 = line.GetProperty("p99Us").GetDouble();
            report.Add("handshake", pair, round, new Dictionary<string, object> { ["count"] = options.Handshakes, ["p50Us"] = p50, ["p90Us"] = line.GetProperty("p90Us").GetDouble(), ["p99Us"] = p99 },
                new Measure("handshake", "p50", pair, round, p50, "µs", HigherIsBetter: false),
                new Measure("handshake", "p99", pair, round, p99, "µs", HigherIsBetter: false));
        }
    }

    private async Task IrohEchoAsync(Report report, IrohPeer iroh, string pair, string id, string addr, int round)
    {
        string seconds = options.Segment.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        string warmup = options.Warmup.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        foreach (JsonElement line in await iroh.RunClientAsync("echo", id, addr, "--seconds", seconds, "--warmup-seconds", warmup).ConfigureAwait(false))
        {
            double rate = line.GetProperty("rate").GetDouble();
            double p50 = line.GetProperty("p50Us").GetDouble();
            report.Add("echo-1", pair, round, new Dictionary<string, object> { ["ops"] = line.GetProperty("ops").GetDouble(), ["seconds"] = line.GetProperty("seconds").GetDouble(), ["rate"] = rate, ["p50Us"] = p50, ["p99Us"] = line.GetProperty("p99Us").GetDouble() },
                new Measure("echo-1", "round trips/s", pair, round, rate, "/s", HigherIsBetter: true),
                new Measure("echo-1", "p50", pair, round, p50, "µs", HigherIsBetter: false));
        }
    }

    internal static Dictionary<string, object> Raw(ClosedLoop.Result result) => new()
    {
        ["ops"] = result.Segment.Operations,
        ["seconds"] = result.Segment.Seconds,
        ["rate"] = result.Segment.Rate,
        ["p50Us"] = result.Latency.P50Us,
        ["p90Us"] = result.Latency.P90Us,
        ["p99Us"] = result.Latency.P99Us,
        ["p999Us"] = result.Latency.P999Us,
        ["allocatedBytesPerOp"] = result.Segment.AllocatedPerOp,
        ["gen0"] = result.Segment.Gen0,
        ["gen1"] = result.Segment.Gen1,
        ["gen2"] = result.Segment.Gen2,
    };

    private static byte[] CreateChunk()
    {
        byte[] chunk = new byte[TransportProtocol.ChunkSize];
        Array.Fill(chunk, (byte)0xA5);
        return chunk;
    }
}
