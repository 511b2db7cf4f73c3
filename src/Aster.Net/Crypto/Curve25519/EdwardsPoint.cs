using System.Runtime.CompilerServices;

namespace Aster.Net.Crypto.Curve25519;

/// <summary>A point on edwards25519 in extended coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, T = XY/Z ("P3" in ref10).</summary>
internal struct EdwardsPoint
{
    internal FieldElement X;
    internal FieldElement Y;
    internal FieldElement Z;
    internal FieldElement T;

    internal static EdwardsPoint Identity => new() { Y = FieldElement.One, Z = FieldElement.One };

    /// <summary>Encodes as 32 bytes: y with the sign of x in the top bit (RFC 8032 §5.1.2).</summary>
    internal readonly void Encode(Span<byte> s) => ProjectivePoint.Encode(X, Y, Z, s);

    /// <summary>
    /// Strict decoding (RFC 8032 §5.1.3): rejects y ≥ p, x = 0 with the sign bit set, and y with no matching x.
    /// Variable time: for public data only.
    /// </summary>
    internal static bool TryDecode(ReadOnlySpan<byte> s, out EdwardsPoint point)
    {
        point = default;
        if (!IsCanonicalFieldEncoding(s))
        {
            return false;
        }

        FieldElement y = FieldElement.FromBytes(s);
        FieldElement yy = FieldElement.Square(y);
        FieldElement u = FieldElement.Sub(yy, FieldElement.One);                        // y^2 - 1
        FieldElement v = FieldElement.Add(FieldElement.Mul(yy, Constants.D), FieldElement.One); // d y^2 + 1
        if (!SqrtRatio(u, v, out FieldElement x))
        {
            return false;
        }

        int sign = s[31] >> 7;
        bool xIsZero = x.IsZero();
        if (xIsZero && sign == 1)
        {
            return false;
        }

        if (x.IsNegative() != sign)
        {
            x = FieldElement.Negate(x);
        }

        point.X = x;
        point.Y = y;
        point.Z = FieldElement.One;
        point.T = FieldElement.Mul(x, y);
        return true;
    }

    /// <summary>x = sqrt(u/v) when it exists (the root returned is not normalised in sign). Variable time.</summary>
    internal static bool SqrtRatio(in FieldElement u, in FieldElement v, out FieldElement x)
    {
        FieldElement v3 = FieldElement.Mul(FieldElement.Square(v), v);
        FieldElement v7 = FieldElement.Mul(FieldElement.Square(v3), v);
        x = FieldElement.Mul(FieldElement.Mul(u, v3), FieldElement.Pow22523(FieldElement.Mul(u, v7)));

        FieldElement vxx = FieldElement.Mul(v, FieldElement.Square(x));
        if (vxx.EqualsVartime(u))
        {
            return true;
        }

        if (vxx.EqualsVartime(FieldElement.Negate(u)))
        {
            x = FieldElement.Mul(x, Constants.SqrtM1);
            return true;
        }

        return false;
    }

    /// <summary>True when the 32 bytes, top bit cleared, encode an integer below p = 2^255 - 19.</summary>
    internal static bool IsCanonicalFieldEncoding(ReadOnlySpan<byte> s)
    {
        // p = 0x7fff…ffed. Non-canonical values are p … 2^255 - 1: bytes 1..30 all 0xff, byte 31 (sans sign) 0x7f, byte 0 >= 0xed.
        if ((s[31] & 0x7f) != 0x7f)
        {
            return true;
        }

        for (int i = 30; i >= 1; i--)
        {
            if (s[i] != 0xff)
            {
                return true;
            }
        }

        return s[0] < 0xed;
    }

    internal readonly EdwardsPoint Negate() => new()
    {
        X = FieldElement.Negate(X),
        Y = Y,
        Z = Z,
        T = FieldElement.Negate(T),
    };

    internal readonly CachedPoint ToCached() => new()
    {
        YPlusX = FieldElement.Add(Y, X),
        YMinusX = FieldElement.Sub(Y, X),
        Z = Z,
        T2D = FieldElement.Mul(T, Constants.D2),
    };

    internal readonly ProjectivePoint ToProjective() => new() { X = X, Y = Y, Z = Z };

