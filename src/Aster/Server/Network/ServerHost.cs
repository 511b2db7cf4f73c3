using System.Net;
using Aster.Net.Identity;
using Aster.Net.Quic;
using Aster.Transport;
using Aster.Trust;
using Aster.Trust.Mesh;
using Microsoft.Extensions.Logging;

namespace Aster.Server.Network;

/// <summary>
/// The network side of an <see cref="AsterServer"/>: one identity on one or more UDP sockets serving <c>aster/1</c>,
/// <c>aster.consumer_admission</c> and each extra ALPN handler. Every accepted connection passes gate 0 before any
/// stream is read; a refusal, an exception or no answer in time closes it with 403 <c>not admitted</c>. Every
/// <see cref="AdmissionLimits.ExpirySweepInterval"/> the connections past gate 0 (admission ALPNs excepted) are checked
/// again, and those whose peer no longer qualifies are closed with 403 <c>admission expired</c> (trust.md 7.1).
/// </summary>
internal sealed class ServerHost : IAsyncDisposable
{
    private readonly AsterServer _server;
    private readonly ServerRuntime _runtime;
    private readonly AsterServerOptions _options;
    private readonly ILogger _logger;
    private readonly List<AsterEndpoint> _endpoints = [];
    private readonly List<Task> _acceptLoops = [];
    private readonly HashSet<Task> _connections = [];
    private readonly HashSet<AsterConnection> _open = [];
    private readonly HashSet<AsterConnection> _sweepable = [];
    private readonly CancellationTokenSource _accepting = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<string, IAlpnHandler> _handlers = new(StringComparer.Ordinal);
    private readonly SecretKey _secretKey;
    private readonly bool _ownsKey;
    private ConsumerAdmissionService? _admission;
    private TrustAuthority? _devAuthority;
    private IReadOnlyList<ServiceSummary> _summaries = [];
    private ITimer? _expirySweep;
    private MeshNode? _mesh;
    private int _sweeping;
    private int _stopped;

    private ServerHost(AsterServer server, ServerRuntime runtime)
    {
        _server = server;
        _runtime = runtime;
        _options = runtime.Options;
        _logger = runtime.Logger;
        _ownsKey = _options.SecretKey is null;
        if (_options.RegistryNamespace is not { } ns || (ns.Length != 0 && !TrustJson.IsLowerHex64(ns)))
        {
            throw new ArgumentException("AsterServerOptions.RegistryNamespace must be empty or 64 lower-case hex characters.", nameof(runtime));
        }

        _secretKey = _options.SecretKey ?? SecretKey.Generate();
        foreach (IAlpnHandler handler in _options.AlpnHandlers)
        {
            if (handler.Alpn is AsterAlpns.Rpc or AsterAlpns.ConsumerAdmission || !_handlers.TryAdd(handler.Alpn, handler)
                || (_options.Mesh is not null && handler.Alpn is AsterAlpns.ProducerAdmission or MeshAlpns.Gossip))
            {
                throw new ArgumentException($"ALPN '{handler.Alpn}' is served twice.", nameof(runtime));
            }
        }
    }

    public IAdmissionAuthority Authority { get; private set; } = null!;

    public bool IsDevMode { get; private set; }

    public EndpointAddr Address { get; private set; } = null!;

    public IReadOnlyList<ServiceSummary> Summaries => _summaries;

    /// <summary>The producer mesh node, once started; null without <see cref="AsterServerOptions.Mesh"/>.</summary>
    public MeshNode? Mesh => Volatile.Read(ref _mesh);

