using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Aster.Net.Identity;
using Aster.Net.Quic;
using Aster.Transport;
using Microsoft.Extensions.Logging;

namespace Aster.Trust.Mesh;

/// <summary>How a mesh node obtained its state at start (trust.md 9.1).</summary>
public enum MeshStartMode
{
    /// <summary>A persisted state was loaded.</summary>
    Resumed,

    /// <summary>No state and no bootstrap peer: a new mesh with a fresh salt and this node as its only member.</summary>
    Founded,

    /// <summary>No state: a bootstrap peer admitted this node and handed it the salt and the member list.</summary>
    Joined,
}

/// <summary>
/// A gated producer's place in the producer mesh (trust.md 9): durable mesh state (salt, epoch, members, denylist),
/// producer admission decisions, the join client, salt rotation, and our simple gossip over QUIC with the signed
/// envelopes of 9.5 and the receive pipeline of 9.6. Serve <see cref="AdmissionHandler"/> and
/// <see cref="GossipHandler"/> on the node's endpoint; read accepted CONTRACT_PUBLISHED and LEASE_UPDATE messages from
/// <see cref="ReadMessagesAsync"/>. Disposing sends DEPART first (9.9).
/// </summary>
public sealed class MeshNode : IMeshMembership, IAsyncDisposable
{
    /// <summary>The name of the rotation drop file picked up by the sweep (trust.md 9.8).</summary>
    public const string RotationDropFileName = "salt-rotation.json";

    private readonly MeshOptions _options;
    private readonly MeshLimits _limits;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SecretKey _key;
    private readonly AsterEndpoint _endpoint;
    private readonly string _selfHex;
    private readonly byte[] _root;
    private readonly MeshStateStore _store;
    private readonly CredentialVerifier _verifier;
    private readonly object _gate = new();
    private readonly ReplayGuard _replay;
    private readonly ClockDriftTracker _drift;
    private readonly Dictionary<MeshLink, Task> _links = [];
    private readonly HashSet<string> _dialing = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IPEndPoint[]> _addresses = new(StringComparer.Ordinal);
    private readonly Channel<ProducerMessage> _delivery;
    private readonly SemaphoreSlim _admissionSlots;
    private readonly CancellationTokenSource _lifetime = new();
    private MeshState _state = null!;
    private byte[]? _previousTopic;
    private long _overlapUntilMs;
    private long _joinedAtMs;
    private long _lastTrafficMs;
    private long _deliveryDropped;
    private int _introduced;
    private int _sweeping;
    private int _disposed;
    private ITimer? _sweepTimer;

    private MeshNode(MeshOptions options)
    {
        _options = options;
        _limits = options.Limits;
        _time = options.TimeProvider;
        _logger = options.LoggerFactory.CreateLogger("Aster.Trust.Mesh");
        _key = options.SecretKey!;
        _endpoint = options.Endpoint!;
        Id = _key.PublicKey;
        _selfHex = Id.ToString();
        _root = options.RootPublicKey.ToArray();
        _store = new MeshStateStore(options.StateDirectory!);
        _verifier = new CredentialVerifier(_root, _time, nonceStore: null, new Dictionary<string, IInstanceIdentityVerifier>(options.IdentityVerifiers, StringComparer.OrdinalIgnoreCase));
        _replay = new ReplayGuard(_limits.ReplayWindow, _limits.MaxRememberedSignatures);
        _drift = new ClockDriftTracker(_limits.DriftTolerance, _limits.MinPeersForMedian);
        _delivery = Channel.CreateBounded<ProducerMessage>(new BoundedChannelOptions(_limits.MaxDeliveryQueue) { FullMode = BoundedChannelFullMode.Wait });
        _admissionSlots = new SemaphoreSlim(_limits.MaxConcurrentAdmissions, _limits.MaxConcurrentAdmissions);
        AdmissionHandler = new ProducerAdmissionHandler(this);
        GossipHandler = new MeshGossipHandler(this);
    }

    /// <summary>This node's endpoint id.</summary>
    public EndpointId Id { get; }

    /// <summary>How the node obtained its state.</summary>
    public MeshStartMode StartMode { get; private set; }

    /// <summary>Serves <c>aster.producer_admission</c> for this node (trust.md 4.3).</summary>
    public ProducerAdmissionHandler AdmissionHandler { get; }

    /// <summary>Serves our gossip ALPN <see cref="MeshAlpns.Gossip"/> for this node.</summary>
    public MeshGossipHandler GossipHandler { get; }

    /// <summary>The current salt epoch (1 for the founding salt).</summary>
    public ulong SaltEpoch
    {
        get
        {
            lock (_gate)
            {
                return _state.SaltEpoch;
            }
        }
    }

    /// <summary>The current mesh topic (trust.md 9.2) as 64 hex characters.</summary>
    public string Topic
    {
        get
        {
            lock (_gate)
            {
                return Convert.ToHexStringLower(_state.TopicId);
            }
        }
    }

    /// <inheritdoc />
    string IMeshMembership.GossipTopicHex => Topic;

    /// <summary>A snapshot of the members (sorted, including this node).</summary>
    public IReadOnlyList<string> Members
    {
        get
        {
            lock (_gate)
            {
                return [.. _state.Members];
            }
        }
    }

    /// <summary>A snapshot of the denylist (sorted).</summary>
    public IReadOnlyList<string> Denylist
    {
        get
        {
            lock (_gate)
            {
                return [.. _state.Denylist];
            }
        }
    }

