using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Aster.Net.Crypto;

namespace Aster.Trust;

/// <summary>
/// A root-signed mesh salt rotation statement (trust.md 9.8). The signature covers BLAKE3(salt), so the statement
/// can travel without its secret salt (<see cref="Salt"/> is then null).
/// </summary>
public sealed class SaltRotationStatement
{
    /// <summary>The ASCII domain label that starts the signing bytes.</summary>
    public const string Label = "aster-mesh-salt-rotation/1";

    /// <summary>How far in the future <c>issued_at</c> may lie, in seconds.</summary>
    public const long MaxClockSkewSeconds = 300;

    private const string What = "salt rotation statement";
    private readonly byte[] _rootPublicKey;
    private readonly byte[] _saltHash;
    private readonly byte[]? _salt;
    private readonly byte[] _signature;

    private SaltRotationStatement(byte[] rootPublicKey, ulong epoch, ulong issuedAt, byte[]? salt, byte[] saltHash, string[] exclude, byte[] signature)
    {
        _rootPublicKey = rootPublicKey;
        Epoch = epoch;
        IssuedAt = issuedAt;
        _salt = salt;
        _saltHash = saltHash;
        Exclude = exclude;
        _signature = signature;
    }

    /// <summary>The root key that signed the statement.</summary>
    public ReadOnlySpan<byte> RootPublicKey => _rootPublicKey;

    /// <summary>The new salt epoch.</summary>
    public ulong Epoch { get; }

    /// <summary>Issue time, Unix seconds.</summary>
    public ulong IssuedAt { get; }

    /// <summary>The new 32-byte salt (a copy).</summary>
    public byte[]? Salt => _salt is null ? null : (byte[])_salt.Clone();

    /// <summary>BLAKE3 of the new salt (signed).</summary>
    public ReadOnlySpan<byte> SaltHash => _saltHash;

    /// <summary>Excluded endpoint ids, 64 lowercase hex, ascending.</summary>
    public IReadOnlyList<string> Exclude { get; }

    /// <summary>The root signature.</summary>
    public ReadOnlySpan<byte> Signature => _signature;

    /// <summary>Creates and signs a statement with the root key.</summary>
    /// <param name="root">The root key.</param>
    /// <param name="epoch">The new epoch.</param>
    /// <param name="issuedAt">Unix seconds.</param>
    /// <param name="salt">The new 32-byte salt.</param>
    /// <param name="exclude">Endpoint ids to deny (64 lowercase hex).</param>
    /// <returns>The statement.</returns>
    public static SaltRotationStatement Sign(RootKey root, ulong epoch, ulong issuedAt, ReadOnlySpan<byte> salt, IEnumerable<string> exclude)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(exclude);
        if (salt.Length != 32)
        {
            throw new ArgumentException("salt must be 32 bytes", nameof(salt));
        }

