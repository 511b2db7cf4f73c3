using System.Text;
using System.Text.Json;
using Aster.Net.Crypto;
using Aster.Protocol.Json;

namespace Aster.Trust;

/// <summary>
/// A consumer enrollment credential, policy or one-time token, signed by the root key (trust.md section 3.2).
/// </summary>
public sealed class ConsumerEnrollmentCredential
{
    /// <summary>The size of a one-time-token nonce.</summary>
    public const int NonceSize = 32;

    private const string What = "consumer credential";
    private readonly byte[] _rootPublicKey;
    private readonly byte[] _signature;
    private readonly byte[]? _nonce;

    /// <summary>Creates a credential from its fields (no signature check).</summary>
    /// <param name="type">Policy or one-time token.</param>
    /// <param name="rootPublicKey">32 bytes.</param>
    /// <param name="expiresAt">Unix seconds; valid while now is before it.</param>
    /// <param name="attributes">The attributes exactly as signed.</param>
    /// <param name="endpointId">The bound endpoint (64 lowercase hex), or null when unbound.</param>
    /// <param name="nonce">32 bytes for a one-time token; null for a policy credential.</param>
    /// <param name="signature">64 bytes.</param>
    /// <exception cref="TrustFormatException">A field violates trust.md section 3.7.</exception>
    public ConsumerEnrollmentCredential(ConsumerCredentialType type, ReadOnlySpan<byte> rootPublicKey, ulong expiresAt, IReadOnlyDictionary<string, string> attributes, string? endpointId, byte[]? nonce, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        if (type is not (ConsumerCredentialType.Policy or ConsumerCredentialType.OneTimeToken))
        {
            throw new TrustFormatException($"{What}: unknown credential type");
        }

        if (endpointId is not null && !TrustJson.IsLowerHex64(endpointId))
        {
            throw new TrustFormatException($"{What}: 'endpoint_id' must be 64 lowercase hex characters or null");
        }

        if (type == ConsumerCredentialType.OneTimeToken && (nonce is null || nonce.Length != NonceSize))
        {
            throw new TrustFormatException($"{What}: an ott credential needs a 32-byte nonce");
        }

        if (type == ConsumerCredentialType.Policy && nonce is not null)
        {
            throw new TrustFormatException($"{What}: a policy credential must not carry a nonce");
        }

        if (rootPublicKey.Length != 32)
        {
            throw new TrustFormatException($"{What}: 'root_pubkey' must be 32 bytes");
        }

        if (signature.Length != Ed25519.SignatureSize)
        {
            throw new TrustFormatException($"{What}: 'signature' must be 64 bytes");
        }

        Type = type;
        _rootPublicKey = rootPublicKey.ToArray();
        ExpiresAt = expiresAt;
        Attributes = CredentialAttributes.Copy(attributes);
        EndpointId = endpointId;
        _nonce = nonce is null ? null : (byte[])nonce.Clone();
        _signature = signature.ToArray();
    }

    /// <summary>Policy or one-time token.</summary>
    public ConsumerCredentialType Type { get; }

    /// <summary>The root public key the credential names.</summary>
    public ReadOnlySpan<byte> RootPublicKey => _rootPublicKey;

    /// <summary>Expiry in Unix seconds.</summary>
    public ulong ExpiresAt { get; }

    /// <summary>The attributes exactly as signed.</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; }

    /// <summary>The bound endpoint id (64 lowercase hex), or null when the credential is unbound.</summary>
    public string? EndpointId { get; }

    /// <summary>Whether a nonce is present (one-time tokens only).</summary>
    public bool HasNonce => _nonce is not null;

    /// <summary>The 32-byte nonce of a one-time token; empty for a policy credential.</summary>
    public ReadOnlySpan<byte> Nonce => _nonce;

    /// <summary>The 64-byte Ed25519 signature by the root key.</summary>
    public ReadOnlySpan<byte> Signature => _signature;

    /// <summary>The wire name of the type: <c>policy</c> or <c>ott</c>.</summary>
    public string TypeName => Type == ConsumerCredentialType.OneTimeToken ? "ott" : "policy";

    /// <summary>The canonical bytes the signature covers (trust.md section 3.4).</summary>
    /// <returns>A new array.</returns>
    public byte[] GetSigningBytes() => CredentialSigning.ConsumerSigningBytes(Type, EndpointId, _rootPublicKey, ExpiresAt, Attributes, _nonce);

