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
    }

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