    /// <summary>Converts to affine Niels form (one inversion); used to build tables.</summary>
    internal readonly AffineNielsPoint ToAffineNiels() => ToAffineNiels(FieldElement.Invert(Z));

    /// <summary>Converts to affine Niels form given 1/Z (for batch conversion).</summary>
    internal readonly AffineNielsPoint ToAffineNiels(in FieldElement zInv)
    {
        FieldElement x = FieldElement.Mul(X, zInv);
        FieldElement y = FieldElement.Mul(Y, zInv);
        return new AffineNielsPoint
        {
            YPlusX = FieldElement.Carry(FieldElement.Add(y, x)),
            YMinusX = FieldElement.Sub(y, x),
            XY2D = FieldElement.Mul(FieldElement.Mul(x, y), Constants.D2),
        };
    }

    internal readonly EdwardsPoint Double() => ToProjective().Double().ToExtended();

    internal readonly EdwardsPoint Add(in EdwardsPoint other)
    {
        CachedPoint c = other.ToCached();
        return CompletedPoint.Add(this, c).ToExtended();
    }

    /// <summary>Multiplies by the cofactor 8.</summary>
    internal readonly EdwardsPoint MulByCofactor()
    {
        ProjectivePoint p = ToProjective().Double().ToProjective().Double().ToProjective();
        return p.Double().ToExtended();
    }

    /// <summary>True when the point is the identity (variable time).</summary>
    internal readonly bool IsIdentityVartime() => X.IsZero() && FieldElement.Sub(Y, Z).IsZero();

    /// <summary>True when the point has order dividing 8 (variable time).</summary>
    internal readonly bool IsSmallOrderVartime() => MulByCofactor().IsIdentityVartime();
}

/// <summary>Projective point (X:Y:Z) ("P2" in ref10).</summary>
internal struct ProjectivePoint
{
    internal FieldElement X;
    internal FieldElement Y;
    internal FieldElement Z;

    internal static ProjectivePoint Identity => new() { Y = FieldElement.One, Z = FieldElement.One };

    /// <summary>2·P in completed coordinates (ref10 ge_p2_dbl).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal readonly CompletedPoint Double()
    {
        FieldElement xx = FieldElement.Square(X);
        FieldElement yy = FieldElement.Square(Y);
        FieldElement zz2 = FieldElement.Square(Z);
        zz2 = FieldElement.Add(zz2, zz2);
        FieldElement xPlusY = FieldElement.Add(X, Y);
        FieldElement t0 = FieldElement.Square(xPlusY);
        FieldElement ry = FieldElement.Add(yy, xx);
        FieldElement rz = FieldElement.Sub(yy, xx);
        return new CompletedPoint
        {
            X = FieldElement.Sub(t0, ry),
            Y = ry,
            Z = rz,
            T = FieldElement.Sub(zz2, rz),
        };
    }

    internal static void Encode(in FieldElement x, in FieldElement y, in FieldElement z, Span<byte> s)
    {
        FieldElement zInv = FieldElement.Invert(z);
        FieldElement ax = FieldElement.Mul(x, zInv);
        FieldElement ay = FieldElement.Mul(y, zInv);
        ay.ToBytes(s);
        s[31] ^= (byte)(ax.IsNegative() << 7);
    }

    internal readonly void Encode(Span<byte> s) => Encode(X, Y, Z, s);
}