    public static async Task<ServerHost> StartAsync(AsterServer server, ServerRuntime runtime, CancellationToken cancellationToken)
    {
        var host = new ServerHost(server, runtime);
        try
        {
            await host.BindAsync(cancellationToken).ConfigureAwait(false);
            return host;
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Graceful shutdown: stop accepting, let calls in flight finish for up to the grace period, close every connection
    /// with 0 <c>server closed</c>, then stop the handlers and the sockets.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        _expirySweep?.Dispose();
        await _accepting.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_acceptLoops).ConfigureAwait(false);
        if (Volatile.Read(ref _mesh) is { } mesh)
        {
            // config-and-cli.md 15: mesh members broadcast DEPART before the connections close.
            await mesh.DisposeAsync().ConfigureAwait(false);
        }

        ServerLog.ShuttingDown(_logger, _runtime.ActiveCalls, _options.ShutdownGracePeriod.TotalSeconds);
        using (var grace = new CancellationTokenSource(_options.ShutdownGracePeriod, _options.TimeProvider))
        {
            while (_runtime.ActiveCalls > 0 && !grace.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), _options.TimeProvider, CancellationToken.None).ConfigureAwait(false);
            }
        }

        AsterConnection[] open;
        lock (_open)
        {
            open = [.. _open];
        }

        // Close first, so clients see the connection end (UNAVAILABLE) rather than a cancelled handler's trailer.
        await Task.WhenAll(open.Select(c => CloseQuietlyAsync(c, 0, "server closed"))).ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections).ConfigureAwait(false);
        foreach (AsterEndpoint endpoint in _endpoints)
        {
            await endpoint.DisposeAsync().ConfigureAwait(false);
        }

        _admission?.Dispose();
        _devAuthority?.Dispose();
        _accepting.Dispose();
        _stopping.Dispose();
        if (_ownsKey)
        {
            _secretKey.Dispose();
        }
    }

    private async Task BindAsync(CancellationToken cancellationToken)
    {
        if (_options.Admission is { } authority)
        {
            Authority = authority;
            IsDevMode = authority is TrustAuthority { IsDevMode: true };
        }
        else
        {
            // Dev mode (trust.md 10): an ephemeral root that never leaves memory, consumers open; it logs the warning.
            _devAuthority = TrustAuthority.CreateDevMode(_options.LoggerFactory, _options.TimeProvider);
            Authority = _devAuthority;
            _runtime.Admission = _devAuthority;
            IsDevMode = true;
        }

        IReadOnlyList<IPEndPoint> binds = _options.BindAddresses.Count == 0 ? [new IPEndPoint(IPAddress.Loopback, 0)] : [.. _options.BindAddresses];
        foreach (IPEndPoint bind in binds)
        {
            var endpointOptions = new AsterEndpointOptions
            {
                SecretKey = _secretKey,
                BindAddress = bind,
                IdleTimeout = _options.IdleTimeout,
                KeepAliveInterval = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(5).Ticks, _options.IdleTimeout.Ticks / 3)),
                LoggerFactory = _options.LoggerFactory,
            };
            endpointOptions.Alpns.Add(AsterAlpns.Rpc);
            endpointOptions.Alpns.Add(AsterAlpns.ConsumerAdmission);
            if (_options.Mesh is not null)
            {
                endpointOptions.Alpns.Add(AsterAlpns.ProducerAdmission);
                endpointOptions.Alpns.Add(MeshAlpns.Gossip);
            }
            foreach (string alpn in _handlers.Keys)
            {
                endpointOptions.Alpns.Add(alpn);
            }

            _endpoints.Add(await AsterEndpoint.BindAsync(endpointOptions, cancellationToken).ConfigureAwait(false));
        }

        Address = new EndpointAddr(_secretKey.PublicKey, null, DirectAddresses.Of(_endpoints.Select(e => e.LocalEndPoint)));
        _summaries = ServiceSummaries.Build(_runtime.Registry.Services, Address, _runtime.Codecs);
        _admission = new ConsumerAdmissionService(Authority, () => _summaries, _options.RegistryNamespace, _options.AdmissionLimits, _logger);
        foreach (AsterEndpoint endpoint in _endpoints)
        {
            _acceptLoops.Add(AcceptLoopAsync(endpoint));
        }

        if (_options.Mesh is { } meshOptions)
        {
            await StartMeshAsync(meshOptions, cancellationToken).ConfigureAwait(false);
        }

        TimeSpan sweep = _options.AdmissionLimits.ExpirySweepInterval;
        if (sweep != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(sweep, TimeSpan.Zero, "AdmissionLimits.ExpirySweepInterval");
            _expirySweep = _options.TimeProvider.CreateTimer(static state => ((ServerHost)state!).SweepExpired(), this, sweep, sweep);
        }

        ServerLog.Listening(_logger, _runtime.Registry.Services.Count, Address.Id, Address.DirectAddresses, Authority.ConsumersGated ? "trusted" : "open-gate");
    }

    /// <summary>
    /// Starts the producer mesh on this server's first endpoint and key (trust.md 9.1: resume, found or join), then plugs
    /// its membership into the authority's gate 0 (rule 5) and its admitted producers into the peer store.
    /// </summary>
    private async Task StartMeshAsync(MeshOptions meshOptions, CancellationToken cancellationToken)
    {
        if (Authority is not TrustAuthority { ProducersGated: true } trust)
        {
            throw new InvalidOperationException("AsterServerOptions.Mesh needs AsterServerOptions.Admission to be a TrustAuthority with allow_all_producers = false.");
        }

        MeshOptions hosted = meshOptions.ForHost(_secretKey, _endpoints[0], Address.DirectAddresses, trust.Peers);
        MeshNode node = await MeshNode.StartAsync(hosted, cancellationToken).ConfigureAwait(false);
        try
        {
            trust.AttachMesh(node);
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        Volatile.Write(ref _mesh, node);
    }

    private async Task AcceptLoopAsync(AsterEndpoint endpoint)
    {
        while (!_accepting.IsCancellationRequested)
        {
            AsterConnection connection;
            try
            {
                connection = await endpoint.AcceptAsync(_accepting.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or TransportException)
            {
                return;
            }

            Track(ServeAsync(connection));
        }
    }

    private void Track(Task task)
    {
        lock (_connections)
        {
            _connections.Add(task);
        }

        _ = task.ContinueWith(
            static (t, state) =>
            {
                var set = (HashSet<Task>)state!;
                lock (set)
                {
                    set.Remove(t);
                }
            },
            _connections,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task ServeAsync(AsterConnection connection)
    {
        lock (_open)
        {
            _open.Add(connection);
        }

        try
        {
            if (!await PassesGate0Async(connection).ConfigureAwait(false))
            {
                await CloseQuietlyAsync(connection, 403, "not admitted").ConfigureAwait(false);
                return;
            }

            if (connection.Alpn is not (AsterAlpns.ConsumerAdmission or AsterAlpns.ProducerAdmission))
            {
                lock (_open)
                {
                    _sweepable.Add(connection);
                }
            }

            switch (connection.Alpn)
            {
                case AsterAlpns.Rpc:
                    await using (var rpc = new QuicRpcConnection(connection))
                    {
                        try
                        {
                            await _server.ServeConnectionAsync(rpc, _stopping.Token).ConfigureAwait(false);
                        }
                        catch (ObjectDisposedException)
                        {
                            // The server is being disposed: the connection is closed below.
                        }
                    }

                    break;
                case AsterAlpns.ConsumerAdmission:
                    await _admission!.HandleAsync(connection, _stopping.Token).ConfigureAwait(false);
                    break;
                default:
                    await ServeHandlerAsync(connection).ConfigureAwait(false);
                    break;
            }
        }
        finally
        {
            lock (_open)
            {
                _open.Remove(connection);
                _sweepable.Remove(connection);
            }

            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task ServeHandlerAsync(AsterConnection connection)
    {
        IAlpnHandler? handler = connection.Alpn switch
        {
            AsterAlpns.ProducerAdmission when _options.Mesh is not null => Mesh?.AdmissionHandler,
            MeshAlpns.Gossip when _options.Mesh is not null => Mesh?.GossipHandler,
            _ => _handlers.GetValueOrDefault(connection.Alpn),
        };
        if (handler is null)
        {
            // Unknown, or a mesh ALPN while the mesh is still starting (the peer retries).
            await CloseQuietlyAsync(connection, 0, _options.Mesh is not null && Mesh is null ? "starting" : "unexpected alpn").ConfigureAwait(false);
            return;
        }

        await using var rpc = new QuicRpcConnection(connection);
        try
        {
            await handler.HandleConnectionAsync(rpc, _stopping.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A failing extra handler must not take the server down.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            ServerLog.AlpnHandlerFailed(_logger, connection.Alpn, connection.RemoteId, ex);
        }
    }

    /// <summary>Gate 0 (trust.md 7.1), fail closed: false, an exception or no answer in time is a refusal.</summary>
    private async Task<bool> PassesGate0Async(AsterConnection connection)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(_options.AdmissionLimits.Gate0Timeout);
        try
        {
            bool allowed = await Authority.AllowConnectionAsync(connection.RemoteId, connection.Alpn, timeout.Token)
                .AsTask().WaitAsync(timeout.Token).ConfigureAwait(false);
            if (!allowed)
            {
                ServerLog.Gate0Refused(_logger, connection.RemoteId, connection.Alpn);
            }

            return allowed;
        }
#pragma warning disable CA1031 // Fail closed.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            ServerLog.Gate0Failed(_logger, connection.RemoteId, connection.Alpn, ex);
            return false;
        }
    }

    /// <summary>
    /// The expiry sweep (trust.md 7.1, T27): closes every connection past gate 0 whose peer no longer qualifies with 403
    /// <c>admission expired</c>. Calls on such a connection already fail with UNAUTHENTICATED; this ends the connection.
    /// </summary>
    private void SweepExpired()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) != 0)
        {
            return;
        }

        try
        {
            AsterConnection[] open;
            lock (_open)
            {
                open = [.. _sweepable];
            }

            foreach (AsterConnection connection in open)
            {
                if (Volatile.Read(ref _stopped) != 0)
                {
                    return;
                }

                if (!StillQualifies(connection))
                {
                    lock (_open)
                    {
                        _sweepable.Remove(connection);
                    }

                    ServerLog.AdmissionExpiredClosed(_logger, connection.Alpn, connection.RemoteId);
                    Track(CloseQuietlyAsync(connection, 403, "admission expired"));
                }
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private bool StillQualifies(AsterConnection connection)
    {
        try
        {
            return Authority.StillQualifies(connection.RemoteId, connection.Alpn);
        }
#pragma warning disable CA1031 // Fail closed: an authority that cannot answer no longer vouches for the peer.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            ServerLog.Gate0Failed(_logger, connection.RemoteId, connection.Alpn, ex);
            return false;
        }
    }

    private static async Task CloseQuietlyAsync(AsterConnection connection, long code, string reason)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await connection.CloseAsync(code, reason, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The close was sent; the closing period just did not end in time.
        }
    }
}
