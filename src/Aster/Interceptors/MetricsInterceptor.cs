using Aster.Client;
using Aster.Server;

namespace Aster.Interceptors;

/// <summary>Counts of calls seen by a <see cref="MetricsInterceptor"/>.</summary>
/// <param name="Started">Calls started.</param>
/// <param name="Succeeded">Calls that ended OK.</param>
/// <param name="Failed">Calls that ended with another status or an exception.</param>
/// <param name="InFlight">Calls still running.</param>
public readonly record struct CallCounts(long Started, long Succeeded, long Failed, long InFlight);

/// <summary>
/// Rate, errors and in-flight calls, on a client or a server, readable in process with <see cref="Snapshot"/>. (The
/// runtime also records OpenTelemetry <c>rpc.*.call.duration</c> histograms on its meters whether or not this is used.)
/// </summary>
public sealed class MetricsInterceptor : IServerInterceptor, IClientInterceptor
{
    private long _started;
    private long _succeeded;
    private long _failed;

    /// <summary>The counts so far.</summary>
    public CallCounts Snapshot()
    {
        long started = Interlocked.Read(ref _started), succeeded = Interlocked.Read(ref _succeeded), failed = Interlocked.Read(ref _failed);
        return new CallCounts(started, succeeded, failed, started - succeeded - failed);
    }

    /// <inheritdoc/>
    public ValueTask InvokeAsync(CallContext context, Func<CallContext, ValueTask> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        return CountAsync(continuation(context));
    }

    /// <inheritdoc/>
    public ValueTask InvokeAsync(ClientCallContext context, Func<ClientCallContext, ValueTask> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        return CountAsync(continuation(context));
    }

    private async ValueTask CountAsync(ValueTask call)
    {
        Interlocked.Increment(ref _started);
        try
        {
            await call.ConfigureAwait(false);
            Interlocked.Increment(ref _succeeded);
        }
        catch
        {
            Interlocked.Increment(ref _failed);
            throw;
        }
    }
}
