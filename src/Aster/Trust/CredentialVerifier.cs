using System.Security.Cryptography;
using Aster.Net.Crypto;
using Aster.Net.Identity;

namespace Aster.Trust;

/// <summary>
/// Why Gate 1 refused a credential. For local logs and metrics only: the peer always receives the uniform denial
/// (trust.md section 4.5).
/// </summary>
public enum CredentialRefusal
{
    /// <summary>Not refused.</summary>
    None = 0,

    /// <summary>The document or a field is malformed (trust.md 3.7), or the credential is of the wrong kind.</summary>
    Malformed = 1,

    /// <summary>The credential names a root public key other than the trusted one.</summary>
    UntrustedRoot = 2,

    /// <summary>The signature does not verify (tampered or signed by another key).</summary>
    SignatureInvalid = 3,

    /// <summary>The credential has expired (<c>now ≥ expires_at</c>).</summary>
    Expired = 4,

    /// <summary>The credential is bound to another endpoint than the authenticated peer.</summary>
    EndpointMismatch = 5,

    /// <summary>The attributes demand a cloud-identity check and no verifier accepted it.</summary>
    IdentityCheckFailed = 6,

    /// <summary>The one-time token was already consumed by another endpoint.</summary>
    Replayed = 7,

    /// <summary>
    /// The one-time token was already consumed by this same endpoint. The admission layer may admit again only while
    /// the admission obtained with it is still live (trust.md section 5); otherwise it is a replay.
    /// </summary>
    ReplayedBySameEndpoint = 8,

    /// <summary>The nonce store failed; fail closed.</summary>
    NonceStoreUnavailable = 9,

    /// <summary>The endpoint is on the mesh denylist.</summary>
    Denylisted = 10,
}

/// <summary>The result of a Gate 1 check.</summary>
public sealed class CredentialCheckResult
{
    private static readonly IReadOnlyDictionary<string, string> _empty = new Dictionary<string, string>();

    private CredentialCheckResult(CredentialRefusal refusal, IReadOnlyDictionary<string, string> attributes, ulong expiresAt)
    {
        Refusal = refusal;
        Attributes = attributes;
        ExpiresAt = expiresAt;
    }

    /// <summary>Whether the credential was accepted.</summary>
    public bool Accepted => Refusal == CredentialRefusal.None;

    /// <summary>The refusal reason, or <see cref="CredentialRefusal.None"/>.</summary>
    public CredentialRefusal Refusal { get; }

    /// <summary>The accepted credential's attributes exactly as signed; empty when refused.</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; }

    /// <summary>The accepted credential's expiry (Unix seconds); 0 when refused.</summary>
    public ulong ExpiresAt { get; }

    /// <summary>The <c>aster.name</c> attribute (the admission record's handle), or empty.</summary>
    public string Handle => Attributes.TryGetValue("aster.name", out string? name) ? name : string.Empty;

    internal static CredentialCheckResult Accept(IReadOnlyDictionary<string, string> attributes, ulong expiresAt) => new(CredentialRefusal.None, attributes, expiresAt);

    internal static CredentialCheckResult Refuse(CredentialRefusal reason) => new(reason, _empty, 0);
}

/// <summary>
/// Verifies a runtime cloud-identity token for credentials carrying <c>aster.iid_provider</c> (trust.md section 11).
/// </summary>
public interface IInstanceIdentityVerifier
{
    /// <summary>Checks the peer's token against the credential's claims.</summary>
    /// <param name="attributes">The credential attributes (including <c>aster.iid_account</c>, <c>aster.iid_region</c>).</param>
    /// <param name="iidToken">The token the peer sent.</param>
    /// <returns>True when the token proves the claims.</returns>
    bool Verify(IReadOnlyDictionary<string, string> attributes, string iidToken);
}

/// <summary>
/// Gate 1 as a pure decision (trust.md sections 4.2, 4.3 and 5): given a credential, the authenticated peer, the
/// trusted root, a clock and a nonce store, accept with the attributes or refuse with a reason. Checks run in the
/// specified order (root, signature, expiry, binding, identity, nonce); the nonce is consumed last, so a credential
/// failing an earlier check is never burnt.
/// </summary>
public sealed class CredentialVerifier
{
    private readonly byte[] _root;
    private readonly TimeProvider _time;
    private readonly IOneTimeNonceStore? _nonces;
    private readonly Dictionary<string, IInstanceIdentityVerifier> _identity;