    /// <summary>The peers this node has an open gossip link with on the current topic (sorted, distinct).</summary>
    public IReadOnlyList<string> LinkedPeers
    {
        get
        {
            lock (_gate)
            {
                return [.. _links.Keys.Where(l => !l.IsClosed && IsCurrentTopic(l.PeerTopic)).Select(l => l.PeerHex).Distinct().Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>True once this node found its own clock to be the mesh's outlier (trust.md 9.7); it then sends nothing.</summary>
    public bool IsMeshDead
    {
        get
        {
            lock (_gate)
            {
                return _state.MeshDead;
            }
        }
    }

    /// <summary>Accepted messages dropped because nobody read them fast enough.</summary>
    public long DeliveryDropped => Interlocked.Read(ref _deliveryDropped);

    /// <summary>Whether <paramref name="peer"/> is a current member and not denylisted (gate 0, trust.md 7.1 rule 5).</summary>
    /// <param name="peer">The peer.</param>
    /// <returns>True for a member.</returns>
    public bool IsMember(EndpointId peer)
    {
        string hex = peer.ToString();
        lock (_gate)
        {
            return _state.Members.Contains(hex) && !_state.Denylist.Contains(hex);
        }
    }

    /// <summary>
    /// Starts a mesh node: resumes the persisted state, founds a new mesh (no state, no bootstrap peers), or joins
    /// through the bootstrap peers in turn (trust.md 9.1, 4.3 client algorithm); then links to the known members.
    /// </summary>
    /// <param name="options">The settings.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running node.</returns>
    /// <exception cref="ArgumentException">An option is missing or invalid; the message names it.</exception>
    /// <exception cref="MeshException">The state belongs to another node or root, is corrupt, or no bootstrap peer admitted this node.</exception>
    public static async ValueTask<MeshNode> StartAsync(MeshOptions options, CancellationToken cancellationToken = default)
    {
        Validate(options);
        MeshNode node = new(options);
        try
        {
            await node.InitializeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await node.DisposeCoreAsync(depart: false).ConfigureAwait(false);
            throw;
        }

        return node;
    }

    /// <summary>Signs and sends a message to every member linked on the current topic (trust.md 9.5).</summary>
    /// <param name="type">The message type.</param>
    /// <param name="payload">The payload (compact JSON for the specified types).</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>The number of links the message was queued on.</returns>
    /// <exception cref="InvalidOperationException">The node left the mesh because its clock is the outlier, or is disposed.</exception>
    public ValueTask<int> BroadcastAsync(ProducerMessageType type, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (IsMeshDead)
        {
            throw new InvalidOperationException("This node left the mesh because its clock is off the mesh median; restart it after fixing the clock.");
        }

        return ValueTask.FromResult(Send(type, payload.Span));
    }

    /// <summary>Accepted CONTRACT_PUBLISHED and LEASE_UPDATE messages (hints for the registry layer), in arrival order.</summary>
    /// <param name="cancellationToken">Ends the enumeration.</param>
    /// <returns>The messages; the sequence ends when the node is disposed.</returns>
    public async IAsyncEnumerable<ProducerMessage> ReadMessagesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (ProducerMessage m in _delivery.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return m;
        }
    }

    /// <summary>
    /// Applies a root-signed salt rotation (trust.md 9.8): excluded endpoints are denylisted, lose membership, admission
    /// records and links; the new salt is persisted before anything is sent; then the statement (with its salt) goes
    /// only to the remaining linked members and the links move to the new topic. The same statement again is a no-op.
    /// </summary>
    /// <param name="statement">The statement, with its salt.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True when applied; false when it was already applied or is not acceptable (logged).</returns>
    /// <exception cref="IOException">The state could not be saved; nothing changed.</exception>
    public ValueTask<bool> ApplySaltRotationAsync(SaltRotationStatement statement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(statement);
        cancellationToken.ThrowIfCancellationRequested();
        return ApplyRotationAsync(statement, except: null);
    }

    /// <summary>
    /// Opens a gossip link to a member (normally automatic: bootstrap peers at start, then addresses learnt from
    /// hellos).
    /// </summary>
    /// <param name="address">The member's address.</param>
    /// <param name="cancellationToken">Cancels the handshake.</param>
    /// <returns>True when the link is open; false when the peer refused it or could not be reached.</returns>
    public async ValueTask<bool> ConnectAsync(EndpointAddr address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        string peer = address.Id.ToString();
        if (peer == _selfHex)
        {
            return false;
        }

        lock (_gate)
        {
            if (_state.Denylist.Contains(peer) || !_dialing.Add(peer))
            {
                return false;
            }

            _addresses[peer] = [.. address.DirectAddresses];
        }

        try
        {
            return await DialAsync(address, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _dialing.Remove(peer);
            }
        }
    }

    /// <summary>
    /// Re-runs producer admission against the bootstrap peers and the known members (trust.md 9.8, resynchronisation).
    /// A different salt is taken only with a valid rotation statement of a higher epoch.
    /// </summary>
    /// <param name="cancellationToken">Cancels the attempts.</param>
    /// <returns>True when a newer rotation was applied.</returns>
    public async ValueTask<bool> ResynchronizeAsync(CancellationToken cancellationToken = default)
    {
        List<EndpointAddr> targets = [.. _options.BootstrapPeers];
        lock (_gate)
        {
            foreach (KeyValuePair<string, IPEndPoint[]> kv in _addresses)
            {
                if (kv.Key != _selfHex && targets.All(t => t.Id.ToString() != kv.Key))
                {
                    targets.Add(new EndpointAddr(EndpointId.Parse(kv.Key), null, kv.Value));
                }
            }
        }

        foreach (EndpointAddr target in targets)
        {
            ProducerAdmissionResponse? response = await ExchangeAdmissionAsync(target, cancellationToken).ConfigureAwait(false);
            if (response is not { Accepted: true })
            {
                continue;
            }

            byte[] salt = Convert.FromHexString(response.Salt);
            lock (_gate)
            {
                if (CryptographicOperations.FixedTimeEquals(salt, _state.Salt))
                {
                    continue;
                }
            }

            SaltRotationStatement? statement = null;
            try
            {
                statement = response.SaltRotationJson is null ? null : SaltRotationStatement.Parse(Encoding.UTF8.GetBytes(response.SaltRotationJson), salt);
            }
            catch (TrustFormatException)
            {
            }

            if (statement is not null && await ApplyRotationAsync(statement, except: null).ConfigureAwait(false))
            {
                await LinkKnownMembersAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }

            MeshLog.ResyncIgnored(_logger, target.Id.ToString());
        }

        return false;
    }

    /// <summary>Broadcasts DEPART <c>{"reason":"shutdown"}</c> (trust.md 9.9), closes every link and stops.</summary>
    /// <returns>A task that completes when the node has stopped.</returns>
    public ValueTask DisposeAsync() => DisposeCoreAsync(depart: true);

    /// <summary>Queues a raw envelope on every current-topic link without signing it (attack tests of the receive pipeline).</summary>
    internal int InjectForTesting(byte[] envelope) => Forward(MeshFrameKind.Message, envelope, except: null);

    internal bool TryEnterAdmission() => _admissionSlots.Wait(0);

    internal void ExitAdmission() => _admissionSlots.Release();

    internal MeshLimits Limits => _limits;

    internal TimeProvider Time => _time;

    internal ILogger Logger => _logger;

    /// <summary>
    /// The producer admission server algorithm (trust.md 4.3 steps 1–8) for one request body (null when it exceeded
    /// 64 KiB). Every failure gives the uniform rejection; the reason goes to the log only.
    /// </summary>
    internal byte[] DecideAdmission(EndpointId peer, byte[]? body)
    {
        string peerHex = peer.ToString();
        string? refusal = null;
        EnrollmentCredential? credential = null;
        CredentialCheckResult? check = null;
        if (body is null)
        {
            refusal = "request larger than 64 KiB";
        }
        else
        {
            try
            {
                ProducerAdmissionRequest request = ProducerAdmissionRequest.Parse(body);
                credential = EnrollmentCredential.Parse(request.CredentialJson);
                HashSet<string> denylist;
                lock (_gate)
                {
                    denylist = new HashSet<string>(_state.Denylist, StringComparer.Ordinal);
                }

                check = _verifier.VerifyProducer(credential, peer, request.IidToken, denylist);
                if (!check.Accepted)
                {
                    refusal = check.Refusal.ToString();
                }
            }
            catch (TrustFormatException)
            {
                refusal = nameof(CredentialRefusal.Malformed);
            }
        }

        if (refusal is not null || credential is null || check is null)
        {
            return Reject(peerHex, refusal ?? nameof(CredentialRefusal.Malformed));
        }

        byte[] response;
        try
        {
            lock (_gate)
            {
                if (_state.Denylist.Contains(peerHex))
                {
                    return Reject(peerHex, nameof(CredentialRefusal.Denylisted));
                }

                MeshState next = _state.Clone();
                next.Members.Add(peerHex);
                next.MemberCredentials[peerHex] = Encoding.UTF8.GetString(credential.ToWireJson());
                _store.Save(next);
                _state = next;
                response = new ProducerAdmissionResponse(true, Convert.ToHexStringLower(next.Salt), [.. next.Members], next.SaltEpoch >= 2 ? next.RotationJson : null).ToJson();
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            MeshLog.AdmissionPersistFailed(_logger, peerHex, ex);
            MeshDiagnostics.Admission("internal_error");
            return ProducerAdmissionResponse.Rejected().ToJson();
        }

        RecordAdmission(peer, check);
        MeshLog.ProducerAdmitted(_logger, peerHex);
        MeshDiagnostics.Admission("accepted");
        return response;
    }

    /// <summary>Serves one inbound gossip connection until it ends.</summary>
    internal async Task ServeLinkAsync(IRpcConnection connection, CancellationToken cancellationToken)
    {
        if (connection.RemoteId is not EndpointId peer)
        {
            await connection.CloseAsync(403, "not admitted", CancellationToken.None).ConfigureAwait(false);
            return;
        }

        string peerHex = peer.ToString();
        string? refusal = null;
        lock (_gate)
        {
            if (_state.Denylist.Contains(peerHex))
            {
                refusal = "denylisted";
            }
            else if (_links.Count >= _limits.MaxLinks)
            {
                refusal = "too many links";
            }
        }

        if (refusal is not null || Volatile.Read(ref _disposed) != 0)
        {
            // A denylisted peer is refused as gate 0 refuses; a full or stopping node is only busy.
            bool denied = refusal == "denylisted";
            MeshLog.LinkRefused(_logger, peerHex, refusal ?? "node stopping");
            await connection.CloseAsync(denied ? 403 : 0, denied ? "not admitted" : "busy", CancellationToken.None).ConfigureAwait(false);
            return;
        }

        using CancellationTokenSource handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
        handshake.CancelAfter(_limits.AdmissionRequestTimeout);
        IRpcStream? stream = null;
        MeshLink? link = null;
        try
        {
            stream = await connection.AcceptStreamAsync(handshake.Token).ConfigureAwait(false);
            if (stream is null)
            {
                return;
            }

            link = new MeshLink(connection, stream, peer, outbound: false, _limits.MaxQueuedFramesPerLink);
            refusal = await ReceiveHelloAsync(link, handshake.Token).ConfigureAwait(false);
            if (refusal is not null)
            {
                MeshLog.LinkRefused(_logger, peerHex, refusal);
                link.Close(403, "not admitted");
                return;
            }

            link.TrySend(MeshFrameKind.Hello, BuildHello());
            Task run = RegisterLink(link);
            using (cancellationToken.Register(static l => ((MeshLink)l!).Close(0, "server stopping"), link))
            {
                await run.ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or TrustFormatException or ObjectDisposedException)
        {
            MeshLog.LinkRefused(_logger, peerHex, ex.Message);
            if (link is not null)
            {
                link.Close(403, "not admitted");
            }
            else
            {
                await connection.CloseAsync(0, "handshake failed", CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            if (link is not null)
            {
                await link.DisposeAsync().ConfigureAwait(false);
            }
            else if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static void Validate(MeshOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.StateDirectory))
        {
            throw new ArgumentException("MeshOptions.StateDirectory is required.", nameof(options));
        }

        if (!RootKey.IsAcceptablePublicKey(options.RootPublicKey.Span))
        {
            throw new ArgumentException("MeshOptions.RootPublicKey must be a 32-byte Ed25519 public key of large order.", nameof(options));
        }

        if (options.SecretKey is null || options.Endpoint is null)
        {
            throw new ArgumentException("MeshOptions.SecretKey and MeshOptions.Endpoint are required.", nameof(options));
        }

        if (options.Endpoint.Id != options.SecretKey.PublicKey)
        {
            throw new ArgumentException("MeshOptions.Endpoint must use MeshOptions.SecretKey as its identity.", nameof(options));
        }

        if (options.Credential is not null && options.Credential.EndpointId != options.SecretKey.PublicKey.ToString())
        {
            throw new ArgumentException("MeshOptions.Credential is bound to another endpoint than this node.", nameof(options));
        }

        ArgumentNullException.ThrowIfNull(options.Limits);
        options.Limits.Validate();
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private async ValueTask InitializeAsync(CancellationToken cancellationToken)
    {
        MeshState? state = _store.Load();
        if (state is not null)
        {
            if (!CryptographicOperations.FixedTimeEquals(state.RootPublicKey, _root) || state.SelfEndpointId != _selfHex)
            {
                throw new MeshException($"mesh state '{_store.FilePath}' belongs to another root key or node");
            }

            StartMode = MeshStartMode.Resumed;
        }
        else if (_options.BootstrapPeers.Count == 0)
        {
            state = new MeshState
            {
                RootPublicKey = _root,
                SelfEndpointId = _selfHex,
                Salt = _store.ReadLegacySalt() ?? RandomNumberGenerator.GetBytes(32),
                MeshJoinedAtEpochMs = NowMs,
            };
            state.Members.Add(_selfHex);
            AddOwnCredential(state);
            _store.Save(state);
            StartMode = MeshStartMode.Founded;
        }
        else
        {
            if (_options.Credential is null)
            {
                throw new MeshException("joining the mesh needs this node's producer credential (MeshOptions.Credential)");
            }

            state = await JoinAsync(cancellationToken).ConfigureAwait(false);
            _store.Save(state);
            StartMode = MeshStartMode.Joined;
        }

        lock (_gate)
        {
            _state = state;
            _joinedAtMs = state.MeshJoinedAtEpochMs == 0 ? NowMs : state.MeshJoinedAtEpochMs;
            _lastTrafficMs = NowMs;
            foreach (EndpointAddr peer in _options.BootstrapPeers)
            {
                _addresses[peer.Id.ToString()] = [.. peer.DirectAddresses];
            }
        }

        MeshLog.Started(_logger, StartMode, state.Members.Count, state.SaltEpoch);
        _sweepTimer = _time.CreateTimer(static s => ((MeshNode)s!).OnSweepTimer(), this, _limits.SweepInterval, _limits.SweepInterval);
        await LinkKnownMembersAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Dials every member with a known address and no open link (bootstrap peers first).</summary>
    private async ValueTask LinkKnownMembersAsync(CancellationToken cancellationToken)
    {
        List<EndpointAddr> targets;
        lock (_gate)
        {
            targets = [.. _addresses
                .Where(kv => kv.Key != _selfHex && _state.Members.Contains(kv.Key) && !_state.Denylist.Contains(kv.Key) && _links.Keys.All(l => l.PeerHex != kv.Key || l.IsClosed))
                .OrderBy(kv => _options.BootstrapPeers.Any(b => b.Id.ToString() == kv.Key) ? 0 : 1)
                .Select(kv => new EndpointAddr(EndpointId.Parse(kv.Key), null, kv.Value))];
        }

        foreach (EndpointAddr target in targets)
        {
            await ConnectAsync(target, cancellationToken).ConfigureAwait(false);
        }
    }

    private void AddOwnCredential(MeshState state)
    {
        if (_options.Credential is not null)
        {
            state.MemberCredentials[_selfHex] = Encoding.UTF8.GetString(_options.Credential.ToWireJson());
        }
    }

    private async ValueTask<MeshState> JoinAsync(CancellationToken cancellationToken)
    {
        foreach (EndpointAddr peer in _options.BootstrapPeers)
        {
            ProducerAdmissionResponse? response = await ExchangeAdmissionAsync(peer, cancellationToken).ConfigureAwait(false);
            if (response is null)
            {
                continue;
            }

            if (!response.Accepted)
            {
                MeshLog.JoinAttemptFailed(_logger, peer.Id.ToString(), "rejected");
                continue;
            }

            try
            {
                return JoinedState(response);
            }
            catch (TrustFormatException ex)
            {
                MeshLog.JoinAttemptFailed(_logger, peer.Id.ToString(), ex.Message);
            }
        }

        throw new MeshException("no bootstrap peer admitted this node to the producer mesh");
    }

    private MeshState JoinedState(ProducerAdmissionResponse response)
    {
        byte[] salt = Convert.FromHexString(response.Salt);
        MeshState state = new() { RootPublicKey = _root, SelfEndpointId = _selfHex, Salt = salt, MeshJoinedAtEpochMs = NowMs };
        if (response.SaltRotationJson is not null)
        {
            SaltRotationStatement statement = SaltRotationStatement.Parse(Encoding.UTF8.GetBytes(response.SaltRotationJson), salt);
            if (!statement.IsAcceptable(_root, 0, _time))
            {
                throw new TrustFormatException("the bootstrap peer's salt_rotation does not verify against the mesh root and salt");
            }

            state.SaltEpoch = statement.Epoch;
            state.RotationJson = Encoding.UTF8.GetString(statement.ToJson(includeSalt: false));
            state.Denylist.UnionWith(statement.Exclude);
        }

        if (state.Denylist.Contains(_selfHex))
        {
            throw new TrustFormatException("this node is on the mesh denylist");
        }

        state.Members.UnionWith(response.AcceptedProducers.Where(id => !state.Denylist.Contains(id)));
        state.Members.Add(_selfHex);
        AddOwnCredential(state);
        return state;
    }

    private async ValueTask<ProducerAdmissionResponse?> ExchangeAdmissionAsync(EndpointAddr peer, CancellationToken cancellationToken)
    {
        if (_options.Credential is null)
        {
            return null;
        }

        byte[] request = new ProducerAdmissionRequest(Encoding.UTF8.GetString(_options.Credential.ToWireJson()), _options.IidToken).ToJson();
        using CancellationTokenSource timeout = new(_limits.AdmissionResponseTimeout, _time);
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            AsterConnection connection = await _endpoint.ConnectAsync(peer, AsterAlpns.ProducerAdmission, linked.Token).ConfigureAwait(false);
            QuicRpcConnection rpc = new(connection);
            await using (rpc.ConfigureAwait(false))
            {
                byte[] body = await AdmissionExchange.RequestAsync(rpc, request, _limits.AdmissionResponseTimeout, _time, linked.Token).ConfigureAwait(false);
                await rpc.CloseAsync(0, string.Empty, linked.Token).ConfigureAwait(false);
                return ProducerAdmissionResponse.Parse(body);
            }
        }
        catch (Exception ex) when (ex is IOException or TrustFormatException or ArgumentException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            MeshLog.JoinAttemptFailed(_logger, peer.Id.ToString(), ex.Message);
            return null;
        }
    }

    private byte[] Reject(string peerHex, string reason)
    {
        MeshLog.ProducerRejected(_logger, peerHex, reason);
        MeshDiagnostics.Admission("rejected");
        return ProducerAdmissionResponse.Rejected().ToJson();
    }

    private void RecordAdmission(EndpointId peer, CredentialCheckResult check)
    {
        IMeshAdmissionRecords? records = _options.AdmissionRecords;
        if (records is null)
        {
            return;
        }

        long expires = check.ExpiresAt > long.MaxValue ? long.MaxValue : (long)check.ExpiresAt;
        records.Record(new PeerAdmission(peer, check.Handle, check.Attributes, _time.GetUtcNow().ToUnixTimeSeconds(), expires, AdmissionPath.ProducerAdmission));
    }

    // The topic derives from the secret salt: compared in constant time.
    private bool IsCurrentTopic(byte[]? topic) => topic is not null && CryptographicOperations.FixedTimeEquals(topic, _state.TopicId);

    private bool IsAcceptedTopic(byte[] topic, long nowMs)
        => IsCurrentTopic(topic) || (_previousTopic is not null && nowMs < _overlapUntilMs && CryptographicOperations.FixedTimeEquals(topic, _previousTopic));

    private byte[] BuildHello()
    {
        lock (_gate)
        {
            Dictionary<string, IPEndPoint[]> addresses = new(StringComparer.Ordinal)
            {
                [_selfHex] = _options.AdvertisedAddresses.Count > 0 ? [.. _options.AdvertisedAddresses] : [_endpoint.LocalEndPoint],
            };
            foreach (KeyValuePair<string, IPEndPoint[]> kv in _addresses)
            {
                if (_state.Members.Contains(kv.Key) && !_state.Denylist.Contains(kv.Key) && addresses.Count < MeshHello.MaxEntries)
                {
                    addresses[kv.Key] = kv.Value;
                }
            }

            string? credential = _options.Credential is null ? null : Encoding.UTF8.GetString(_options.Credential.ToWireJson());
            return new MeshHello { Topic = _state.TopicId, CredentialJson = credential, Addresses = addresses }.ToJson();
        }
    }

    /// <summary>Reads frames until the peer's hello (a rotation may come first) and checks it; returns a refusal or null.</summary>
    private async ValueTask<string?> ReceiveHelloAsync(MeshLink link, CancellationToken cancellationToken)
    {
        while (true)
        {
            MeshFrame? frame = await link.ReadFrameAsync(cancellationToken).ConfigureAwait(false);
            if (frame is not MeshFrame f)
            {
                return "the link ended before its hello";
            }

            if (f.Kind == MeshFrameKind.Rotation)
            {
                await OnRotationFrameAsync(link, f.Body).ConfigureAwait(false);
                continue;
            }

            if (f.Kind != MeshFrameKind.Hello)
            {
                return "the first frame is not a hello";
            }

            return OnHello(link, MeshHello.Parse(f.Body));
        }
    }

    /// <summary>Checks a hello (topic; membership or a credential that admits the peer) and learns its addresses.</summary>
    private string? OnHello(MeshLink link, MeshHello hello)
    {
        long now = NowMs;
        bool admitByCredential = false;
        EnrollmentCredential? credential = null;
        lock (_gate)
        {
            if (_state.Denylist.Contains(link.PeerHex))
            {
                return "denylisted";
            }

            if (!IsAcceptedTopic(hello.Topic, now))
            {
                return "unknown topic";
            }

            if (!_state.Members.Contains(link.PeerHex))
            {
                admitByCredential = true;
            }
        }

        if (admitByCredential)
        {
            if (hello.CredentialJson is null)
            {
                return "not a member and no credential";
            }

            credential = EnrollmentCredential.Parse(hello.CredentialJson);
            string? refused = AddMemberByCredential(link.PeerHex, credential, "hello");
            if (refused is not null)
            {
                return refused;
            }
        }

        List<EndpointAddr> toDial = [];
        lock (_gate)
        {
            link.PeerTopic = hello.Topic;
            foreach (KeyValuePair<string, IPEndPoint[]> kv in hello.Addresses)
            {
                if (kv.Key == _selfHex || !_state.Members.Contains(kv.Key) || _state.Denylist.Contains(kv.Key))
                {
                    continue;
                }

                if (kv.Key == link.PeerHex)
                {
                    _addresses[kv.Key] = kv.Value;
                }
                else
                {
                    _addresses.TryAdd(kv.Key, kv.Value);
                }

                if (_links.Keys.All(l => l.PeerHex != kv.Key || l.IsClosed) && !_dialing.Contains(kv.Key) && _links.Count < _limits.MaxLinks && kv.Key != link.PeerHex)
                {
                    toDial.Add(new EndpointAddr(EndpointId.Parse(kv.Key), null, _addresses[kv.Key]));
                }
            }
        }

        foreach (EndpointAddr target in toDial)
        {
            _ = DialInBackgroundAsync(target);
        }

        return null;
    }

    private async Task DialInBackgroundAsync(EndpointAddr target)
    {
        try
        {
            await ConnectAsync(target, _lifetime.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or IOException)
        {
            // Best effort: the peer links to us, or a later hello names it again.
        }
    }

    /// <summary>Verifies a credential presented by <paramref name="peerHex"/> (4.3 steps 2–6) and adds it as a member; returns a refusal or null.</summary>
    private string? AddMemberByCredential(string peerHex, EnrollmentCredential credential, string how)
    {
        HashSet<string> denylist;
        lock (_gate)
        {
            denylist = new HashSet<string>(_state.Denylist, StringComparer.Ordinal);
        }

        CredentialCheckResult check = _verifier.VerifyProducer(credential, EndpointId.Parse(peerHex), string.Empty, denylist);
        if (!check.Accepted)
        {
            return check.Refusal.ToString();
        }

        try
        {
            lock (_gate)
            {
                if (_state.Denylist.Contains(peerHex))
                {
                    return nameof(CredentialRefusal.Denylisted);
                }

                MeshState next = _state.Clone();
                bool added = next.Members.Add(peerHex);
                next.MemberCredentials[peerHex] = Encoding.UTF8.GetString(credential.ToWireJson());
                _store.Save(next);
                _state = next;
                if (added)
                {
                    MeshLog.MemberAdded(_logger, peerHex, how);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            MeshLog.AdmissionPersistFailed(_logger, peerHex, ex);
            return "state not saved";
        }

        RecordAdmission(EndpointId.Parse(peerHex), check);
        return null;
    }

    private async ValueTask<bool> DialAsync(EndpointAddr address, CancellationToken cancellationToken)
    {
        string peer = address.Id.ToString();
        lock (_gate)
        {
            if (_links.Count >= _limits.MaxLinks)
            {
                return false;
            }
        }

        using CancellationTokenSource handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
        handshake.CancelAfter(_limits.AdmissionRequestTimeout);
        QuicRpcConnection? connection = null;
        MeshLink? link = null;
        try
        {
            connection = new QuicRpcConnection(await _endpoint.ConnectAsync(address, MeshAlpns.Gossip, handshake.Token).ConfigureAwait(false));
            IRpcStream stream = await connection.OpenStreamAsync(handshake.Token).ConfigureAwait(false);
            link = new MeshLink(connection, stream, address.Id, outbound: true, _limits.MaxQueuedFramesPerLink);
            byte[] hello = BuildHello();
            await stream.Output.WriteAsync(WireFrame(MeshFrameKind.Hello, hello), handshake.Token).ConfigureAwait(false);
            string? refusal = await ReceiveHelloAsync(link, handshake.Token).ConfigureAwait(false);
            if (refusal is not null)
            {
                MeshLog.LinkRefused(_logger, peer, refusal);
                await link.DisposeAsync().ConfigureAwait(false);
                return false;
            }

            _ = RegisterLink(link);
            return true;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or TrustFormatException or ArgumentException)
        {
            MeshLog.LinkRefused(_logger, peer, ex.Message);
            if (link is not null)
            {
                await link.DisposeAsync().ConfigureAwait(false);
            }
            else if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            return false;
        }
    }

    private static byte[] WireFrame(MeshFrameKind kind, byte[] body)
    {
        byte[] frame = new byte[5 + body.Length];
        frame[0] = (byte)kind;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)body.Length);
        body.CopyTo(frame, 5);
        return frame;
    }

    private Task RegisterLink(MeshLink link)
    {
        TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Task run = RunLinkAsync(link, started.Task);
        lock (_gate)
        {
            _links[link] = run;
        }

        started.SetResult();
        MeshLog.LinkOpened(_logger, link.PeerHex, link.Outbound ? "outbound" : "inbound");
        if (_options.Credential is not null && Interlocked.Exchange(ref _introduced, 1) == 0 && !IsMeshDead)
        {
            Send(ProducerMessageType.Introduce, _options.Credential.ToWireJson());
        }

        return run;
    }

    private async Task RunLinkAsync(MeshLink link, Task started)
    {
        await started.ConfigureAwait(false);
        try
        {
            await link.RunAsync(OnFrameAsync, _lifetime.Token).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _links.Remove(link);
            }

            if (link.Outbound)
            {
                await link.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                // The link ended (the peer's FIN, a reset or our close): close the connection, which tells a
                // departing peer that its DEPART has been read (MeshLink.DrainAsync).
                link.Close(0, "link ended");
            }
        }
    }

    private async ValueTask OnFrameAsync(MeshLink link, MeshFrame frame)
    {
        try
        {
            switch (frame.Kind)
            {
                case MeshFrameKind.Hello:
                    string? refusal = OnHello(link, MeshHello.Parse(frame.Body));
                    if (refusal is not null)
                    {
                        MeshLog.LinkRefused(_logger, link.PeerHex, refusal);
                        link.Close(403, "not admitted");
                    }

                    break;
                case MeshFrameKind.Rotation:
                    await OnRotationFrameAsync(link, frame.Body).ConfigureAwait(false);
                    break;
                default:
                    OnMessage(link, frame.Body);
                    break;
            }
        }
        catch (TrustFormatException ex)
        {
            MeshLog.LinkRefused(_logger, link.PeerHex, ex.Message);
            link.Close(403, "not admitted");
        }
    }

    private async ValueTask OnRotationFrameAsync(MeshLink link, byte[] body)
    {
        SaltRotationStatement statement = SaltRotationStatement.Parse(body);
        await ApplyRotationAsync(statement, except: link).ConfigureAwait(false);
    }

    /// <summary>The receive pipeline of trust.md 9.6 for one envelope received on <paramref name="link"/>.</summary>
    private void OnMessage(MeshLink link, byte[] envelope)
    {
        long now = NowMs;
        ProducerMessage message;
        try
        {
            message = ProducerMessage.ParseEnvelope(envelope);
        }
        catch (TrustFormatException ex)
        {
            Drop(link.PeerHex, "malformed: " + ex.Message, "malformed");
            return;
        }

        string sender = message.Sender;
        if (sender == _selfHex)
        {
            return;
        }

        bool member;
        lock (_gate)
        {
            if (link.PeerTopic is null || !IsAcceptedTopic(link.PeerTopic, now))
            {
                Drop(sender, "link not on a current topic", "topic");
                return;
            }

            if (!_replay.IsFresh(message.EpochMs, now))
            {
                Drop(sender, "outside the replay window", "replay_window");
                return;
            }

            if (_replay.IsDuplicate(message.Signature, now))
            {
                MeshLog.MessageDuplicate(_logger, sender);
                MeshDiagnostics.Dropped("duplicate");
                return;
            }

            if (_state.Denylist.Contains(sender))
            {
                Drop(sender, "denylisted sender", "denylisted");
                return;
            }

            member = _state.Members.Contains(sender);
            if (!member && message.Type != (byte)ProducerMessageType.Introduce)
            {
                Drop(sender, "sender is not a member", "non_member");
                return;
            }
        }

        if (!message.VerifySignature())
        {
            Drop(sender, "signature invalid", "signature");
            return;
        }

        bool deliver = false;
        bool selfOutlier = false;
        lock (_gate)
        {
            if (_replay.IsDuplicate(message.Signature, now))
            {
                return;
            }

            _replay.Remember(message.Signature, now);
            if (member)
            {
                selfOutlier = _drift.Record(_state.PeerOffsets, _state.DriftIsolated, sender, now - (long)message.EpochMs, now - _joinedAtMs >= (long)_limits.DriftGracePeriod.TotalMilliseconds);
            }

            switch ((ProducerMessageType)message.Type)
            {
                case ProducerMessageType.Introduce:
                case ProducerMessageType.Depart:
                    break;
                case ProducerMessageType.ContractPublished:
                case ProducerMessageType.LeaseUpdate:
                    if (_state.DriftIsolated.Contains(sender))
                    {
                        Drop(sender, "drift-isolated sender", "drift_isolated");
                        return;
                    }

                    deliver = true;
                    break;
                default:
                    Drop(sender, $"unknown type {message.Type}", "unknown_type");
                    return;
            }
        }

        if (message.Type == (byte)ProducerMessageType.Introduce)
        {
            EnrollmentCredential credential;
            try
            {
                credential = EnrollmentCredential.Parse(message.Payload);
            }
            catch (TrustFormatException)
            {
                Drop(sender, "INTRODUCE payload is not a producer credential", "introduce");
                return;
            }

            string? refused = AddMemberByCredential(sender, credential, "INTRODUCE");
            if (refused is not null)
            {
                Drop(sender, "INTRODUCE refused: " + refused, "introduce");
                return;
            }
        }
        else if (message.Type == (byte)ProducerMessageType.Depart)
        {
            RemoveDeparted(sender);
        }

        MeshDiagnostics.MessagesAccepted.Add(1);
        Volatile.Write(ref _lastTrafficMs, now);
        Forward(MeshFrameKind.Message, envelope, except: link);
        if (deliver && !_delivery.Writer.TryWrite(message))
        {
            Interlocked.Increment(ref _deliveryDropped);
            MeshDiagnostics.Dropped("delivery_queue_full");
        }

        if (selfOutlier)
        {
            LeaveForClockDrift();
        }
    }

    private void RemoveDeparted(string sender)
    {
        lock (_gate)
        {
            MeshState next = _state.Clone();
            next.Members.Remove(sender);
            next.DriftIsolated.Remove(sender);
            next.PeerOffsets.Remove(sender);
            try
            {
                _store.Save(next);
                _state = next;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                MeshLog.SweepFailed(_logger, ex);
                return;
            }
        }

        MeshLog.MemberDeparted(_logger, sender);
    }

    private void LeaveForClockDrift()
    {
        bool first;
        lock (_gate)
        {
            first = !_state.MeshDead;
            if (first)
            {
                Send(ProducerMessageType.Depart, "{\"reason\":\"clock drift\"}"u8);
                MeshState next = _state.Clone();
                next.MeshDead = true;
                try
                {
                    _store.Save(next);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    MeshLog.SweepFailed(_logger, ex);
                }

                _state = next;
            }
        }

        if (first)
        {
            MeshLog.ClockOutlier(_logger);
        }
    }

    private void Drop(string sender, string reason, string tag)
    {
        MeshLog.MessageDropped(_logger, sender, reason);
        MeshDiagnostics.Dropped(tag);
    }

    /// <summary>Signs a message with the node key and queues it on every current-topic link.</summary>
    private int Send(ProducerMessageType type, ReadOnlySpan<byte> payload)
    {
        ulong epochMs = (ulong)Math.Max(0, NowMs);
        byte[] signing = ProducerMessage.SigningBytes((byte)type, payload, _selfHex, epochMs);
        ProducerMessage message = new((byte)type, payload, _selfHex, epochMs, _key.Sign(signing));
        lock (_gate)
        {
            _replay.Remember(message.Signature, NowMs);
        }

        return Forward(MeshFrameKind.Message, message.ToEnvelopeJson(), except: null);
    }

    private int Forward(MeshFrameKind kind, byte[] body, MeshLink? except)
    {
        List<MeshLink> targets;
        lock (_gate)
        {
            targets = [.. _links.Keys.Where(l => l != except && !l.IsClosed && IsCurrentTopic(l.PeerTopic) && !_state.Denylist.Contains(l.PeerHex))];
        }

        int queued = 0;
        foreach (MeshLink link in targets)
        {
            if (link.TrySend(kind, body))
            {
                queued++;
            }
        }

        return queued;
    }

    private async ValueTask<bool> ApplyRotationAsync(SaltRotationStatement statement, MeshLink? except)
    {
        List<MeshLink> evicted;
        List<MeshLink> remaining;
        lock (_gate)
        {
            if (statement.Epoch <= _state.SaltEpoch)
            {
                return false;
            }

            string? refusal = statement.Salt is null ? "no salt"
                : !statement.IsAcceptable(_root, _state.SaltEpoch, _time) ? "root, signature, epoch or issue time not acceptable"
                : statement.Exclude.Contains(_selfHex) ? "it excludes this node"
                : null;
            if (refusal is not null)
            {
                MeshLog.RotationRefused(_logger, statement.Epoch, refusal);
                return false;
            }

            byte[] oldTopic = _state.TopicId;
            MeshState next = _state.Clone();
            foreach (string id in statement.Exclude)
            {
                next.Denylist.Add(id);
                next.Members.Remove(id);
                next.MemberCredentials.Remove(id);
                next.PeerOffsets.Remove(id);
                next.DriftIsolated.Remove(id);
            }

            next.Salt = statement.Salt!;
            next.SaltEpoch = statement.Epoch;
            next.RotationJson = Encoding.UTF8.GetString(statement.ToJson(includeSalt: false));
            _store.Save(next);
            _state = next;
            _previousTopic = oldTopic;
            _overlapUntilMs = NowMs + (long)_limits.RotationOverlap.TotalMilliseconds;
            foreach (string id in statement.Exclude)
            {
                _addresses.Remove(id);
            }

            evicted = [.. _links.Keys.Where(l => next.Denylist.Contains(l.PeerHex))];
            remaining = [.. _links.Keys.Where(l => !next.Denylist.Contains(l.PeerHex) && !l.IsClosed)];
        }

        MeshLog.RotationApplied(_logger, statement.Epoch, statement.Exclude.Count);
        foreach (string id in statement.Exclude)
        {
            _options.AdmissionRecords?.Remove(EndpointId.Parse(id));
        }

        foreach (MeshLink link in evicted)
        {
            link.Close(403, "not admitted");
        }

        byte[] withSalt = statement.ToJson(includeSalt: true);
        byte[] hello = BuildHello();
        foreach (MeshLink link in remaining)
        {
            if (link != except)
            {
                link.TrySend(MeshFrameKind.Rotation, withSalt);
            }

            link.TrySend(MeshFrameKind.Hello, hello);
        }

        return true;
    }

    private void OnSweepTimer()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) != 0)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await SweepAsync().ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A sweep failure is logged; the next sweep tries again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                MeshLog.SweepFailed(_logger, ex);
            }
            finally
            {
                Volatile.Write(ref _sweeping, 0);
            }
        });
    }

    /// <summary>Expired member credentials, the end of a rotation overlap, and the rotation drop file.</summary>
    private async ValueTask SweepAsync()
    {
        long nowSeconds = _time.GetUtcNow().ToUnixTimeSeconds();
        List<MeshLink> stale = [];
        lock (_gate)
        {
            List<string> expired = [];
            foreach (KeyValuePair<string, string> kv in _state.MemberCredentials)
            {
                if (kv.Key != _selfHex && EnrollmentCredential.Parse(kv.Value).ExpiresAt <= (ulong)Math.Max(0, nowSeconds))
                {
                    expired.Add(kv.Key);
                }
            }

            if (expired.Count > 0)
            {
                MeshState next = _state.Clone();
                foreach (string id in expired)
                {
                    next.Members.Remove(id);
                    next.MemberCredentials.Remove(id);
                    MeshLog.MemberExpired(_logger, id);
                }

                _store.Save(next);
                _state = next;
            }

            if (_previousTopic is not null && NowMs >= _overlapUntilMs)
            {
                stale = [.. _links.Keys.Where(l => l.PeerTopic is not null && !IsCurrentTopic(l.PeerTopic))];
                _previousTopic = null;
            }
        }

        foreach (MeshLink link in stale)
        {
            link.Close(0, "left the old topic");
        }

        // Resynchronisation (trust.md 9.8): no accepted mesh traffic for twice the lease heartbeat.
        if (NowMs - Volatile.Read(ref _lastTrafficMs) >= 2 * (long)_limits.LeaseHeartbeat.TotalMilliseconds)
        {
            Volatile.Write(ref _lastTrafficMs, NowMs);
            await ResynchronizeAsync(_lifetime.Token).ConfigureAwait(false);
        }

        string drop = Path.Combine(_store.Directory, RotationDropFileName);
        if (File.Exists(drop))
        {
            SaltRotationStatement statement = SaltRotationStatement.Parse(await File.ReadAllBytesAsync(drop).ConfigureAwait(false));
            await ApplyRotationAsync(statement, except: null).ConfigureAwait(false);
            string applied = Path.Combine(_store.Directory, "applied");
            Directory.CreateDirectory(applied);
            File.Move(drop, Path.Combine(applied, statement.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".json"), overwrite: true);
        }
    }

    private async ValueTask DisposeCoreAsync(bool depart)
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_sweepTimer is not null)
        {
            await _sweepTimer.DisposeAsync().ConfigureAwait(false);
        }

        List<MeshLink> links;
        lock (_gate)
        {
            links = [.. _links.Keys];
        }

        if (depart && _state is not null && !IsMeshDead && links.Count > 0)
        {
            Send(ProducerMessageType.Depart, "{\"reason\":\"shutdown\"}"u8);
            // Shutdown bounds are real time: a test clock that never moves must not hang a close.
            await Task.WhenAll(links.Select(l => l.DrainAsync(_limits.DepartDrain, TimeProvider.System).AsTask())).ConfigureAwait(false);
        }

        await _lifetime.CancelAsync().ConfigureAwait(false);
        foreach (MeshLink link in links)
        {
            link.Close(0, "shutdown");
        }

        Task[] runs;
        lock (_gate)
        {
            runs = [.. _links.Values];
        }

        try
        {
            await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(5), TimeProvider.System).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        // The admission semaphore is not disposed: a host may still be finishing an exchange with it.
        _delivery.Writer.TryComplete();
        _lifetime.Dispose();
    }
}
