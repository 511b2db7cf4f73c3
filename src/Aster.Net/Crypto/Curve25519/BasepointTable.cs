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

    private static readonly AffineNielsPoint[] _comb = BuildComb();
    private static readonly AffineNielsPoint[] _oddMultiples = BuildOddMultiples();

    /// <summary>(2k+1)·B for k = 0..63 in affine Niels form.</summary>
    internal static ReadOnlySpan<AffineNielsPoint> OddMultiples => _oddMultiples;

    private static AffineNielsPoint[] BuildComb()
    {
        var table = new AffineNielsPoint[32 * 8];
        EdwardsPoint row = Constants.BasePoint; // 256^i · B
        for (int i = 0; i < 32; i++)
        {
            EdwardsPoint multiple = row;
            for (int j = 0; j < 8; j++)
            {
                table[(i * 8) + j] = multiple.ToAffineNiels();
                multiple = multiple.Add(row);
            }

            for (int k = 0; k < 8; k++)
            {
                row = row.Double();
            }
        }

        return table;
    }

    private static AffineNielsPoint[] BuildOddMultiples()
    {
        var table = new AffineNielsPoint[1 << (BaseNafWidth - 2)];
        EdwardsPoint b = Constants.BasePoint;
        EdwardsPoint b2 = b.Double();
        EdwardsPoint p = b;
        for (int i = 0; i < table.Length; i++)
        {
            table[i] = p.ToAffineNiels();
            p = p.Add(b2);
        }

        return table;
    }

    /// <summary>
    /// a·B for a 32-byte little-endian scalar with a[31] ≤ 127. Constant time in the scalar: every table row is read in
    /// full with masked selects, and no branch depends on the scalar.
    /// </summary>
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
    private static AffineNielsPoint Select(int pos, int b)
    {
        int negative = (b >> 31) & 1;                   // 1 when b < 0
        int abs = b - ((-negative & b) << 1);
        AffineNielsPoint t = AffineNielsPoint.Identity;
        ReadOnlySpan<AffineNielsPoint> row = _comb.AsSpan(pos * 8, 8);
        for (int j = 0; j < 8; j++)
        {
            t = AffineNielsPoint.Select(t, row[j], Equal(abs, j + 1));
        }

        // Negation of (y+x, y-x, 2dxy) is (y-x, y+x, -2dxy).
        ulong negMask = 0UL - (ulong)negative;
        var minus = new AffineNielsPoint
        {
            YPlusX = t.YMinusX,
            YMinusX = t.YPlusX,
            XY2D = FieldElement.Negate(t.XY2D),
        };
        return AffineNielsPoint.Select(t, minus, negMask);
    }

    /// <summary>All ones when a == b (both in 0..255), else zero; branch-free.</summary>
    private static ulong Equal(int a, int b)
    {
        long x = (uint)(a ^ b);              // 0 when equal, else 1..255
        ulong isZero = (ulong)(x - 1) >> 63; // x - 1 is negative only when x == 0
        return 0UL - isZero;
    }
}
