namespace Aster.Net.Crypto.Curve25519;

/// <summary>Curve constants, derived at type initialisation from their definitions (RFC 7748 §4.1, RFC 8032 §5.1).</summary>
internal static class Constants
{
    /// <summary>d = -121665/121666.</summary>
    internal static readonly FieldElement D;

    /// <summary>2d.</summary>
    internal static readonly FieldElement D2;

    /// <summary>sqrt(-1) = 2^((p-1)/4).</summary>
    internal static readonly FieldElement SqrtM1;

    /// <summary>The Ed25519 base point B (y = 4/5, x even).</summary>
    internal static readonly EdwardsPoint BasePoint;

    static Constants()
    {
        FieldElement d = FieldElement.Mul(
            FieldElement.Negate(FieldElement.FromUInt(121665)),
            FieldElement.Invert(FieldElement.FromUInt(121666)));
        D = Normalize(d);
        D2 = Normalize(FieldElement.Add(d, d));

        // (p - 1) / 4 = 2^253 - 5, little-endian.
        Span<byte> e = stackalloc byte[32];
        e.Fill(0xff);
        e[0] = 0xfb;
        e[31] = 0x1f;
        SqrtM1 = Normalize(FieldElement.PowVartime(FieldElement.FromUInt(2), e));

        FieldElement y = FieldElement.Mul(FieldElement.FromUInt(4), FieldElement.Invert(FieldElement.FromUInt(5)));
        Span<byte> encoded = stackalloc byte[32];
        y.ToBytes(encoded);
        if (!EdwardsPoint.TryDecode(encoded, out EdwardsPoint b))
        {
            throw new InvalidOperationException("Ed25519 base point failed to decode.");
        }

        BasePoint = b;
    }

    private static FieldElement Normalize(in FieldElement a)
    {
        Span<byte> s = stackalloc byte[32];
        a.ToBytes(s);
        return FieldElement.FromBytes(s);
    }
}
