using System.Runtime.CompilerServices;
using Aster.Server;

namespace Aster.Tests.Rpc;

public sealed record HelloRequest(string? Name = null);

public sealed record HelloResponse(string Message);

public sealed record StatusRequest(string AgentId = "");

public sealed record StatusResponse(string AgentId, string Status, long UptimeSecs);

public sealed record LogEntry(long Timestamp, string Level, string Message, string AgentId);

public sealed record SubmitLogResult(bool Accepted);

public sealed record TailRequest(string AgentId = "", string Level = "info");

public sealed record MetricPoint(string Name, double Value, long Timestamp, Dictionary<string, string>? Tags = null);

public sealed record IngestResult(int Accepted, int Dropped);

public sealed record Heartbeat(string AgentId, string[] Capabilities, double LoadAvg);

public sealed record Assignment(string TaskId, string Command);

/// <summary>The reference examples' Hello and MissionControl services, behaving as the captured reference peer did.</summary>
internal static class ReferenceServices
{
    private static readonly LogEntry[] _log =
    [
        new(1700000000, "info", "warmup-1", "edge-1"),
        new(1700000000, "info", "warmup-2", "edge-1"),
        new(1700000000, "info", "boot", "edge-1"),
        new(1700000000, "warn", "disk 91%", "edge-1"),
        new(1700000000, "error", "oom", "edge-1"),
    ];

    public static ServiceDefinition Hello()
        => ServiceDefinition.CreateShared("Hello", 1, new object())
            .AddUnary<HelloRequest, HelloResponse>("sayHello", (_, r, _) => ValueTask.FromResult(new HelloResponse($"Hello, {r.Name ?? "undefined"}!")))
            .AddServerStreaming<HelloRequest, HelloResponse>("countdown", (_, r, _) => Countdown(r.Name ?? ""))
            .Build();

    public static ServiceDefinition MissionControl()
        => ServiceDefinition.CreateShared("MissionControl", 1, new object())
            .AddUnary<StatusRequest, StatusResponse>("getStatus", (_, r, _) => ValueTask.FromResult(new StatusResponse(r.AgentId, "running", 3600)))
            .AddUnary<LogEntry, SubmitLogResult>("submitLog", (_, _, _) => ValueTask.FromResult(new SubmitLogResult(true)))
            .AddServerStreaming<TailRequest, LogEntry>("tailLogs", (_, _, c) => TailLogs(c.CancellationToken))
            .AddClientStreaming<MetricPoint, IngestResult>("ingestMetrics", async (_, points, _) =>
            {
                int accepted = 0;
                await foreach (MetricPoint point in points)
                {
                    accepted++;
                }

                return new IngestResult(accepted, 0);
            })
            .Build();

    /// <summary>The session-scoped AgentSession service of the MissionControl example (one instance per session).</summary>
    public static ServiceDefinition AgentSession()
        => ServiceDefinition.CreateSessionScoped("AgentSession", 1, _ => new object())
            .AddUnary<Heartbeat, Assignment>("register", (_, h, _) => ValueTask.FromResult(new Assignment("train-42", "python train.py")))
            .AddUnary<Heartbeat, Assignment>("heartbeat", (_, _, _) => ValueTask.FromResult(new Assignment("continue", "")))
            .AddDuplexStreaming<CommandRequest, CommandResult>("runCommand", (_, commands, c) => RunCommands(commands, c.CancellationToken))
            .Build();

    /// <summary>A toy shell for the captured <c>runCommand</c> calls: <c>echo</c>, <c>printf</c> and <c>exit</c>, joined by <c>; </c>.</summary>
    private static async IAsyncEnumerable<CommandResult> RunCommands(IAsyncEnumerable<CommandRequest> commands, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (CommandRequest command in commands.WithCancellation(cancellationToken))
        {
            var stdout = new System.Text.StringBuilder();
            int exitCode = 0;
            foreach (string part in command.Command.Split("; "))
            {
                string[] words = part.Split(' ', 2);
                switch (words[0])
                {
                    case "echo":
                        stdout.Append(words.ElementAtOrDefault(1)).Append('\n');
                        break;
                    case "printf":
                        stdout.Append(words.ElementAtOrDefault(1));
                        break;
                    case "exit":
                        exitCode = int.Parse(words[1], System.Globalization.CultureInfo.InvariantCulture);
                        break;
                    default:
                        exitCode = 127;
                        break;
                }
            }

            yield return new CommandResult(stdout.ToString(), "", exitCode);
        }
    }

    private static async IAsyncEnumerable<HelloResponse> Countdown(string name)
    {
        foreach (string step in new[] { "3...", "2...", "1...", "Go!" })
        {
            await Task.Yield();
            yield return new HelloResponse($"{name}: {step}");
        }
    }

    private static async IAsyncEnumerable<LogEntry> TailLogs([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (LogEntry entry in _log)
        {
            yield return entry;
        }

        await Task.Delay(Timeout.Infinite, cancellationToken); // like the reference: never ends by itself
    }
}
