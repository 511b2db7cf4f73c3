using System.Text;
using Aster.Net.Crypto;

namespace Aster.Contracts;

/// <summary>Plain BLAKE3-256 as contract identity uses it (A1): no key, no context, no domain separation.</summary>
internal static class ContractHash
{
    public const int Size = 32;

    public static byte[] Hash(ReadOnlySpan<byte> canonicalBytes) => Blake3.Hash(canonicalBytes);

    public static string ToHex(ReadOnlySpan<byte> hash) => Convert.ToHexStringLower(hash);

    /// <summary>The hash of a bare primitive request or response type: BLAKE3 of its name (A10).</summary>
    public static byte[] HashPrimitiveName(string name) => Blake3.Hash(Encoding.UTF8.GetBytes(name));

    /// <summary>The request or response hash of a method that carries no value.</summary>
    public static byte[] Zero() => new byte[Size];
}