    /// <summary>Strictly verifies the signature under the credential's own <see cref="RootPublicKey"/>.</summary>
    /// <returns>True when the signature is valid.</returns>
    public bool VerifySignature() => Ed25519.Verify(_rootPublicKey, GetSigningBytes(), _signature);

    /// <summary>The compact wire document carried in <c>credential_json</c> (trust.md 3.8.1).</summary>
    /// <returns>UTF-8 JSON.</returns>
    public byte[] ToWireJson() => PythonJson.Compact(w => Write(w, "credential_type"));

    /// <summary>The credential file written by <c>aster trust sign</c> (trust.md 3.8.3): two-space indentation.</summary>
    /// <returns>The file text.</returns>
    public string ToFileJson() => PythonJson.Indent(PythonJson.Compact(w => Write(w, "type")));

    /// <summary>Parses a consumer credential document (wire or file form; <c>type</c> or <c>credential_type</c>).</summary>
    /// <param name="utf8Json">At most 64 KiB of UTF-8 JSON.</param>
    /// <returns>The credential (signature not checked).</returns>
    /// <exception cref="TrustFormatException">The document is malformed or is a producer credential.</exception>
    public static ConsumerEnrollmentCredential Parse(ReadOnlySpan<byte> utf8Json)
    {
        using JsonDocument doc = TrustJson.Parse(utf8Json, What);
        return FromElement(doc.RootElement);
    }

    /// <summary>Parses a consumer credential document from text.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The credential.</returns>
    /// <exception cref="TrustFormatException">The document is malformed.</exception>
    public static ConsumerEnrollmentCredential Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(Encoding.UTF8.GetBytes(json));
    }

    internal static ConsumerEnrollmentCredential FromElement(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new TrustFormatException($"{What} is not a JSON object");
        }

        string? typeName = null;
        foreach (string typeKey in (string[])["credential_type", "type"])
        {
            if (root.TryGetProperty(typeKey, out JsonElement t))
            {
                string value = TrustJson.GetString(t, typeKey, What);
                if (typeName is not null && typeName != value)
                {
                    throw new TrustFormatException($"{What}: 'type' and 'credential_type' disagree");
                }

                typeName = value;
            }
        }

        ConsumerCredentialType type = typeName switch
        {
            "policy" => ConsumerCredentialType.Policy,
            "ott" => ConsumerCredentialType.OneTimeToken,
            null => throw new TrustFormatException($"{What}: 'credential_type' is missing"),
            _ => throw new TrustFormatException($"{What}: 'credential_type' is not policy or ott"),
        };

        string? endpointId = null;
        if (root.TryGetProperty("endpoint_id", out JsonElement e) && e.ValueKind != JsonValueKind.Null)
        {
            endpointId = TrustJson.GetString(e, "endpoint_id", What);
        }

        byte[]? nonce = null;
        if (root.TryGetProperty("nonce", out JsonElement n) && n.ValueKind != JsonValueKind.Null)
        {
            nonce = TrustJson.GetHex(n, "nonce", NonceSize, What);
        }

        return new ConsumerEnrollmentCredential(
            type,
            TrustJson.GetHex(Required(root, "root_pubkey"), "root_pubkey", 32, What),
            TrustJson.GetUInt64(Required(root, "expires_at"), "expires_at", What),
            TrustJson.GetStringMap(Required(root, "attributes"), "attributes", What),
            endpointId,
            nonce,
            TrustJson.GetHex(Required(root, "signature"), "signature", 64, What));
    }

    private static JsonElement Required(JsonElement root, string key)
        => root.TryGetProperty(key, out JsonElement value) ? value : throw new TrustFormatException($"{What}: '{key}' is missing");

    private void Write(CompactJsonWriter w, string typeKey)
    {
        w.WriteStartObject();
        w.WritePropertyName(typeKey);
        w.WriteString(TypeName);
        w.WritePropertyName("root_pubkey");
        w.WriteString(Convert.ToHexStringLower(_rootPublicKey));
        w.WritePropertyName("expires_at");
        w.WriteNumber(ExpiresAt);
        w.WritePropertyName("attributes");
        PythonJson.WriteMap(w, Attributes);
        w.WritePropertyName("endpoint_id");
        if (EndpointId is null)
        {
            w.WriteNull();
        }
        else
        {
            w.WriteString(EndpointId);
        }

        w.WritePropertyName("nonce");
        if (_nonce is null)
        {
            w.WriteNull();
        }
        else
        {
            w.WriteString(Convert.ToHexStringLower(_nonce));
        }

        w.WritePropertyName("signature");
        w.WriteString(Convert.ToHexStringLower(_signature));
        w.WriteEndObject();
    }
}
