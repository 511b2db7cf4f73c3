using System.Net;
using Aster.Net.Identity;
using Aster.Net.Quic;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aster.Trust.Mesh;

/// <summary>Settings of a <see cref="MeshNode"/> (a gated producer, trust.md 9.1). Validated once by <see cref="MeshNode.StartAsync"/>.</summary>
public sealed class MeshOptions
{
    /// <summary>The directory holding <c>mesh_state.json</c>. Required.</summary>
    public string? StateDirectory { get; set; }

    /// <summary>The deployment's root public key (32 bytes). Required.</summary>
    public ReadOnlyMemory<byte> RootPublicKey { get; set; }

    /// <summary>The node key: the QUIC identity and the key that signs mesh messages (trust.md 9.5). Required.</summary>
    public SecretKey? SecretKey { get; set; }

    /// <summary>
    /// The endpoint the node dials from (producer admission when joining, gossip links). Its identity must be
    /// <see cref="SecretKey"/>; to accept inbound links its ALPNs must include <see cref="MeshAlpns.Gossip"/> and, to
    /// admit producers, <see cref="Aster.Transport.AsterAlpns.ProducerAdmission"/>. Required.
    /// </summary>
    public AsterEndpoint? Endpoint { get; set; }

    /// <summary>This node's producer credential; its endpoint id must be this node's. Required to join, sent in every link hello.</summary>
    public EnrollmentCredential? Credential { get; set; }

    /// <summary>The cloud-identity token sent when joining (<c>iid_token</c>), empty by default.</summary>
    public string IidToken { get; set; } = string.Empty;

    /// <summary>Producers to join through, tried in turn, when no state exists. Empty: a new mesh is founded.</summary>
    public IList<EndpointAddr> BootstrapPeers { get; } = [];

    /// <summary>The addresses other members dial for this node's gossip; the endpoint's bound address when empty.</summary>
    public IList<IPEndPoint> AdvertisedAddresses { get; } = [];

    /// <summary>Cloud-identity verifiers by provider (trust.md 11); none by default, so such credentials fail closed.</summary>
    public IDictionary<string, IInstanceIdentityVerifier> IdentityVerifiers { get; } = new Dictionary<string, IInstanceIdentityVerifier>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Where admitted producers are recorded for gates 0 and 3 (trust.md 6); none by default.</summary>
    public IMeshAdmissionRecords? AdmissionRecords { get; set; }

    /// <summary>Timeouts and bounds.</summary>
    public MeshLimits Limits { get; set; } = new();

    /// <summary>The clock. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The logger factory. Defaults to <see cref="NullLoggerFactory"/>.</summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>
    /// A copy for a node a host runs on its own endpoint: the host's key and endpoint, its addresses when none are
    /// advertised, and its admission records when none are set. The original stays as the caller configured it.
    /// </summary>
    internal MeshOptions ForHost(SecretKey key, AsterEndpoint endpoint, IEnumerable<IPEndPoint> addresses, IMeshAdmissionRecords? records)
    {
        var copy = new MeshOptions
        {
            StateDirectory = StateDirectory,
            RootPublicKey = RootPublicKey,
            SecretKey = key,
            Endpoint = endpoint,
            Credential = Credential,
            IidToken = IidToken,
            AdmissionRecords = AdmissionRecords ?? records,
            Limits = Limits,
            TimeProvider = TimeProvider,
            LoggerFactory = LoggerFactory,
        };
        foreach (EndpointAddr peer in BootstrapPeers)
        {
            copy.BootstrapPeers.Add(peer);
        }

        foreach (IPEndPoint address in AdvertisedAddresses.Count > 0 ? AdvertisedAddresses : addresses)
        {
            copy.AdvertisedAddresses.Add(address);
        }

        foreach (KeyValuePair<string, IInstanceIdentityVerifier> verifier in IdentityVerifiers)
        {
            copy.IdentityVerifiers[verifier.Key] = verifier.Value;
        }

        return copy;
    }
}

