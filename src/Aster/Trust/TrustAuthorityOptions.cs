using Aster.Net.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aster.Trust;

/// <summary>
/// A user-supplied extra connection gate (trust.md 7.1). It runs only after a built-in allow and can only turn it into
/// a denial; an exception, or no answer within <see cref="TrustAuthorityOptions.HookTimeout"/>, is a denial.
/// </summary>
public interface IConnectionGate
{
    /// <summary>Whether authenticated peer <paramref name="peer"/> may use <paramref name="alpn"/>.</summary>
    /// <param name="peer">The peer.</param>
    /// <param name="alpn">The negotiated ALPN.</param>
    /// <param name="cancellationToken">Cancelled when the hook timeout passes.</param>
    /// <returns>True to allow.</returns>
    ValueTask<bool> AllowAsync(EndpointId peer, string alpn, CancellationToken cancellationToken);
}

/// <summary>
/// What gate 0 and consumer admission need from the producer mesh (trust.md 7.1 step 5 and 4.2 <c>gossip_topic</c>).
/// The mesh implements it; a node without a mesh has none.
/// </summary>
public interface IMeshMembership
{
    /// <summary>Whether <paramref name="peer"/> is a current mesh member and not denylisted.</summary>
    /// <param name="peer">The peer.</param>
    /// <returns>True for an allowed member.</returns>
    bool IsMember(EndpointId peer);

    /// <summary>The producer-mesh topic as 64 hex characters, handed only to the root-key operator's shell.</summary>
    string GossipTopicHex { get; }
}

/// <summary>Settings of a <see cref="TrustAuthority"/> (trust.md sections 5, 6, 7.1 and 10).</summary>
public sealed class TrustAuthorityOptions
{
    /// <summary>
    /// The deployment's root public key (32 bytes). Required unless both gates are open, in which case admission
    /// responses carry 64 zeros (trust.md 10).
    /// </summary>
    public ReadOnlyMemory<byte> RootPublicKey { get; set; }

    /// <summary><c>allow_all_consumers</c>: no consumer credential needed. Defaults to false (gated).</summary>
    public bool AllowAllConsumers { get; set; }

    /// <summary><c>allow_all_producers</c>: no producer admission or mesh. Defaults to true (open).</summary>
    public bool AllowAllProducers { get; set; } = true;

    /// <summary>The one-time-token nonce store. Without one every one-time token is refused (fail closed).</summary>
    public IOneTimeNonceStore? NonceStore { get; set; }

    /// <summary>The admission records. A new in-memory store with the default TTL when null.</summary>
    public PeerStore? Peers { get; set; }

    /// <summary>Cloud-identity verifiers by provider name (trust.md section 11); none by default, so such credentials are refused.</summary>
    public IReadOnlyDictionary<string, IInstanceIdentityVerifier>? IdentityVerifiers { get; set; }

    /// <summary>An optional extra gate run after a built-in gate-0 allow.</summary>
    public IConnectionGate? ExtraGate { get; set; }

    /// <summary>How long the extra gate may take before its answer counts as a denial (<c>hook_timeout_ms</c>, default 5 s).</summary>
    public TimeSpan HookTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The producer mesh, when this node takes part in one; null otherwise.</summary>
    public IMeshMembership? Mesh { get; set; }

    /// <summary>Mask endpoint ids in log messages (first 8, <c>...</c>, last 4; <c>log_mask</c>, default true).</summary>
    public bool LogMask { get; set; } = true;

    /// <summary>The clock. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The logger factory. Defaults to <see cref="NullLoggerFactory"/>.</summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;
}
