using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace MissionControl;

/// <summary>The shared control plane: agent status, a bounded log with live followers, metric counters.</summary>
public sealed class MissionControlService : IMissionControl
{
    private const int MaxLogLines = 1000;
    private static readonly string[] _levels = ["debug", "info", "warn", "error"];
    private readonly ConcurrentDictionary<string, (string Status, DateTimeOffset Since)> _agents = new(StringComparer.Ordinal);
    private readonly Queue<LogEntry> _log = new();
    private readonly List<Channel<LogEntry>> _followers = [];
    private long _metrics;

    /// <summary>How many metric samples were kept so far.</summary>
    public long MetricsKept => Interlocked.Read(ref _metrics);

    /// <summary>Records an agent's status (called by its session).</summary>
    public void ReportAgent(string agentId, string status)
        => _agents.AddOrUpdate(agentId, _ => (status, DateTimeOffset.UtcNow), (_, old) => (status, old.Since));

    /// <inheritdoc/>
    public ValueTask<StatusResponse> GetStatusAsync(StatusRequest request, CancellationToken cancellationToken = default)
    {
        if (!_agents.TryGetValue(request.AgentId, out var agent))
        {
            throw new Aster.RpcException(Aster.StatusCode.NotFound, $"unknown agent '{request.AgentId}'");
        }

        return ValueTask.FromResult(new StatusResponse(request.AgentId, agent.Status, (long)(DateTimeOffset.UtcNow - agent.Since).TotalSeconds));
    }

    /// <inheritdoc/>
    public ValueTask<SubmitLogResult> SubmitLogAsync(LogEntry entry, CancellationToken cancellationToken = default)
    {
        lock (_log)
        {
            _log.Enqueue(entry);
            if (_log.Count > MaxLogLines)
            {
                _log.Dequeue();
            }

            foreach (Channel<LogEntry> follower in _followers)
            {
                follower.Writer.TryWrite(entry);
            }
        }

        return ValueTask.FromResult(new SubmitLogResult(true));
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<LogEntry> TailLogsAsync(TailRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // A slow follower loses its oldest lines rather than holding memory.
        var follower = Channel.CreateBounded<LogEntry>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest });
        LogEntry[] recent;
        lock (_log)
        {
            recent = [.. _log];
            _followers.Add(follower);
        }

        try
        {
            foreach (LogEntry entry in recent.Where(e => Matches(e, request)))
            {
                yield return entry;
            }

            await foreach (LogEntry entry in follower.Reader.ReadAllAsync(cancellationToken))
            {
                if (Matches(entry, request))
                {
                    yield return entry;
                }
            }
        }
        finally
        {
            lock (_log)
            {
                _followers.Remove(follower);
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask<IngestResult> IngestMetricsAsync(IAsyncEnumerable<MetricPoint> points, CancellationToken cancellationToken = default)
    {
        int accepted = 0, dropped = 0;
        await foreach (MetricPoint point in points.WithCancellation(cancellationToken))
        {
            if (point.Name.Length == 0 || !double.IsFinite(point.Value))
            {
                dropped++;
                continue;
            }

            accepted++;
        }

        Interlocked.Add(ref _metrics, accepted);
        return new IngestResult(accepted, dropped);
    }

    private static bool Matches(LogEntry entry, TailRequest request)
        => (request.AgentId.Length == 0 || entry.AgentId == request.AgentId)
            && Array.IndexOf(_levels, entry.Level) >= Math.Max(0, Array.IndexOf(_levels, request.Level));
}

/// <summary>One agent's session: created when the session's first call arrives, disposed when it ends.</summary>
public sealed class AgentSessionService(MissionControlService control) : IAgentSession, IDisposable
{
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
    private string? _agentId;
    private int _heartbeats;

    /// <inheritdoc/>
    public ValueTask<Assignment> RegisterAsync(Heartbeat heartbeat, CancellationToken cancellationToken = default)
    {
        _agentId = heartbeat.AgentId;
        control.ReportAgent(heartbeat.AgentId, "running");
        bool gpu = heartbeat.Capabilities?.Contains("gpu") == true;
        return ValueTask.FromResult(gpu ? new Assignment("train-42", "python train.py") : new Assignment("index-7", "reindex --all"));
    }

    /// <inheritdoc/>
    public ValueTask<Assignment> HeartbeatAsync(Heartbeat heartbeat, CancellationToken cancellationToken = default)
    {
        if (_agentId is null)
        {
            throw new Aster.RpcException(Aster.StatusCode.FailedPrecondition, "register before sending heartbeats");
        }

        _heartbeats++;
        control.ReportAgent(_agentId, heartbeat.LoadAvg > 0.9 ? "overloaded" : "running");
        return ValueTask.FromResult(new Assignment("continue", string.Empty));
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<CommandResult> RunCommandAsync(IAsyncEnumerable<Command> commands, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (Command command in commands.WithCancellation(cancellationToken))
        {
            string[] words = command.Text.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
            yield return words.FirstOrDefault() switch
            {
                "echo" => new CommandResult((words.Length > 1 ? words[1] : string.Empty) + "\n"),
                "whoami" => new CommandResult((_agentId ?? "(unregistered)") + "\n"),
                "uptime" => new CommandResult($"session up {(DateTimeOffset.UtcNow - _started).TotalSeconds:F1} s, {_heartbeats} heartbeats\n"),
                _ => new CommandResult(string.Empty, $"{command.Text}: command not found\n", 127),
            };
        }
    }

    /// <summary>The session ended: the agent is no longer reachable through it.</summary>
    public void Dispose()
    {
        if (_agentId is not null)
        {
            control.ReportAgent(_agentId, "disconnected");
        }
    }
}