/// <summary>Completed point ((X:Z), (Y:T)) ("P1P1" in ref10): the output of additions and doublings.</summary>
internal struct CompletedPoint
{
    internal FieldElement X;
    internal FieldElement Y;
    internal FieldElement Z;
    internal FieldElement T;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal readonly ProjectivePoint ToProjective() => new()
    {
        X = FieldElement.Mul(X, T),
        Y = FieldElement.Mul(Y, Z),
        Z = FieldElement.Mul(Z, T),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal readonly EdwardsPoint ToExtended() => new()
    {
        X = FieldElement.Mul(X, T),
        Y = FieldElement.Mul(Y, Z),
        Z = FieldElement.Mul(Z, T),
        T = FieldElement.Mul(X, Y),
    };

    /// <summary>p + q (ref10 ge_add).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static CompletedPoint Add(in EdwardsPoint p, in CachedPoint q)
    {
        FieldElement a = FieldElement.Mul(FieldElement.Add(p.Y, p.X), q.YPlusX);
        FieldElement b = FieldElement.Mul(FieldElement.Sub(p.Y, p.X), q.YMinusX);
        FieldElement c = FieldElement.Mul(q.T2D, p.T);
        FieldElement zz = FieldElement.Mul(p.Z, q.Z);
        FieldElement d = FieldElement.Add(zz, zz);
        return new CompletedPoint
        {
            X = FieldElement.Sub(a, b),
            Y = FieldElement.Add(a, b),
            Z = FieldElement.Add(d, c),
            T = FieldElement.Sub(d, c),
        };
    }

    /// <summary>p - q (ref10 ge_sub).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static CompletedPoint Sub(in EdwardsPoint p, in CachedPoint q)
    {
        FieldElement a = FieldElement.Mul(FieldElement.Add(p.Y, p.X), q.YMinusX);
        FieldElement b = FieldElement.Mul(FieldElement.Sub(p.Y, p.X), q.YPlusX);
        FieldElement c = FieldElement.Mul(q.T2D, p.T);
        FieldElement zz = FieldElement.Mul(p.Z, q.Z);
        FieldElement d = FieldElement.Add(zz, zz);
        return new CompletedPoint
        {
            X = FieldElement.Sub(a, b),
            Y = FieldElement.Add(a, b),
            Z = FieldElement.Sub(d, c),
            T = FieldElement.Add(d, c),
        };
    }

    /// <summary>p + q for q in affine Niels form (ref10 ge_madd).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static CompletedPoint AddAffine(in EdwardsPoint p, in AffineNielsPoint q)
    {
        FieldElement a = FieldElement.Mul(FieldElement.Add(p.Y, p.X), q.YPlusX);
        FieldElement b = FieldElement.Mul(FieldElement.Sub(p.Y, p.X), q.YMinusX);
        FieldElement c = FieldElement.Mul(q.XY2D, p.T);
        FieldElement d = FieldElement.Add(p.Z, p.Z);
        return new CompletedPoint
        {
            X = FieldElement.Sub(a, b),
            Y = FieldElement.Add(a, b),
            Z = FieldElement.Add(d, c),
            T = FieldElement.Sub(d, c),
        };
    }

    /// <summary>p - q for q in affine Niels form (ref10 ge_msub).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static CompletedPoint SubAffine(in EdwardsPoint p, in AffineNielsPoint q)
    {
        FieldElement a = FieldElement.Mul(FieldElement.Add(p.Y, p.X), q.YMinusX);
        FieldElement b = FieldElement.Mul(FieldElement.Sub(p.Y, p.X), q.YPlusX);
        FieldElement c = FieldElement.Mul(q.XY2D, p.T);
        FieldElement d = FieldElement.Add(p.Z, p.Z);
        return new CompletedPoint
        {
            X = FieldElement.Sub(a, b),
            Y = FieldElement.Add(a, b),
            Z = FieldElement.Sub(d, c),
            T = FieldElement.Add(d, c),
        };
    }
}

/// <summary>(Y+X, Y-X, Z, 2dT): an addend in extended form ("cached" in ref10).</summary>
internal struct CachedPoint
{
    internal FieldElement YPlusX;
    internal FieldElement YMinusX;
    internal FieldElement Z;
    internal FieldElement T2D;
}

/// <summary>(y+x, y-x, 2dxy) for an affine point ("precomp" in ref10); the identity is (1, 1, 0).</summary>
internal struct AffineNielsPoint
{
    internal FieldElement YPlusX;
    internal FieldElement YMinusX;
    internal FieldElement XY2D;

    internal static AffineNielsPoint Identity => new() { YPlusX = FieldElement.One, YMinusX = FieldElement.One };

    /// <summary>Returns <paramref name="b"/> when <paramref name="mask"/> is all ones, else <paramref name="a"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static AffineNielsPoint Select(in AffineNielsPoint a, in AffineNielsPoint b, ulong mask) => new()
    {
        YPlusX = FieldElement.Select(a.YPlusX, b.YPlusX, mask),
        YMinusX = FieldElement.Select(a.YMinusX, b.YMinusX, mask),
        XY2D = FieldElement.Select(a.XY2D, b.XY2D, mask),
    };
}
