using System.Security.Cryptography;
using Aster.Net.Identity;
using Aster.Transport;
using Microsoft.Extensions.Logging;

namespace Aster.Trust;

/// <summary>
/// A node's trust decisions for its networked server: gate 0 (which authenticated peer may use which ALPN, trust.md
/// 7.1), gate 1 for consumers (credential admission, 4.2 and section 5) and the admission records (section 6) that
/// <see cref="CallContext"/> and gate 3 read. Every failure is the same uniform denial to the peer; the reason goes
/// only to the log. Every unexpected error is a denial (fail closed).
/// </summary>
public sealed class TrustAuthority : IAdmissionAuthority, IDisposable
{
    private static readonly IReadOnlyDictionary<string, string> _noAttributes = new Dictionary<string, string>();
    private static readonly string _zeroRoot = new('0', 64);

    private readonly byte[]? _root;
    private readonly CredentialVerifier? _verifier;
    private readonly IConnectionGate? _extraGate;
    private readonly TimeSpan _hookTimeout;
    private readonly string? _ephemeralTopic;
    private IMeshMembership? _mesh;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly bool _mask;
    private readonly List<IDisposable> _owned = [];
    private readonly ITimer? _nonceCollector;

    /// <summary>Creates the authority.</summary>
    /// <param name="options">The settings.</param>
    /// <exception cref="ArgumentException">A gate is closed and no root key is given (trust.md 10: startup fails).</exception>
    /// <exception cref="TrustFormatException">The root key is not a valid Ed25519 point of large order (T40).</exception>
    public TrustAuthority(TrustAuthorityOptions options)
        : this(options, devMode: false)
    {
    }

