using System.Buffers.Binary;
using System.Numerics;

namespace Aster.Fory.Meta;

/// <summary>MurmurHash3_x64_128 (the first 64-bit half), as Fory uses it for TypeDef headers and meta strings.</summary>
internal static class MurmurHash3
{
    private const ulong C1 = 0x87c37b91114253d5UL;
    private const ulong C2 = 0x4cf5ad432745937fUL;

    /// <summary>Returns h1 of MurmurHash3_x64_128(data, seed).</summary>
    public static ulong Hash64(ReadOnlySpan<byte> data, uint seed)
    {
        int length = data.Length;
        int blocks = length / 16;
        ulong h1 = seed;
        ulong h2 = seed;
        for (int i = 0; i < blocks; i++)
        {
            ulong k1 = BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(i * 16));
            ulong k2 = BinaryPrimitives.ReadUInt64LittleEndian(data.Slice((i * 16) + 8));
            k1 *= C1;
            k1 = BitOperations.RotateLeft(k1, 31);
            k1 *= C2;
            h1 ^= k1;
            h1 = BitOperations.RotateLeft(h1, 27);
            h1 += h2;
            h1 = (h1 * 5) + 0x52dce729;
            k2 *= C2;
            k2 = BitOperations.RotateLeft(k2, 33);
            k2 *= C1;
            h2 ^= k2;
            h2 = BitOperations.RotateLeft(h2, 31);
            h2 += h1;
            h2 = (h2 * 5) + 0x38495ab5;
        }

        ReadOnlySpan<byte> tail = data.Slice(blocks * 16);
        ulong t1 = 0;
        ulong t2 = 0;
        for (int i = tail.Length - 1; i >= 8; i--)
        {
            t2 = (t2 << 8) | tail[i];
        }

        for (int i = Math.Min(tail.Length, 8) - 1; i >= 0; i--)
        {
            t1 = (t1 << 8) | tail[i];
        }

        if (tail.Length > 8)
        {
            t2 *= C2;
            t2 = BitOperations.RotateLeft(t2, 33);
            t2 *= C1;
            h2 ^= t2;
        }

        if (tail.Length > 0)
        {
            t1 *= C1;
            t1 = BitOperations.RotateLeft(t1, 31);
            t1 *= C2;
            h1 ^= t1;
        }

        h1 ^= (ulong)length;
        h2 ^= (ulong)length;
        h1 += h2;
        h2 += h1;
        h1 = FMix(h1);
        h2 = FMix(h2);
        h1 += h2;
        return h1;
    }

    private static ulong FMix(ulong k)
    {
        k ^= k >> 33;
        k *= 0xff51afd7ed558ccdUL;
        k ^= k >> 33;
        k *= 0xc4ceb9fe1a85ec53UL;
        k ^= k >> 33;
        return k;
    }
}
