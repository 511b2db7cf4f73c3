using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Aster.Net.Crypto.Curve25519;

/// <summary>Five 52-bit limbs of an integer (little-endian limb order).</summary>
[InlineArray(5)]
internal struct ScalarLimbs
{
    private ulong _element;
}

/// <summary>Nine 128-bit partial products of a 5×5 limb multiplication.</summary>
[InlineArray(9)]
internal struct ScalarProduct
{
    private UInt128 _element;
}

/// <summary>
/// Arithmetic modulo the group order L = 2^252 + 27742317777372353535851937790883648493, in radix 2^52 with
/// Montgomery multiplication (R = 2^260). All operations are branch-free on the values.
/// The Montgomery constants are derived at type initialisation from L.
/// </summary>
internal static class Scalar
{
    private const ulong Mask52 = (1UL << 52) - 1;

    private static readonly ScalarLimbs _l;
    private static readonly ScalarLimbs _r;
    private static readonly ScalarLimbs _rr;
    private static readonly ulong _lFactor;

    /// <summary>L as 32 little-endian bytes.</summary>
    internal static ReadOnlySpan<byte> Order =>
    [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
    ];

    static Scalar()
    {
        var l = new BigInteger(Order, isUnsigned: true);
        _l = FromBigInteger(l);
        BigInteger r = BigInteger.ModPow(2, 260, l);
        _r = FromBigInteger(r);
        _rr = FromBigInteger(r * r % l);
        BigInteger two52 = BigInteger.One << 52;
        BigInteger inv = BigInteger.ModPow(l % two52, (two52 >> 1) - 1, two52); // l^-1 mod 2^52 (group of units has exponent 2^50)
        if (inv * l % two52 != 1)
        {
            throw new InvalidOperationException("Scalar Montgomery constant derivation failed.");
        }

        _lFactor = (ulong)((two52 - inv) % two52);
    }

    private static ScalarLimbs FromBigInteger(BigInteger v)
    {
        ScalarLimbs s = default;
        for (int i = 0; i < 5; i++)
        {
            s[i] = (ulong)(v & Mask52);
            v >>= 52;
        }

        return s;
    }

    /// <summary>Unpacks 32 little-endian bytes (no reduction).</summary>
    internal static ScalarLimbs FromBytes(ReadOnlySpan<byte> b)
    {
        ulong w0 = BinaryPrimitives.ReadUInt64LittleEndian(b);
        ulong w1 = BinaryPrimitives.ReadUInt64LittleEndian(b[8..]);
        ulong w2 = BinaryPrimitives.ReadUInt64LittleEndian(b[16..]);
        ulong w3 = BinaryPrimitives.ReadUInt64LittleEndian(b[24..]);
        ScalarLimbs s = default;
        s[0] = w0 & Mask52;
        s[1] = ((w0 >> 52) | (w1 << 12)) & Mask52;
        s[2] = ((w1 >> 40) | (w2 << 24)) & Mask52;
        s[3] = ((w2 >> 28) | (w3 << 36)) & Mask52;
        s[4] = w3 >> 16;
        return s;
    }

