using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Aster.Net.Crypto;

/// <summary>
/// Sixteen-way BLAKE3 for x86 with AVX-512F: sixteen chunks or parent nodes compressed at once, one per <see cref="Vector512{T}"/> lane, with message words transposed by unpacks and 128-bit lane shuffles, rotations by <c>vprord</c>.
/// </summary>
internal static class Blake3Vector512
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Ror16(Vector512<uint> x) => Avx512F.RotateRight(x, 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Ror12(Vector512<uint> x) => Avx512F.RotateRight(x, 12);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Ror8(Vector512<uint> x) => Avx512F.RotateRight(x, 8);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Ror7(Vector512<uint> x) => Avx512F.RotateRight(x, 7);

    /// <summary>Interleaves 32-bit words of two rows (within 128-bit lanes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Unpack32(ref Vector512<uint> a, ref Vector512<uint> b)
    {
        Vector512<uint> lo = Avx512F.UnpackLow(a, b);
        b = Avx512F.UnpackHigh(a, b);
        a = lo;
    }

    /// <summary>Interleaves 64-bit words of two rows (within 128-bit lanes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Unpack64(ref Vector512<uint> a, ref Vector512<uint> b)
    {
        Vector512<uint> lo = Avx512F.UnpackLow(a.AsUInt64(), b.AsUInt64()).AsUInt32();
        b = Avx512F.UnpackHigh(a.AsUInt64(), b.AsUInt64()).AsUInt32();
        a = lo;
    }

    /// <summary>
    /// Transposes the 128-bit lanes of four vectors: afterwards vector L holds lane L of the inputs, in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeLanes(ref Vector512<uint> b0, ref Vector512<uint> b1, ref Vector512<uint> b2, ref Vector512<uint> b3)
    {
        Vector512<uint> t0 = Avx512F.Shuffle4x128(b0, b1, 0x44);
        Vector512<uint> t1 = Avx512F.Shuffle4x128(b0, b1, 0xEE);
        Vector512<uint> t2 = Avx512F.Shuffle4x128(b2, b3, 0x44);
        Vector512<uint> t3 = Avx512F.Shuffle4x128(b2, b3, 0xEE);
        b0 = Avx512F.Shuffle4x128(t0, t2, 0x88);
        b1 = Avx512F.Shuffle4x128(t0, t2, 0xDD);
        b2 = Avx512F.Shuffle4x128(t1, t3, 0x88);
        b3 = Avx512F.Shuffle4x128(t1, t3, 0xDD);
    }


    /// <summary>
    /// Hashes 16 inputs of <paramref name="blocks"/> blocks each, <paramref name="stride"/> bytes apart, one per lane,
    /// and writes their 16 chaining values (32 bytes each) to <paramref name="output"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Hash16(ReadOnlySpan<byte> inputs, int stride, int blocks, in Blake3Cv key, ulong counter, bool incrementCounter, uint flags, uint flagsStart, uint flagsEnd, Span<byte> output)
    {
        if (inputs.Length < (15 * stride) + (blocks * Blake3Core.BlockLen) || output.Length < 16 * Blake3Core.OutLen)
        {
            throw new ArgumentException("The input or output buffer is too short.", nameof(inputs));
        }

        ref byte input = ref MemoryMarshal.GetReference(inputs);
        ref byte outRef = ref MemoryMarshal.GetReference(output);
        nuint s = (nuint)stride;
        ulong step = incrementCounter ? 1ul : 0ul;
        Vector512<uint> counterLow = Vector512.Create((uint)(counter + 0ul * step), (uint)(counter + 1ul * step), (uint)(counter + 2ul * step), (uint)(counter + 3ul * step), (uint)(counter + 4ul * step), (uint)(counter + 5ul * step), (uint)(counter + 6ul * step), (uint)(counter + 7ul * step), (uint)(counter + 8ul * step), (uint)(counter + 9ul * step), (uint)(counter + 10ul * step), (uint)(counter + 11ul * step), (uint)(counter + 12ul * step), (uint)(counter + 13ul * step), (uint)(counter + 14ul * step), (uint)(counter + 15ul * step));
        Vector512<uint> counterHigh = Vector512.Create((uint)((counter + 0ul * step) >> 32), (uint)((counter + 1ul * step) >> 32), (uint)((counter + 2ul * step) >> 32), (uint)((counter + 3ul * step) >> 32), (uint)((counter + 4ul * step) >> 32), (uint)((counter + 5ul * step) >> 32), (uint)((counter + 6ul * step) >> 32), (uint)((counter + 7ul * step) >> 32), (uint)((counter + 8ul * step) >> 32), (uint)((counter + 9ul * step) >> 32), (uint)((counter + 10ul * step) >> 32), (uint)((counter + 11ul * step) >> 32), (uint)((counter + 12ul * step) >> 32), (uint)((counter + 13ul * step) >> 32), (uint)((counter + 14ul * step) >> 32), (uint)((counter + 15ul * step) >> 32));
        Vector512<uint> h0 = Vector512.Create(key[0]);
        Vector512<uint> h1 = Vector512.Create(key[1]);
        Vector512<uint> h2 = Vector512.Create(key[2]);
        Vector512<uint> h3 = Vector512.Create(key[3]);
        Vector512<uint> h4 = Vector512.Create(key[4]);
        Vector512<uint> h5 = Vector512.Create(key[5]);
        Vector512<uint> h6 = Vector512.Create(key[6]);
        Vector512<uint> h7 = Vector512.Create(key[7]);

        for (int b = 0; b < blocks; b++)
        {
            nuint offset = (nuint)(b * Blake3Core.BlockLen);
            uint blockFlags = flags | (b == 0 ? flagsStart : 0) | (b == blocks - 1 ? flagsEnd : 0);
            Vector512<uint> m0 = Vector512.LoadUnsafe(ref input, offset).AsUInt32();
            Vector512<uint> m1 = Vector512.LoadUnsafe(ref input, s + offset).AsUInt32();
            Vector512<uint> m2 = Vector512.LoadUnsafe(ref input, (2 * s) + offset).AsUInt32();
            Vector512<uint> m3 = Vector512.LoadUnsafe(ref input, (3 * s) + offset).AsUInt32();
            Vector512<uint> m4 = Vector512.LoadUnsafe(ref input, (4 * s) + offset).AsUInt32();
            Vector512<uint> m5 = Vector512.LoadUnsafe(ref input, (5 * s) + offset).AsUInt32();
            Vector512<uint> m6 = Vector512.LoadUnsafe(ref input, (6 * s) + offset).AsUInt32();
            Vector512<uint> m7 = Vector512.LoadUnsafe(ref input, (7 * s) + offset).AsUInt32();
            Vector512<uint> m8 = Vector512.LoadUnsafe(ref input, (8 * s) + offset).AsUInt32();
            Vector512<uint> m9 = Vector512.LoadUnsafe(ref input, (9 * s) + offset).AsUInt32();
            Vector512<uint> m10 = Vector512.LoadUnsafe(ref input, (10 * s) + offset).AsUInt32();
            Vector512<uint> m11 = Vector512.LoadUnsafe(ref input, (11 * s) + offset).AsUInt32();
            Vector512<uint> m12 = Vector512.LoadUnsafe(ref input, (12 * s) + offset).AsUInt32();
            Vector512<uint> m13 = Vector512.LoadUnsafe(ref input, (13 * s) + offset).AsUInt32();
            Vector512<uint> m14 = Vector512.LoadUnsafe(ref input, (14 * s) + offset).AsUInt32();
            Vector512<uint> m15 = Vector512.LoadUnsafe(ref input, (15 * s) + offset).AsUInt32();
            Unpack32(ref m0, ref m1);
            Unpack32(ref m2, ref m3);
            Unpack32(ref m4, ref m5);
            Unpack32(ref m6, ref m7);
            Unpack32(ref m8, ref m9);
            Unpack32(ref m10, ref m11);
            Unpack32(ref m12, ref m13);
            Unpack32(ref m14, ref m15);
            Unpack64(ref m0, ref m2);
            Unpack64(ref m1, ref m3);
            Unpack64(ref m4, ref m6);
            Unpack64(ref m5, ref m7);
            Unpack64(ref m8, ref m10);
            Unpack64(ref m9, ref m11);
            Unpack64(ref m12, ref m14);
            Unpack64(ref m13, ref m15);
            TransposeLanes(ref m0, ref m4, ref m8, ref m12);
            TransposeLanes(ref m2, ref m6, ref m10, ref m14);
            TransposeLanes(ref m1, ref m5, ref m9, ref m13);
            TransposeLanes(ref m3, ref m7, ref m11, ref m15);

            Vector512<uint> v0 = h0, v1 = h1, v2 = h2, v3 = h3, v4 = h4, v5 = h5, v6 = h6, v7 = h7;
            Vector512<uint> v8 = Vector512.Create(Blake3Core.Iv0), v9 = Vector512.Create(Blake3Core.Iv1), v10 = Vector512.Create(Blake3Core.Iv2), v11 = Vector512.Create(Blake3Core.Iv3);
            Vector512<uint> v12 = counterLow, v13 = counterHigh, v14 = Vector512.Create((uint)Blake3Core.BlockLen), v15 = Vector512.Create(blockFlags);

                    // Round 1.
                    v0 = v0 + v4 + m0; v12 = Ror16(v12 ^ v0); v8 += v12; v4 = Ror12(v4 ^ v8);
                    v0 = v0 + v4 + m2; v12 = Ror8(v12 ^ v0); v8 += v12; v4 = Ror7(v4 ^ v8);
                    v1 = v1 + v5 + m1; v13 = Ror16(v13 ^ v1); v9 += v13; v5 = Ror12(v5 ^ v9);
                    v1 = v1 + v5 + m3; v13 = Ror8(v13 ^ v1); v9 += v13; v5 = Ror7(v5 ^ v9);
                    v2 = v2 + v6 + m4; v14 = Ror16(v14 ^ v2); v10 += v14; v6 = Ror12(v6 ^ v10);
                    v2 = v2 + v6 + m6; v14 = Ror8(v14 ^ v2); v10 += v14; v6 = Ror7(v6 ^ v10);
                    v3 = v3 + v7 + m5; v15 = Ror16(v15 ^ v3); v11 += v15; v7 = Ror12(v7 ^ v11);
                    v3 = v3 + v7 + m7; v15 = Ror8(v15 ^ v3); v11 += v15; v7 = Ror7(v7 ^ v11);
                    v0 = v0 + v5 + m8; v15 = Ror16(v15 ^ v0); v10 += v15; v5 = Ror12(v5 ^ v10);
                    v0 = v0 + v5 + m10; v15 = Ror8(v15 ^ v0); v10 += v15; v5 = Ror7(v5 ^ v10);
                    v1 = v1 + v6 + m9; v12 = Ror16(v12 ^ v1); v11 += v12; v6 = Ror12(v6 ^ v11);
                    v1 = v1 + v6 + m11; v12 = Ror8(v12 ^ v1); v11 += v12; v6 = Ror7(v6 ^ v11);
                    v2 = v2 + v7 + m12; v13 = Ror16(v13 ^ v2); v8 += v13; v7 = Ror12(v7 ^ v8);
                    v2 = v2 + v7 + m14; v13 = Ror8(v13 ^ v2); v8 += v13; v7 = Ror7(v7 ^ v8);
                    v3 = v3 + v4 + m13; v14 = Ror16(v14 ^ v3); v9 += v14; v4 = Ror12(v4 ^ v9);
                    v3 = v3 + v4 + m15; v14 = Ror8(v14 ^ v3); v9 += v14; v4 = Ror7(v4 ^ v9);
                    // Round 2.
                    v0 = v0 + v4 + m1; v12 = Ror16(v12 ^ v0); v8 += v12; v4 = Ror12(v4 ^ v8);
                    v0 = v0 + v4 + m5; v12 = Ror8(v12 ^ v0); v8 += v12; v4 = Ror7(v4 ^ v8);
                    v1 = v1 + v5 + m3; v13 = Ror16(v13 ^ v1); v9 += v13; v5 = Ror12(v5 ^ v9);
                    v1 = v1 + v5 + m9; v13 = Ror8(v13 ^ v1); v9 += v13; v5 = Ror7(v5 ^ v9);
                    v2 = v2 + v6 + m7; v14 = Ror16(v14 ^ v2); v10 += v14; v6 = Ror12(v6 ^ v10);
                    v2 = v2 + v6 + m0; v14 = Ror8(v14 ^ v2); v10 += v14; v6 = Ror7(v6 ^ v10);
                    v3 = v3 + v7 + m4; v15 = Ror16(v15 ^ v3); v11 += v15; v7 = Ror12(v7 ^ v11);
                    v3 = v3 + v7 + m14; v15 = Ror8(v15 ^ v3); v11 += v15; v7 = Ror7(v7 ^ v11);
                    v0 = v0 + v5 + m2; v15 = Ror16(v15 ^ v0); v10 += v15; v5 = Ror12(v5 ^ v10);
                    v0 = v0 + v5 + m11; v15 = Ror8(v15 ^ v0); v10 += v15; v5 = Ror7(v5 ^ v10);
                    v1 = v1 + v6 + m12; v12 = Ror16(v12 ^ v1); v11 += v12; v6 = Ror12(v6 ^ v11);
                    v1 = v1 + v6 + m6; v12 = Ror8(v12 ^ v1); v11 += v12; v6 = Ror7(v6 ^ v11);
                    v2 = v2 + v7 + m10; v13 = Ror16(v13 ^ v2); v8 += v13; v7 = Ror12(v7 ^ v8);
                    v2 = v2 + v7 + m13; v13 = Ror8(v13 ^ v2); v8 += v13; v7 = Ror7(v7 ^ v8);
                    v3 = v3 + v4 + m15; v14 = Ror16(v14 ^ v3); v9 += v14; v4 = Ror12(v4 ^ v9);
                    v3 = v3 + v4 + m8; v14 = Ror8(v14 ^ v3); v9 += v14; v4 = Ror7(v4 ^ v9);
                    // Round 3.
                    v0 = v0 + v4 + m3; v12 = Ror16(v12 ^ v0); v8 += v12; v4 = Ror12(v4 ^ v8);
                    v0 = v0 + v4 + m4; v12 = Ror8(v12 ^ v0); v8 += v12; v4 = Ror7(v4 ^ v8);
                    v1 = v1 + v5 + m9; v13 = Ror16(v13 ^ v1); v9 += v13; v5 = Ror12(v5 ^ v9);
                    v1 = v1 + v5 + m12; v13 = Ror8(v13 ^ v1); v9 += v13; v5 = Ror7(v5 ^ v9);
                    v2 = v2 + v6 + m14; v14 = Ror16(v14 ^ v2); v10 += v14; v6 = Ror12(v6 ^ v10);
                    v2 = v2 + v6 + m1; v14 = Ror8(v14 ^ v2); v10 += v14; v6 = Ror7(v6 ^ v10);
                    v3 = v3 + v7 + m7; v15 = Ror16(v15 ^ v3); v11 += v15; v7 = Ror12(v7 ^ v11);
                    v3 = v3 + v7 + m13; v15 = Ror8(v15 ^ v3); v11 += v15; v7 = Ror7(v7 ^ v11);
                    v0 = v0 + v5 + m5; v15 = Ror16(v15 ^ v0); v10 += v15; v5 = Ror12(v5 ^ v10);
                    v0 = v0 + v5 + m6; v15 = Ror8(v15 ^ v0); v10 += v15; v5 = Ror7(v5 ^ v10);
                    v1 = v1 + v6 + m10; v12 = Ror16(v12 ^ v1); v11 += v12; v6 = Ror12(v6 ^ v11);
                    v1 = v1 + v6 + m0; v12 = Ror8(v12 ^ v1); v11 += v12; v6 = Ror7(v6 ^ v11);
                    v2 = v2 + v7 + m11; v13 = Ror16(v13 ^ v2); v8 += v13; v7 = Ror12(v7 ^ v8);
                    v2 = v2 + v7 + m15; v13 = Ror8(v13 ^ v2); v8 += v13; v7 = Ror7(v7 ^ v8);
                    v3 = v3 + v4 + m8; v14 = Ror16(v14 ^ v3); v9 += v14; v4 = Ror12(v4 ^ v9);
                    v3 = v3 + v4 + m2; v14 = Ror8(v14 ^ v3); v9 += v14; v4 = Ror7(v4 ^ v9);
                    // Round 4.
                    v0 = v0 + v4 + m9; v12 = Ror16(v12 ^ v0); v8 += v12; v4 = Ror12(v4 ^ v8);
                    v0 = v0 + v4 + m7; v12 = Ror8(v12 ^ v0); v8 += v12; v4 = Ror7(v4 ^ v8);
                    v1 = v1 + v5 + m12; v13 = Ror16(v13 ^ v1); v9 += v13; v5 = Ror12(v5 ^ v9);
                    v1 = v1 + v5 + m10; v13 = Ror8(v13 ^ v1); v9 += v13; v5 = Ror7(v5 ^ v9);
                    v2 = v2 + v6 + m13; v14 = Ror16(v14 ^ v2); v10 += v14; v6 = Ror12(v6 ^ v10);
                    v2 = v2 + v6 + m3; v14 = Ror8(v14 ^ v2); v10 += v14; v6 = Ror7(v6 ^ v10);
                    v3 = v3 + v7 + m14; v15 = Ror16(v15 ^ v3); v11 += v15; v7 = Ror12(v7 ^ v11);
                    v3 = v3 + v7 + m15; v15 = Ror8(v15 ^ v3); v11 += v15; v7 = Ror7(v7 ^ v11);
                    v0 = v0 + v5 + m4; v15 = Ror16(v15 ^ v0); v10 += v15; v5 = Ror12(v5 ^ v10);
                    v0 = v0 + v5 + m0; v15 = Ror8(v15 ^ v0); v10 += v15; v5 = Ror7(v5 ^ v10);
                    v1 = v1 + v6 + m11; v12 = Ror16(v12 ^ v1); v11 += v12; v6 = Ror12(v6 ^ v11);
                    v1 = v1 + v6 + m1; v12 = Ror8(v12 ^ v1); v11 += v12; v6 = Ror7(v6 ^ v11);
                    v2 = v2 + v7 + m6; v13 = Ror16(v13 ^ v2); v8 += v13; v7 = Ror12(v7 ^ v8);
                    v2 = v2 + v7 + m8; v13 = Ror8(v13 ^ v2); v8 += v13; v7 = Ror7(v7 ^ v8);
                    v3 = v3 + v4 + m2; v14 = Ror16(v14 ^ v3); v9 += v14; v4 = Ror12(v4 ^ v9);
                    v3 = v3 + v4 + m5; v14 = Ror8(v14 ^ v3); v9 += v14; v4 = Ror7(v4 ^ v9);
                    // Round 5.
                    v0 = v0 + v4 + m12; v12 = Ror16(v12 ^ v0); v8 += v12; v4 = Ror12(v4 ^ v8);
                    v0 = v0 + v4 + m14; v12 = Ror8(v12 ^ v0); v8 += v12; v4 = Ror7(v4 ^ v8);
                    v1 = v1 + v5 + m10; v13 = Ror16(v13 ^ v1); v9 += v13; v5 = Ror12(v5 ^ v9);
                    v1 = v1 + v5 + m11; v13 = Ror8(v13 ^ v1); v9 += v13; v5 = Ror7(v5 ^ v9);
                    v2 = v2 + v6 + m15; v14 = Ror16(v14 ^ v2); v10 += v14; v6 = Ror12(v6 ^ v10);
                    v2 = v2 + v6 + m9; v14 = Ror8(v14 ^ v2); v10 += v14; v6 = Ror7(v6 ^ v10);
                    v3 = v3 + v7 + m13; v15 = Ror16(v15 ^ v3); v11 += v15; v7 = Ror12(v7 ^ v11);
                    v3 = v3 + v7 + m8; v15 = Ror8(v15 ^ v3); v11 += v15; v7 = Ror7(v7 ^ v11);
                    v0 = v0 + v5 + m7; v15 = Ror16(v15 ^ v0); v10 += v15; v5 = Ror12(v5 ^ v10);
                    v0 = v0 + v5 + m1; v15 = Ror8(v15 ^ v0); v10 += v15; v5 = Ror7(v5 ^ v10);
                    v1 = v1 + v6 + m6; v12 = Ror16(v12 ^ v1); v11 += v12; v6 = Ror12(v6 ^ v11);
                    v1 = v1 + v6 + m3; v12 = Ror8(v12 ^ v1); v11 += v12; v6 = Ror7(v6 ^ v11);
                    v2 = v2 + v7 + m0; v13 = Ror16(v13 ^ v2); v8 += v13; v7 = Ror12(v7 ^ v8);
                    v2 = v2 + v7 + m2; v13 = Ror8(v13 ^ v2); v8 += v13; v7 = Ror7(v7 ^ v8);
                    v3 = v3 + v4 + m5; v14 = Ror16(v14 ^ v3); v9 += v14; v4 = Ror12(v4 ^ v9);
                    v3 = v3 + v4 + m4; v14 = Ror8(v14 ^ v3); v9 += v14; v4 = Ror7(v4 ^ v9);
                    // Round 6.
                    v0 = v0 + v4 + m10; v12 = Ror16(v12 ^ v0); v8 += v12; v4 = Ror12(v4 ^ v8);
                    v0 = v0 + v4 + m13; v12 = Ror8(v12 ^ v0); v8 += v12; v4 = Ror7(v4 ^ v8);
                    v1 = v1 + v5 + m11; v13 = Ror16(v13 ^ v1); v9 += v13; v5 = Ror12(v5 ^ v9);
                    v1 = v1 + v5 + m6; v13 = Ror8(v13 ^ v1); v9 += v13; v5 = Ror7(v5 ^ v9);
                    v2 = v2 + v6 + m8; v14 = Ror16(v14 ^ v2); v10 += v14; v6 = Ror12(v6 ^ v10);
                    v2 = v2 + v6 + m12; v14 = Ror8(v14 ^ v2); v10 += v14; v6 = Ror7(v6 ^ v10);
                    v3 = v3 + v7 + m15; v15 = Ror16(v15 ^ v3); v11 += v15; v7 = Ror12(v7 ^ v11);
                    v3 = v3 + v7 + m2; v15 = Ror8(v15 ^ v3); v11 += v15; v7 = Ror7(v7 ^ v11);
                    v0 = v0 + v5 + m14; v15 = Ror16(v15 ^ v0); v10 += v15; v5 = Ror12(v5 ^ v10);
                    v0 = v0 + v5 + m3; v15 = Ror8(v15 ^ v0); v10 += v15; v5 = Ror7(v5 ^ v10);
                    v1 = v1 + v6 + m0; v12 = Ror16(v12 ^ v1); v11 += v12; v6 = Ror12(v6 ^ v11);
                    v1 = v1 + v6 + m9; v12 = Ror8(v12 ^ v1); v11 += v12; v6 = Ror7(v6 ^ v11);
                    v2 = v2 + v7 + m1; v13 = Ror16(v13 ^ v2); v8 += v13; v7 = Ror12(v7 ^ v8);
                    v2 = v2 + v7 + m5; v13 = Ror8(v13 ^ v2); v8 += v13; v7 = Ror7(v7 ^ v8);
                    v3 = v3 + v4 + m4; v14 = Ror16(v14 ^ v3); v9 += v14; v4 = Ror12(v4 ^ v9);
                    v3 = v3 + v4 + m7; v14 = Ror8(v14 ^ v3); v9 += v14; v4 = Ror7(v4 ^ v9);
                    // Round 7.
                    v0 = v0 + v4 + m11; v12 = Ror16(v12 ^ v0); v8 += v12; v4 = Ror12(v4 ^ v8);
                    v0 = v0 + v4 + m15; v12 = Ror8(v12 ^ v0); v8 += v12; v4 = Ror7(v4 ^ v8);
                    v1 = v1 + v5 + m6; v13 = Ror16(v13 ^ v1); v9 += v13; v5 = Ror12(v5 ^ v9);
                    v1 = v1 + v5 + m0; v13 = Ror8(v13 ^ v1); v9 += v13; v5 = Ror7(v5 ^ v9);
                    v2 = v2 + v6 + m2; v14 = Ror16(v14 ^ v2); v10 += v14; v6 = Ror12(v6 ^ v10);
                    v2 = v2 + v6 + m10; v14 = Ror8(v14 ^ v2); v10 += v14; v6 = Ror7(v6 ^ v10);
                    v3 = v3 + v7 + m8; v15 = Ror16(v15 ^ v3); v11 += v15; v7 = Ror12(v7 ^ v11);
                    v3 = v3 + v7 + m5; v15 = Ror8(v15 ^ v3); v11 += v15; v7 = Ror7(v7 ^ v11);
                    v0 = v0 + v5 + m13; v15 = Ror16(v15 ^ v0); v10 += v15; v5 = Ror12(v5 ^ v10);
                    v0 = v0 + v5 + m9; v15 = Ror8(v15 ^ v0); v10 += v15; v5 = Ror7(v5 ^ v10);
                    v1 = v1 + v6 + m1; v12 = Ror16(v12 ^ v1); v11 += v12; v6 = Ror12(v6 ^ v11);
                    v1 = v1 + v6 + m12; v12 = Ror8(v12 ^ v1); v11 += v12; v6 = Ror7(v6 ^ v11);
                    v2 = v2 + v7 + m3; v13 = Ror16(v13 ^ v2); v8 += v13; v7 = Ror12(v7 ^ v8);
                    v2 = v2 + v7 + m4; v13 = Ror8(v13 ^ v2); v8 += v13; v7 = Ror7(v7 ^ v8);
                    v3 = v3 + v4 + m7; v14 = Ror16(v14 ^ v3); v9 += v14; v4 = Ror12(v4 ^ v9);
                    v3 = v3 + v4 + m14; v14 = Ror8(v14 ^ v3); v9 += v14; v4 = Ror7(v4 ^ v9);

            h0 = v0 ^ v8;
            h1 = v1 ^ v9;
            h2 = v2 ^ v10;
            h3 = v3 ^ v11;
            h4 = v4 ^ v12;
            h5 = v5 ^ v13;
            h6 = v6 ^ v14;
            h7 = v7 ^ v15;
        }

        // Each half of the eight state vectors holds eight lanes: transpose them as 8x8 blocks of words.
        Vector256<uint> l0 = h0.GetLower(), l1 = h1.GetLower(), l2 = h2.GetLower(), l3 = h3.GetLower();
        Vector256<uint> l4 = h4.GetLower(), l5 = h5.GetLower(), l6 = h6.GetLower(), l7 = h7.GetLower();
        Blake3Vector256.Transpose(ref l0, ref l1, ref l2, ref l3, ref l4, ref l5, ref l6, ref l7);
        Vector256<uint> u0 = h0.GetUpper(), u1 = h1.GetUpper(), u2 = h2.GetUpper(), u3 = h3.GetUpper();
        Vector256<uint> u4 = h4.GetUpper(), u5 = h5.GetUpper(), u6 = h6.GetUpper(), u7 = h7.GetUpper();
        Blake3Vector256.Transpose(ref u0, ref u1, ref u2, ref u3, ref u4, ref u5, ref u6, ref u7);
        ref uint o = ref Unsafe.As<byte, uint>(ref outRef);
        l0.StoreUnsafe(ref o, 0);
        l1.StoreUnsafe(ref o, 8);
        l2.StoreUnsafe(ref o, 16);
        l3.StoreUnsafe(ref o, 24);
        l4.StoreUnsafe(ref o, 32);
        l5.StoreUnsafe(ref o, 40);
        l6.StoreUnsafe(ref o, 48);
        l7.StoreUnsafe(ref o, 56);
        u0.StoreUnsafe(ref o, 64);
        u1.StoreUnsafe(ref o, 72);
        u2.StoreUnsafe(ref o, 80);
        u3.StoreUnsafe(ref o, 88);
        u4.StoreUnsafe(ref o, 96);
        u5.StoreUnsafe(ref o, 104);
        u6.StoreUnsafe(ref o, 112);
        u7.StoreUnsafe(ref o, 120);
    }
}
