using System.Collections.ObjectModel;
using System.Text;
using System.Text.Json;
using Aster.Net.Crypto;

namespace Aster.Trust;

/// <summary>
/// A producer enrollment credential: the root key authorises one endpoint to join the producer mesh
/// (trust.md section 3.1).
/// </summary>
public sealed class EnrollmentCredential
{
    private const string What = "producer credential";
    private readonly byte[] _rootPublicKey;
    private readonly byte[] _signature;

    /// <summary>Creates a credential from its fields (no signature check).</summary>
    /// <param name="endpointId">Exactly 64 lowercase hex characters.</param>
    /// <param name="rootPublicKey">32 bytes.</param>
    /// <param name="expiresAt">Unix seconds; valid while now is before it.</param>
    /// <param name="attributes">The attributes exactly as signed.</param>
    /// <param name="signature">64 bytes.</param>
    /// <exception cref="TrustFormatException">A field violates trust.md section 3.7.</exception>
    public EnrollmentCredential(string endpointId, ReadOnlySpan<byte> rootPublicKey, ulong expiresAt, IReadOnlyDictionary<string, string> attributes, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(endpointId);
        ArgumentNullException.ThrowIfNull(attributes);
        if (!TrustJson.IsLowerHex64(endpointId))
        {
            throw new TrustFormatException($"{What}: 'endpoint_id' must be 64 lowercase hex characters");
        }

        if (rootPublicKey.Length != 32)
        {
            throw new TrustFormatException($"{What}: 'root_pubkey' must be 32 bytes");
        }

        if (signature.Length != Ed25519.SignatureSize)
        {
            throw new TrustFormatException($"{What}: 'signature' must be 64 bytes");
        }

        EndpointId = endpointId;
        _rootPublicKey = rootPublicKey.ToArray();
        ExpiresAt = expiresAt;
        Attributes = CredentialAttributes.Copy(attributes);
        _signature = signature.ToArray();
    }

    /// <summary>The producer's endpoint id as 64 lowercase hex characters.</summary>
    public string EndpointId { get; }

    /// <summary>The root public key the credential names.</summary>
    public ReadOnlySpan<byte> RootPublicKey => _rootPublicKey;

    /// <summary>Expiry in Unix seconds.</summary>
    public ulong ExpiresAt { get; }

    /// <summary>The attributes exactly as signed.</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; }

    /// <summary>The 64-byte Ed25519 signature by the root key.</summary>
    public ReadOnlySpan<byte> Signature => _signature;

    /// <summary>The canonical bytes the signature covers (trust.md section 3.3).</summary>
    /// <returns>A new array.</returns>
    public byte[] GetSigningBytes() => CredentialSigning.ProducerSigningBytes(EndpointId, _rootPublicKey, ExpiresAt, Attributes);

    /// <summary>Strictly verifies the signature under the credential's own <see cref="RootPublicKey"/>.</summary>
    /// <returns>True when the signature is valid.</returns>
    /// <remarks>This does not check that the root is trusted; <see cref="CredentialVerifier"/> does.</remarks>
    public bool VerifySignature() => Ed25519.Verify(_rootPublicKey, GetSigningBytes(), _signature);

    /// <summary>The compact wire document (trust.md 3.8.2), keys in the reference order.</summary>
    /// <returns>UTF-8 JSON.</returns>
    public byte[] ToWireJson() => PythonJson.Compact(w => Write(w, includeType: false));

    /// <summary>The credential file written by <c>aster trust sign</c> (trust.md 3.8.3): two-space indentation.</summary>
    /// <returns>The file text.</returns>
    public string ToFileJson() => PythonJson.Indent(PythonJson.Compact(w => Write(w, includeType: true)));

