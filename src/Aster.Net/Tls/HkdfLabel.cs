using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Aster.Net.Tls;

/// <summary>
/// TLS 1.3 HKDF-Expand-Label (RFC 8446, section 7.1), shared by the TLS key schedule and QUIC packet protection
/// (RFC 9001, section 5.1: <c>quic key</c>, <c>quic iv</c>, <c>quic hp</c>, <c>quic ku</c>).
/// </summary>
internal static class HkdfLabel
{
    private const int MaxLabelBytes = 255 - 6;
    private static readonly byte[] _prefix = "tls13 "u8.ToArray();

    /// <summary>Expands <paramref name="secret"/> with <c>"tls13 " + label</c> and <paramref name="context"/> into <paramref name="output"/>.</summary>
    public static void Expand(HashAlgorithmName hash, ReadOnlySpan<byte> secret, string label, ReadOnlySpan<byte> context, Span<byte> output)
    {
        int labelBytes = Encoding.ASCII.GetByteCount(label);
        if (labelBytes > MaxLabelBytes || context.Length > 255 || output.Length > ushort.MaxValue)
        {
            throw new ArgumentException("HKDF label, context or output length out of range.");
        }

        Span<byte> info = stackalloc byte[2 + 1 + 6 + labelBytes + 1 + context.Length];
        BinaryPrimitives.WriteUInt16BigEndian(info, (ushort)output.Length);
        info[2] = (byte)(6 + labelBytes);
        _prefix.CopyTo(info[3..]);
        Encoding.ASCII.GetBytes(label, info.Slice(9, labelBytes));
        info[9 + labelBytes] = (byte)context.Length;
        context.CopyTo(info[(10 + labelBytes)..]);
        HKDF.Expand(hash, secret, output, info);
    }

    /// <summary>Expands into a new array of <paramref name="length"/> bytes.</summary>
    public static byte[] Expand(HashAlgorithmName hash, ReadOnlySpan<byte> secret, string label, ReadOnlySpan<byte> context, int length)
    {
        byte[] output = new byte[length];
        Expand(hash, secret, label, context, output);
        return output;
    }
}
