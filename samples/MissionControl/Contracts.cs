using Aster;
using Aster.Fory;

namespace MissionControl;

/// <summary>Asks for one agent's status.</summary>
[WireType("mission/StatusRequest")]
public sealed record StatusRequest(string AgentId = "");

/// <summary>An agent's status as the control plane last heard it.</summary>
[WireType("mission/StatusResponse")]
public sealed record StatusResponse(string AgentId = "", string Status = "idle", long UptimeSecs = 0);

/// <summary>One log line.</summary>
[WireType("mission/LogEntry")]
public sealed record LogEntry(double Timestamp = 0.0, string Level = "info", string Message = "", string AgentId = "");

/// <summary>Whether a submitted log line was kept.</summary>
[WireType("mission/SubmitLogResult")]
public sealed record SubmitLogResult(bool Accepted = true);

/// <summary>Which log lines to follow: one agent (or all, when empty) at a minimum level.</summary>
[WireType("mission/TailRequest")]
public sealed record TailRequest(string AgentId = "", string Level = "info");

/// <summary>One metric sample.</summary>
[WireType("mission/MetricPoint")]
public sealed record MetricPoint(string Name = "", double Value = 0.0, double Timestamp = 0.0, Dictionary<string, string>? Tags = null);

/// <summary>How many metric samples were kept and dropped.</summary>
[WireType("mission/IngestResult")]
public sealed record IngestResult(int Accepted = 0, int Dropped = 0);

/// <summary>An agent's periodic report.</summary>
[WireType("mission/Heartbeat")]
public sealed record Heartbeat(string AgentId = "", string[]? Capabilities = null, double LoadAvg = 0.0);

/// <summary>What the control plane wants an agent to do next.</summary>
[WireType("mission/Assignment")]
public sealed record Assignment(string TaskId = "", string Command = "");

/// <summary>A command for the agent's session shell.</summary>
[WireType("mission/Command")]
public sealed record Command(string Text = "");

/// <summary>What a command printed and its exit code.</summary>
[WireType("mission/CommandResult")]
public sealed record CommandResult(string Stdout = "", string Stderr = "", int ExitCode = 0);

/// <summary>
/// The control plane, shared by every caller: unary status and log submission, a server stream of logs, a client
/// stream of metrics (the reference example's method names are camelCase on the wire).
/// </summary>
[AsterService(Name = "MissionControl", Version = 1, MethodNaming = MethodNaming.CamelCase)]
public interface IMissionControl
{
    /// <summary>The last known status of an agent.</summary>
    [Rpc(Idempotent = true)]
    ValueTask<StatusResponse> GetStatusAsync(StatusRequest request, CancellationToken cancellationToken = default);

    /// <summary>Stores one log line.</summary>
    ValueTask<SubmitLogResult> SubmitLogAsync(LogEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Follows the log: recent lines first, then new ones as they arrive, until the caller stops.</summary>
    IAsyncEnumerable<LogEntry> TailLogsAsync(TailRequest request, CancellationToken cancellationToken = default);

    /// <summary>Takes a stream of metric samples and says how many were kept.</summary>
    ValueTask<IngestResult> IngestMetricsAsync(IAsyncEnumerable<MetricPoint> points, CancellationToken cancellationToken = default);
}

/// <summary>
/// One agent's conversation with the control plane: a session-scoped service, so every session gets its own instance
/// that remembers who registered. Unary calls plus a bidirectional command stream.
/// </summary>
[AsterService(Name = "AgentSession", Version = 1, Scope = ServiceScope.Session, MethodNaming = MethodNaming.CamelCase)]
public interface IAgentSession
{
    /// <summary>Registers the agent of this session and returns its first assignment.</summary>
    ValueTask<Assignment> RegisterAsync(Heartbeat heartbeat, CancellationToken cancellationToken = default);

    /// <summary>Reports liveness and load; returns the next assignment.</summary>
    ValueTask<Assignment> HeartbeatAsync(Heartbeat heartbeat, CancellationToken cancellationToken = default);

    /// <summary>Runs commands as they arrive and answers each one (a simulated shell: nothing is executed).</summary>
    IAsyncEnumerable<CommandResult> RunCommandAsync(IAsyncEnumerable<Command> commands, CancellationToken cancellationToken = default);
}