    private TrustAuthority(TrustAuthorityOptions options, bool devMode)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.HookTimeout, TimeSpan.Zero);
        ConsumersGated = !options.AllowAllConsumers;
        ProducersGated = !options.AllowAllProducers;
        IsDevMode = devMode;
        _time = options.TimeProvider ?? TimeProvider.System;
        _logger = options.LoggerFactory.CreateLogger("Aster.Trust");
        _mask = options.LogMask;
        _extraGate = options.ExtraGate;
        _hookTimeout = options.HookTimeout;
        _mesh = options.Mesh;
        if (options.RootPublicKey.IsEmpty)
        {
            if (ConsumersGated || ProducersGated)
            {
                throw new ArgumentException("A gate is closed but no root public key is configured.", nameof(options));
            }
        }
        else
        {
            _verifier = new CredentialVerifier(options.RootPublicKey.Span, _time, options.NonceStore, options.IdentityVerifiers);
            _root = options.RootPublicKey.ToArray();
        }

        RootPublicKeyHex = _root is null ? _zeroRoot : Convert.ToHexStringLower(_root);

        // trust.md 9.1: without a mesh the node still has a per-run salt and topic, for the root-key operator's shell.
        _ephemeralTopic = _root is null ? null : Convert.ToHexStringLower(GossipTopic.Derive(_root, RandomNumberGenerator.GetBytes(32)));
        if (options.Peers is { } peers)
        {
            Peers = peers;
        }
        else
        {
            Peers = new PeerStore(_time);
            _owned.Add(Peers);
        }

        if (ConsumersGated && options.NonceStore is InMemoryNonceStore)
        {
            TrustLog.NonceStoreInMemory(_logger);
        }

        if (options.NonceStore is { } nonces)
        {
            _nonceCollector = _time.CreateTimer(static state => CollectNonces((IOneTimeNonceStore)state!), nonces, NonceCollectionInterval, NonceCollectionInterval);
        }
    }

    /// <summary>How often expired one-time-token nonces are collected (trust.md section 5: every 10 minutes).</summary>
    public static TimeSpan NonceCollectionInterval { get; } = TimeSpan.FromMinutes(10);

    /// <inheritdoc />
    public bool ConsumersGated { get; }

    /// <inheritdoc />
    public bool ProducersGated { get; }

    /// <inheritdoc />
    public string RootPublicKeyHex { get; }

    /// <summary>True for the authority of <see cref="CreateDevMode"/>: ephemeral root, consumers open.</summary>
    public bool IsDevMode { get; }

    /// <summary>The admission records (producer admission records its members here too).</summary>
    public PeerStore Peers { get; }

    /// <summary>
    /// Dev mode (trust.md 10): an ephemeral root key that lives only in memory, consumers and producers open, one-time
    /// tokens in memory. Logs a warning. Use only when no root key is configured anywhere.
    /// </summary>
    /// <param name="loggerFactory">The logger factory, or null for none.</param>
    /// <param name="timeProvider">The clock, or null for the system clock.</param>
    /// <returns>The authority.</returns>
    public static TrustAuthority CreateDevMode(ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        byte[] root;
        using (RootKey ephemeral = RootKey.Generate())
        {
            root = ephemeral.PublicKey.ToArray();
        }

        TimeProvider time = timeProvider ?? TimeProvider.System;
        var authority = new TrustAuthority(
            new TrustAuthorityOptions
            {
                RootPublicKey = root,
                AllowAllConsumers = true,
                AllowAllProducers = true,
                NonceStore = new InMemoryNonceStore(time),
                TimeProvider = time,
                LoggerFactory = loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
            },
            devMode: true);
        TrustLog.DevMode(authority._logger, authority.RootPublicKeyHex);
        return authority;
    }

    /// <summary>
    /// Creates an authority with the durable stores in <paramref name="stateDirectory"/>: <c>nonces.json</c> (section 5)
    /// and <c>admissions.json</c> (section 6). The authority owns and disposes both; any
    /// <see cref="TrustAuthorityOptions.NonceStore"/> or <see cref="TrustAuthorityOptions.Peers"/> given is ignored.
    /// </summary>
    /// <param name="options">The other settings.</param>
    /// <param name="stateDirectory">The directory, e.g. <c>&lt;storage_path&gt;/trust</c>.</param>
    /// <param name="peerTtl">The admission record lifetime; 86,400 s when null.</param>
    /// <returns>The authority.</returns>
    /// <exception cref="TrustFormatException">A store file exists but is corrupt (T39: startup fails, naming the file).</exception>
    /// <exception cref="IOException">A store file cannot be read.</exception>
    public static TrustAuthority OpenDurable(TrustAuthorityOptions options, string stateDirectory, TimeSpan? peerTtl = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(stateDirectory);
        TimeProvider time = options.TimeProvider ?? TimeProvider.System;
        FileNonceStore nonces = new(Path.Combine(stateDirectory, "nonces.json"), time);
        PeerStore? peers = null;
        try
        {
            peers = PeerStore.Open(Path.Combine(stateDirectory, "admissions.json"), time, peerTtl);
            options.NonceStore = nonces;
            options.Peers = peers;
            var authority = new TrustAuthority(options);
            authority._owned.Add(nonces);
            authority._owned.Add(peers);
            return authority;
        }
        catch
        {
            peers?.Dispose();
            nonces.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> AllowConnectionAsync(EndpointId peer, string alpn, CancellationToken cancellationToken = default)
    {
        string? refusal;
        try
        {
            ArgumentNullException.ThrowIfNull(alpn);
            refusal = BuiltInRefusal(peer, alpn);
        }
#pragma warning disable CA1031 // Gate 0 fails closed on any error.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            TrustLog.ConnectionGateFailed(_logger, peer, _mask, alpn ?? string.Empty, "built-in decision failed", ex);
            return false;
        }

        if (refusal is not null)
        {
            TrustLog.ConnectionRefused(_logger, peer, _mask, alpn, refusal);
            return false;
        }

        return _extraGate is null || await RunExtraGateAsync(_extraGate, peer, alpn, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<ConsumerAdmissionDecision> AdmitConsumerAsync(EndpointId peer, ConsumerAdmissionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult(Admit(peer, request));
        }
#pragma warning disable CA1031 // Gate 1 fails closed on any error: the peer gets the uniform denial.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            TrustLog.ConsumerAdmissionFailed(_logger, peer, _mask, ex.GetType().Name, ex);
            return ValueTask.FromResult(ConsumerAdmissionDecision.Denied);
        }
    }

    /// <summary>
    /// Gate 1 from the raw request body (trust.md 4.2 step 1): more than 64 KiB, or a body that is not a well-formed
    /// request (3.7 rules), is the uniform denial; otherwise as
    /// <see cref="AdmitConsumerAsync(EndpointId, ConsumerAdmissionRequest, CancellationToken)"/>.
    /// </summary>
    /// <param name="peer">The authenticated peer of the admission connection.</param>
    /// <param name="body">The whole request body, as read up to FIN.</param>
    /// <param name="cancellationToken">Cancels the admission.</param>
    /// <returns>The decision.</returns>
    public ValueTask<ConsumerAdmissionDecision> AdmitConsumerAsync(EndpointId peer, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        if (body.Length > TrustJson.MaxDocumentSize)
        {
            return ValueTask.FromResult(Deny(peer, $"request of {body.Length} bytes exceeds {TrustJson.MaxDocumentSize}"));
        }

        ConsumerAdmissionRequest request;
        try
        {
            request = ConsumerAdmissionRequest.Parse(body.Span);
        }
        catch (TrustFormatException ex)
        {
            return ValueTask.FromResult(Deny(peer, "malformed request: " + ex.Message));
        }

        return AdmitConsumerAsync(peer, request, cancellationToken);
    }

    /// <summary>
    /// The live admission of <paramref name="peer"/>: its record, else, for a current mesh member without one (a
    /// producer admitted by another member, or met through the member list), a producer admission with no attributes
    /// (trust.md 7.1: a call checks for a live record or mesh membership). Null otherwise.
    /// </summary>
    /// <param name="peer">The peer.</param>
    /// <returns>The record or null.</returns>
    public PeerAdmission? FindAdmission(EndpointId peer)
    {
        if (Peers.Find(peer) is { } record)
        {
            return record;
        }

        return Volatile.Read(ref _mesh) is { } mesh && mesh.IsMember(peer)
            ? new PeerAdmission(peer, string.Empty, _noAttributes, _time.GetUtcNow().ToUnixTimeSeconds(), 0, AdmissionPath.ProducerAdmission)
            : null;
    }

    /// <summary>
    /// Plugs the producer mesh into gate 0 rule 5 and <c>gossip_topic</c> (trust.md 7.1, 4.2) once it has started, for
    /// a node that could not pass it in <see cref="TrustAuthorityOptions.Mesh"/> (the networked server starts the mesh
    /// after binding its endpoints). Until then only admission records count.
    /// </summary>
    /// <param name="mesh">The mesh membership.</param>
    /// <exception cref="InvalidOperationException">Producers are open (no mesh, trust.md 9.1), or a mesh is already attached.</exception>
    public void AttachMesh(IMeshMembership mesh)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        if (!ProducersGated)
        {
            throw new InvalidOperationException("A producer mesh needs allow_all_producers = false.");
        }

        if (Interlocked.CompareExchange(ref _mesh, mesh, null) is not null)
        {
            throw new InvalidOperationException("A producer mesh is already attached.");
        }
    }

    /// <summary>
    /// Gate 0's built-in rules (trust.md 7.1 steps 2–6) evaluated now, for the expiry sweep: false once the peer's
    /// admission has expired (peer TTL or credential <c>expires_at</c>) or been removed and it is not a current mesh
    /// member. The extra gate is not consulted. Any error is false (fail closed).
    /// </summary>
    /// <param name="peer">The peer of an open connection.</param>
    /// <param name="alpn">The connection's ALPN.</param>
    /// <returns>True while the peer may keep the connection.</returns>
    public bool StillQualifies(EndpointId peer, string alpn)
    {
        try
        {
            ArgumentNullException.ThrowIfNull(alpn);
            return BuiltInRefusal(peer, alpn) is null;
        }
#pragma warning disable CA1031 // The sweep fails closed on any error.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            TrustLog.ConnectionGateFailed(_logger, peer, _mask, alpn ?? string.Empty, "the expiry check failed", ex);
            return false;
        }
    }

    /// <summary>
    /// The producer-mesh topic for a consumer admission response (trust.md 4.2 <c>gossip_topic</c>): only when
    /// <paramref name="peer"/> is the root public key itself (the operator's shell); else null. The topic is the mesh's
    /// when this node takes part in one, otherwise the ephemeral per-run topic of trust.md 9.1.
    /// </summary>
    /// <param name="peer">The admitted peer.</param>
    /// <returns>64 hex characters, or null.</returns>
    public string? GossipTopicFor(EndpointId peer)
    {
        if (_root is null || !CryptographicOperations.FixedTimeEquals(peer.AsSpan(), _root))
        {
            return null;
        }

        return Volatile.Read(ref _mesh) is { } mesh ? mesh.GossipTopicHex : _ephemeralTopic;
    }

    /// <summary>Makes <paramref name="resource"/> live as long as this authority (disposed with it), such as the node's storage lock.</summary>
    /// <param name="resource">The resource.</param>
    internal void Own(IDisposable resource) => _owned.Add(resource);

    /// <summary>Disposes the stores this authority created and the resources it owns.</summary>
    public void Dispose()
    {
        _nonceCollector?.Dispose();
        foreach (IDisposable owned in _owned)
        {
            owned.Dispose();
        }
    }

    private static void CollectNonces(IOneTimeNonceStore nonces)
    {
        try
        {
            nonces.CollectExpired();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or TrustFormatException or ObjectDisposedException)
        {
            // Collection is housekeeping: the next run or the next write collects; consumes fail closed on their own.
        }
    }

    /// <summary>Gate 0's built-in steps 2–6 (trust.md 7.1); null means allow, otherwise the reason for the log.</summary>
    private string? BuiltInRefusal(EndpointId peer, string alpn)
    {
        if (!ConsumersGated && !ProducersGated)
        {
            return null; // gate 0 is inactive
        }

        if (alpn == AsterAlpns.ConsumerAdmission || (alpn == AsterAlpns.ProducerAdmission && ProducersGated))
        {
            return null;
        }

        if (!ConsumersGated)
        {
            return null;
        }

        if (Peers.Find(peer) is not null)
        {
            return null;
        }

        if (Volatile.Read(ref _mesh) is { } mesh && mesh.IsMember(peer))
        {
            return null;
        }

        return "no live admission";
    }

    private async ValueTask<bool> RunExtraGateAsync(IConnectionGate gate, EndpointId peer, string alpn, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            bool allowed = await gate.AllowAsync(peer, alpn, timeout.Token).AsTask().WaitAsync(_hookTimeout, _time, cancellationToken).ConfigureAwait(false);
            if (!allowed)
            {
                TrustLog.ConnectionRefused(_logger, peer, _mask, alpn, "the extra gate refused");
            }

            return allowed;
        }
        catch (TimeoutException)
        {
            await timeout.CancelAsync().ConfigureAwait(false);
            TrustLog.ConnectionGateFailed(_logger, peer, _mask, alpn, $"the extra gate did not answer within {_hookTimeout.TotalMilliseconds} ms", null);
            return false;
        }