/// <summary>Timeouts, windows and bounds of the producer mesh; every value is configurable.</summary>
public sealed class MeshLimits
{
    /// <summary>Server: the admission request must be complete (FIN) within this. Defaults to 10 s (trust.md 4.1).</summary>
    public TimeSpan AdmissionRequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Server: the whole admission exchange. Defaults to 30 s.</summary>
    public TimeSpan AdmissionHandlerTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Server: how long to wait for the client to close after the response. Defaults to 5 s.</summary>
    public TimeSpan AdmissionLinger { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Client: the admission response must arrive within this. Defaults to 30 s.</summary>
    public TimeSpan AdmissionResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Admission exchanges served at once; more are closed with reason <c>busy</c>. Defaults to 64.</summary>
    public int MaxConcurrentAdmissions { get; set; } = 64;

    /// <summary>Mesh messages are accepted while |now − epoch_ms| is at most this. Defaults to 30 s (trust.md 9.6).</summary>
    public TimeSpan ReplayWindow { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A peer whose offset differs from the median by more than this is isolated. Defaults to 5 s (trust.md 9.7).</summary>
    public TimeSpan DriftTolerance { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>No drift decision is taken this long after joining. Defaults to 60 s.</summary>
    public TimeSpan DriftGracePeriod { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Offsets needed before a median is taken. Defaults to 3.</summary>
    public int MinPeersForMedian { get; set; } = 3;

    /// <summary>
    /// The lease heartbeat interval (trust.md 9.7, <c>lease_heartbeat_ms</c>). A member that has accepted no mesh message
    /// for twice this re-runs producer admission to resynchronise (9.8). Defaults to 900 s.
    /// </summary>
    public TimeSpan LeaseHeartbeat { get; set; } = TimeSpan.FromSeconds(900);

    /// <summary>After a rotation, members still on the old topic are heard this long. Defaults to 120 s (trust.md 9.8).</summary>
    public TimeSpan RotationOverlap { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Gossip links kept at once (inbound and outbound). Defaults to 64.</summary>
    public int MaxLinks { get; set; } = 64;

    /// <summary>Frames waiting to be sent on one link; beyond it frames are dropped and counted. Defaults to 256.</summary>
    public int MaxQueuedFramesPerLink { get; set; } = 256;

    /// <summary>Accepted messages waiting for <see cref="MeshNode.ReadMessagesAsync"/>; beyond it they are dropped and counted. Defaults to 1024.</summary>
    public int MaxDeliveryQueue { get; set; } = 1024;

    /// <summary>Signatures remembered for duplicate suppression; the oldest go first. Defaults to 65,536.</summary>
    public int MaxRememberedSignatures { get; set; } = 65_536;

    /// <summary>How often the node sweeps (expired credentials, rotation overlap, the rotation drop file). Defaults to 10 s.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// On dispose: how long to wait for each peer to read the DEPART and close its link before closing it ourselves
    /// (closing first discards what the peer has not yet read). Real time, whatever the clock. Defaults to 5 s.
    /// </summary>
    public TimeSpan DepartDrain { get; set; } = TimeSpan.FromSeconds(5);

    internal void Validate()
    {
        Positive(DepartDrain, nameof(DepartDrain));
        Positive(AdmissionRequestTimeout, nameof(AdmissionRequestTimeout));
        Positive(AdmissionHandlerTimeout, nameof(AdmissionHandlerTimeout));
        Positive(AdmissionLinger, nameof(AdmissionLinger));
        Positive(AdmissionResponseTimeout, nameof(AdmissionResponseTimeout));
        Positive(ReplayWindow, nameof(ReplayWindow));
        Positive(DriftTolerance, nameof(DriftTolerance));
        Positive(SweepInterval, nameof(SweepInterval));
        Positive(LeaseHeartbeat, nameof(LeaseHeartbeat));
        if (DriftGracePeriod < TimeSpan.Zero || RotationOverlap < TimeSpan.Zero)
        {
            throw new ArgumentException("DriftGracePeriod and RotationOverlap must not be negative.", nameof(DriftGracePeriod));
        }

        foreach ((int value, string name) in new[] { (MaxConcurrentAdmissions, nameof(MaxConcurrentAdmissions)), (MaxLinks, nameof(MaxLinks)), (MaxQueuedFramesPerLink, nameof(MaxQueuedFramesPerLink)), (MaxDeliveryQueue, nameof(MaxDeliveryQueue)), (MaxRememberedSignatures, nameof(MaxRememberedSignatures)), (MinPeersForMedian, nameof(MinPeersForMedian)) })
        {
            if (value < 1)
            {
                throw new ArgumentException($"{name} must be at least 1.", name);
            }
        }
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{name} must be positive.", name);
        }
    }
}

/// <summary>
/// The node's admission records as the mesh changes them (trust.md 6): admitted producers get a record, and producers
/// excluded by salt rotation lose theirs. The host wires this to its peer store.
/// </summary>
public interface IMeshAdmissionRecords
{
    /// <summary>Records (or replaces) the admission of a producer.</summary>
    /// <param name="admission">The record, with path <see cref="AdmissionPath.ProducerAdmission"/>.</param>
    void Record(PeerAdmission admission);

    /// <summary>Removes any admission record of <paramref name="peer"/>.</summary>
    /// <param name="peer">The excluded endpoint.</param>
    void Remove(EndpointId peer);
}
