using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Aster.Net.Crypto.Curve25519;

namespace Aster.Net.Crypto;

/// <summary>X25519 Diffie-Hellman (RFC 7748), fully managed and constant time in the private key.</summary>
public static class X25519
{
    /// <summary>Size of private keys, public keys and shared secrets.</summary>
    public const int KeySize = 32;

    /// <summary>Computes the public key (the u-coordinate of k·9) of a private key; the key is clamped as RFC 7748 requires.</summary>
    /// <param name="privateKey">The 32-byte private key (any 32 bytes).</param>
    /// <param name="publicKey">Receives the 32-byte public key.</param>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public static void GetPublicKey(ReadOnlySpan<byte> privateKey, Span<byte> publicKey)
    {
        Ed25519.CheckLength(privateKey, KeySize, nameof(privateKey));
        Ed25519.CheckLength(publicKey, KeySize, nameof(publicKey));
        Span<byte> k = stackalloc byte[32];
        try
        {
            Clamp(privateKey, k);

            // k·B on edwards25519, then u = (1 + y) / (1 - y) = (Z + Y) / (Z - Y); the fixed-base table is several
            // times faster than the ladder, and equally constant time.
            EdwardsPoint p = BasepointTable.MulBase(k);
            FieldElement u = FieldElement.Mul(FieldElement.Add(p.Z, p.Y), FieldElement.Invert(FieldElement.Sub(p.Z, p.Y)));
            u.ToBytes(publicKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(k);
        }
    }

    /// <summary>
    /// Computes the shared secret X25519(privateKey, peerPublicKey). The top bit of the peer's u-coordinate is ignored
    /// and non-canonical values are reduced (RFC 7748 §5).
    /// </summary>
    /// <param name="privateKey">Our 32-byte private key.</param>
    /// <param name="peerPublicKey">The peer's 32-byte public key.</param>
    /// <param name="sharedSecret">Receives the 32-byte shared secret (all zeros when the method returns false).</param>
    /// <returns>false when the shared secret is all zeros (low-order peer key, RFC 7748 §6.1); the caller must abort.</returns>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public static bool TryAgree(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> peerPublicKey, Span<byte> sharedSecret)
    {
        Ed25519.CheckLength(privateKey, KeySize, nameof(privateKey));
        Ed25519.CheckLength(peerPublicKey, KeySize, nameof(peerPublicKey));
        Ed25519.CheckLength(sharedSecret, KeySize, nameof(sharedSecret));
        Span<byte> k = stackalloc byte[32];
        try
        {
            Clamp(privateKey, k);
            Ladder(k, FieldElement.FromBytes(peerPublicKey)).ToBytes(sharedSecret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(k);
        }

        int acc = 0;
        for (int i = 0; i < 32; i++)
        {
            acc |= sharedSecret[i];
        }

        return acc != 0;
    }

    private static void Clamp(ReadOnlySpan<byte> privateKey, Span<byte> k)
    {
        privateKey.CopyTo(k);
        k[0] &= 248;
        k[31] &= 127;
        k[31] |= 64;
    }

    /// <summary>The Montgomery ladder of RFC 7748 §5 (constant time: conditional swaps only).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static FieldElement Ladder(ReadOnlySpan<byte> k, in FieldElement u)
    {
        FieldElement x1 = u;
        FieldElement x2 = FieldElement.One;
        FieldElement z2 = FieldElement.Zero;
        FieldElement x3 = u;
        FieldElement z3 = FieldElement.One;
        ulong swap = 0;

        for (int t = 254; t >= 0; t--)
        {
            ulong bit = (ulong)((k[t >> 3] >> (t & 7)) & 1);
            swap ^= bit;
            ulong mask = 0UL - swap;
            FieldElement.ConditionalSwap(ref x2, ref x3, mask);
            FieldElement.ConditionalSwap(ref z2, ref z3, mask);
            swap = bit;

            FieldElement a = FieldElement.Add(x2, z2);
            FieldElement aa = FieldElement.Square(a);
            FieldElement b = FieldElement.Sub(x2, z2);
            FieldElement bb = FieldElement.Square(b);
            FieldElement e = FieldElement.Sub(aa, bb);
            FieldElement c = FieldElement.Add(x3, z3);
            FieldElement d = FieldElement.Sub(x3, z3);
            FieldElement da = FieldElement.Mul(d, a);
            FieldElement cb = FieldElement.Mul(c, b);
            x3 = FieldElement.Square(FieldElement.Add(da, cb));
            z3 = FieldElement.Mul(x1, FieldElement.Square(FieldElement.Sub(da, cb)));
            x2 = FieldElement.Mul(aa, bb);
            z2 = FieldElement.Mul(e, FieldElement.Add(aa, FieldElement.MulSmall(e, 121665)));
        }

        ulong finalMask = 0UL - swap;
        FieldElement.ConditionalSwap(ref x2, ref x3, finalMask);
        FieldElement.ConditionalSwap(ref z2, ref z3, finalMask);
        return FieldElement.Mul(x2, FieldElement.Invert(z2));
    }
}
