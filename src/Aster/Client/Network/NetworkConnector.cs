using System.Net;
using System.Net.Sockets;
using Aster.Net.Identity;
using Aster.Net.Quic;
using Aster.Protocol;
using Aster.Transport;
using Aster.Trust;

namespace Aster.Client.Network;

/// <summary>
/// A networked client's connections: consumer admission first (trust.md 4.2), then one cached <c>aster/1</c>
/// connection per remote endpoint id, dialled on first use and again (after admission again) once it has died.
/// Concurrent dials to one endpoint are serialised (wire-protocol.md 2.2).
/// </summary>
internal sealed class NetworkConnector : IClientConnector
{
    private readonly AsterClientOptions _options;
    private readonly Dialer _dialer;
    private readonly bool _ownsEndpoint;
    private readonly SecretKey? _ownedKey;
    private readonly Configuration.PickedIdentity? _picked;
    private readonly EndpointAddr _target;
    private readonly ConsumerAdmissionRequest _request;
    private readonly string? _credentialRootHex;
    private readonly Dictionary<EndpointId, ClientLink> _links = [];
    private readonly Dictionary<EndpointId, SemaphoreSlim> _dialLocks = [];
    private readonly HashSet<EndpointId> _freshlyAdmitted = [];
    private volatile Snapshot _snapshot = new([], new Dictionary<string, EndpointAddr>(), new Dictionary<string, SerializationMode>(), null);
    private int _disposed;

    private NetworkConnector(AsterClientOptions options, Dialer dialer, bool ownsEndpoint, SecretKey? ownedKey, Configuration.PickedIdentity? picked, EndpointAddr target, ConsumerAdmissionRequest request, string? credentialRootHex)
    {
        _picked = picked;
        _options = options;
        _dialer = dialer;
        _ownsEndpoint = ownsEndpoint;
        _ownedKey = ownedKey;
        _target = target;
        _request = request;
        _credentialRootHex = credentialRootHex;
    }

    public IReadOnlyList<ServiceSummary> Services => _snapshot.Services;

    /// <summary>The latest admission's result (replaced when a reconnect admits again).</summary>
    public AdmissionResult? Admission => _snapshot.Admission;

    /// <summary>
    /// Checks the credential, binds (or borrows) the endpoint, runs admission and opens the first <c>aster/1</c>
    /// connection. The connector owns <paramref name="picked"/> (the identity the options were filled from) once connected.
    /// </summary>
    public static async Task<NetworkConnector> ConnectAsync(EndpointAddr target, AsterClientOptions options, Configuration.PickedIdentity? picked, CancellationToken cancellationToken)
    {
        SecretKey? ownedKey = options.Endpoint is null && options.SecretKey is null ? SecretKey.Generate() : null;
        AsterEndpoint? ownedEndpoint = null;
        try
        {
            AsterEndpoint endpoint = options.Endpoint ?? (ownedEndpoint = await AsterEndpoint.BindAsync(EndpointOptions(target, options, ownedKey ?? options.SecretKey!), cancellationToken).ConfigureAwait(false));
            (ConsumerAdmissionRequest request, string? root) = Credential(options, endpoint.Id);
            var connector = new NetworkConnector(options, new Dialer(endpoint, options.ConnectTimeout), ownedEndpoint is not null, ownedKey, picked, target, request, root);
            try
            {
                await connector.AdmitAsync(target, cancellationToken).ConfigureAwait(false);
                lock (connector._links)
                {
                    connector._freshlyAdmitted.Add(target.Id);
                }

                await connector.GetLinkAsync(target.Id, cancellationToken).ConfigureAwait(false);
                return connector;
            }
            catch
            {
                await connector.DisposeAsync().ConfigureAwait(false);
                ownedEndpoint = null;
                ownedKey = null;
                throw;
            }
        }
        catch
        {
            if (ownedEndpoint is not null)
            {
                await ownedEndpoint.DisposeAsync().ConfigureAwait(false);
            }

            ownedKey?.Dispose();
            throw;
        }
    }

    public ValueTask<ClientLink> GetLinkAsync(string service, CancellationToken cancellationToken)
        => GetLinkAsync(RouteOf(service).Id, cancellationToken);

    public SerializationMode? PreferredMode(string service)
        => _snapshot.Modes.TryGetValue(service, out SerializationMode mode) ? mode : null;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        ClientLink[] links;
        SemaphoreSlim[] locks;
        lock (_links)
        {
            links = [.. _links.Values];
            locks = [.. _dialLocks.Values];
            _links.Clear();
        }

        await Task.WhenAll(links.Select(l => CloseQuietlyAsync(l.Connection))).ConfigureAwait(false);
        if (_ownsEndpoint)
        {
            await _dialer.Endpoint.DisposeAsync().ConfigureAwait(false);
        }