    /// <summary>Packs limbs (each below 2^52, value below 2^256) into 32 little-endian bytes.</summary>
    internal static void ToBytes(in ScalarLimbs s, Span<byte> b)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(b, s[0] | (s[1] << 52));
        BinaryPrimitives.WriteUInt64LittleEndian(b[8..], (s[1] >> 12) | (s[2] << 40));
        BinaryPrimitives.WriteUInt64LittleEndian(b[16..], (s[2] >> 24) | (s[3] << 28));
        BinaryPrimitives.WriteUInt64LittleEndian(b[24..], (s[3] >> 36) | (s[4] << 16));
    }

    /// <summary>Reduces a 64-byte little-endian integer (a SHA-512 output) modulo L.</summary>
    internal static ScalarLimbs FromBytesWide(ReadOnlySpan<byte> b)
    {
        Span<ulong> w = stackalloc ulong[8];
        for (int i = 0; i < 8; i++)
        {
            w[i] = BinaryPrimitives.ReadUInt64LittleEndian(b[(i * 8)..]);
        }

        ScalarLimbs lo = default;
        ScalarLimbs hi = default;
        lo[0] = w[0] & Mask52;
        lo[1] = ((w[0] >> 52) | (w[1] << 12)) & Mask52;
        lo[2] = ((w[1] >> 40) | (w[2] << 24)) & Mask52;
        lo[3] = ((w[2] >> 28) | (w[3] << 36)) & Mask52;
        lo[4] = ((w[3] >> 16) | (w[4] << 48)) & Mask52;
        hi[0] = (w[4] >> 4) & Mask52;
        hi[1] = ((w[4] >> 56) | (w[5] << 8)) & Mask52;
        hi[2] = ((w[5] >> 44) | (w[6] << 20)) & Mask52;
        hi[3] = ((w[6] >> 32) | (w[7] << 32)) & Mask52;
        hi[4] = w[7] >> 20;

        ScalarLimbs loR = MontgomeryMul(lo, _r);  // lo · R / R = lo
        ScalarLimbs hiR = MontgomeryMul(hi, _rr); // hi · R² / R = hi · 2^260
        w.Clear();
        return Add(hiR, loR);
    }

    /// <summary>Reduces a 32-byte little-endian integer modulo L.</summary>
    internal static ScalarLimbs Reduce(ReadOnlySpan<byte> b32)
    {
        Span<byte> wide = stackalloc byte[64];
        b32.CopyTo(wide);
        wide[32..].Clear();
        ScalarLimbs r = FromBytesWide(wide);
        wide.Clear();
        return r;
    }

    /// <summary>(a · b) mod L. a·b must be below 2^260 · L (any a below 2^256 with b below L qualifies).</summary>
    internal static ScalarLimbs Mul(in ScalarLimbs a, in ScalarLimbs b) => MontgomeryMul(MontgomeryMul(a, b), _rr);

    /// <summary>(a + b) mod L for a, b below L.</summary>
    internal static ScalarLimbs Add(in ScalarLimbs a, in ScalarLimbs b)
    {
        ScalarLimbs sum = default;
        ulong carry = 0;
        for (int i = 0; i < 5; i++)
        {
            carry = a[i] + b[i] + (carry >> 52);
            sum[i] = carry & Mask52;
        }

        return Sub(sum, _l);
    }

    /// <summary>(a - b) mod L for a, b below L (a below 2L also works when b = L).</summary>
    internal static ScalarLimbs Sub(in ScalarLimbs a, in ScalarLimbs b)
    {
        ScalarLimbs d = default;
        ulong borrow = 0;
        for (int i = 0; i < 5; i++)
        {
            borrow = a[i] - (b[i] + (borrow >> 63));
            d[i] = borrow & Mask52;
        }

        // all ones when the subtraction underflowed: add L back.
        ulong underflow = 0UL - (borrow >> 63);
        ulong carry = 0;
        for (int i = 0; i < 5; i++)
        {
            carry = (carry >> 52) + d[i] + (_l[i] & underflow);
            d[i] = carry & Mask52;
        }

        return d;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ScalarLimbs MontgomeryMul(in ScalarLimbs a, in ScalarLimbs b)
    {
        ScalarProduct z = default;
        for (int i = 0; i < 5; i++)
        {
            for (int j = 0; j < 5; j++)
            {
                z[i + j] += Math.BigMul(a[i], b[j]);
            }
        }

        return MontgomeryReduce(z);
    }

    /// <summary>z · R^-1 mod L for z below R·L.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ScalarLimbs MontgomeryReduce(in ScalarProduct z)
    {
        ScalarLimbs n = default;
        ScalarLimbs r = default;
        UInt128 carry = 0;
        for (int i = 0; i < 5; i++)
        {
            UInt128 sum = carry + z[i];
            for (int j = 0; j < i; j++)
            {
                sum += Math.BigMul(n[j], _l[i - j]);
            }

            ulong p = ((ulong)sum * _lFactor) & Mask52;
            n[i] = p;
            sum += Math.BigMul(p, _l[0]);
            carry = sum >> 52;
        }

        for (int i = 5; i < 9; i++)
        {
            UInt128 sum = carry + z[i];
            for (int j = i - 4; j < 5; j++)
            {
                sum += Math.BigMul(n[j], _l[i - j]);
            }

            r[i - 5] = (ulong)sum & Mask52;
            carry = sum >> 52;
        }

        r[4] = (ulong)carry;
        return Sub(r, _l);
    }

    /// <summary>True when the 32 little-endian bytes encode an integer below L (public data; variable time).</summary>
    internal static bool IsCanonical(ReadOnlySpan<byte> s)
    {
        ReadOnlySpan<byte> order = Order;
        for (int i = 31; i >= 0; i--)
        {
            if (s[i] != order[i])
            {
                return s[i] < order[i];
            }
        }

        return false;
    }

    /// <summary>
    /// Width-<paramref name="w"/> non-adjacent form of a scalar below 2^255: odd digits in (-2^(w-1), 2^(w-1)), any
    /// two non-zero digits at least <paramref name="w"/> positions apart. Variable time: for public scalars only.
    /// </summary>
    internal static void NonAdjacentForm(ReadOnlySpan<byte> scalar, int w, Span<sbyte> naf)
    {
        Span<ulong> x = stackalloc ulong[5];
        for (int i = 0; i < 4; i++)
        {
            x[i] = BinaryPrimitives.ReadUInt64LittleEndian(scalar[(i * 8)..]);
        }

        x[4] = 0;
        naf[..256].Clear();
        ulong width = 1UL << w;
        ulong windowMask = width - 1;
        int pos = 0;
        ulong carry = 0;
        while (pos < 256)
        {
            int idx = pos / 64;
            int bit = pos % 64;
            ulong bitBuf = bit < 64 - w ? x[idx] >> bit : (x[idx] >> bit) | (x[idx + 1] << (64 - bit));
            ulong window = carry + (bitBuf & windowMask);
            if ((window & 1) == 0)
            {
                pos++;
                continue;
            }

            if (window < width / 2)
            {
                carry = 0;
                naf[pos] = (sbyte)window;
            }
            else
            {
                carry = 1;
                naf[pos] = (sbyte)((long)window - (long)width);
            }

            pos += w;
        }
    }
}
