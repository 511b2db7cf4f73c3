using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Aster.Net.Crypto.Curve25519;

/// <summary>
/// An element of GF(2^255 - 19) in radix 2^51: five unsigned 64-bit limbs, value = L0 + L1·2^51 + … + L4·2^204.
/// Limbs are kept below about 2^52 after <see cref="Mul"/>, <see cref="Square"/> and <see cref="Sub"/>;
/// <see cref="Add"/> does not reduce, so at most one level of additions may be fed into a multiplication
/// (inputs to <see cref="Mul"/> must stay below 2^54). Every operation is branch-free on the limb values.
/// </summary>
internal struct FieldElement
{
    private const ulong Mask51 = (1UL << 51) - 1;

    // 16·p, limb by limb, so that a - b never underflows for b limbs below 2^55.
    private const ulong SixteenP0 = 36028797018963664UL; // 16 * (2^51 - 19)
    private const ulong SixteenPn = 36028797018963952UL; // 16 * (2^51 - 1)

    internal ulong L0;
    internal ulong L1;
    internal ulong L2;
    internal ulong L3;
    internal ulong L4;

    internal FieldElement(ulong l0, ulong l1, ulong l2, ulong l3, ulong l4)
    {
        L0 = l0;
        L1 = l1;
        L2 = l2;
        L3 = l3;
        L4 = l4;
    }

    internal static FieldElement Zero => default;

    internal static FieldElement One => new(1, 0, 0, 0, 0);

    /// <summary>Builds a small field element.</summary>
    internal static FieldElement FromUInt(ulong value) => Carry(new FieldElement(value & Mask51, value >> 51, 0, 0, 0));

    /// <summary>Decodes 32 little-endian bytes, ignoring the top bit (RFC 7748 §5, RFC 8032 §5.1.3). Values ≥ p are accepted and reduced lazily.</summary>
    internal static FieldElement FromBytes(ReadOnlySpan<byte> s)
    {
        ulong w0 = BinaryPrimitives.ReadUInt64LittleEndian(s);
        ulong w1 = BinaryPrimitives.ReadUInt64LittleEndian(s[8..]);
        ulong w2 = BinaryPrimitives.ReadUInt64LittleEndian(s[16..]);
        ulong w3 = BinaryPrimitives.ReadUInt64LittleEndian(s[24..]);
        return new FieldElement(
            w0 & Mask51,
            ((w0 >> 51) | (w1 << 13)) & Mask51,
            ((w1 >> 38) | (w2 << 26)) & Mask51,
            ((w2 >> 25) | (w3 << 39)) & Mask51,
            (w3 >> 12) & Mask51);
    }

    /// <summary>Writes the canonical (fully reduced) 32-byte little-endian encoding; the top bit is zero.</summary>
    internal readonly void ToBytes(Span<byte> s)
    {
        FieldElement h = Carry(Carry(this));

        // h < 2^255 + small now, each limb < 2^51 (+ tiny in L0). q = 1 exactly when h >= p.
        ulong q = (h.L0 + 19) >> 51;
        q = (h.L1 + q) >> 51;
        q = (h.L2 + q) >> 51;
        q = (h.L3 + q) >> 51;
        q = (h.L4 + q) >> 51;

        ulong l0 = h.L0 + (19 * q);
        ulong l1 = h.L1 + (l0 >> 51);
        l0 &= Mask51;
        ulong l2 = h.L2 + (l1 >> 51);
        l1 &= Mask51;
        ulong l3 = h.L3 + (l2 >> 51);
        l2 &= Mask51;
        ulong l4 = h.L4 + (l3 >> 51);
        l3 &= Mask51;
        l4 &= Mask51;

        BinaryPrimitives.WriteUInt64LittleEndian(s, l0 | (l1 << 51));
        BinaryPrimitives.WriteUInt64LittleEndian(s[8..], (l1 >> 13) | (l2 << 38));
        BinaryPrimitives.WriteUInt64LittleEndian(s[16..], (l2 >> 26) | (l3 << 25));
        BinaryPrimitives.WriteUInt64LittleEndian(s[24..], (l3 >> 39) | (l4 << 12));
    }

