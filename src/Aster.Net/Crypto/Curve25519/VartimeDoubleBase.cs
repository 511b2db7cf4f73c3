using System.Runtime.CompilerServices;

namespace Aster.Net.Crypto.Curve25519;

/// <summary>a·A + b·B for public scalars (signature verification). Variable time.</summary>
internal static class VartimeDoubleBase
{
    private const int PointNafWidth = 5;

    /// <summary>
    /// Computes a·A + b·B, where B is the base point and a, b are 32-byte little-endian scalars below 2^255, and returns
    /// the result in projective coordinates.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static ProjectivePoint Mul(ReadOnlySpan<byte> a, in EdwardsPoint pointA, ReadOnlySpan<byte> b)
    {
        Span<sbyte> nafA = stackalloc sbyte[256];
        Span<sbyte> nafB = stackalloc sbyte[256];
        Scalar.NonAdjacentForm(a, PointNafWidth, nafA);
        Scalar.NonAdjacentForm(b, BasepointTable.BaseNafWidth, nafB);

        // A, 3A, 5A, …, 15A
        Span<CachedPoint> oddA = stackalloc CachedPoint[1 << (PointNafWidth - 2)];
        oddA[0] = pointA.ToCached();
        EdwardsPoint a2 = pointA.Double();
        EdwardsPoint acc = pointA;
        for (int i = 1; i < oddA.Length; i++)
        {
            acc = CompletedPoint.Add(a2, oddA[i - 1]).ToExtended();
            oddA[i] = acc.ToCached();
        }

        ReadOnlySpan<AffineNielsPoint> oddB = BasepointTable.OddMultiples;

        int top = 255;
        while (top >= 0 && nafA[top] == 0 && nafB[top] == 0)
        {
            top--;
        }

        ProjectivePoint r = ProjectivePoint.Identity;
        for (int i = top; i >= 0; i--)
        {
            CompletedPoint t = r.Double();
            int da = nafA[i];
            int db = nafB[i];
            if (da > 0)
            {
                t = CompletedPoint.Add(t.ToExtended(), oddA[da >> 1]);
            }
            else if (da < 0)
            {
                t = CompletedPoint.Sub(t.ToExtended(), oddA[(-da) >> 1]);
            }

            if (db > 0)
            {
                t = CompletedPoint.AddAffine(t.ToExtended(), oddB[db >> 1]);
            }
            else if (db < 0)
            {
                t = CompletedPoint.SubAffine(t.ToExtended(), oddB[(-db) >> 1]);
            }

            r = t.ToProjective();
        }

        return r;
    }
}