        string[] ids = SortedIds(exclude);
        byte[] hash = Blake3.Hash(salt);
        byte[] signature = root.Sign(SigningBytes(root.PublicKey, epoch, issuedAt, hash, ids));
        return new SaltRotationStatement(root.PublicKey.ToArray(), epoch, issuedAt, salt.ToArray(), hash, ids, signature);
    }

    /// <summary>The signing bytes of trust.md 9.8.</summary>
    /// <param name="rootPublicKey">32 bytes.</param>
    /// <param name="epoch">The epoch.</param>
    /// <param name="issuedAt">Unix seconds.</param>
    /// <param name="saltHash">BLAKE3(salt), 32 bytes.</param>
    /// <param name="exclude">Excluded ids, already sorted ascending.</param>
    /// <returns>The bytes the root signs.</returns>
    public static byte[] SigningBytes(ReadOnlySpan<byte> rootPublicKey, ulong epoch, ulong issuedAt, ReadOnlySpan<byte> saltHash, IReadOnlyList<string> exclude)
    {
        ArgumentNullException.ThrowIfNull(exclude);
        byte[] result = new byte[Label.Length + 32 + 8 + 8 + 32 + 4 + (64 * exclude.Count)];
        int o = Encoding.ASCII.GetBytes(Label, result);
        rootPublicKey.CopyTo(result.AsSpan(o));
        o += 32;
        BinaryPrimitives.WriteUInt64BigEndian(result.AsSpan(o), epoch);
        o += 8;
        BinaryPrimitives.WriteUInt64BigEndian(result.AsSpan(o), issuedAt);
        o += 8;
        saltHash.CopyTo(result.AsSpan(o));
        o += 32;
        BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(o), (uint)exclude.Count);
        o += 4;
        foreach (string id in exclude)
        {
            o += Encoding.ASCII.GetBytes(id, result.AsSpan(o));
        }

        return result;
    }

    /// <summary>The signing bytes of this statement.</summary>
    /// <returns>A new array.</returns>
    public byte[] GetSigningBytes() => SigningBytes(_rootPublicKey, Epoch, IssuedAt, _saltHash, Exclude);

    /// <summary>
    /// The acceptance checks of trust.md 9.8: root equals the mesh root, strict signature, epoch above the current
    /// one, <c>issued_at ≤ now + 300 s</c>, and (when present) the salt hashes to the signed hash.
    /// </summary>
    /// <param name="meshRoot">The mesh root public key.</param>
    /// <param name="currentEpoch">The current salt epoch.</param>
    /// <param name="time">The clock.</param>
    /// <returns>True when the statement may be applied.</returns>
    public bool IsAcceptable(ReadOnlySpan<byte> meshRoot, ulong currentEpoch, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (!CryptographicOperations.FixedTimeEquals(_rootPublicKey, meshRoot)
            || !Ed25519.Verify(_rootPublicKey, GetSigningBytes(), _signature)
            || Epoch <= currentEpoch)
        {
            return false;
        }

        long now = time.GetUtcNow().ToUnixTimeSeconds();
        if (IssuedAt > (ulong)Math.Max(0, now + MaxClockSkewSeconds))
        {
            return false;
        }

        return _salt is null || CryptographicOperations.FixedTimeEquals(Blake3.Hash(_salt), _saltHash);
    }

    /// <summary>
    /// The statement as compact JSON, keys in order root_pubkey, epoch, issued_at, salt, exclude, signature. Without
    /// the salt (the <c>salt_rotation</c> of a producer admission response) the <c>salt</c> key is left out; the receiver
    /// supplies the response's salt to <see cref="Parse(ReadOnlySpan{byte}, byte[])"/>.
    /// </summary>
    /// <param name="includeSalt">Whether to include the secret salt.</param>
    /// <returns>UTF-8 JSON.</returns>
    public byte[] ToJson(bool includeSalt) => PythonJson.Compact(w =>
    {
        w.WriteStartObject();
        w.WritePropertyName("root_pubkey");
        w.WriteString(Convert.ToHexStringLower(_rootPublicKey));
        w.WritePropertyName("epoch");
        w.WriteNumber(Epoch);
        w.WritePropertyName("issued_at");
        w.WriteNumber(IssuedAt);
        if (includeSalt && _salt is not null)
        {
            w.WritePropertyName("salt");
            w.WriteString(Convert.ToHexStringLower(_salt));
        }

        w.WritePropertyName("exclude");
        w.WriteStartArray();
        foreach (string id in Exclude)
        {
            w.WriteString(id);
        }

        w.WriteEndArray();
        w.WritePropertyName("signature");
        w.WriteString(Convert.ToHexStringLower(_signature));
        w.WriteEndObject();
    });

    /// <summary>Parses a statement. Its salt comes from the <c>salt</c> key or, when absent, from <paramref name="salt"/>.</summary>
    /// <param name="utf8Json">At most 64 KiB.</param>
    /// <param name="salt">The salt delivered beside the statement (producer admission response), or null.</param>
    /// <returns>The statement (not yet checked with <see cref="IsAcceptable"/>).</returns>
    /// <exception cref="TrustFormatException">Malformed, or no salt is available.</exception>
    public static SaltRotationStatement Parse(ReadOnlySpan<byte> utf8Json, byte[]? salt = null)
    {
        using JsonDocument doc = TrustJson.Parse(utf8Json, What);
        JsonElement root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new TrustFormatException($"{What} is not a JSON object");
        }

        byte[] rootKey = TrustJson.GetHex(Required(root, "root_pubkey"), "root_pubkey", 32, What);
        ulong epoch = TrustJson.GetUInt64(Required(root, "epoch"), "epoch", What);
        ulong issuedAt = TrustJson.GetUInt64(Required(root, "issued_at"), "issued_at", What);
        if (root.TryGetProperty("salt", out JsonElement s))
        {
            salt = TrustJson.GetHex(s, "salt", 32, What);
        }
        else if (salt is null || salt.Length != 32)
        {
            throw new TrustFormatException($"{What}: 'salt' is missing");
        }
        else
        {
            salt = (byte[])salt.Clone();
        }

        byte[] hash = Blake3.Hash(salt);
        JsonElement ex = Required(root, "exclude");
        if (ex.ValueKind != JsonValueKind.Array)
        {
            throw new TrustFormatException($"{What}: 'exclude' is not an array");
        }

        List<string> ids = [];
        foreach (JsonElement e in ex.EnumerateArray())
        {
            ids.Add(TrustJson.GetString(e, "exclude", What));
        }

        string[] sorted = SortedIds(ids);
        byte[] signature = TrustJson.GetHex(Required(root, "signature"), "signature", 64, What);
        return new SaltRotationStatement(rootKey, epoch, issuedAt, salt, hash, sorted, signature);
    }

    private static string[] SortedIds(IEnumerable<string> ids)
    {
        string[] sorted = [.. ids];
        foreach (string id in sorted)
        {
            if (id is null || !TrustJson.IsLowerHex64(id))
            {
                throw new TrustFormatException($"{What}: an excluded id is not 64 lowercase hex characters");
            }
        }

        Array.Sort(sorted, StringComparer.Ordinal);
        if (sorted.Distinct(StringComparer.Ordinal).Count() != sorted.Length)
        {
            throw new TrustFormatException($"{What}: an excluded id is repeated");
        }

        return sorted;
    }

    private static JsonElement Required(JsonElement e, string key)
        => e.TryGetProperty(key, out JsonElement v) ? v : throw new TrustFormatException($"{What}: '{key}' is missing");
}
