using System.Runtime.CompilerServices;

namespace Aster.Bench.Load.Mission;

/// <summary>The part of the reference's MissionControl service the end-to-end benchmarks call.</summary>
[AsterService(Name = "MissionControl", MethodNaming = MethodNaming.CamelCase)]
public interface IMissionControl
{
    /// <summary>Unary: the agent's status.</summary>
    [Rpc(Idempotent = true)]
    ValueTask<StatusResponse> GetStatusAsync(StatusRequest request, CancellationToken cancellationToken = default);

    /// <summary>Server stream: <see cref="TailRequest.Count"/> log entries as fast as the server can yield them.</summary>
    IAsyncEnumerable<LogEntry> TailLogsAsync(TailRequest request, CancellationToken cancellationToken = default);
}

/// <summary>The server's implementation, shared in spirit with the Kestrel endpoints (same answers, same payloads).</summary>
public sealed class MissionControlService : IMissionControl
{
    /// <inheritdoc/>
    public ValueTask<StatusResponse> GetStatusAsync(StatusRequest request, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(MissionPayloads.Answer(request));

    /// <inheritdoc/>
    public IAsyncEnumerable<LogEntry> TailLogsAsync(TailRequest request, CancellationToken cancellationToken = default)
        => Tail(request.Count, cancellationToken);

    /// <summary>Yields <paramref name="count"/> copies of the benchmark's log entry.</summary>
    public static async IAsyncEnumerable<LogEntry> Tail(int count, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (int i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return MissionPayloads.Log;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
