namespace Aster.Testing;

/// <summary>Hex helpers for golden data (lower-case hex, as the vector files use).</summary>
internal static class Hex
{
    public static byte[] Decode(string hex) => Convert.FromHexString(hex);

    public static string Encode(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