    /// <summary>Creates a verifier for one deployment root.</summary>
    /// <param name="rootPublicKey">The trusted root public key (32 bytes, a valid point of large order).</param>
    /// <param name="time">The clock; the system clock when null.</param>
    /// <param name="nonceStore">The one-time-token store; without one every OTT is refused (fail closed).</param>
    /// <param name="identityVerifiers">Cloud-identity verifiers by provider name (case-insensitive); none by default.</param>
    /// <exception cref="TrustFormatException">The root key is not an acceptable Ed25519 public key.</exception>
    public CredentialVerifier(ReadOnlySpan<byte> rootPublicKey, TimeProvider? time = null, IOneTimeNonceStore? nonceStore = null, IReadOnlyDictionary<string, IInstanceIdentityVerifier>? identityVerifiers = null)
    {
        if (!RootKey.IsAcceptablePublicKey(rootPublicKey))
        {
            throw new TrustFormatException("root public key is not a valid Ed25519 point of large order");
        }

        _root = rootPublicKey.ToArray();
        _time = time ?? TimeProvider.System;
        _nonces = nonceStore;
        _identity = new Dictionary<string, IInstanceIdentityVerifier>(StringComparer.OrdinalIgnoreCase);
        if (identityVerifiers is not null)
        {
            foreach (KeyValuePair<string, IInstanceIdentityVerifier> kv in identityVerifiers)
            {
                _identity[kv.Key] = kv.Value;
            }
        }
    }

    /// <summary>The trusted root public key.</summary>
    public ReadOnlySpan<byte> RootPublicKey => _root;

    /// <summary>Parses and checks a consumer credential document (the content of <c>credential_json</c>).</summary>
    /// <param name="credentialJson">The UTF-8 document.</param>
    /// <param name="peer">The authenticated QUIC peer.</param>
    /// <param name="iidToken">The peer's cloud-identity token, or empty.</param>
    /// <returns>The decision.</returns>
    public CredentialCheckResult VerifyConsumer(ReadOnlySpan<byte> credentialJson, EndpointId peer, string iidToken = "")
    {
        ConsumerEnrollmentCredential credential;
        try
        {
            credential = ConsumerEnrollmentCredential.Parse(credentialJson);
        }
        catch (TrustFormatException)
        {
            return CredentialCheckResult.Refuse(CredentialRefusal.Malformed);
        }

        return VerifyConsumer(credential, peer, iidToken);
    }

    /// <summary>Checks a consumer credential.</summary>
    /// <param name="credential">The parsed credential.</param>
    /// <param name="peer">The authenticated QUIC peer.</param>
    /// <param name="iidToken">The peer's cloud-identity token, or empty.</param>
    /// <returns>The decision.</returns>
    public CredentialCheckResult VerifyConsumer(ConsumerEnrollmentCredential credential, EndpointId peer, string iidToken = "")
    {
        ArgumentNullException.ThrowIfNull(credential);
        CredentialRefusal r = CheckCommon(credential.RootPublicKey, credential.GetSigningBytes(), credential.Signature, credential.ExpiresAt, credential.EndpointId, peer, credential.Attributes, iidToken);
        if (r != CredentialRefusal.None)
        {
            return CredentialCheckResult.Refuse(r);
        }

        if (credential.Type == ConsumerCredentialType.OneTimeToken)
        {
            if (_nonces is null)
            {
                return CredentialCheckResult.Refuse(CredentialRefusal.NonceStoreUnavailable);
            }

            NonceConsumeResult outcome;
            try
            {
                outcome = _nonces.TryConsume(credential.Nonce, credential.ExpiresAt, peer);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or TrustFormatException or ObjectDisposedException)
            {
                return CredentialCheckResult.Refuse(CredentialRefusal.NonceStoreUnavailable);
            }

            switch (outcome)
            {
                case NonceConsumeResult.Consumed:
                    break;
                case NonceConsumeResult.AlreadyConsumedBySameEndpoint:
                    return CredentialCheckResult.Refuse(CredentialRefusal.ReplayedBySameEndpoint);
                default:
                    return CredentialCheckResult.Refuse(CredentialRefusal.Replayed);
            }
        }

        return CredentialCheckResult.Accept(credential.Attributes, credential.ExpiresAt);
    }