    /// <summary>Propagates carries so every limb is below 2^51 (L0 may exceed it by at most 19·2^13).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static FieldElement Carry(in FieldElement a)
    {
        ulong l0 = a.L0, l1 = a.L1, l2 = a.L2, l3 = a.L3, l4 = a.L4;
        l1 += l0 >> 51;
        l0 &= Mask51;
        l2 += l1 >> 51;
        l1 &= Mask51;
        l3 += l2 >> 51;
        l2 &= Mask51;
        l4 += l3 >> 51;
        l3 &= Mask51;
        l0 += 19 * (l4 >> 51);
        l4 &= Mask51;
        return new FieldElement(l0, l1, l2, l3, l4);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static FieldElement Add(in FieldElement a, in FieldElement b) =>
        new(a.L0 + b.L0, a.L1 + b.L1, a.L2 + b.L2, a.L3 + b.L3, a.L4 + b.L4);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static FieldElement Sub(in FieldElement a, in FieldElement b) =>
        Carry(new FieldElement(
            (a.L0 + SixteenP0) - b.L0,
            (a.L1 + SixteenPn) - b.L1,
            (a.L2 + SixteenPn) - b.L2,
            (a.L3 + SixteenPn) - b.L3,
            (a.L4 + SixteenPn) - b.L4));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static FieldElement Negate(in FieldElement a) => Sub(default, a);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static FieldElement Mul(in FieldElement a, in FieldElement b)
    {
        // Each product is accumulated as a (lo, hi) pair of 64-bit words with a branch-free carry, which the JIT
        // keeps in registers (UInt128 temporaries spill).
        ulong a0 = a.L0, a1 = a.L1, a2 = a.L2, a3 = a.L3, a4 = a.L4;
        ulong b0 = b.L0, b1 = b.L1, b2 = b.L2, b3 = b.L3, b4 = b.L4;
        ulong b1x19 = b1 * 19, b2x19 = b2 * 19, b3x19 = b3 * 19, b4x19 = b4 * 19;
        ulong p;
        ulong lo0 = a0 * b0;
        ulong hi0 = MulHigh(a0, b0);
        p = a1 * b4x19;
        lo0 += p;
        hi0 += MulHigh(a1, b4x19) + (lo0 < p ? 1UL : 0UL);
        p = a2 * b3x19;
        lo0 += p;
        hi0 += MulHigh(a2, b3x19) + (lo0 < p ? 1UL : 0UL);
        p = a3 * b2x19;
        lo0 += p;
        hi0 += MulHigh(a3, b2x19) + (lo0 < p ? 1UL : 0UL);
        p = a4 * b1x19;
        lo0 += p;
        hi0 += MulHigh(a4, b1x19) + (lo0 < p ? 1UL : 0UL);
        ulong lo1 = a0 * b1;
        ulong hi1 = MulHigh(a0, b1);
        p = a1 * b0;
        lo1 += p;
        hi1 += MulHigh(a1, b0) + (lo1 < p ? 1UL : 0UL);
        p = a2 * b4x19;
        lo1 += p;
        hi1 += MulHigh(a2, b4x19) + (lo1 < p ? 1UL : 0UL);
        p = a3 * b3x19;
        lo1 += p;
        hi1 += MulHigh(a3, b3x19) + (lo1 < p ? 1UL : 0UL);
        p = a4 * b2x19;
        lo1 += p;
        hi1 += MulHigh(a4, b2x19) + (lo1 < p ? 1UL : 0UL);
        ulong lo2 = a0 * b2;
        ulong hi2 = MulHigh(a0, b2);
        p = a1 * b1;
        lo2 += p;
        hi2 += MulHigh(a1, b1) + (lo2 < p ? 1UL : 0UL);
        p = a2 * b0;
        lo2 += p;
        hi2 += MulHigh(a2, b0) + (lo2 < p ? 1UL : 0UL);
        p = a3 * b4x19;
        lo2 += p;
        hi2 += MulHigh(a3, b4x19) + (lo2 < p ? 1UL : 0UL);
        p = a4 * b3x19;
        lo2 += p;
        hi2 += MulHigh(a4, b3x19) + (lo2 < p ? 1UL : 0UL);
        ulong lo3 = a0 * b3;
        ulong hi3 = MulHigh(a0, b3);
        p = a1 * b2;
        lo3 += p;
        hi3 += MulHigh(a1, b2) + (lo3 < p ? 1UL : 0UL);
        p = a2 * b1;
        lo3 += p;
        hi3 += MulHigh(a2, b1) + (lo3 < p ? 1UL : 0UL);
        p = a3 * b0;
        lo3 += p;
        hi3 += MulHigh(a3, b0) + (lo3 < p ? 1UL : 0UL);
        p = a4 * b4x19;
        lo3 += p;
        hi3 += MulHigh(a4, b4x19) + (lo3 < p ? 1UL : 0UL);
        ulong lo4 = a0 * b4;
        ulong hi4 = MulHigh(a0, b4);
        p = a1 * b3;
        lo4 += p;
        hi4 += MulHigh(a1, b3) + (lo4 < p ? 1UL : 0UL);
        p = a2 * b2;
        lo4 += p;
        hi4 += MulHigh(a2, b2) + (lo4 < p ? 1UL : 0UL);
        p = a3 * b1;
        lo4 += p;
        hi4 += MulHigh(a3, b1) + (lo4 < p ? 1UL : 0UL);
        p = a4 * b0;
        lo4 += p;
        hi4 += MulHigh(a4, b0) + (lo4 < p ? 1UL : 0UL);
        return Reduce(lo0, hi0, lo1, hi1, lo2, hi2, lo3, hi3, lo4, hi4);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static FieldElement Square(in FieldElement a)
    {
        ulong a0 = a.L0, a1 = a.L1, a2 = a.L2, a3 = a.L3, a4 = a.L4;
        ulong a0x2 = a0 * 2, a1x2 = a1 * 2, a2x2 = a2 * 2, a3x2 = a3 * 2;
        ulong a3x19 = a3 * 19, a4x19 = a4 * 19;
        ulong p;
        ulong lo0 = a0 * a0;
        ulong hi0 = MulHigh(a0, a0);
        p = a1x2 * a4x19;
        lo0 += p;
        hi0 += MulHigh(a1x2, a4x19) + (lo0 < p ? 1UL : 0UL);
        p = a2x2 * a3x19;
        lo0 += p;
        hi0 += MulHigh(a2x2, a3x19) + (lo0 < p ? 1UL : 0UL);
        ulong lo1 = a0x2 * a1;
        ulong hi1 = MulHigh(a0x2, a1);
        p = a2x2 * a4x19;
        lo1 += p;
        hi1 += MulHigh(a2x2, a4x19) + (lo1 < p ? 1UL : 0UL);
        p = a3 * a3x19;
        lo1 += p;
        hi1 += MulHigh(a3, a3x19) + (lo1 < p ? 1UL : 0UL);
        ulong lo2 = a0x2 * a2;
        ulong hi2 = MulHigh(a0x2, a2);
        p = a1 * a1;
        lo2 += p;
        hi2 += MulHigh(a1, a1) + (lo2 < p ? 1UL : 0UL);
        p = a3x2 * a4x19;
        lo2 += p;
        hi2 += MulHigh(a3x2, a4x19) + (lo2 < p ? 1UL : 0UL);
        ulong lo3 = a0x2 * a3;
        ulong hi3 = MulHigh(a0x2, a3);
        p = a1x2 * a2;
        lo3 += p;
        hi3 += MulHigh(a1x2, a2) + (lo3 < p ? 1UL : 0UL);
        p = a4 * a4x19;
        lo3 += p;
        hi3 += MulHigh(a4, a4x19) + (lo3 < p ? 1UL : 0UL);
        ulong lo4 = a0x2 * a4;
        ulong hi4 = MulHigh(a0x2, a4);
        p = a1x2 * a3;
        lo4 += p;
        hi4 += MulHigh(a1x2, a3) + (lo4 < p ? 1UL : 0UL);
        p = a2 * a2;
        lo4 += p;
        hi4 += MulHigh(a2, a2) + (lo4 < p ? 1UL : 0UL);
        return Reduce(lo0, hi0, lo1, hi1, lo2, hi2, lo3, hi3, lo4, hi4);
    }

    /// <summary>Squares <paramref name="a"/> <paramref name="times"/> times (times ≥ 1). The count is public.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static FieldElement SquareTimes(in FieldElement a, int times)
    {
        FieldElement r = Square(a);
        for (int i = 1; i < times; i++)
        {
            r = Square(r);
        }

        return r;
    }

    /// <summary>Multiplies by a small constant (below 2^32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static FieldElement MulSmall(in FieldElement a, uint k) =>
        Reduce(Math.BigMul(a.L0, k), Math.BigMul(a.L1, k), Math.BigMul(a.L2, k), Math.BigMul(a.L3, k), Math.BigMul(a.L4, k));

    /// <summary>High 64 bits of a 64×64-bit product (mulx on x64 with BMI2, no memory temporaries).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MulHigh(ulong a, ulong b) => Bmi2.X64.IsSupported ? Bmi2.X64.MultiplyNoFlags(a, b) : Math.BigMul(a, b, out _);

    /// <summary>Carries five 128-bit column sums (lo, hi) down to 51-bit limbs, folding the top carry back with ·19.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static FieldElement Reduce(ulong lo0, ulong hi0, ulong lo1, ulong hi1, ulong lo2, ulong hi2, ulong lo3, ulong hi3, ulong lo4, ulong hi4)
    {
        ulong c = (hi0 << 13) | (lo0 >> 51);
        ulong r0 = lo0 & Mask51;
        lo1 += c;
        hi1 += lo1 < c ? 1UL : 0UL;
        c = (hi1 << 13) | (lo1 >> 51);
        ulong r1 = lo1 & Mask51;
        lo2 += c;
        hi2 += lo2 < c ? 1UL : 0UL;
        c = (hi2 << 13) | (lo2 >> 51);
        ulong r2 = lo2 & Mask51;
        lo3 += c;
        hi3 += lo3 < c ? 1UL : 0UL;
        c = (hi3 << 13) | (lo3 >> 51);
        ulong r3 = lo3 & Mask51;
        lo4 += c;
        hi4 += lo4 < c ? 1UL : 0UL;
        c = (hi4 << 13) | (lo4 >> 51);
        ulong r4 = lo4 & Mask51;

        // c < 2^59.4 for inputs below 2^54, so 19·c fits in 64 bits.
        r0 += c * 19;
        r1 += r0 >> 51;
        r0 &= Mask51;
        return new FieldElement(r0, r1, r2, r3, r4);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static FieldElement Reduce(UInt128 c0, UInt128 c1, UInt128 c2, UInt128 c3, UInt128 c4)
    {
        c1 += (ulong)(c0 >> 51);
        ulong r0 = (ulong)c0 & Mask51;
        c2 += (ulong)(c1 >> 51);
        ulong r1 = (ulong)c1 & Mask51;
        c3 += (ulong)(c2 >> 51);
        ulong r2 = (ulong)c2 & Mask51;
        c4 += (ulong)(c3 >> 51);
        ulong r3 = (ulong)c3 & Mask51;
        ulong carry = (ulong)(c4 >> 51);
        ulong r4 = (ulong)c4 & Mask51;

        // carry < 2^59.4 for inputs below 2^54, so 19·carry fits in 64 bits.
        r0 += carry * 19;
        r1 += r0 >> 51;
        r0 &= Mask51;
        return new FieldElement(r0, r1, r2, r3, r4);
    }

    /// <summary>Returns z^(2^250 - 1) and z^11 (the shared head of inversion and square-root chains).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static FieldElement Pow2250Minus1(in FieldElement z, out FieldElement z11)
    {
        FieldElement t0 = Square(z);                   // 2
        FieldElement t1 = SquareTimes(t0, 2);           // 8
        t1 = Mul(z, t1);                                // 9
        t0 = Mul(t0, t1);                               // 11
        z11 = t0;
        FieldElement t2 = Square(t0);                   // 22
        t1 = Mul(t1, t2);                               // 31 = 2^5 - 1
        t2 = SquareTimes(t1, 5);
        t1 = Mul(t2, t1);                               // 2^10 - 1
        t2 = SquareTimes(t1, 10);
        t2 = Mul(t2, t1);                               // 2^20 - 1
        FieldElement t3 = SquareTimes(t2, 20);
        t2 = Mul(t3, t2);                               // 2^40 - 1
        t2 = SquareTimes(t2, 10);
        t1 = Mul(t2, t1);                               // 2^50 - 1
        t2 = SquareTimes(t1, 50);
        t2 = Mul(t2, t1);                               // 2^100 - 1
        t3 = SquareTimes(t2, 100);
        t2 = Mul(t3, t2);                               // 2^200 - 1
        t2 = SquareTimes(t2, 50);
        return Mul(t2, t1);                             // 2^250 - 1
    }

    /// <summary>z^(p-2) = 1/z (0 maps to 0). Constant time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static FieldElement Invert(in FieldElement z)
    {
        FieldElement t = Pow2250Minus1(z, out FieldElement z11);
        t = SquareTimes(t, 5);                          // 2^255 - 32
        return Mul(t, z11);                             // 2^255 - 21 = p - 2
    }

    /// <summary>z^((p-5)/8) = z^(2^252 - 3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static FieldElement Pow22523(in FieldElement z)
    {
        FieldElement t = Pow2250Minus1(z, out _);
        t = SquareTimes(t, 2);                          // 2^252 - 4
        return Mul(t, z);                               // 2^252 - 3
    }

    /// <summary>True when the canonical encoding is odd ("negative" in RFC 8032 terms).</summary>
    internal readonly int IsNegative()
    {
        Span<byte> s = stackalloc byte[32];
        ToBytes(s);
        return s[0] & 1;
    }

    /// <summary>True when the element is zero modulo p. Constant time.</summary>
    internal readonly bool IsZero()
    {
        Span<byte> s = stackalloc byte[32];
        ToBytes(s);
        ulong acc = 0;
        for (int i = 0; i < 32; i += 8)
        {
            acc |= BinaryPrimitives.ReadUInt64LittleEndian(s[i..]);
        }

        return acc == 0;
    }

    /// <summary>Equality modulo p (variable time; for public values and tests).</summary>
    internal readonly bool EqualsVartime(in FieldElement other)
    {
        Span<byte> a = stackalloc byte[32];
        Span<byte> b = stackalloc byte[32];
        ToBytes(a);
        other.ToBytes(b);
        return a.SequenceEqual(b);
    }

    /// <summary>Returns <paramref name="b"/> when <paramref name="mask"/> is all ones, <paramref name="a"/> when it is zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static FieldElement Select(in FieldElement a, in FieldElement b, ulong mask) =>
        new(a.L0 ^ (mask & (a.L0 ^ b.L0)),
            a.L1 ^ (mask & (a.L1 ^ b.L1)),
            a.L2 ^ (mask & (a.L2 ^ b.L2)),
            a.L3 ^ (mask & (a.L3 ^ b.L3)),
            a.L4 ^ (mask & (a.L4 ^ b.L4)));

    /// <summary>Swaps <paramref name="a"/> and <paramref name="b"/> when <paramref name="mask"/> is all ones.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ConditionalSwap(ref FieldElement a, ref FieldElement b, ulong mask)
    {
        ulong t = mask & (a.L0 ^ b.L0);
        a.L0 ^= t;
        b.L0 ^= t;
        t = mask & (a.L1 ^ b.L1);
        a.L1 ^= t;
        b.L1 ^= t;
        t = mask & (a.L2 ^ b.L2);
        a.L2 ^= t;
        b.L2 ^= t;
        t = mask & (a.L3 ^ b.L3);
        a.L3 ^= t;
        b.L3 ^= t;
        t = mask & (a.L4 ^ b.L4);
        a.L4 ^= t;
        b.L4 ^= t;
    }

    /// <summary>Variable-time exponentiation by a little-endian exponent; used only for constants at start-up.</summary>
    internal static FieldElement PowVartime(in FieldElement a, ReadOnlySpan<byte> exponentLittleEndian)
    {
        FieldElement r = One;
        for (int i = (exponentLittleEndian.Length * 8) - 1; i >= 0; i--)
        {
            r = Square(r);
            if (((exponentLittleEndian[i >> 3] >> (i & 7)) & 1) != 0)
            {
                r = Mul(r, a);
            }
        }

        return r;
    }
}
