// MissionControl: the reference example in C#. A shared control-plane service (unary, server stream, client stream)
// and a session-scoped AgentSession (unary calls and a bidirectional command stream), over QUIC.
//   dotnet run --project samples/MissionControl                          server, agent and operator in one process (loopback)
//   dotnet run --project samples/MissionControl -- server [port]         serve on every interface until Ctrl+C
//   dotnet run --project samples/MissionControl -- agent <aster1…> [id]  an agent: session, heartbeats, logs, metrics, commands
//   dotnet run --project samples/MissionControl -- operator <aster1…> [id]  an operator: status and a few log lines
using System.Net;
using Aster.Client;
using Aster.Codec;
using Aster.Samples;
using Aster.Server;
using Microsoft.Extensions.Logging;
using MissionControl;

var codecs = new ForyCodecProvider();
using ILoggerFactory logging = SampleConsoleLoggerProvider.CreateFactory();
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
string mode = args.Length > 0 ? args[0] : "all";

switch (mode)
{
    case "server":
    {
        int port = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 0;
        await using AsterServer server = CreateServer(new IPEndPoint(IPAddress.Any, port));
        await server.StartAsync();
        Console.WriteLine($"MissionControl serving at {server.Address}");
        await server.ServeAsync(stop.Token);
        break;
    }

    case "agent" when args.Length > 1:
        await RunAgentAsync(args[1], args.Length > 2 ? args[2] : "edge-1");
        break;
    case "operator" when args.Length > 1:
        await RunOperatorAsync(args[1], args.Length > 2 ? args[2] : "edge-1");
        break;
    case "all":
    {
        await using AsterServer server = CreateServer(new IPEndPoint(IPAddress.Loopback, 0));
        await server.StartAsync();
        Console.WriteLine($"MissionControl serving at {server.Address}");
        await RunAgentAsync(server.Address, "edge-1");
        await RunOperatorAsync(server.Address, "edge-1");
        break;
    }

    default:
        Console.Error.WriteLine("usage: MissionControl [server [port] | agent <aster1-address> [agent-id] | operator <aster1-address> [agent-id]]");
        return 2;
}

return 0;

AsterServer CreateServer(IPEndPoint bind)
{
    var control = new MissionControlService();
    var options = new AsterServerOptions { Codecs = codecs, LoggerFactory = logging, ShutdownGracePeriod = TimeSpan.FromSeconds(2) };
    options.BindAddresses.Add(bind);
    return new AsterServer(
        [ServiceBinder.FromInstance(control), ServiceBinder.FromFactory<IAgentSession>(_ => new AgentSessionService(control))],
        options);
}

async Task RunAgentAsync(string address, string agentId)
{
    await using AsterClient client = await AsterClient.ConnectAsync(address, new AsterClientOptions { Codecs = codecs, LoggerFactory = logging });
    Console.WriteLine($"[agent {agentId}] admitted; services: {string.Join(", ", client.Services.Select(s => $"{s.Name} ({s.Pattern})"))}");

    // Session-scoped: every call with this session id reaches the same AgentSession instance on the server.
    IAgentSession session = ServiceProxy.Create<IAgentSession>(client, new CallOptions().WithSession(client.NewSessionId()));
    Assignment first = await session.RegisterAsync(new Heartbeat(agentId, ["gpu"], 0.5));
    Console.WriteLine($"[agent {agentId}] register  -> task {first.TaskId}: {first.Command}");
    Assignment next = await session.HeartbeatAsync(new Heartbeat(agentId, [], 0.1));
    Console.WriteLine($"[agent {agentId}] heartbeat -> {next.TaskId}");

    IMissionControl control = ServiceProxy.Create<IMissionControl>(client);
    await control.SubmitLogAsync(new LogEntry(Now(), "info", "training started", agentId));
    await control.SubmitLogAsync(new LogEntry(Now(), "warn", "disk 91%", agentId));
    IngestResult ingest = await control.IngestMetricsAsync(Metrics(agentId));
    Console.WriteLine($"[agent {agentId}] ingestMetrics (client stream) -> accepted {ingest.Accepted}, dropped {ingest.Dropped}");

    await foreach (CommandResult result in session.RunCommandAsync(Commands("echo hello-from-bidi", "whoami", "uptime", "rm -rf /")))
    {
        Console.WriteLine($"[agent {agentId}] runCommand (bidi) -> exit {result.ExitCode}: {(result.Stdout + result.Stderr).TrimEnd()}");
    }
}

async Task RunOperatorAsync(string address, string agentId)
{
    await using AsterClient client = await AsterClient.ConnectAsync(address, new AsterClientOptions { Codecs = codecs, LoggerFactory = logging });
    IMissionControl control = ServiceProxy.Create<IMissionControl>(client);
    StatusResponse status = await control.GetStatusAsync(new StatusRequest(agentId));
    Console.WriteLine($"[operator] getStatus -> {status.AgentId} is {status.Status}, up {status.UptimeSecs} s");

    // The log never ends by itself: read what is there and stop following after a moment.
    using var follow = new CancellationTokenSource(TimeSpan.FromSeconds(1));
    try
    {
        await foreach (LogEntry entry in control.TailLogsAsync(new TailRequest(agentId, "info"), follow.Token))
        {
            Console.WriteLine($"[operator] tailLogs (server stream) -> {entry.Level}: {entry.Message}");
        }
    }
    catch (OperationCanceledException)
    {
        Console.WriteLine("[operator] stopped following the log");
    }
}

static double Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

static async IAsyncEnumerable<MetricPoint> Metrics(string agentId)
{
    var tags = new Dictionary<string, string> { ["agent"] = agentId };
    for (int i = 0; i < 5; i++)
    {
        await Task.Yield();
        yield return new MetricPoint("gpu.util", 0.5 + (i / 10.0), Now(), tags);
    }

    yield return new MetricPoint("gpu.temp", double.NaN, Now(), tags);
}

static async IAsyncEnumerable<Command> Commands(params string[] lines)
{
    foreach (string line in lines)
    {
        await Task.Yield();
        yield return new Command(line);
    }
}