    /// <summary>Parses and checks a producer credential document.</summary>
    /// <param name="credentialJson">The UTF-8 document.</param>
    /// <param name="peer">The authenticated QUIC peer of the admission connection.</param>
    /// <param name="iidToken">The peer's cloud-identity token, or empty.</param>
    /// <param name="denylist">Endpoints excluded by salt rotation, or null.</param>
    /// <returns>The decision.</returns>
    public CredentialCheckResult VerifyProducer(ReadOnlySpan<byte> credentialJson, EndpointId peer, string iidToken = "", IReadOnlySet<string>? denylist = null)
    {
        EnrollmentCredential credential;
        try
        {
            credential = EnrollmentCredential.Parse(credentialJson);
        }
        catch (TrustFormatException)
        {
            return CredentialCheckResult.Refuse(CredentialRefusal.Malformed);
        }

        return VerifyProducer(credential, peer, iidToken, denylist);
    }

    /// <summary>
    /// Checks a producer credential. Unlike the reference, the credential's endpoint id must equal the authenticated
    /// peer (trust.md 4.3 step 5).
    /// </summary>
    /// <param name="credential">The parsed credential.</param>
    /// <param name="peer">The authenticated QUIC peer of the admission connection.</param>
    /// <param name="iidToken">The peer's cloud-identity token, or empty.</param>
    /// <param name="denylist">Endpoints excluded by salt rotation (64 lowercase hex), or null.</param>
    /// <returns>The decision.</returns>
    public CredentialCheckResult VerifyProducer(EnrollmentCredential credential, EndpointId peer, string iidToken = "", IReadOnlySet<string>? denylist = null)
    {
        ArgumentNullException.ThrowIfNull(credential);
        CredentialRefusal r = CheckCommon(credential.RootPublicKey, credential.GetSigningBytes(), credential.Signature, credential.ExpiresAt, credential.EndpointId, peer, credential.Attributes, iidToken, denylist);
        return r == CredentialRefusal.None
            ? CredentialCheckResult.Accept(credential.Attributes, credential.ExpiresAt)
            : CredentialCheckResult.Refuse(r);
    }

    private CredentialRefusal CheckCommon(ReadOnlySpan<byte> root, byte[] signingBytes, ReadOnlySpan<byte> signature, ulong expiresAt, string? boundEndpoint, EndpointId peer, IReadOnlyDictionary<string, string> attributes, string iidToken, IReadOnlySet<string>? denylist = null)
    {
        if (!CryptographicOperations.FixedTimeEquals(root, _root))
        {
            return CredentialRefusal.UntrustedRoot;
        }

        if (!Ed25519.Verify(_root, signingBytes, signature))
        {
            return CredentialRefusal.SignatureInvalid;
        }

        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (now < 0 || (ulong)now >= expiresAt)
        {
            return CredentialRefusal.Expired;
        }

        string peerText = peer.ToString();
        if (boundEndpoint is not null && !string.Equals(boundEndpoint, peerText, StringComparison.Ordinal))
        {
            return CredentialRefusal.EndpointMismatch;
        }

        if (denylist is not null && denylist.Contains(peerText))
        {
            return CredentialRefusal.Denylisted;
        }

        if (attributes.TryGetValue("aster.iid_provider", out string? provider))
        {
            try
            {
                if (!_identity.TryGetValue(provider, out IInstanceIdentityVerifier? verifier) || !verifier.Verify(attributes, iidToken ?? string.Empty))
                {
                    return CredentialRefusal.IdentityCheckFailed;
                }
            }
#pragma warning disable CA1031 // A verifier's failure of any kind must deny (fail closed).
            catch (Exception)
#pragma warning restore CA1031
            {
                return CredentialRefusal.IdentityCheckFailed;
            }
        }

        return CredentialRefusal.None;
    }
}
