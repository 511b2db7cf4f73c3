using Aster.Configuration.Identity;
using Aster.Net.Identity;

namespace Aster.Trust;

/// <summary>The result of checking one <c>.aster-identity</c> entry offline.</summary>
/// <param name="Ok">True when signature, expiry and binding all pass.</param>
/// <param name="Status">A short reason: <c>valid</c>, <c>bad signature</c>, <c>expired</c>, <c>bound to another node</c>, or a format error.</param>
/// <param name="SignedAttributes">The attribute map that verified (trust.md 3.8.4), or null.</param>
/// <param name="CredentialFileJson">The entry as a credential file (trust.md 3.8.3), or null when it is malformed.</param>
public sealed record EntryCheck(bool Ok, string Status, IReadOnlyDictionary<string, string>? SignedAttributes, string? CredentialFileJson);

/// <summary>Turns identity-file entries back into credentials and checks them offline (trust.md 3.7, 3.8.4).</summary>
public static class IdentityCredentials
{
    /// <summary>
    /// Rebuilds the credential of <paramref name="peer"/> and checks its signature, expiry at <paramref name="now"/> and
    /// endpoint binding against <paramref name="node"/>. Never throws for a malformed entry: the status says why.
    /// </summary>
    /// <param name="peer">The identity-file entry.</param>
    /// <param name="node">The endpoint id of the identity file's node key.</param>
    /// <param name="now">The time to check expiry against.</param>
    /// <returns>The outcome, with the entry as a credential file when it could be rebuilt.</returns>
    public static EntryCheck Check(AsterIdentityPeer peer, EndpointId node, DateTimeOffset now)
    {
        Func<IReadOnlyDictionary<string, string>, string> fileJson;
        Func<IReadOnlyDictionary<string, string>, bool> verifies;
        try
        {
            byte[] root = Convert.FromHexString(peer.RootPubkey);
            byte[] signature = Convert.FromHexString(peer.Signature);
            ulong expires = checked((ulong)peer.ExpiresAt);
            if (peer.Role == "producer")
            {
                string endpoint = peer.EndpointId ?? throw new TrustFormatException("producer entry has no endpoint_id");
                verifies = a => new EnrollmentCredential(endpoint, root, expires, a, signature).VerifySignature();
                fileJson = a => new EnrollmentCredential(endpoint, root, expires, a, signature).ToFileJson();
            }
            else
            {
                ConsumerCredentialType type = peer.Type == "ott" ? ConsumerCredentialType.OneTimeToken : ConsumerCredentialType.Policy;
                byte[]? nonce = peer.Nonce is null ? null : Convert.FromHexString(peer.Nonce);
                verifies = a => new ConsumerEnrollmentCredential(type, root, expires, a, peer.EndpointId, nonce, signature).VerifySignature();
                fileJson = a => new ConsumerEnrollmentCredential(type, root, expires, a, peer.EndpointId, nonce, signature).ToFileJson();
            }

            IReadOnlyDictionary<string, string>? attributes = IdentityFileAttributes.Recover(peer.Attributes, peer.Role, peer.Name, verifies);
            if (attributes is null)
            {
                return new EntryCheck(false, "bad signature", null, null);
            }

            string json = fileJson(attributes);
            if (peer.ExpiresAt <= now.ToUnixTimeSeconds())
            {
                return new EntryCheck(false, "expired", attributes, json);
            }

            if (peer.EndpointId is { } bound && !string.Equals(bound, node.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                return new EntryCheck(false, "bound to another node", attributes, json);
            }

            return new EntryCheck(true, "valid", attributes, json);
        }
        catch (Exception ex) when (ex is FormatException or TrustFormatException or OverflowException or ArgumentException)
        {
            return new EntryCheck(false, "malformed: " + ex.Message, null, null);
        }
    }
}
