using System.Security.Cryptography;
using Aster.Net.Crypto.Curve25519;

namespace Aster.Net.Crypto;

/// <summary>
/// Ed25519 signatures (RFC 8032, pure Ed25519), fully managed. Signing is constant time in the secret key; verification
/// follows the strict rule described in <c>docs/crypto.md</c> ("Ed25519 verification rule").
/// </summary>
public static class Ed25519
{
    /// <summary>Size of a secret key (the 32-byte seed of RFC 8032).</summary>
    public const int SecretKeySize = 32;

    /// <summary>Size of an encoded public key.</summary>
    public const int PublicKeySize = 32;

    /// <summary>Size of a signature (R ‖ S).</summary>
    public const int SignatureSize = 64;

    /// <summary>Derives the public key of a 32-byte seed.</summary>
    /// <param name="seed">The 32-byte secret key.</param>
    /// <param name="publicKey">Receives the 32-byte public key.</param>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public static void GetPublicKey(ReadOnlySpan<byte> seed, Span<byte> publicKey)
    {
        CheckLength(seed, SecretKeySize, nameof(seed));
        CheckLength(publicKey, PublicKeySize, nameof(publicKey));
        Span<byte> expanded = stackalloc byte[64];
        try
        {
            ExpandSeed(seed, expanded);
            BasepointTable.MulBase(expanded[..32]).Encode(publicKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(expanded);
        }
    }

    /// <summary>Signs <paramref name="message"/> with the key derived from <paramref name="seed"/>.</summary>
    /// <remarks>Derives the public key on every call; use <see cref="Ed25519SigningKey"/> to sign many messages with one key.</remarks>
    /// <param name="seed">The 32-byte secret key.</param>
    /// <param name="message">The message to sign.</param>
    /// <param name="signature">Receives the 64-byte signature.</param>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public static void Sign(ReadOnlySpan<byte> seed, ReadOnlySpan<byte> message, Span<byte> signature)
    {
        CheckLength(seed, SecretKeySize, nameof(seed));
        CheckLength(signature, SignatureSize, nameof(signature));
        Span<byte> expanded = stackalloc byte[64];
        Span<byte> publicKey = stackalloc byte[32];
        try
        {
            ExpandSeed(seed, expanded);
            BasepointTable.MulBase(expanded[..32]).Encode(publicKey);
            SignExpanded(expanded, publicKey, message, signature);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(expanded);
        }
    }

    /// <summary>
    /// Verifies a signature. Returns false for any signature that is not exactly 64 bytes, has S ≥ L, whose public key
    /// or R is not a canonical encoding of a curve point, whose public key has small order, or that fails
    /// [S]B = R + [k]A (cofactorless, compared on the encoding of R).
    /// </summary>
    /// <param name="publicKey">The 32-byte public key.</param>
    /// <param name="message">The signed message.</param>
    /// <param name="signature">The signature; any length other than 64 bytes is simply invalid.</param>
    /// <returns>True when the signature is valid.</returns>
    /// <exception cref="ArgumentException"><paramref name="publicKey"/> is not 32 bytes.</exception>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        CheckLength(publicKey, PublicKeySize, nameof(publicKey));
        if (signature.Length != SignatureSize)
        {
            return false;
        }

        ReadOnlySpan<byte> r = signature[..32];
        ReadOnlySpan<byte> s = signature[32..];
        if (!Scalar.IsCanonical(s))
        {
            return false;
        }

        if (!EdwardsPoint.TryDecode(publicKey, out EdwardsPoint a) || a.IsSmallOrderVartime())
        {
            return false;
        }

        Span<byte> digest = stackalloc byte[64];
        HashRAM(r, publicKey, message, digest);
        Span<byte> k = stackalloc byte[32];
        Scalar.ToBytes(Scalar.FromBytesWide(digest), k);

        ProjectivePoint check = VartimeDoubleBase.Mul(k, a.Negate(), s);
        Span<byte> encoded = stackalloc byte[32];
        check.Encode(encoded);
        return encoded.SequenceEqual(r);
    }

    /// <summary>SHA-512 of the seed, the first half clamped (RFC 8032 §5.1.5): scalar ‖ prefix.</summary>
    internal static void ExpandSeed(ReadOnlySpan<byte> seed, Span<byte> expanded)
    {
        SHA512.HashData(seed, expanded);
        expanded[0] &= 248;
        expanded[31] &= 127;
        expanded[31] |= 64;
    }

    /// <summary>Signs with an expanded key (clamped scalar ‖ prefix) and its public key.</summary>
    internal static void SignExpanded(ReadOnlySpan<byte> expanded, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, Span<byte> signature)
    {
        Span<byte> digest = stackalloc byte[64];
        Span<byte> nonce = stackalloc byte[32];
        Span<byte> result = stackalloc byte[64];
        try
        {
            HashPrefixMessage(expanded[32..], message, digest);
            ScalarLimbs r = Scalar.FromBytesWide(digest);
            Scalar.ToBytes(r, nonce);
            BasepointTable.MulBase(nonce).Encode(result[..32]);

            HashRAM(result[..32], publicKey, message, digest);
            ScalarLimbs k = Scalar.FromBytesWide(digest);
            ScalarLimbs a = Scalar.FromBytes(expanded[..32]);
            ScalarLimbs s = Scalar.Add(Scalar.Mul(k, a), r);
            Scalar.ToBytes(s, result[32..]);
            result.CopyTo(signature);
            r = default;
            a = default;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(digest);
            CryptographicOperations.ZeroMemory(nonce);
        }
    }

    private const int StackHashLimit = 1024;

    [ThreadStatic]
    private static IncrementalHash? _incremental;

    private static IncrementalHash Incremental => _incremental ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA512);

    private static void HashPrefixMessage(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> message, Span<byte> digest)
    {
        if (message.Length <= StackHashLimit)
        {
            Span<byte> buffer = stackalloc byte[32 + StackHashLimit];
            Span<byte> input = buffer[..(32 + message.Length)];
            prefix.CopyTo(input);
            message.CopyTo(input[32..]);
            SHA512.HashData(input, digest);
            CryptographicOperations.ZeroMemory(buffer[..32]);
            return;
        }

        IncrementalHash h = Incremental;
        h.AppendData(prefix);
        h.AppendData(message);
        h.GetHashAndReset(digest);
    }

    private static void HashRAM(ReadOnlySpan<byte> r, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, Span<byte> digest)
    {
        if (message.Length <= StackHashLimit)
        {
            Span<byte> buffer = stackalloc byte[64 + StackHashLimit];
            Span<byte> input = buffer[..(64 + message.Length)];
            r.CopyTo(input);
            publicKey.CopyTo(input[32..]);
            message.CopyTo(input[64..]);
            SHA512.HashData(input, digest);
            return;
        }

        IncrementalHash h = Incremental;
        h.AppendData(r);
        h.AppendData(publicKey);
        h.AppendData(message);
        h.GetHashAndReset(digest);
    }

    internal static void CheckLength(ReadOnlySpan<byte> value, int expected, string name)
    {
        if (value.Length != expected)
        {
            throw new ArgumentException($"Expected {expected} bytes, got {value.Length}.", name);
        }
    }
}