        _ownedKey?.Dispose();
        _picked?.Dispose();
        foreach (SemaphoreSlim gate in locks)
        {
            gate.Dispose();
        }
    }

    private static AsterEndpointOptions EndpointOptions(EndpointAddr target, AsterClientOptions options, SecretKey key)
    {
        AddressFamily family = target.DirectAddresses.Count > 0 ? target.DirectAddresses[0].AddressFamily : AddressFamily.InterNetwork;
        return new AsterEndpointOptions
        {
            SecretKey = key,
            BindAddress = options.BindAddress ?? new IPEndPoint(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0),
            IdleTimeout = options.IdleTimeout,
            KeepAliveInterval = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(5).Ticks, options.IdleTimeout.Ticks / 3)),
            LoggerFactory = options.LoggerFactory,
        };
    }

    /// <summary>trust.md 4.2 client steps 1–2: the request, and the root the credential names.</summary>
    private static (ConsumerAdmissionRequest Request, string? RootHex) Credential(AsterClientOptions options, EndpointId self)
    {
        string json = options.CredentialJson ?? string.Empty;
        var request = new ConsumerAdmissionRequest(json, options.IidToken ?? string.Empty);
        if (!request.HasCredential)
        {
            return (request, null);
        }

        ConsumerEnrollmentCredential credential;
        try
        {
            credential = ConsumerEnrollmentCredential.Parse(json);
        }
        catch (TrustFormatException ex)
        {
            throw new AdmissionException(AdmissionFailure.Malformed, $"the consumer credential is malformed: {ex.Message}", ex);
        }

        if (credential.EndpointId is { } bound && !string.Equals(bound, self.ToString(), StringComparison.OrdinalIgnoreCase))
        {
            throw new AdmissionException(AdmissionFailure.CredentialNotForThisEndpoint,
                $"the consumer credential is bound to endpoint {bound}, but this client's key is {self}: configure the matching secret key");
        }

        return (request, Convert.ToHexStringLower(credential.RootPublicKey));
    }

    private EndpointAddr RouteOf(string service) => _snapshot.Routes.TryGetValue(service, out EndpointAddr? address) ? address : _target;

    private EndpointAddr AddressOf(EndpointId id)
        => id == _target.Id ? _target : _snapshot.Routes.Values.FirstOrDefault(a => a.Id == id) ?? new EndpointAddr(id);

    private async ValueTask<ClientLink> GetLinkAsync(EndpointId id, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        SemaphoreSlim gate;
        lock (_links)
        {
            if (_links.TryGetValue(id, out ClientLink? cached) && cached.IsAlive)
            {
                return cached;
            }

            if (!_dialLocks.TryGetValue(id, out gate!))
            {
                _dialLocks[id] = gate = new SemaphoreSlim(1, 1);
            }
        }

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ClientLink? stale;
            bool admitted;
            lock (_links)
            {
                if (_links.TryGetValue(id, out stale) && stale.IsAlive)
                {
                    return stale;
                }

                admitted = _freshlyAdmitted.Remove(id);
            }

            EndpointAddr address = AddressOf(id);
            try
            {
                if (!admitted)
                {
                    // A new connection after the old one died: the server may have restarted and forgotten us (gate 0).
                    await AdmitAsync(address, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (AdmissionException ex)
            {
                throw new RpcException(ex.Failure == AdmissionFailure.Denied ? StatusCode.PermissionDenied : StatusCode.Unavailable, ex.Message, ex);
            }

            AsterConnection connection = await _dialer.DialAsync(address, AsterAlpns.Rpc, cancellationToken).ConfigureAwait(false);
            var link = new ClientLink(new QuicRpcConnection(connection), _options, () => connection.CloseError is not null);
            lock (_links)
            {
                _links[id] = link;
            }

            if (stale is not null)
            {
                _ = CloseQuietlyAsync(stale.Connection);
            }

            return link;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task AdmitAsync(EndpointAddr address, CancellationToken cancellationToken)
    {
        ConsumerAdmissionResponse response = await ConsumerAdmissionClient.RunAsync(_dialer, address, _request, _credentialRootHex, _options.AdmissionTimeout, cancellationToken).ConfigureAwait(false);
        var routes = new Dictionary<string, EndpointAddr>(StringComparer.Ordinal);
        var modes = new Dictionary<string, SerializationMode>(StringComparer.Ordinal);
        foreach (ServiceSummary service in response.Services)
        {
            if (service.Channels.TryGetValue("rpc", out string? rpc) && RpcAddress(rpc, address) is { } route)
            {
                routes[service.Name] = route;
            }

            // wire-protocol.md 16.2 rule 4: a service that lists JSON but not XLANG is called in JSON.
            if (service.SerializationModes.Count > 0 && !service.SerializationModes.Contains("xlang") && service.SerializationModes.Contains("json"))
            {
                modes[service.Name] = SerializationMode.Json;
            }
        }

        _snapshot = new Snapshot(response.Services, routes, modes, new AdmissionResult(response, openGate: !_request.HasCredential));
    }

    /// <summary>
    /// Reads <c>channels.rpc</c> (wire-protocol.md §17: an aster1 address, a bare hex id, or base64 NodeAddr text); a
    /// bare id of the node just admitted to takes that node's known addresses. Unreadable values are ignored.
    /// </summary>
    private static EndpointAddr? RpcAddress(string value, EndpointAddr admittedAt)
    {
        if (!EndpointAddr.TryParse(value, out EndpointAddr? parsed))
        {
            return null;
        }

        return parsed.DirectAddresses.Count == 0 && parsed.Id == admittedAt.Id ? admittedAt : parsed;
    }

    private static async Task CloseQuietlyAsync(IRpcConnection connection)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await connection.CloseAsync(0, "normal close", limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The close was sent; its closing period continues in the background.
        }

        await connection.DisposeAsync().ConfigureAwait(false);
    }

    private sealed record Snapshot(IReadOnlyList<ServiceSummary> Services, IReadOnlyDictionary<string, EndpointAddr> Routes, IReadOnlyDictionary<string, SerializationMode> Modes, AdmissionResult? Admission);
}
