using Aster.Transport;

namespace Aster.Server;

/// <summary>Serves every stream of one connection and owns the connection's sessions.</summary>
internal sealed class ServerConnection
{
    private readonly IRpcConnection _connection;
    private readonly ServerRuntime _runtime;
    private readonly CancellationTokenSource _closing;
    private readonly HashSet<Task> _streams = [];

    public ServerConnection(IRpcConnection connection, ServerRuntime runtime, CancellationToken serverStopping)
    {
        _connection = connection;
        _runtime = runtime;
        _closing = CancellationTokenSource.CreateLinkedTokenSource(serverStopping, connection.Closed);
        Sessions = new SessionTable(runtime.Options.Limits.MaxSessionsPerConnection);
        Caller = connection is IInProcessCaller inProcess
            ? new CallerInfo(connection.RemoteId, inProcess.CallerAttributes, inProcess.EnforceCapabilitiesInProcess)
            : new CallerInfo(connection.RemoteId, null, false);
    }

    /// <summary>Who calls on this connection, as far as the connection itself knows.</summary>
    public CallerInfo Caller { get; }

    /// <summary>Cancelled when the connection closes or the server stops: every call of the connection is cancelled.</summary>
    public CancellationToken Closing => _closing.Token;

    public SessionTable Sessions { get; }

    public async Task RunAsync()
    {
        long count = 0;
        try
        {
            while (true)
            {
                IRpcStream? stream;
                try
                {
                    stream = await _connection.AcceptStreamAsync(Closing).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException)
                {
                    break;
                }

                if (stream is null)
                {
                    break;
                }

                count++;
                Task task = new ServerStreamProcessor(stream, this, _runtime).RunAsync();
                lock (_streams)
                {
                    _streams.Add(task);
                }

                _ = task.ContinueWith(
                    static (t, state) =>
                    {
                        var streams = (HashSet<Task>)state!;
                        lock (streams)
                        {
                            streams.Remove(t);
                        }
                    },
                    _streams,
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }
        }
        finally
        {
            await _closing.CancelAsync().ConfigureAwait(false);
            Task[] remaining;
            lock (_streams)
            {
                remaining = [.. _streams];
            }

            await Task.WhenAll(remaining).ConfigureAwait(false);
            foreach ((int sessionId, string service, Exception error) in await Sessions.DisposeAllAsync().ConfigureAwait(false))
            {
                ServerLog.SessionDisposeFailed(_runtime.Logger, sessionId, service, error);
            }

            ServerLog.ConnectionServed(_runtime.Logger, _connection.Alpn, count);
            _closing.Dispose();
        }
    }
}

/// <summary>What a connection says about its caller: the authenticated peer, or the in-process transport's settings.</summary>
/// <param name="Peer">The authenticated peer; null for an in-process connection.</param>
/// <param name="InProcessAttributes">Caller attributes given to the in-process transport, or null.</param>
/// <param name="EnforceCapabilitiesInProcess">Whether gate 3 evaluates in-process calls instead of passing them.</param>
internal readonly record struct CallerInfo(Aster.Net.Identity.EndpointId? Peer, IReadOnlyDictionary<string, string>? InProcessAttributes, bool EnforceCapabilitiesInProcess);
