using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Aster.Net.Crypto.Curve25519;

/// <summary>
/// Precomputed multiples of the base point B, built once at type initialisation:
/// the ref10-style comb table j·256^i·B (i = 0..31, j = 1..8) for constant-time fixed-base multiplication, and the odd
/// multiples B, 3B, …, 127B for variable-time verification (width-8 NAF).
/// </summary>
internal static class BasepointTable
{
    /// <summary>NAF width used for the base-point half of verification.</summary>
    internal const int BaseNafWidth = 8;

    // The comb table flattened: 16 ulongs per entry (y+x, y-x, 2dxy limbs, one pad), so a row of 8 entries is read
    // with 32 vector loads and selected with vector masks.
    private const int EntryWords = 16;
    private static readonly ulong[] _comb = Flatten(BuildComb());
    private static readonly AffineNielsPoint[] _oddMultiples = BuildOddMultiples();

    /// <summary>(2k+1)·B for k = 0..63 in affine Niels form.</summary>
    internal static ReadOnlySpan<AffineNielsPoint> OddMultiples => _oddMultiples;

    private static AffineNielsPoint[] BuildComb()
    {
        var points = new EdwardsPoint[32 * 8];
        EdwardsPoint row = Constants.BasePoint; // 256^i · B
        for (int i = 0; i < 32; i++)
        {
            EdwardsPoint multiple = row;
            for (int j = 0; j < 8; j++)
            {
                points[(i * 8) + j] = multiple;
                multiple = multiple.Add(row);
            }

            for (int k = 0; k < 8; k++)
            {
                row = row.Double();
            }
        }

        return ToAffineNielsBatch(points);
    }

    /// <summary>Converts many points to affine Niels form with one inversion (Montgomery's trick).</summary>
    private static AffineNielsPoint[] ToAffineNielsBatch(EdwardsPoint[] points)
    {
        var prefix = new FieldElement[points.Length];
        FieldElement acc = FieldElement.One;
        for (int i = 0; i < points.Length; i++)
        {
            acc = FieldElement.Mul(acc, points[i].Z);
            prefix[i] = acc;
        }

        FieldElement inv = FieldElement.Invert(acc); // 1 / (Z0 · … · Zn-1)
        var result = new AffineNielsPoint[points.Length];
        for (int i = points.Length - 1; i > 0; i--)
        {
            result[i] = points[i].ToAffineNiels(FieldElement.Mul(inv, prefix[i - 1]));
            inv = FieldElement.Mul(inv, points[i].Z);
        }

        result[0] = points[0].ToAffineNiels(inv);
        return result;
    }

    private static ulong[] Flatten(AffineNielsPoint[] points)
    {
        ulong[] flat = new ulong[points.Length * EntryWords];
        for (int i = 0; i < points.Length; i++)
        {
            Span<ulong> e = flat.AsSpan(i * EntryWords, EntryWords);
            Store(points[i].YPlusX, e);
            Store(points[i].YMinusX, e[5..]);
            Store(points[i].XY2D, e[10..]);
        }

        return flat;
    }

    private static void Store(in FieldElement f, Span<ulong> s)
    {
        s[0] = f.L0;
        s[1] = f.L1;
        s[2] = f.L2;
        s[3] = f.L3;
        s[4] = f.L4;
    }

    private static AffineNielsPoint[] BuildOddMultiples()
    {
        var points = new EdwardsPoint[1 << (BaseNafWidth - 2)];
        EdwardsPoint b = Constants.BasePoint;
        EdwardsPoint b2 = b.Double();
        EdwardsPoint p = b;
        for (int i = 0; i < points.Length; i++)
        {
            points[i] = p;
            p = p.Add(b2);
        }

        return ToAffineNielsBatch(points);
    }

