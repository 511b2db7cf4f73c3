using Aster.Transport;

namespace Aster.Server;

/// <summary>
/// Serves Aster services: dispatches each call by service, version and method, runs handlers through the
/// interceptors, and applies the wire protocol's rules on limits, deadlines, cancellation and sessions.
/// </summary>
public sealed class AsterServer : IAsyncDisposable
{
    private readonly ServerRuntime _runtime;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<Task> _connections = [];
    private int _disposed;

    /// <summary>Creates a server for <paramref name="services"/>.</summary>
    /// <exception cref="ArgumentException">No services, a (name, version) registered twice, or no codecs configured.</exception>
    public AsterServer(IEnumerable<ServiceDefinition> services, AsterServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        _runtime = new ServerRuntime(options, new ServiceRegistry(services));
    }

    /// <summary>The services this server dispatches to.</summary>
    public IReadOnlyList<ServiceDefinition> Services => _runtime.Registry.Services;

    /// <summary>
    /// Serves one connection until it closes or the server is disposed. Streams are served concurrently; calls on one
    /// stream run one after another.
    /// </summary>
    public Task ServeConnectionAsync(IRpcConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        Task task = ServeCoreAsync(connection, cancellationToken);
        lock (_connections)
        {
            _connections.Add(task);
        }

        return task;
    }

    /// <summary>Stops serving: cancels every call and waits for the connections' streams to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task ServeCoreAsync(IRpcConnection connection, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        try
        {
            await new ServerConnection(connection, _runtime, linked.Token).RunAsync().ConfigureAwait(false);
        }
        finally
        {
            lock (_connections)
            {
                _connections.RemoveWhere(t => t.IsCompleted);
            }
        }
    }
}
