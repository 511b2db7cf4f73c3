using System.Collections.Concurrent;
using Aster.Net.Identity;
using Aster.Trust;

namespace Aster.Cli.Tests.Infrastructure;

/// <summary>
/// A test admission authority with a closed consumer gate: admits a consumer whose credential the given root signed
/// (checked by the library's <see cref="CredentialVerifier"/>), denies everyone else. The product's authority comes
/// from the trust layer; this one only lets the tool's admission paths be tested end to end.
/// </summary>
public sealed class RootGatedAuthority(byte[] rootPublicKey) : IAdmissionAuthority
{
    private readonly CredentialVerifier _verifier = new(rootPublicKey);
    private readonly ConcurrentDictionary<EndpointId, PeerAdmission> _records = new();

    public bool ConsumersGated => true;

    public bool ProducersGated => true;

    public string RootPublicKeyHex { get; } = Convert.ToHexStringLower(rootPublicKey);

    public ValueTask<bool> AllowConnectionAsync(EndpointId peer, string alpn, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(alpn != "aster/1" || _records.ContainsKey(peer));

    public ValueTask<ConsumerAdmissionDecision> AdmitConsumerAsync(EndpointId peer, ConsumerAdmissionRequest request, CancellationToken cancellationToken = default)
    {
        if (!request.HasCredential)
        {
            return ValueTask.FromResult(ConsumerAdmissionDecision.Denied);
        }

        CredentialCheckResult check = _verifier.VerifyConsumer(System.Text.Encoding.UTF8.GetBytes(request.CredentialJson), peer);
        if (!check.Accepted)
        {
            return ValueTask.FromResult(ConsumerAdmissionDecision.Denied);
        }

        _records[peer] = new PeerAdmission(peer, check.Handle, check.Attributes, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), (long)check.ExpiresAt, AdmissionPath.ConsumerAdmission);
        return ValueTask.FromResult(new ConsumerAdmissionDecision(true, check.Attributes));
    }

    public PeerAdmission? FindAdmission(EndpointId peer) => _records.TryGetValue(peer, out PeerAdmission? record) ? record : null;
}