    /// <summary>
    /// Parses a producer credential document: the wire form, the file form, or the reference TypeScript camelCase keys.
    /// </summary>
    /// <param name="utf8Json">At most 64 KiB of UTF-8 JSON.</param>
    /// <returns>The credential (signature not checked).</returns>
    /// <exception cref="TrustFormatException">The document is malformed, or is a consumer credential.</exception>
    public static EnrollmentCredential Parse(ReadOnlySpan<byte> utf8Json)
    {
        using JsonDocument doc = TrustJson.Parse(utf8Json, What);
        return FromElement(doc.RootElement);
    }

    /// <summary>Parses a producer credential document from text.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The credential.</returns>
    /// <exception cref="TrustFormatException">The document is malformed.</exception>
    public static EnrollmentCredential Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(Encoding.UTF8.GetBytes(json));
    }

    internal static EnrollmentCredential FromElement(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new TrustFormatException($"{What} is not a JSON object");
        }

        // An extra 'type' key is ignored (3.8.2), except that a consumer credential is never read as a producer one.
        foreach (string typeKey in (string[])["type", "credential_type"])
        {
            if (root.TryGetProperty(typeKey, out JsonElement t)
                && (typeKey == "credential_type" || (t.ValueKind == JsonValueKind.String && t.GetString() is "policy" or "ott")))
            {
                throw new TrustFormatException($"{What}: the document is a consumer credential");
            }
        }

        JsonElement endpoint = Required(root, "endpoint_id", "endpointId");
        JsonElement rootKey = Required(root, "root_pubkey", "rootPubkey");
        JsonElement expires = Required(root, "expires_at", "expiresAt");
        JsonElement attributes = Required(root, "attributes", null);
        JsonElement signature = Required(root, "signature", null);
        string endpointId = TrustJson.GetString(endpoint, "endpoint_id", What);
        return new EnrollmentCredential(
            endpointId,
            TrustJson.GetHex(rootKey, "root_pubkey", 32, What),
            TrustJson.GetUInt64(expires, "expires_at", What),
            TrustJson.GetStringMap(attributes, "attributes", What),
            TrustJson.GetHex(signature, "signature", 64, What));
    }

    private static JsonElement Required(JsonElement root, string key, string? alternative)
    {
        bool has = root.TryGetProperty(key, out JsonElement value);
        if (alternative is not null && root.TryGetProperty(alternative, out JsonElement alt))
        {
            if (has)
            {
                throw new TrustFormatException($"{What}: both '{key}' and '{alternative}' are present");
            }

            return alt;
        }

        return has ? value : throw new TrustFormatException($"{What}: '{key}' is missing");
    }

    private void Write(Aster.Protocol.Json.CompactJsonWriter w, bool includeType)
    {
        w.WriteStartObject();
        if (includeType)
        {
            w.WritePropertyName("type");
            w.WriteString("producer");
        }

        w.WritePropertyName("endpoint_id");
        w.WriteString(EndpointId);
        w.WritePropertyName("root_pubkey");
        w.WriteString(Convert.ToHexStringLower(_rootPublicKey));
        w.WritePropertyName("expires_at");
        w.WriteNumber(ExpiresAt);
        w.WritePropertyName("attributes");
        PythonJson.WriteMap(w, Attributes);
        w.WritePropertyName("signature");
        w.WriteString(Convert.ToHexStringLower(_signature));
        w.WriteEndObject();
    }
}

/// <summary>Attribute map helpers.</summary>
internal static class CredentialAttributes
{
    /// <summary>An immutable copy that keeps insertion order (the order written to files).</summary>
    public static IReadOnlyDictionary<string, string> Copy(IReadOnlyDictionary<string, string> attributes)
    {
        Dictionary<string, string> copy = new(attributes.Count, StringComparer.Ordinal);
        foreach (KeyValuePair<string, string> kv in attributes)
        {
            ArgumentNullException.ThrowIfNull(kv.Key);
            if (kv.Value is null)
            {
                throw new TrustFormatException("an attribute value is null");
            }

            copy.Add(kv.Key, kv.Value);
        }

        return new ReadOnlyDictionary<string, string>(copy);
    }
}
