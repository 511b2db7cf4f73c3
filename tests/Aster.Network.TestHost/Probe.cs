using System.Runtime.CompilerServices;
using Aster.Client;
using Aster.Contracts;
using Aster.Server;
using Aster.Tests.Rpc;

namespace Aster.Network.TestHost;

/// <summary>The answer of <c>Probe.last_call_cancelled</c>.</summary>
public sealed record ProbeFlag(bool Value);

/// <summary>The answer of <c>Probe.disposed_sessions</c>.</summary>
public sealed record ProbeSessions(int[] Ids);

/// <summary>
/// Lets a test in another process observe the server side of the conformance suite: whether a handler saw its
/// cancellation, and which session instances were disposed. Compiled into the host and into the tests.
/// </summary>
internal sealed class Probe(TestService service, List<int> disposedSessions, StrongBox<int> liveSessions)
{
    public static readonly ClientMethod<Empty, Empty> Reset = new("Probe", 1, "reset", MethodPattern.Unary);
    public static readonly ClientMethod<Empty, ProbeFlag> LastCallCancelled = new("Probe", 1, "last_call_cancelled", MethodPattern.Unary);
    public static readonly ClientMethod<Empty, ProbeSessions> DisposedSessions = new("Probe", 1, "disposed_sessions", MethodPattern.Unary);

    public ServiceDefinition Definition()
        => ServiceDefinition.CreateShared("Probe", 1, this)
            .AddUnary<Empty, Empty>("reset", static (p, _, c) => p.ResetAsync(c.CancellationToken))
            .AddUnary<Empty, ProbeFlag>("last_call_cancelled", static (p, _, c) => p.LastCancelledAsync(c.CancellationToken))
            .AddUnary<Empty, ProbeSessions>("disposed_sessions", static (p, _, _) => ValueTask.FromResult(p.Disposed()))
            .Build();

    /// <summary>Waits (bounded) until earlier tests' sessions are gone, then forgets them and the cancellation flag.</summary>
    private async ValueTask<Empty> ResetAsync(CancellationToken cancellationToken)
    {
        for (int i = 0; i < 500 && Volatile.Read(ref liveSessions.Value) > 0; i++)
        {
            await Task.Delay(10, cancellationToken);
        }

        lock (disposedSessions)
        {
            disposedSessions.Clear();
        }

        service.ResetCancellationProbe();
        return new Empty();
    }

    private async ValueTask<ProbeFlag> LastCancelledAsync(CancellationToken cancellationToken)
    {
        try
        {
            return new ProbeFlag(await service.LastCallCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken));
        }
        catch (TimeoutException)
        {
            return new ProbeFlag(false);
        }
    }

    private ProbeSessions Disposed()
    {
        lock (disposedSessions)
        {
            return new ProbeSessions([.. disposedSessions]);
        }
    }
}
