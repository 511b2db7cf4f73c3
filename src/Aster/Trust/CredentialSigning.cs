using System.Buffers.Binary;
using System.Text;

namespace Aster.Trust;

/// <summary>The canonical signing bytes of enrollment credentials (trust.md sections 3.3 and 3.4).</summary>
public static class CredentialSigning
{
    /// <summary>
    /// Producer signing bytes: endpoint id text ‖ root public key ‖ expires_at (u64 BE) ‖ canonical attribute JSON.
    /// </summary>
    /// <param name="endpointId">The endpoint id text, signed as its UTF-8 bytes.</param>
    /// <param name="rootPublicKey">The 32-byte root public key.</param>
    /// <param name="expiresAt">Expiry, Unix seconds.</param>
    /// <param name="attributes">The attributes.</param>
    /// <returns>The bytes the root key signs.</returns>
    public static byte[] ProducerSigningBytes(string endpointId, ReadOnlySpan<byte> rootPublicKey, ulong expiresAt, IReadOnlyDictionary<string, string> attributes)
    {
        ArgumentNullException.ThrowIfNull(endpointId);
        CheckRoot(rootPublicKey);
        byte[] id = Encoding.UTF8.GetBytes(endpointId);
        byte[] json = CanonicalJson.EncodeAttributes(attributes);
        byte[] result = new byte[id.Length + 32 + 8 + json.Length];
        id.CopyTo(result, 0);
        rootPublicKey.CopyTo(result.AsSpan(id.Length));
        BinaryPrimitives.WriteUInt64BigEndian(result.AsSpan(id.Length + 32), expiresAt);
        json.CopyTo(result, id.Length + 40);
        return result;
    }

    /// <summary>
    /// Consumer signing bytes: type ‖ has-endpoint ‖ endpoint id text? ‖ root ‖ expires_at ‖ canonical JSON ‖
    /// has-nonce ‖ nonce?.
    /// </summary>
    /// <param name="type">The credential type.</param>
    /// <param name="endpointId">The bound endpoint id text, or null when unbound (an empty string counts as present).</param>
    /// <param name="rootPublicKey">The 32-byte root public key.</param>
    /// <param name="expiresAt">Expiry, Unix seconds.</param>
    /// <param name="attributes">The attributes.</param>
    /// <param name="nonce">The nonce bytes, or null when absent.</param>
    /// <returns>The bytes the root key signs.</returns>
    public static byte[] ConsumerSigningBytes(ConsumerCredentialType type, string? endpointId, ReadOnlySpan<byte> rootPublicKey, ulong expiresAt, IReadOnlyDictionary<string, string> attributes, byte[]? nonce)
    {
        if (type is not (ConsumerCredentialType.Policy or ConsumerCredentialType.OneTimeToken))
        {
            throw new ArgumentOutOfRangeException(nameof(type));
        }

        CheckRoot(rootPublicKey);
        byte[] id = endpointId is null ? [] : Encoding.UTF8.GetBytes(endpointId);
        byte[] json = CanonicalJson.EncodeAttributes(attributes);
        int nonceLength = nonce?.Length ?? 0;
        byte[] result = new byte[2 + id.Length + 32 + 8 + json.Length + 1 + nonceLength];
        int o = 0;
        result[o++] = type == ConsumerCredentialType.OneTimeToken ? (byte)1 : (byte)0;
        result[o++] = endpointId is null ? (byte)0 : (byte)1;
        id.CopyTo(result, o);
        o += id.Length;
        rootPublicKey.CopyTo(result.AsSpan(o));
        o += 32;
        BinaryPrimitives.WriteUInt64BigEndian(result.AsSpan(o), expiresAt);
        o += 8;
        json.CopyTo(result, o);
        o += json.Length;
        result[o++] = nonce is null ? (byte)0 : (byte)1;
        nonce?.CopyTo(result, o);
        return result;
    }

    private static void CheckRoot(ReadOnlySpan<byte> rootPublicKey)
    {
        if (rootPublicKey.Length != 32)
        {
            throw new ArgumentException("root public key must be 32 bytes", nameof(rootPublicKey));
        }
    }
}