#pragma warning disable CA1031 // A failing extra gate denies (fail closed), never allows.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            TrustLog.ConnectionGateFailed(_logger, peer, _mask, alpn, "the extra gate failed", ex);
            return false;
        }
    }

    /// <summary>Gate 1 for consumers, trust.md 4.2 steps 2–5; the first failing check wins.</summary>
    private ConsumerAdmissionDecision Admit(EndpointId peer, ConsumerAdmissionRequest request)
    {
        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (!request.HasCredential)
        {
            if (ConsumersGated)
            {
                return Deny(peer, "no credential while consumers are gated");
            }

            Peers.Record(new PeerAdmission(peer, string.Empty, _noAttributes, now, 0, AdmissionPath.OpenGate));
            TrustLog.ConsumerAdmitted(_logger, peer, _mask, AdmissionPath.OpenGate, string.Empty);
            return new ConsumerAdmissionDecision(true, _noAttributes);
        }

        if (_verifier is null)
        {
            return Deny(peer, "a credential was presented but the node has no root key");
        }

        ConsumerEnrollmentCredential credential;
        try
        {
            credential = ConsumerEnrollmentCredential.Parse(request.CredentialJson);
        }
        catch (TrustFormatException ex)
        {
            return Deny(peer, "malformed credential: " + ex.Message);
        }

        CredentialCheckResult result = _verifier.VerifyConsumer(credential, peer, request.IidToken);
        switch (result.Refusal)
        {
            case CredentialRefusal.None:
                break;
            case CredentialRefusal.ReplayedBySameEndpoint when Peers.HoldsLiveOneTimeAdmission(peer, credential.Nonce) && Peers.Find(peer) is { } live:
                TrustLog.ConsumerReadmitted(_logger, peer, _mask);
                return new ConsumerAdmissionDecision(true, live.Attributes);
            case CredentialRefusal.ReplayedBySameEndpoint:
                return Deny(peer, "one-time token replayed after the admission it gave has ended");
            case CredentialRefusal.NonceStoreUnavailable:
                TrustLog.ConsumerAdmissionFailed(_logger, peer, _mask, "the nonce store is unavailable", null);
                return ConsumerAdmissionDecision.Denied;
            default:
                return Deny(peer, RefusalText(result.Refusal));
        }

        long expiresAt = result.ExpiresAt > long.MaxValue ? long.MaxValue : (long)result.ExpiresAt;
        var admission = new PeerAdmission(peer, result.Handle, result.Attributes, now, expiresAt, AdmissionPath.ConsumerAdmission);
        try
        {
            Peers.Record(admission, credential.Type == ConsumerCredentialType.OneTimeToken ? credential.Nonce : default);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or TrustFormatException)
        {
            TrustLog.ConsumerAdmissionFailed(_logger, peer, _mask, "the admission could not be recorded", ex);
            return ConsumerAdmissionDecision.Denied;
        }

        TrustLog.ConsumerAdmitted(_logger, peer, _mask, AdmissionPath.ConsumerAdmission, result.Handle);
        return new ConsumerAdmissionDecision(true, result.Attributes);
    }

    private ConsumerAdmissionDecision Deny(EndpointId peer, string reason)
    {
        TrustLog.ConsumerDenied(_logger, peer, _mask, reason);
        return ConsumerAdmissionDecision.Denied;
    }

    private static string RefusalText(CredentialRefusal refusal) => refusal switch
    {
        CredentialRefusal.Malformed => "malformed credential",
        CredentialRefusal.UntrustedRoot => "credential names an untrusted root key",
        CredentialRefusal.SignatureInvalid => "signature invalid",
        CredentialRefusal.Expired => "credential expired",
        CredentialRefusal.EndpointMismatch => "credential is bound to another endpoint",
        CredentialRefusal.IdentityCheckFailed => "cloud identity check failed",
        CredentialRefusal.Replayed => "one-time token replayed",
        CredentialRefusal.Denylisted => "endpoint is denylisted",
        _ => refusal.ToString(),
    };
}
