using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Aster.Net.Crypto;

/// <summary>
/// The single-block BLAKE3 compression function. The portable version has all seven rounds unrolled, the message schedule applied by indexing
/// (no permutation at run time), state in locals.
/// </summary>
internal static class Blake3Scalar
{
    /// <summary>Compresses one block into <paramref name="cv"/> in place, with <see cref="Blake3Rows"/> where supported.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Compress(ref Blake3Cv cv, ReadOnlySpan<byte> block, ulong counter, uint blockLen, uint flags)
    {
        if (Blake3Rows.IsSupported)
        {
            Blake3Rows.Compress(ref cv, block, counter, blockLen, flags);
        }
        else
        {
            CompressPortable(ref cv, block, counter, blockLen, flags);
        }
    }

    /// <summary>Compresses one block and writes the 64-byte extended output, with <see cref="Blake3Rows"/> where supported.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CompressXof(in Blake3Cv cv, ReadOnlySpan<byte> block, ulong counter, uint blockLen, uint flags, Span<byte> output)
    {
        if (Blake3Rows.IsSupported)
        {
            Blake3Rows.CompressXof(cv, block, counter, blockLen, flags, output);
        }
        else
        {
            CompressXofPortable(cv, block, counter, blockLen, flags, output);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Load(ref byte block, int offset)
    {
        uint value = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref block, offset));
        return BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref byte destination, int offset, uint value)
    {
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref destination, offset), BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value));
    }

    /// <summary>Compresses one block into <paramref name="cv"/> in place (the first half of the output).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CompressPortable(ref Blake3Cv cv, ReadOnlySpan<byte> block, ulong counter, uint blockLen, uint flags)
    {
        ref byte b = ref MemoryMarshal.GetReference(block[..Blake3Core.BlockLen]);
        uint m0 = Load(ref b, 0), m1 = Load(ref b, 4), m2 = Load(ref b, 8), m3 = Load(ref b, 12);
        uint m4 = Load(ref b, 16), m5 = Load(ref b, 20), m6 = Load(ref b, 24), m7 = Load(ref b, 28);
        uint m8 = Load(ref b, 32), m9 = Load(ref b, 36), m10 = Load(ref b, 40), m11 = Load(ref b, 44);
        uint m12 = Load(ref b, 48), m13 = Load(ref b, 52), m14 = Load(ref b, 56), m15 = Load(ref b, 60);

        uint v0 = cv[0], v1 = cv[1], v2 = cv[2], v3 = cv[3], v4 = cv[4], v5 = cv[5], v6 = cv[6], v7 = cv[7];
        uint v8 = Blake3Core.Iv0, v9 = Blake3Core.Iv1, v10 = Blake3Core.Iv2, v11 = Blake3Core.Iv3;
        uint v12 = (uint)counter, v13 = (uint)(counter >> 32), v14 = blockLen, v15 = flags;

        // Round 1.
        v0 = v0 + v4 + m0; v12 = BitOperations.RotateRight(v12 ^ v0, 16); v8 += v12; v4 = BitOperations.RotateRight(v4 ^ v8, 12);
        v0 = v0 + v4 + m1; v12 = BitOperations.RotateRight(v12 ^ v0, 8); v8 += v12; v4 = BitOperations.RotateRight(v4 ^ v8, 7);
        v1 = v1 + v5 + m2; v13 = BitOperations.RotateRight(v13 ^ v1, 16); v9 += v13; v5 = BitOperations.RotateRight(v5 ^ v9, 12);
        v1 = v1 + v5 + m3; v13 = BitOperations.RotateRight(v13 ^ v1, 8); v9 += v13; v5 = BitOperations.RotateRight(v5 ^ v9, 7);
        v2 = v2 + v6 + m4; v14 = BitOperations.RotateRight(v14 ^ v2, 16); v10 += v14; v6 = BitOperations.RotateRight(v6 ^ v10, 12);
        v2 = v2 + v6 + m5; v14 = BitOperations.RotateRight(v14 ^ v2, 8); v10 += v14; v6 = BitOperations.RotateRight(v6 ^ v10, 7);
        v3 = v3 + v7 + m6; v15 = BitOperations.RotateRight(v15 ^ v3, 16); v11 += v15; v7 = BitOperations.RotateRight(v7 ^ v11, 12);
        v3 = v3 + v7 + m7; v15 = BitOperations.RotateRight(v15 ^ v3, 8); v11 += v15; v7 = BitOperations.RotateRight(v7 ^ v11, 7);
        v0 = v0 + v5 + m8; v15 = BitOperations.RotateRight(v15 ^ v0, 16); v10 += v15; v5 = BitOperations.RotateRight(v5 ^ v10, 12);
        v0 = v0 + v5 + m9; v15 = BitOperations.RotateRight(v15 ^ v0, 8); v10 += v15; v5 = BitOperations.RotateRight(v5 ^ v10, 7);
        v1 = v1 + v6 + m10; v12 = BitOperations.RotateRight(v12 ^ v1, 16); v11 += v12; v6 = BitOperations.RotateRight(v6 ^ v11, 12);
        v1 = v1 + v6 + m11; v12 = BitOperations.RotateRight(v12 ^ v1, 8); v11 += v12; v6 = BitOperations.RotateRight(v6 ^ v11, 7);
        v2 = v2 + v7 + m12; v13 = BitOperations.RotateRight(v13 ^ v2, 16); v8 += v13; v7 = BitOperations.RotateRight(v7 ^ v8, 12);
        v2 = v2 + v7 + m13; v13 = BitOperations.RotateRight(v13 ^ v2, 8); v8 += v13; v7 = BitOperations.RotateRight(v7 ^ v8, 7);
        v3 = v3 + v4 + m14; v14 = BitOperations.RotateRight(v14 ^ v3, 16); v9 += v14; v4 = BitOperations.RotateRight(v4 ^ v9, 12);
        v3 = v3 + v4 + m15; v14 = BitOperations.RotateRight(v14 ^ v3, 8); v9 += v14; v4 = BitOperations.RotateRight(v4 ^ v9, 7);
        // Round 2.
        v0 = v0 + v4 + m2; v12 = BitOperations.RotateRight(v12 ^ v0, 16); v8 += v12; v4 = BitOperations.RotateRight(v4 ^ v8, 12);
        v0 = v0 + v4 + m6; v12 = BitOperations.RotateRight(v12 ^ v0, 8); v8 += v12; v4 = BitOperations.RotateRight(v4 ^ v8, 7);
        v1 = v1 + v5 + m3; v13 = BitOperations.RotateRight(v13 ^ v1, 16); v9 += v13; v5 = BitOperations.RotateRight(v5 ^ v9, 12);
        v1 = v1 + v5 + m10; v13 = BitOperations.RotateRight(v13 ^ v1, 8); v9 += v13; v5 = BitOperations.RotateRight(v5 ^ v9, 7);
        v2 = v2 + v6 + m7; v14 = BitOperations.RotateRight(v14 ^ v2, 16); v10 += v14; v6 = BitOperations.RotateRight(v6 ^ v10, 12);
        v2 = v2 + v6 + m0; v14 = BitOperations.RotateRight(v14 ^ v2, 8); v10 += v14; v6 = BitOperations.RotateRight(v6 ^ v10, 7);
        v3 = v3 + v7 + m4; v15 = BitOperations.RotateRight(v15 ^ v3, 16); v11 += v15; v7 = BitOperations.RotateRight(v7 ^ v11, 12);
        v3 = v3 + v7 + m13; v15 = BitOperations.RotateRight(v15 ^ v3, 8); v11 += v15; v7 = BitOperations.RotateRight(v7 ^ v11, 7);
        v0 = v0 + v5 + m1; v15 = BitOperations.RotateRight(v15 ^ v0, 16); v10 += v15; v5 = BitOperations.RotateRight(v5 ^ v10, 12);
        v0 = v0 + v5 + m11; v15 = BitOperations.RotateRight(v15 ^ v0, 8); v10 += v15; v5 = BitOperations.RotateRight(v5 ^ v10, 7);
        v1 = v1 + v6 + m12; v12 = BitOperations.RotateRight(v12 ^ v1, 16); v11 += v12; v6 = BitOperations.RotateRight(v6 ^ v11, 12);
        v1 = v1 + v6 + m5; v12 = BitOperations.RotateRight(v12 ^ v1, 8); v11 += v12; v6 = BitOperations.RotateRight(v6 ^ v11, 7);
        v2 = v2 + v7 + m9; v13 = BitOperations.RotateRight(v13 ^ v2, 16); v8 += v13; v7 = BitOperations.RotateRight(v7 ^ v8, 12);
        v2 = v2 + v7 + m14; v13 = BitOperations.RotateRight(v13 ^ v2, 8); v8 += v13; v7 = BitOperations.RotateRight(v7 ^ v8, 7);
        v3 = v3 + v4 + m15; v14 = BitOperations.RotateRight(v14 ^ v3, 16); v9 += v14; v4 = BitOperations.RotateRight(v4 ^ v9, 12);
        v3 = v3 + v4 + m8; v14 = BitOperations.RotateRight(v14 ^ v3, 8); v9 += v14; v4 = BitOperations.RotateRight(v4 ^ v9, 7);
        // Round 3.
        v0 = v0 + v4 + m3; v12 = BitOperations.RotateRight(v12 ^ v0, 16); v8 += v12; v4 = BitOperations.RotateRight(v4 ^ v8, 12);
        v0 = v0 + v4 + m4; v12 = BitOperations.RotateRight(v12 ^ v0, 8); v8 += v12; v4 = BitOperations.RotateRight(v4 ^ v8, 7);
        v1 = v1 + v5 + m10; v13 = BitOperations.RotateRight(v13 ^ v1, 16); v9 += v13; v5 = BitOperations.RotateRight(v5 ^ v9, 12);
        v1 = v1 + v5 + m12; v13 = BitOperations.RotateRight(v13 ^ v1, 8); v9 += v13; v5 = BitOperations.RotateRight(v5 ^ v9, 7);
        v2 = v2 + v6 + m13; v14 = BitOperations.RotateRight(v14 ^ v2, 16); v10 += v14; v6 = BitOperations.RotateRight(v6 ^ v10, 12);
        v2 = v2 + v6 + m2; v14 = BitOperations.RotateRight(v14 ^ v2, 8); v10 += v14; v6 = BitOperations.RotateRight(v6 ^ v10, 7);
        v3 = v3 + v7 + m7; v15 = BitOperations.RotateRight(v15 ^ v3, 16); v11 += v15; v7 = BitOperations.RotateRight(v7 ^ v11, 12);
        v3 = v3 + v7 + m14; v15 = BitOperations.RotateRight(v15 ^ v3, 8); v11 += v15; v7 = BitOperations.RotateRight(v7 ^ v11, 7);
        v0 = v0 + v5 + m6; v15 = BitOperations.RotateRight(v15 ^ v0, 16); v10 += v15; v5 = BitOperations.RotateRight(v5 ^ v10, 12);
        v0 = v0 + v5 + m5; v15 = BitOperations.RotateRight(v15 ^ v0, 8); v10 += v15; v5 = BitOperations.RotateRight(v5 ^ v10, 7);
        v1 = v1 + v6 + m9; v12 = BitOperations.RotateRight(v12 ^ v1, 16); v11 += v12; v6 = BitOperations.RotateRight(v6 ^ v11, 12);
        v1 = v1 + v6 + m0; v12 = BitOperations.RotateRight(v12 ^ v1, 8); v11 += v12; v6 = BitOperations.RotateRight(v6 ^ v11, 7);
        v2 = v2 + v7 + m11; v13 = BitOperations.RotateRight(v13 ^ v2, 16); v8 += v13; v7 = BitOperations.RotateRight(v7 ^ v8, 12);
        v2 = v2 + v7 + m15; v13 = BitOperations.RotateRight(v13 ^ v2, 8); v8 += v13; v7 = BitOperations.RotateRight(v7 ^ v8, 7);
        v3 = v3 + v4 + m8; v14 = BitOperations.RotateRight(v14 ^ v3, 16); v9 += v14; v4 = BitOperations.RotateRight(v4 ^ v9, 12);
        v3 = v3 + v4 + m1; v14 = BitOperations.RotateRight(v14 ^ v3, 8); v9 += v14; v4 = BitOperations.RotateRight(v4 ^ v9, 7);
        // Round 4.
        v0 = v0 + v4 + m10; v12 = BitOperations.RotateRight(v12 ^ v0, 16); v8 += v12; v4 = BitOperations.RotateRight(v4 ^ v8, 12);
        v0 = v0 + v4 + m7; v12 = BitOperations.RotateRight(v12 ^ v0, 8); v8 += v12; v4 = BitOperations.RotateRight(v4 ^ v8, 7);
        v1 = v1 + v5 + m12; v13 = BitOperations.RotateRight(v13 ^ v1, 16); v9 += v13; v5 = BitOperations.RotateRight(v5 ^ v9, 12);
        v1 = v1 + v5 + m9; v13 = BitOperations.RotateRight(v13 ^ v1, 8); v9 += v13; v5 = BitOperations.RotateRight(v5 ^ v9, 7);
        v2 = v2 + v6 + m14; v14 = BitOperations.RotateRight(v14 ^ v2, 16); v10 += v14; v6 = BitOperations.RotateRight(v6 ^ v10, 12);
        v2 = v2 + v6 + m3; v14 = BitOperations.RotateRight(v14 ^ v2, 8); v10 += v14; v6 = BitOperations.RotateRight(v6 ^ v10, 7);
        v3 = v3 + v7 + m13; v15 = BitOperations.RotateRight(v15 ^ v3, 16); v11 += v15; v7 = BitOperations.RotateRight(v7 ^ v11, 12);
        v3 = v3 + v7 + m15; v15 = BitOperations.RotateRight(v15 ^ v3, 8); v11 += v15; v7 = BitOperations.RotateRight(v7 ^ v11, 7);
        v0 = v0 + v5 + m4; v15 = BitOperations.RotateRight(v15 ^ v0, 16); v10 += v15; v5 = BitOperations.RotateRight(v5 ^ v10, 12);
        v0 = v0 + v5 + m0; v15 = BitOperations.RotateRight(v15 ^ v0, 8); v10 += v15; v5 = BitOperations.RotateRight(v5 ^ v10, 7);
        v1 = v1 + v6 + m11; v12 = BitOperations.RotateRight(v12 ^ v1, 16); v11 += v12; v6 = BitOperations.RotateRight(v6 ^ v11, 12);
        v1 = v1 + v6 + m2; v12 = BitOperations.RotateRight(v12 ^ v1, 8); v11 += v12; v6 = BitOperations.RotateRight(v6 ^ v11, 7);
        v2 = v2 + v7 + m5; v13 = BitOperations.RotateRight(v13 ^ v2, 16); v8 += v13; v7 = BitOperations.RotateRight(v7 ^ v8, 12);
        v2 = v2 + v7 + m8; v13 = BitOperations.RotateRight(v13 ^ v2, 8); v8 += v13; v7 = BitOperations.RotateRight(v7 ^ v8, 7);
        v3 = v3 + v4 + m1; v14 = BitOperations.RotateRight(v14 ^ v3, 16); v9 += v14; v4 = BitOperations.RotateRight(v4 ^ v9, 12);
        v3 = v3 + v4 + m6; v14 = BitOperations.RotateRight(v14 ^ v3, 8); v9 += v14; v4 = BitOperations.RotateRight(v4 ^ v9, 7);
        // Round 5.
        v0 = v0 + v4 + m12; v12 = BitOperations.RotateRight(v12 ^ v0, 16); v8 += v12; v4 = BitOperations.RotateRight(v4 ^ v8, 12);
        v0 = v0 + v4 + m13; v12 = BitOperations.RotateRight(v12 ^ v0, 8); v8 += v12; v4 = BitOperations.RotateRight(v4 ^ v8, 7);
        v1 = v1 + v5 + m9; v13 = BitOperations.RotateRight(v13 ^ v1, 16); v9 += v13; v5 = BitOperations.RotateRight(v5 ^ v9, 12);
        v1 = v1 + v5 + m11; v13 = BitOperations.RotateRight(v13 ^ v1, 8); v9 += v13; v5 = BitOperations.RotateRight(v5 ^ v9, 7);
        v2 = v2 + v6 + m15; v14 = BitOperations.RotateRight(v14 ^ v2, 16); v10 += v14; v6 = BitOperations.RotateRight(v6 ^ v10, 12);
        v2 = v2 + v6 + m10; v14 = BitOperations.RotateRight(v14 ^ v2, 8); v10 += v14; v6 = BitOperations.RotateRight(v6 ^ v10, 7);
        v3 = v3 + v7 + m14; v15 = BitOperations.RotateRight(v15 ^ v3, 16); v11 += v15; v7 = BitOperations.RotateRight(v7 ^ v11, 12);
        v3 = v3 + v7 + m8; v15 = BitOperations.RotateRight(v15 ^ v3, 8); v11 += v15; v7 = BitOperations.RotateRight(v7 ^ v11, 7);
        v0 = v0 + v5 + m7; v15 = BitOperations.RotateRight(v15 ^ v0, 16); v10 += v15; v5 = BitOperations.RotateRight(v5 ^ v10, 12);
        v0 = v0 + v5 + m2; v15 = BitOperations.RotateRight(v15 ^ v0, 8); v10 += v15; v5 = BitOperations.RotateRight(v5 ^ v10, 7);
        v1 = v1 + v6 + m5; v12 = BitOperations.RotateRight(v12 ^ v1, 16); v11 += v12; v6 = BitOperations.RotateRight(v6 ^ v11, 12);
        v1 = v1 + v6 + m3; v12 = BitOperations.RotateRight(v12 ^ v1, 8); v11 += v12; v6 = BitOperations.RotateRight(v6 ^ v11, 7);
        v2 = v2 + v7 + m0; v13 = BitOperations.RotateRight(v13 ^ v2, 16); v8 += v13; v7 = BitOperations.RotateRight(v7 ^ v8, 12);
        v2 = v2 + v7 + m1; v13 = BitOperations.RotateRight(v13 ^ v2, 8); v8 += v13; v7 = BitOperations.RotateRight(v7 ^ v8, 7);
        v3 = v3 + v4 + m6; v14 = BitOperations.RotateRight(v14 ^ v3, 16); v9 += v14; v4 = BitOperations.RotateRight(v4 ^ v9, 12);
        v3 = v3 + v4 + m4; v14 = BitOperations.RotateRight(v14 ^ v3, 8); v9 += v14; v4 = BitOperations.RotateRight(v4 ^ v9, 7);
        // Round 6.
        v0 = v0 + v4 + m9; v12 = BitOperations.RotateRight(v12 ^ v0, 16); v8 += v12; v4 = BitOperations.RotateRight(v4 ^ v8, 12);
        v0 = v0 + v4 + m14; v12 = BitOperations.RotateRight(v12 ^ v0, 8); v8 += v12; v4 = BitOperations.RotateRight(v4 ^ v8, 7);
        v1 = v1 + v5 + m11; v13 = BitOperations.RotateRight(v13 ^ v1, 16); v9 += v13; v5 = BitOperations.RotateRight(v5 ^ v9, 12);
        v1 = v1 + v5 + m5; v13 = BitOperations.RotateRight(v13 ^ v1, 8); v9 += v13; v5 = BitOperations.RotateRight(v5 ^ v9, 7);
        v2 = v2 + v6 + m8; v14 = BitOperations.RotateRight(v14 ^ v2, 16); v10 += v14; v6 = BitOperations.RotateRight(v6 ^ v10, 12);
        v2 = v2 + v6 + m12; v14 = BitOperations.RotateRight(v14 ^ v2, 8); v10 += v14; v6 = BitOperations.RotateRight(v6 ^ v10, 7);
        v3 = v3 + v7 + m15; v15 = BitOperations.RotateRight(v15 ^ v3, 16); v11 += v15; v7 = BitOperations.RotateRight(v7 ^ v11, 12);
        v3 = v3 + v7 + m1; v15 = BitOperations.RotateRight(v15 ^ v3, 8); v11 += v15; v7 = BitOperations.RotateRight(v7 ^ v11, 7);
        v0 = v0 + v5 + m13; v15 = BitOperations.RotateRight(v15 ^ v0, 16); v10 += v15; v5 = BitOperations.RotateRight(v5 ^ v10, 12);
        v0 = v0 + v5 + m3; v15 = BitOperations.RotateRight(v15 ^ v0, 8); v10 += v15; v5 = BitOperations.RotateRight(v5 ^ v10, 7);
        v1 = v1 + v6 + m0; v12 = BitOperations.RotateRight(v12 ^ v1, 16); v11 += v12; v6 = BitOperations.RotateRight(v6 ^ v11, 12);
        v1 = v1 + v6 + m10; v12 = BitOperations.RotateRight(v12 ^ v1, 8); v11 += v12; v6 = BitOperations.RotateRight(v6 ^ v11, 7);
        v2 = v2 + v7 + m2; v13 = BitOperations.RotateRight(v13 ^ v2, 16); v8 += v13; v7 = BitOperations.RotateRight(v7 ^ v8, 12);
        v2 = v2 + v7 + m6; v13 = BitOperations.RotateRight(v13 ^ v2, 8); v8 += v13; v7 = BitOperations.RotateRight(v7 ^ v8, 7);
        v3 = v3 + v4 + m4; v14 = BitOperations.RotateRight(v14 ^ v3, 16); v9 += v14; v4 = BitOperations.RotateRight(v4 ^ v9, 12);
        v3 = v3 + v4 + m7; v14 = BitOperations.RotateRight(v14 ^ v3, 8); v9 += v14; v4 = BitOperations.RotateRight(v4 ^ v9, 7);
        // Round 7.
        v0 = v0 + v4 + m11; v12 = BitOperations.RotateRight(v12 ^ v0, 16); v8 += v12; v4 = BitOperations.RotateRight(v4 ^ v8, 12);
        v0 = v0 + v4 + m15; v12 = BitOperations.RotateRight(v12 ^ v0, 8); v8 += v12; v4 = BitOperations.RotateRight(v4 ^ v8, 7);
        v1 = v1 + v5 + m5; v13 = BitOperations.RotateRight(v13 ^ v1, 16); v9 += v13; v5 = BitOperations.RotateRight(v5 ^ v9, 12);
        v1 = v1 + v5 + m0; v13 = BitOperations.RotateRight(v13 ^ v1, 8); v9 += v13; v5 = BitOperations.RotateRight(v5 ^ v9, 7);
        v2 = v2 + v6 + m1; v14 = BitOperations.RotateRight(v14 ^ v2, 16); v10 += v14; v6 = BitOperations.RotateRight(v6 ^ v10, 12);
        v2 = v2 + v6 + m9; v14 = BitOperations.RotateRight(v14 ^ v2, 8); v10 += v14; v6 = BitOperations.RotateRight(v6 ^ v10, 7);
        v3 = v3 + v7 + m8; v15 = BitOperations.RotateRight(v15 ^ v3, 16); v11 += v15; v7 = BitOperations.RotateRight(v7 ^ v11, 12);
        v3 = v3 + v7 + m6; v15 = BitOperations.RotateRight(v15 ^ v3, 8); v11 += v15; v7 = BitOperations.RotateRight(v7 ^ v11, 7);
        v0 = v0 + v5 + m14; v15 = BitOperations.RotateRight(v15 ^ v0, 16); v10 += v15; v5 = BitOperations.RotateRight(v5 ^ v10, 12);
        v0 = v0 + v5 + m10; v15 = BitOperations.RotateRight(v15 ^ v0, 8); v10 += v15; v5 = BitOperations.RotateRight(v5 ^ v10, 7);
        v1 = v1 + v6 + m2; v12 = BitOperations.RotateRight(v12 ^ v1, 16); v11 += v12; v6 = BitOperations.RotateRight(v6 ^ v11, 12);
        v1 = v1 + v6 + m12; v12 = BitOperations.RotateRight(v12 ^ v1, 8); v11 += v12; v6 = BitOperations.RotateRight(v6 ^ v11, 7);
        v2 = v2 + v7 + m3; v13 = BitOperations.RotateRight(v13 ^ v2, 16); v8 += v13; v7 = BitOperations.RotateRight(v7 ^ v8, 12);
        v2 = v2 + v7 + m4; v13 = BitOperations.RotateRight(v13 ^ v2, 8); v8 += v13; v7 = BitOperations.RotateRight(v7 ^ v8, 7);
        v3 = v3 + v4 + m7; v14 = BitOperations.RotateRight(v14 ^ v3, 16); v9 += v14; v4 = BitOperations.RotateRight(v4 ^ v9, 12);
        v3 = v3 + v4 + m13; v14 = BitOperations.RotateRight(v14 ^ v3, 8); v9 += v14; v4 = BitOperations.RotateRight(v4 ^ v9, 7);

        cv[0] = v0 ^ v8;
        cv[1] = v1 ^ v9;
        cv[2] = v2 ^ v10;
        cv[3] = v3 ^ v11;
        cv[4] = v4 ^ v12;
        cv[5] = v5 ^ v13;
        cv[6] = v6 ^ v14;
        cv[7] = v7 ^ v15;
    }

    /// <summary>Compresses one block and writes the full 64-byte output (the extended output function).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CompressXofPortable(in Blake3Cv cv, ReadOnlySpan<byte> block, ulong counter, uint blockLen, uint flags, Span<byte> output)
    {
        ref byte b = ref MemoryMarshal.GetReference(block[..Blake3Core.BlockLen]);
        uint m0 = Load(ref b, 0), m1 = Load(ref b, 4), m2 = Load(ref b, 8), m3 = Load(ref b, 12);
        uint m4 = Load(ref b, 16), m5 = Load(ref b, 20), m6 = Load(ref b, 24), m7 = Load(ref b, 28);
        uint m8 = Load(ref b, 32), m9 = Load(ref b, 36), m10 = Load(ref b, 40), m11 = Load(ref b, 44);
        uint m12 = Load(ref b, 48), m13 = Load(ref b, 52), m14 = Load(ref b, 56), m15 = Load(ref b, 60);

        uint v0 = cv[0], v1 = cv[1], v2 = cv[2], v3 = cv[3], v4 = cv[4], v5 = cv[5], v6 = cv[6], v7 = cv[7];
        uint v8 = Blake3Core.Iv0, v9 = Blake3Core.Iv1, v10 = Blake3Core.Iv2, v11 = Blake3Core.Iv3;
        uint v12 = (uint)counter, v13 = (uint)(counter >> 32), v14 = blockLen, v15 = flags;

        // Round 1.
        v0 = v0 + v4 + m0; v12 = BitOperations.RotateRight(v12 ^ v0, 16); v8 += v12; v4 = BitOperations.RotateRight(v4 ^ v8, 12);
        v0 = v0 + v4 + m1; v12 = BitOperations.RotateRight(v12 ^ v0, 8); v8 += v12; v4 = BitOperations.RotateRight(v4 ^ v8, 7);
        v1 = v1 + v5 + m2; v13 = BitOperations.RotateRight(v13 ^ v1, 16); v9 += v13; v5 = BitOperations.RotateRight(v5 ^ v9, 12);
        v1 = v1 + v5 + m3; v13 = BitOperations.RotateRight(v13 ^ v1, 8); v9 += v13; v5 = BitOperations.RotateRight(v5 ^ v9, 7);
        v2 = v2 + v6 + m4; v14 = BitOperations.RotateRight(v14 ^ v2, 16); v10 += v14; v6 = BitOperations.RotateRight(v6 ^ v10, 12);
        v2 = v2 + v6 + m5; v14 = BitOperations.RotateRight(v14 ^ v2, 8); v10 += v14; v6 = BitOperations.RotateRight(v6 ^ v10, 7);
        v3 = v3 + v7 + m6; v15 = BitOperations.RotateRight(v15 ^ v3, 16); v11 += v15; v7 = BitOperations.RotateRight(v7 ^ v11, 12);
        v3 = v3 + v7 + m7; v15 = BitOperations.RotateRight(v15 ^ v3, 8); v11 += v15; v7 = BitOperations.RotateRight(v7 ^ v11, 7);
        v0 = v0 + v5 + m8; v15 = BitOperations.RotateRight(v15 ^ v0, 16); v10 += v15; v5 = BitOperations.RotateRight(v5 ^ v10, 12);
        v0 = v0 + v5 + m9; v15 = BitOperations.RotateRight(v15 ^ v0, 8); v10 += v15; v5 = BitOperations.RotateRight(v5 ^ v10, 7);
        v1 = v1 + v6 + m10; v12 = BitOperations.RotateRight(v12 ^ v1, 16); v11 += v12; v6 = BitOperations.RotateRight(v6 ^ v11, 12);
        v1 = v1 + v6 + m11; v12 = BitOperations.RotateRight(v12 ^ v1, 8); v11 += v12; v6 = BitOperations.RotateRight(v6 ^ v11, 7);
        v2 = v2 + v7 + m12; v13 = BitOperations.RotateRight(v13 ^ v2, 16); v8 += v13; v7 = BitOperations.RotateRight(v7 ^ v8, 12);
        v2 = v2 + v7 + m13; v13 = BitOperations.RotateRight(v13 ^ v2, 8); v8 += v13; v7 = BitOperations.RotateRight(v7 ^ v8, 7);
        v3 = v3 + v4 + m14; v14 = BitOperations.RotateRight(v14 ^ v3, 16); v9 += v14; v4 = BitOperations.RotateRight(v4 ^ v9, 12);
        v3 = v3 + v4 + m15; v14 = BitOperations.RotateRight(v14 ^ v3, 8); v9 += v14; v4 = BitOperations.RotateRight(v4 ^ v9, 7);
        // Round 2.
        v0 = v0 + v4 + m2; v12 = BitOperations.RotateRight(v12 ^ v0, 16); v8 += v12; v4 = BitOperations.RotateRight(v4 ^ v8, 12);
        v0 = v0 + v4 + m6; v12 = BitOperations.RotateRight(v12 ^ v0, 8); v8 += v12; v4 = BitOperations.RotateRight(v4 ^ v8, 7);
        v1 = v1 + v5 + m3; v13 = BitOperations.RotateRight(v13 ^ v1, 16); v9 += v13; v5 = BitOperations.RotateRight(v5 ^ v9, 12);
        v1 = v1 + v5 + m10; v13 = BitOperations.RotateRight(v13 ^ v1, 8); v9 += v13; v5 = BitOperations.RotateRight(v5 ^ v9, 7);
        v2 = v2 + v6 + m7; v14 = BitOperations.RotateRight(v14 ^ v2, 16); v10 += v14; v6 = BitOperations.RotateRight(v6 ^ v10, 12);
        v2 = v2 + v6 + m0; v14 = BitOperations.RotateRight(v14 ^ v2, 8); v10 += v14; v6 = BitOperations.RotateRight(v6 ^ v10, 7);
        v3 = v3 + v7 + m4; v15 = BitOperations.RotateRight(v15 ^ v3, 16); v11 += v15; v7 = BitOperations.RotateRight(v7 ^ v11, 12);
        v3 = v3 + v7 + m13; v15 = BitOperations.RotateRight(v15 ^ v3, 8); v11 += v15; v7 = BitOperations.RotateRight(v7 ^ v11, 7);
        v0 = v0 + v5 + m1; v15 = BitOperations.RotateRight(v15 ^ v0, 16); v10 += v15; v5 = BitOperations.RotateRight(v5 ^ v10, 12);
        v0 = v0 + v5 + m11; v15 = BitOperations.RotateRight(v15 ^ v0, 8); v10 += v15; v5 = BitOperations.RotateRight(v5 ^ v10, 7);
        v1 = v1 + v6 + m12; v12 = BitOperations.RotateRight(v12 ^ v1, 16); v11 += v12; v6 = BitOperations.RotateRight(v6 ^ v11, 12);
        v1 = v1 + v6 + m5; v12 = BitOperations.RotateRight(v12 ^ v1, 8); v11 += v12; v6 = BitOperations.RotateRight(v6 ^ v11, 7);
        v2 = v2 + v7 + m9; v13 = BitOperations.RotateRight(v13 ^ v2, 16); v8 += v13; v7 = BitOperations.RotateRight(v7 ^ v8, 12);
        v2 = v2 + v7 + m14; v13 = BitOperations.RotateRight(v13 ^ v2, 8); v8 += v13; v7 = BitOperations.RotateRight(v7 ^ v8, 7);
        v3 = v3 + v4 + m15; v14 = BitOperations.RotateRight(v14 ^ v3, 16); v9 += v14; v4 = BitOperations.RotateRight(v4 ^ v9, 12);
        v3 = v3 + v4 + m8; v14 = BitOperations.RotateRight(v14 ^ v3, 8); v9 += v14; v4 = BitOperations.RotateRight(v4 ^ v9, 7);
        // Round 3.
        v0 = v0 + v4 + m3; v12 = BitOperations.RotateRight(v12 ^ v0, 16); v8 += v12; v4 = BitOperations.RotateRight(v4 ^ v8, 12);
        v0 = v0 + v4 + m4; v12 = BitOperations.RotateRight(v12 ^ v0, 8); v8 += v12; v4 = BitOperations.RotateRight(v4 ^ v8, 7);
        v1 = v1 + v5 + m10; v13 = BitOperations.RotateRight(v13 ^ v1, 16); v9 += v13; v5 = BitOperations.RotateRight(v5 ^ v9, 12);
        v1 = v1 + v5 + m12; v13 = BitOperations.RotateRight(v13 ^ v1, 8); v9 += v13; v5 = BitOperations.RotateRight(v5 ^ v9, 7);
        v2 = v2 + v6 + m13; v14 = BitOperations.RotateRight(v14 ^ v2, 16); v10 += v14; v6 = BitOperations.RotateRight(v6 ^ v10, 12);
        v2 = v2 + v6 + m2; v14 = BitOperations.RotateRight(v14 ^ v2, 8); v10 += v14; v6 = BitOperations.RotateRight(v6 ^ v10, 7);
        v3 = v3 + v7 + m7; v15 = BitOperations.RotateRight(v15 ^ v3, 16); v11 += v15; v7 = BitOperations.RotateRight(v7 ^ v11, 12);
        v3 = v3 + v7 + m14; v15 = BitOperations.RotateRight(v15 ^ v3, 8); v11 += v15; v7 = BitOperations.RotateRight(v7 ^ v11, 7);
        v0 = v0 + v5 + m6; v15 = BitOperations.RotateRight(v15 ^ v0, 16); v10 += v15; v5 = BitOperations.RotateRight(v5 ^ v10, 12);
        v0 = v0 + v5 + m5; v15 = BitOperations.RotateRight(v15 ^ v0, 8); v10 += v15; v5 = BitOperations.RotateRight(v5 ^ v10, 7);
        v1 = v1 + v6 + m9; v12 = BitOperations.RotateRight(v12 ^ v1, 16); v11 += v12; v6 = BitOperations.RotateRight(v6 ^ v11, 12);
        v1 = v1 + v6 + m0; v12 = BitOperations.RotateRight(v12 ^ v1, 8); v11 += v12; v6 = BitOperations.RotateRight(v6 ^ v11, 7);
        v2 = v2 + v7 + m11; v13 = BitOperations.RotateRight(v13 ^ v2, 16); v8 += v13; v7 = BitOperations.RotateRight(v7 ^ v8, 12);
        v2 = v2 + v7 + m15; v13 = BitOperations.RotateRight(v13 ^ v2, 8); v8 += v13; v7 = BitOperations.RotateRight(v7 ^ v8, 7);
        v3 = v3 + v4 + m8; v14 = BitOperations.RotateRight(v14 ^ v3, 16); v9 += v14; v4 = BitOperations.RotateRight(v4 ^ v9, 12);
        v3 = v3 + v4 + m1; v14 = BitOperations.RotateRight(v14 ^ v3, 8); v9 += v14; v4 = BitOperations.RotateRight(v4 ^ v9, 7);
        // Round 4.
        v0 = v0 + v4 + m10; v12 = BitOperations.RotateRight(v12 ^ v0, 16); v8 += v12; v4 = BitOperations.RotateRight(v4 ^ v8, 12);
        v0 = v0 + v4 + m7; v12 = BitOperations.RotateRight(v12 ^ v0, 8); v8 += v12; v4 = BitOperations.RotateRight(v4 ^ v8, 7);
        v1 = v1 + v5 + m12; v13 = BitOperations.RotateRight(v13 ^ v1, 16); v9 += v13; v5 = BitOperations.RotateRight(v5 ^ v9, 12);
        v1 = v1 + v5 + m9; v13 = BitOperations.RotateRight(v13 ^ v1, 8); v9 += v13; v5 = BitOperations.RotateRight(v5 ^ v9, 7);
        v2 = v2 + v6 + m14; v14 = BitOperations.RotateRight(v14 ^ v2, 16); v10 += v14; v6 = BitOperations.RotateRight(v6 ^ v10, 12);
        v2 = v2 + v6 + m3; v14 = BitOperations.RotateRight(v14 ^ v2, 8); v10 += v14; v6 = BitOperations.RotateRight(v6 ^ v10, 7);
        v3 = v3 + v7 + m13; v15 = BitOperations.RotateRight(v15 ^ v3, 16); v11 += v15; v7 = BitOperations.RotateRight(v7 ^ v11, 12);
        v3 = v3 + v7 + m15; v15 = BitOperations.RotateRight(v15 ^ v3, 8); v11 += v15; v7 = BitOperations.RotateRight(v7 ^ v11, 7);
        v0 = v0 + v5 + m4; v15 = BitOperations.RotateRight(v15 ^ v0, 16); v10 += v15; v5 = BitOperations.RotateRight(v5 ^ v10, 12);
        v0 = v0 + v5 + m0; v15 = BitOperations.RotateRight(v15 ^ v0, 8); v10 += v15; v5 = BitOperations.RotateRight(v5 ^ v10, 7);
        v1 = v1 + v6 + m11; v12 = BitOperations.RotateRight(v12 ^ v1, 16); v11 += v12; v6 = BitOperations.RotateRight(v6 ^ v11, 12);
        v1 = v1 + v6 + m2; v12 = BitOperations.RotateRight(v12 ^ v1, 8); v11 += v12; v6 = BitOperations.RotateRight(v6 ^ v11, 7);
        v2 = v2 + v7 + m5; v13 = BitOperations.RotateRight(v13 ^ v2, 16); v8 += v13; v7 = BitOperations.RotateRight(v7 ^ v8, 12);
        v2 = v2 + v7 + m8; v13 = BitOperations.RotateRight(v13 ^ v2, 8); v8 += v13; v7 = BitOperations.RotateRight(v7 ^ v8, 7);
        v3 = v3 + v4 + m1; v14 = BitOperations.RotateRight(v14 ^ v3, 16); v9 += v14; v4 = BitOperations.RotateRight(v4 ^ v9, 12);
        v3 = v3 + v4 + m6; v14 = BitOperations.RotateRight(v14 ^ v3, 8); v9 += v14; v4 = BitOperations.RotateRight(v4 ^ v9, 7);
        // Round 5.
        v0 = v0 + v4 + m12; v12 = BitOperations.RotateRight(v12 ^ v0, 16); v8 += v12; v4 = BitOperations.RotateRight(v4 ^ v8, 12);
        v0 = v0 + v4 + m13; v12 = BitOperations.RotateRight(v12 ^ v0, 8); v8 += v12; v4 = BitOperations.RotateRight(v4 ^ v8, 7);
        v1 = v1 + v5 + m9; v13 = BitOperations.RotateRight(v13 ^ v1, 16); v9 += v13; v5 = BitOperations.RotateRight(v5 ^ v9, 12);
        v1 = v1 + v5 + m11; v13 = BitOperations.RotateRight(v13 ^ v1, 8); v9 += v13; v5 = BitOperations.RotateRight(v5 ^ v9, 7);
        v2 = v2 + v6 + m15; v14 = BitOperations.RotateRight(v14 ^ v2, 16); v10 += v14; v6 = BitOperations.RotateRight(v6 ^ v10, 12);
        v2 = v2 + v6 + m10; v14 = BitOperations.RotateRight(v14 ^ v2, 8); v10 += v14; v6 = BitOperations.RotateRight(v6 ^ v10, 7);
        v3 = v3 + v7 + m14; v15 = BitOperations.RotateRight(v15 ^ v3, 16); v11 += v15; v7 = BitOperations.RotateRight(v7 ^ v11, 12);
        v3 = v3 + v7 + m8; v15 = BitOperations.RotateRight(v15 ^ v3, 8); v11 += v15; v7 = BitOperations.RotateRight(v7 ^ v11, 7);
        v0 = v0 + v5 + m7; v15 = BitOperations.RotateRight(v15 ^ v0, 16); v10 += v15; v5 = BitOperations.RotateRight(v5 ^ v10, 12);
        v0 = v0 + v5 + m2; v15 = BitOperations.RotateRight(v15 ^ v0, 8); v10 += v15; v5 = BitOperations.RotateRight(v5 ^ v10, 7);
        v1 = v1 + v6 + m5; v12 = BitOperations.RotateRight(v12 ^ v1, 16); v11 += v12; v6 = BitOperations.RotateRight(v6 ^ v11, 12);
        v1 = v1 + v6 + m3; v12 = BitOperations.RotateRight(v12 ^ v1, 8); v11 += v12; v6 = BitOperations.RotateRight(v6 ^ v11, 7);
        v2 = v2 + v7 + m0; v13 = BitOperations.RotateRight(v13 ^ v2, 16); v8 += v13; v7 = BitOperations.RotateRight(v7 ^ v8, 12);
        v2 = v2 + v7 + m1; v13 = BitOperations.RotateRight(v13 ^ v2, 8); v8 += v13; v7 = BitOperations.RotateRight(v7 ^ v8, 7);
        v3 = v3 + v4 + m6; v14 = BitOperations.RotateRight(v14 ^ v3, 16); v9 += v14; v4 = BitOperations.RotateRight(v4 ^ v9, 12);
        v3 = v3 + v4 + m4; v14 = BitOperations.RotateRight(v14 ^ v3, 8); v9 += v14; v4 = BitOperations.RotateRight(v4 ^ v9, 7);
        // Round 6.
        v0 = v0 + v4 + m9; v12 = BitOperations.RotateRight(v12 ^ v0, 16); v8 += v12; v4 = BitOperations.RotateRight(v4 ^ v8, 12);
        v0 = v0 + v4 + m14; v12 = BitOperations.RotateRight(v12 ^ v0, 8); v8 += v12; v4 = BitOperations.RotateRight(v4 ^ v8, 7);
        v1 = v1 + v5 + m11; v13 = BitOperations.RotateRight(v13 ^ v1, 16); v9 += v13; v5 = BitOperations.RotateRight(v5 ^ v9, 12);
        v1 = v1 + v5 + m5; v13 = BitOperations.RotateRight(v13 ^ v1, 8); v9 += v13; v5 = BitOperations.RotateRight(v5 ^ v9, 7);
        v2 = v2 + v6 + m8; v14 = BitOperations.RotateRight(v14 ^ v2, 16); v10 += v14; v6 = BitOperations.RotateRight(v6 ^ v10, 12);
        v2 = v2 + v6 + m12; v14 = BitOperations.RotateRight(v14 ^ v2, 8); v10 += v14; v6 = BitOperations.RotateRight(v6 ^ v10, 7);
        v3 = v3 + v7 + m15; v15 = BitOperations.RotateRight(v15 ^ v3, 16); v11 += v15; v7 = BitOperations.RotateRight(v7 ^ v11, 12);
        v3 = v3 + v7 + m1; v15 = BitOperations.RotateRight(v15 ^ v3, 8); v11 += v15; v7 = BitOperations.RotateRight(v7 ^ v11, 7);
        v0 = v0 + v5 + m13; v15 = BitOperations.RotateRight(v15 ^ v0, 16); v10 += v15; v5 = BitOperations.RotateRight(v5 ^ v10, 12);
        v0 = v0 + v5 + m3; v15 = BitOperations.RotateRight(v15 ^ v0, 8); v10 += v15; v5 = BitOperations.RotateRight(v5 ^ v10, 7);
        v1 = v1 + v6 + m0; v12 = BitOperations.RotateRight(v12 ^ v1, 16); v11 += v12; v6 = BitOperations.RotateRight(v6 ^ v11, 12);
        v1 = v1 + v6 + m10; v12 = BitOperations.RotateRight(v12 ^ v1, 8); v11 += v12; v6 = BitOperations.RotateRight(v6 ^ v11, 7);
        v2 = v2 + v7 + m2; v13 = BitOperations.RotateRight(v13 ^ v2, 16); v8 += v13; v7 = BitOperations.RotateRight(v7 ^ v8, 12);
        v2 = v2 + v7 + m6; v13 = BitOperations.RotateRight(v13 ^ v2, 8); v8 += v13; v7 = BitOperations.RotateRight(v7 ^ v8, 7);
        v3 = v3 + v4 + m4; v14 = BitOperations.RotateRight(v14 ^ v3, 16); v9 += v14; v4 = BitOperations.RotateRight(v4 ^ v9, 12);
        v3 = v3 + v4 + m7; v14 = BitOperations.RotateRight(v14 ^ v3, 8); v9 += v14; v4 = BitOperations.RotateRight(v4 ^ v9, 7);
        // Round 7.
        v0 = v0 + v4 + m11; v12 = BitOperations.RotateRight(v12 ^ v0, 16); v8 += v12; v4 = BitOperations.RotateRight(v4 ^ v8, 12);
        v0 = v0 + v4 + m15; v12 = BitOperations.RotateRight(v12 ^ v0, 8); v8 += v12; v4 = BitOperations.RotateRight(v4 ^ v8, 7);
        v1 = v1 + v5 + m5; v13 = BitOperations.RotateRight(v13 ^ v1, 16); v9 += v13; v5 = BitOperations.RotateRight(v5 ^ v9, 12);
        v1 = v1 + v5 + m0; v13 = BitOperations.RotateRight(v13 ^ v1, 8); v9 += v13; v5 = BitOperations.RotateRight(v5 ^ v9, 7);
        v2 = v2 + v6 + m1; v14 = BitOperations.RotateRight(v14 ^ v2, 16); v10 += v14; v6 = BitOperations.RotateRight(v6 ^ v10, 12);
        v2 = v2 + v6 + m9; v14 = BitOperations.RotateRight(v14 ^ v2, 8); v10 += v14; v6 = BitOperations.RotateRight(v6 ^ v10, 7);
        v3 = v3 + v7 + m8; v15 = BitOperations.RotateRight(v15 ^ v3, 16); v11 += v15; v7 = BitOperations.RotateRight(v7 ^ v11, 12);
        v3 = v3 + v7 + m6; v15 = BitOperations.RotateRight(v15 ^ v3, 8); v11 += v15; v7 = BitOperations.RotateRight(v7 ^ v11, 7);
        v0 = v0 + v5 + m14; v15 = BitOperations.RotateRight(v15 ^ v0, 16); v10 += v15; v5 = BitOperations.RotateRight(v5 ^ v10, 12);
        v0 = v0 + v5 + m10; v15 = BitOperations.RotateRight(v15 ^ v0, 8); v10 += v15; v5 = BitOperations.RotateRight(v5 ^ v10, 7);
        v1 = v1 + v6 + m2; v12 = BitOperations.RotateRight(v12 ^ v1, 16); v11 += v12; v6 = BitOperations.RotateRight(v6 ^ v11, 12);
        v1 = v1 + v6 + m12; v12 = BitOperations.RotateRight(v12 ^ v1, 8); v11 += v12; v6 = BitOperations.RotateRight(v6 ^ v11, 7);
        v2 = v2 + v7 + m3; v13 = BitOperations.RotateRight(v13 ^ v2, 16); v8 += v13; v7 = BitOperations.RotateRight(v7 ^ v8, 12);
        v2 = v2 + v7 + m4; v13 = BitOperations.RotateRight(v13 ^ v2, 8); v8 += v13; v7 = BitOperations.RotateRight(v7 ^ v8, 7);
        v3 = v3 + v4 + m7; v14 = BitOperations.RotateRight(v14 ^ v3, 16); v9 += v14; v4 = BitOperations.RotateRight(v4 ^ v9, 12);
        v3 = v3 + v4 + m13; v14 = BitOperations.RotateRight(v14 ^ v3, 8); v9 += v14; v4 = BitOperations.RotateRight(v4 ^ v9, 7);

        ref byte o = ref MemoryMarshal.GetReference(output[..Blake3Core.BlockLen]);
        Store(ref o, 0, v0 ^ v8);
        Store(ref o, 4, v1 ^ v9);
        Store(ref o, 8, v2 ^ v10);
        Store(ref o, 12, v3 ^ v11);
        Store(ref o, 16, v4 ^ v12);
        Store(ref o, 20, v5 ^ v13);
        Store(ref o, 24, v6 ^ v14);
        Store(ref o, 28, v7 ^ v15);
        Store(ref o, 32, v8 ^ cv[0]);
        Store(ref o, 36, v9 ^ cv[1]);
        Store(ref o, 40, v10 ^ cv[2]);
        Store(ref o, 44, v11 ^ cv[3]);
        Store(ref o, 48, v12 ^ cv[4]);
        Store(ref o, 52, v13 ^ cv[5]);
        Store(ref o, 56, v14 ^ cv[6]);
        Store(ref o, 60, v15 ^ cv[7]);
    }
}