    /// <summary>
    /// a·B for a 32-byte little-endian scalar with a[31] ≤ 127. Constant time in the scalar: every table row is read in
    /// full with masked selects, and no branch depends on the scalar.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static EdwardsPoint MulBase(ReadOnlySpan<byte> a)
    {
        Span<sbyte> e = stackalloc sbyte[64];
        for (int i = 0; i < 32; i++)
        {
            e[2 * i] = (sbyte)(a[i] & 15);
            e[(2 * i) + 1] = (sbyte)((a[i] >> 4) & 15);
        }

        // Recode to signed digits in [-8, 8].
        int carry = 0;
        for (int i = 0; i < 63; i++)
        {
            int v = e[i] + carry;
            carry = (v + 8) >> 4;
            e[i] = (sbyte)(v - (carry << 4));
        }

        e[63] = (sbyte)(e[63] + carry);

        EdwardsPoint h = EdwardsPoint.Identity;
        for (int i = 1; i < 64; i += 2)
        {
            AffineNielsPoint t = Select(i / 2, e[i]);
            h = CompletedPoint.AddAffine(h, t).ToExtended();
        }

        ProjectivePoint p = h.ToProjective().Double().ToProjective();
        p = p.Double().ToProjective();
        p = p.Double().ToProjective();
        h = p.Double().ToExtended();

        for (int i = 0; i < 64; i += 2)
        {
            AffineNielsPoint t = Select(i / 2, e[i]);
            h = CompletedPoint.AddAffine(h, t).ToExtended();
        }

        e.Clear();
        return h;
    }

    /// <summary>b·256^pos·B for b in [-8, 8], reading all eight entries of the row (constant time in b).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static AffineNielsPoint Select(int pos, int b)
    {
        int negative = (b >> 31) & 1;                   // 1 when b < 0
        int abs = b - ((-negative & b) << 1);

        // Start from the identity (1, 1, 0) and fold in every entry of the row under an equality mask.
        Vector256<ulong> acc0 = Vector256.Create(1UL, 0, 0, 0);
        Vector256<ulong> acc1 = Vector256.Create(0UL, 1, 0, 0);
        Vector256<ulong> acc2 = Vector256<ulong>.Zero;
        Vector256<ulong> acc3 = Vector256<ulong>.Zero;
        ref ulong row = ref MemoryMarshal.GetArrayDataReference(_comb);
        nuint offset = (nuint)(pos * 8 * EntryWords);
        for (int j = 0; j < 8; j++)
        {
            var mask = Vector256.Create(Equal(abs, j + 1));
            acc0 = Vector256.ConditionalSelect(mask, Vector256.LoadUnsafe(ref row, offset), acc0);
            acc1 = Vector256.ConditionalSelect(mask, Vector256.LoadUnsafe(ref row, offset + 4), acc1);
            acc2 = Vector256.ConditionalSelect(mask, Vector256.LoadUnsafe(ref row, offset + 8), acc2);
            acc3 = Vector256.ConditionalSelect(mask, Vector256.LoadUnsafe(ref row, offset + 12), acc3);
            offset += EntryWords;
        }

        var t = new AffineNielsPoint
        {
            YPlusX = new FieldElement(acc0.GetElement(0), acc0.GetElement(1), acc0.GetElement(2), acc0.GetElement(3), acc1.GetElement(0)),
            YMinusX = new FieldElement(acc1.GetElement(1), acc1.GetElement(2), acc1.GetElement(3), acc2.GetElement(0), acc2.GetElement(1)),
            XY2D = new FieldElement(acc2.GetElement(2), acc2.GetElement(3), acc3.GetElement(0), acc3.GetElement(1), acc3.GetElement(2)),
        };

        // Negation of (y+x, y-x, 2dxy) is (y-x, y+x, -2dxy).
        ulong negMask = 0UL - (ulong)negative;
        FieldElement.ConditionalSwap(ref t.YPlusX, ref t.YMinusX, negMask);
        t.XY2D = FieldElement.Select(t.XY2D, FieldElement.Negate(t.XY2D), negMask);
        return t;
    }

    /// <summary>All ones when a == b (both in 0..255), else zero; branch-free.</summary>
    private static ulong Equal(int a, int b)
    {
        long x = (uint)(a ^ b);              // 0 when equal, else 1..255
        ulong isZero = (ulong)(x - 1) >> 63; // x - 1 is negative only when x == 0
        return 0UL - isZero;
    }
}
