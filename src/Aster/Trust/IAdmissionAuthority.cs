using Aster.Net.Identity;

namespace Aster.Trust;

/// <summary>How a peer came to be admitted (trust.md 6 and 8.1).</summary>
public enum AdmissionPath
{
    /// <summary>Never admitted, or the admission has expired.</summary>
    None,

    /// <summary>A verified consumer credential on <c>aster.consumer_admission</c>.</summary>
    ConsumerAdmission,

    /// <summary>A verified producer credential on <c>aster.producer_admission</c>.</summary>
    ProducerAdmission,

    /// <summary>Auto-admitted without a credential because the consumer gate is open.</summary>
    OpenGate,

    /// <summary>An in-process call: gates 0 and 1 do not apply.</summary>
    InProcess,
}

/// <summary>One live admission record: the bridge from gate 1 to gates 0 and 3 (trust.md 6).</summary>
/// <param name="EndpointId">The admitted peer.</param>
/// <param name="Handle">The credential's <c>aster.name</c> attribute, or empty.</param>
/// <param name="Attributes">The credential's attributes exactly as signed; empty for an open-gate admission.</param>
/// <param name="AdmittedAt">Unix seconds when the admission was recorded.</param>
/// <param name="ExpiresAt">The credential's expiry in Unix seconds; 0 for none (the peer TTL still applies).</param>
/// <param name="Path">How the peer was admitted.</param>
public sealed record PeerAdmission(
    EndpointId EndpointId,
    string Handle,
    IReadOnlyDictionary<string, string> Attributes,
    long AdmittedAt,
    long ExpiresAt,
    AdmissionPath Path);

/// <summary>The outcome of a consumer admission (gate 1): admitted with attributes, or the uniform denial.</summary>
/// <param name="Admitted">Whether the peer was admitted.</param>
/// <param name="Attributes">The admitted credential's attributes; empty when denied or auto-admitted.</param>
public sealed record ConsumerAdmissionDecision(bool Admitted, IReadOnlyDictionary<string, string> Attributes)
{
    /// <summary>The uniform denial: nothing about the reason reaches the peer (trust.md 4.5).</summary>
    public static ConsumerAdmissionDecision Denied { get; } = new(false, new Dictionary<string, string>());
}

/// <summary>
/// A node's trust decisions, as the networked server consults them: gate 0 for every inbound connection, gate 1 for
/// consumer admission, and the live admission records that <see cref="CallContext"/> and gate 3 read. Implementations
/// fail closed: the host treats an exception from any member as a denial.
/// </summary>
public interface IAdmissionAuthority
{
    /// <summary>True when consumers need a credential (<c>allow_all_consumers = false</c>).</summary>
    bool ConsumersGated { get; }

    /// <summary>True when producers need a credential (<c>allow_all_producers = false</c>).</summary>
    bool ProducersGated { get; }

    /// <summary>
    /// The root public key as 64 lower-case hex characters for admission responses; 64 zeros when the node has no root
    /// key (both gates explicitly open, trust.md 10).
    /// </summary>
    string RootPublicKeyHex { get; }

    /// <summary>Gate 0 (trust.md 7.1): may authenticated peer <paramref name="peer"/> use <paramref name="alpn"/>?</summary>
    /// <param name="peer">The peer's authenticated endpoint id.</param>
    /// <param name="alpn">The negotiated ALPN.</param>
    /// <param name="cancellationToken">Cancels the decision (a cancelled decision is a denial).</param>
    /// <returns>True to allow; false to close with 403 <c>not admitted</c>.</returns>
    ValueTask<bool> AllowConnectionAsync(EndpointId peer, string alpn, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gate 1 for consumers (trust.md 4.2): verifies <paramref name="request"/> for <paramref name="peer"/> and, on
    /// success, records the admission. Bad credentials give <see cref="ConsumerAdmissionDecision.Denied"/>, not exceptions.
    /// </summary>
    /// <param name="peer">The authenticated peer of the admission connection.</param>
    /// <param name="request">The parsed request.</param>
    /// <param name="cancellationToken">Cancels the admission.</param>
    /// <returns>The decision.</returns>
    ValueTask<ConsumerAdmissionDecision> AdmitConsumerAsync(EndpointId peer, ConsumerAdmissionRequest request, CancellationToken cancellationToken = default);

    /// <summary>The live admission of <paramref name="peer"/>, or null when it has none (never admitted or expired).</summary>
    /// <param name="peer">The peer.</param>
    /// <returns>The record or null.</returns>
    PeerAdmission? FindAdmission(EndpointId peer);

    /// <summary>
    /// Whether an open connection of <paramref name="peer"/> on <paramref name="alpn"/> still qualifies (the expiry sweep
    /// of trust.md 7.1): gate 0's built-in rules evaluated now, without the extra gate. The default: consumers open, or
    /// a live admission record. The host closes a connection that no longer qualifies with 403 <c>admission expired</c>;
    /// an exception counts as no.
    /// </summary>
    /// <param name="peer">The peer's authenticated endpoint id.</param>
    /// <param name="alpn">The connection's ALPN (never an admission ALPN).</param>
    /// <returns>True while the peer may keep the connection.</returns>
    bool StillQualifies(EndpointId peer, string alpn) => !ConsumersGated || FindAdmission(peer) is not null;

    /// <summary>
    /// The <c>gossip_topic</c> of a consumer admission response for <paramref name="peer"/> (trust.md 4.2): 64 hex
    /// characters only when the peer is the root-key holder's shell; null otherwise (the default).
    /// </summary>
    /// <param name="peer">The admitted peer.</param>
    /// <returns>The topic or null.</returns>
    string? GossipTopicFor(EndpointId peer) => null;
}
