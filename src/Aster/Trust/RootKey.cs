using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Aster.Net.Crypto;
using Aster.Net.Identity;

namespace Aster.Trust;

/// <summary>
/// The deployment's offline root keypair (trust.md section 2). It signs enrollment credentials; running nodes hold
/// only its public key.
/// </summary>
public sealed class RootKey : IDisposable
{
    private readonly byte[] _seed;
    private readonly Ed25519SigningKey _key;

    private RootKey(byte[] seed)
    {
        _seed = seed;
        _key = new Ed25519SigningKey(seed);
    }

    /// <summary>The 32-byte root public key.</summary>
    public ReadOnlySpan<byte> PublicKey => _key.PublicKey;

    /// <summary>Generates a new root key from the system CSPRNG.</summary>
    /// <returns>The key.</returns>
    public static RootKey Generate() => new(RandomNumberGenerator.GetBytes(32));

    /// <summary>Creates a root key from its 32-byte seed.</summary>
    /// <param name="seed">The private seed.</param>
    /// <returns>The key.</returns>
    public static RootKey FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != 32)
        {
            throw new TrustFormatException("root key seed must be 32 bytes");
        }

        return new RootKey(seed.ToArray());
    }

    /// <summary>Reads the root key file <c>{"private_key": hex, "public_key": hex}</c> (config-and-cli.md 7.1).</summary>
    /// <param name="json">The file content.</param>
    /// <returns>The key.</returns>
    /// <exception cref="TrustFormatException">Malformed, or the public key does not match the seed.</exception>
    public static RootKey FromKeyFileJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using JsonDocument doc = TrustJson.Parse(Encoding.UTF8.GetBytes(json), "root key file");
        if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("private_key", out JsonElement priv))
        {
            throw new TrustFormatException("root key file: 'private_key' is missing");
        }

        RootKey key = FromSeed(TrustJson.GetHex(priv, "private_key", 32, "root key file"));
        if (doc.RootElement.TryGetProperty("public_key", out JsonElement pub)
            && !TrustJson.GetHex(pub, "public_key", 32, "root key file").AsSpan().SequenceEqual(key.PublicKey))
        {
            key.Dispose();
            throw new TrustFormatException("root key file: 'public_key' does not match 'private_key'");
        }

        return key;
    }

    /// <summary>
    /// Parses a root public key from <c>root_pubkey_file</c> content: 64 hex characters (surrounding whitespace
    /// ignored) or a JSON object with <c>public_key</c>. The key must be a valid point of large order.
    /// </summary>
    /// <param name="text">The file content or configured value.</param>
    /// <returns>The 32-byte key.</returns>
    /// <exception cref="TrustFormatException">Malformed or a small-order/invalid point.</exception>
    public static byte[] ParsePublicKey(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string trimmed = text.Trim();
        byte[] key;
        if (trimmed.StartsWith('{'))
        {
            using JsonDocument doc = TrustJson.Parse(Encoding.UTF8.GetBytes(trimmed), "root public key file");
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("public_key", out JsonElement pub))
            {
                throw new TrustFormatException("root public key file: 'public_key' is missing");
            }

            key = TrustJson.GetHex(pub, "public_key", 32, "root public key file");
        }
        else
        {
            key = TrustJson.DecodeHex(trimmed, "public_key", 32, "root public key");
        }

        if (!IsAcceptablePublicKey(key))
        {
            throw new TrustFormatException("root public key is not a valid Ed25519 point of large order");
        }

        return key;
    }

    /// <summary>Whether 32 bytes are a valid Ed25519 public key that is not of small order (trust.md section 2).</summary>
    /// <param name="publicKey">The candidate key.</param>
    /// <returns>True when acceptable as a trust anchor.</returns>
    public static bool IsAcceptablePublicKey(ReadOnlySpan<byte> publicKey)
        => publicKey.Length == 32 && Net.Identity.EndpointId.FromBytes(publicKey).IsValidPublicKey;

    /// <summary>The root key file text (two-space indentation). It contains the secret seed.</summary>
    /// <returns>The file text.</returns>
    public string ToKeyFileJson()
        => PythonJson.Indent(PythonJson.Compact(w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("private_key");
            w.WriteString(Convert.ToHexStringLower(_seed));
            w.WritePropertyName("public_key");
            w.WriteString(Convert.ToHexStringLower(PublicKey));
            w.WriteEndObject();
        }));

    /// <summary>The root public file text <c>{"public_key": hex}</c>.</summary>
    /// <returns>The file text.</returns>
    public string ToPublicKeyFileJson()
        => PythonJson.Indent(PythonJson.Compact(w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("public_key");
            w.WriteString(Convert.ToHexStringLower(PublicKey));
            w.WriteEndObject();
        }));

    /// <summary>Signs a producer credential for an endpoint.</summary>
    /// <param name="endpoint">The producer's endpoint id.</param>
    /// <param name="expiresAt">Expiry, Unix seconds.</param>
    /// <param name="attributes">The attributes.</param>
    /// <returns>The signed credential.</returns>
    public EnrollmentCredential SignProducer(EndpointId endpoint, ulong expiresAt, IReadOnlyDictionary<string, string> attributes)
    {
        string id = endpoint.ToString();
        byte[] signature = _key.Sign(CredentialSigning.ProducerSigningBytes(id, PublicKey, expiresAt, attributes));
        return new EnrollmentCredential(id, PublicKey, expiresAt, attributes, signature);
    }

    /// <summary>Signs a consumer policy credential.</summary>
    /// <param name="endpoint">The endpoint to bind to, or null for an unbound credential.</param>
    /// <param name="expiresAt">Expiry, Unix seconds.</param>
    /// <param name="attributes">The attributes.</param>
    /// <returns>The signed credential.</returns>
    public ConsumerEnrollmentCredential SignPolicy(EndpointId? endpoint, ulong expiresAt, IReadOnlyDictionary<string, string> attributes)
        => SignConsumer(ConsumerCredentialType.Policy, endpoint, expiresAt, attributes, null);

    /// <summary>Signs a one-time-token credential with a fresh random 32-byte nonce.</summary>
    /// <param name="endpoint">The endpoint to bind to, or null for an unbound credential.</param>
    /// <param name="expiresAt">Expiry, Unix seconds.</param>
    /// <param name="attributes">The attributes.</param>
    /// <returns>The signed credential.</returns>
    public ConsumerEnrollmentCredential SignOneTimeToken(EndpointId? endpoint, ulong expiresAt, IReadOnlyDictionary<string, string> attributes)
        => SignConsumer(ConsumerCredentialType.OneTimeToken, endpoint, expiresAt, attributes, RandomNumberGenerator.GetBytes(32));

    /// <summary>Signs a consumer credential with explicit fields.</summary>
    /// <param name="type">Policy or one-time token.</param>
    /// <param name="endpoint">The endpoint to bind to, or null.</param>
    /// <param name="expiresAt">Expiry, Unix seconds.</param>
    /// <param name="attributes">The attributes.</param>
    /// <param name="nonce">32 bytes for a one-time token; null for policy.</param>
    /// <returns>The signed credential.</returns>
    public ConsumerEnrollmentCredential SignConsumer(ConsumerCredentialType type, EndpointId? endpoint, ulong expiresAt, IReadOnlyDictionary<string, string> attributes, byte[]? nonce)
    {
        string? id = endpoint?.ToString();
        byte[] signature = _key.Sign(CredentialSigning.ConsumerSigningBytes(type, id, PublicKey, expiresAt, attributes, nonce));
        return new ConsumerEnrollmentCredential(type, PublicKey, expiresAt, attributes, id, nonce, signature);
    }

    /// <summary>Signs arbitrary bytes with the root key (for salt-rotation statements).</summary>
    /// <param name="message">The message.</param>
    /// <returns>The 64-byte signature.</returns>
    public byte[] Sign(ReadOnlySpan<byte> message) => _key.Sign(message);

    /// <inheritdoc />
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_seed);
        _key.Dispose();
    }
}
