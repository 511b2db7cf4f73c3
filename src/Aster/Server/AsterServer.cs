using Aster.Net.Identity;
using Aster.Server.Network;
using Aster.Transport;
using Aster.Trust;

namespace Aster.Server;

/// <summary>
/// Serves Aster services: dispatches each call by service, version and method, runs handlers through the
/// interceptors, and applies the wire protocol's rules on limits, deadlines, cancellation and sessions.
/// </summary>
/// <remarks>
/// <para>
/// On the network: <see cref="ServeAsync"/> (or <see cref="StartAsync"/>) binds one QUIC endpoint per configured bind
/// address, all with one identity, and serves <c>aster/1</c>, <c>aster.consumer_admission</c> and each
/// <see cref="AsterServerOptions.AlpnHandlers"/> entry. <see cref="Address"/> is then the <c>aster1…</c> address to
/// give to clients. Without <see cref="AsterServerOptions.Admission"/> the server runs in dev mode: an ephemeral
/// root key and an open consumer gate, announced by one warning in the log.
/// </para>
/// <para>In process: <see cref="ServeConnectionAsync"/> serves any <see cref="IRpcConnection"/> (for example the in-memory transport).</para>
/// </remarks>
public sealed class AsterServer : IAsyncDisposable
{
    private readonly ServerRuntime _runtime;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<Task> _connections = [];
    private readonly SemaphoreSlim _startLock = new(1, 1);
    private readonly Configuration.PickedIdentity? _picked;
    private ServerHost? _host;
    private int _disposed;

    /// <summary>
    /// Creates a server for <paramref name="services"/>. What <paramref name="options"/> leaves unset (the node key, the
    /// admission authority, the mesh) is taken from the <c>ASTER_*</c> variables and the <c>.aster-identity</c> file
    /// (<see cref="AsterServerOptions.IdentityFile"/>, <see cref="AsterServerOptions.PeerName"/>); the options object
    /// itself is not modified, and what was taken is disposed with the server.
    /// </summary>
    /// <exception cref="ArgumentException">No services, a (name, version) registered twice, or no codecs configured.</exception>
    /// <exception cref="Configuration.ConfigurationException">The identity file or an <c>ASTER_*</c> variable is invalid, or a gate is closed without a root key.</exception>
    public AsterServer(IEnumerable<ServiceDefinition> services, AsterServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        var registry = new ServiceRegistry(services);
        _ = options.Codecs ?? throw new ArgumentException("AsterServerOptions.Codecs is required.", nameof(options));
        _picked = Configuration.PickedIdentity.ForServer(options, out AsterServerOptions effective);
        _runtime = new ServerRuntime(effective, registry);
    }

    /// <summary>The services this server dispatches to.</summary>
    public IReadOnlyList<ServiceDefinition> Services => _runtime.Registry.Services;

    /// <summary>The <c>aster1…</c> address of the started server: its endpoint id and direct addresses.</summary>
    /// <exception cref="InvalidOperationException">The server has not been started.</exception>
    public string Address => AsterAddress.FromEndpointAddr(Host.Address).ToString();

    /// <summary>The started server's endpoint id and direct addresses.</summary>
    /// <exception cref="InvalidOperationException">The server has not been started.</exception>
    public EndpointAddr EndpointAddr => Host.Address;

    /// <summary>The started server's identity (its Ed25519 public key).</summary>
    /// <exception cref="InvalidOperationException">The server has not been started.</exception>
    public EndpointId EndpointId => Host.Address.Id;

    /// <summary>
    /// True when the started server runs in dev mode (trust.md 10: no admission authority configured, or a dev-mode
    /// <see cref="TrustAuthority"/> such as configuration gives when no root key exists anywhere).
    /// </summary>
    /// <exception cref="InvalidOperationException">The server has not been started.</exception>
    public bool IsDevMode => Host.IsDevMode;

    /// <summary>What consumer admission advertises: one summary per service, with its contract id and <c>rpc</c> channel.</summary>
    /// <exception cref="InvalidOperationException">The server has not been started.</exception>
    public IReadOnlyList<ServiceSummary> ServiceSummaries => Host.Summaries;

    /// <summary>
    /// The producer mesh node this server runs (from <see cref="AsterServerOptions.Mesh"/>): members, salt rotation,
    /// broadcasts. Null when the server takes part in no mesh.
    /// </summary>
    /// <exception cref="InvalidOperationException">The server has not been started.</exception>
    public Aster.Trust.Mesh.MeshNode? Mesh => Host.Mesh;

    /// <summary>The admission authority in use (the configured one, or dev mode's open authority).</summary>
    /// <exception cref="InvalidOperationException">The server has not been started.</exception>
    public IAdmissionAuthority Admission => Host.Authority;

    private ServerHost Host => Volatile.Read(ref _host) ?? throw new InvalidOperationException("The server has not been started: call StartAsync or ServeAsync first.");

    /// <summary>
    /// Binds the endpoints and starts accepting connections; returns once <see cref="Address"/> is known. Idempotent.
    /// </summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when the server accepts connections.</returns>
    /// <exception cref="System.Net.Sockets.SocketException">A bind address is in use or not available.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _startLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _host ??= await ServerHost.StartAsync(this, _runtime, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _startLock.Release();
        }
    }

    /// <summary>
    /// Starts the server if needed and serves until <paramref name="cancellationToken"/> fires, then shuts down
    /// gracefully: no new connections, calls in flight get <see cref="AsterServerOptions.ShutdownGracePeriod"/> to
    /// finish, then every connection is closed (code 0, <c>server closed</c>).
    /// </summary>
    /// <param name="cancellationToken">Stops serving.</param>
    /// <returns>A task that completes after the shutdown.</returns>
    public async Task ServeAsync(CancellationToken cancellationToken = default)
    {
        await StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await StopAsync().ConfigureAwait(false);
    }

    /// <summary>Shuts the network side down gracefully (see <see cref="ServeAsync"/>); a later start is not possible.</summary>
    /// <returns>A task that completes after the shutdown.</returns>
    public async Task StopAsync()
    {
        ServerHost? host = Volatile.Read(ref _host);
        if (host is not null)
        {
            await host.DisposeAsync().ConfigureAwait(false);
        }
    }

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

        await StopAsync().ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections).ConfigureAwait(false);
        _stopping.Dispose();
        _startLock.Dispose();
        _runtime.Dispose();
        _picked?.Dispose();
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
