using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Aster.Net.Crypto;

/// <summary>
/// Eight-way BLAKE3 for x86 with AVX2: eight chunks or parent nodes compressed at once, one per <see cref="Vector256{T}"/> lane, with transposed message words. Rotations use AVX-512VL <c>vprord</c> when present, else AVX2 byte shuffles for 16 and 8 bits and shifts for 12 and 7.
/// </summary>
internal static class Blake3Vector256
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Ror16(Vector256<uint> x)
    {
        if (Avx512F.VL.IsSupported)
        {
            return Avx512F.VL.RotateRight(x, 16);
        }

        return Avx2.Shuffle(x.AsByte(), Vector256.Create((byte)2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13)).AsUInt32();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Ror12(Vector256<uint> x) => Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(x, 12) : (x >> 12) | (x << 20);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Ror8(Vector256<uint> x)
    {
        if (Avx512F.VL.IsSupported)
        {
            return Avx512F.VL.RotateRight(x, 8);
        }

        return Avx2.Shuffle(x.AsByte(), Vector256.Create((byte)1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12, 1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12)).AsUInt32();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Ror7(Vector256<uint> x) => Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(x, 7) : (x >> 7) | (x << 25);

    /// <summary>Transposes an 8x8 matrix of words held in eight rows (AVX2 unpacks and 128-bit lane permutes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose(
        ref Vector256<uint> r0, ref Vector256<uint> r1, ref Vector256<uint> r2, ref Vector256<uint> r3,
        ref Vector256<uint> r4, ref Vector256<uint> r5, ref Vector256<uint> r6, ref Vector256<uint> r7)
    {
        Vector256<ulong> a0 = Avx2.UnpackLow(r0, r1).AsUInt64();
        Vector256<ulong> a1 = Avx2.UnpackHigh(r0, r1).AsUInt64();
        Vector256<ulong> a2 = Avx2.UnpackLow(r2, r3).AsUInt64();
        Vector256<ulong> a3 = Avx2.UnpackHigh(r2, r3).AsUInt64();
        Vector256<ulong> a4 = Avx2.UnpackLow(r4, r5).AsUInt64();
        Vector256<ulong> a5 = Avx2.UnpackHigh(r4, r5).AsUInt64();
        Vector256<ulong> a6 = Avx2.UnpackLow(r6, r7).AsUInt64();
        Vector256<ulong> a7 = Avx2.UnpackHigh(r6, r7).AsUInt64();
        Vector256<uint> b0 = Avx2.UnpackLow(a0, a2).AsUInt32();
        Vector256<uint> b1 = Avx2.UnpackHigh(a0, a2).AsUInt32();
        Vector256<uint> b2 = Avx2.UnpackLow(a1, a3).AsUInt32();
        Vector256<uint> b3 = Avx2.UnpackHigh(a1, a3).AsUInt32();
        Vector256<uint> b4 = Avx2.UnpackLow(a4, a6).AsUInt32();
        Vector256<uint> b5 = Avx2.UnpackHigh(a4, a6).AsUInt32();
        Vector256<uint> b6 = Avx2.UnpackLow(a5, a7).AsUInt32();
        Vector256<uint> b7 = Avx2.UnpackHigh(a5, a7).AsUInt32();
        r0 = Avx2.Permute2x128(b0, b4, 0x20);
        r1 = Avx2.Permute2x128(b1, b5, 0x20);
        r2 = Avx2.Permute2x128(b2, b6, 0x20);
        r3 = Avx2.Permute2x128(b3, b7, 0x20);
        r4 = Avx2.Permute2x128(b0, b4, 0x31);
        r5 = Avx2.Permute2x128(b1, b5, 0x31);
        r6 = Avx2.Permute2x128(b2, b6, 0x31);
        r7 = Avx2.Permute2x128(b3, b7, 0x31);
    }


    /// <summary>
    /// Hashes 8 inputs of <paramref name="blocks"/> blocks each, <paramref name="stride"/> bytes apart, one per lane,
    /// and writes their 8 chaining values (32 bytes each) to <paramref name="output"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Hash8(ReadOnlySpan<byte> inputs, int stride, int blocks, in Blake3Cv key, ulong counter, bool incrementCounter, uint flags, uint flagsStart, uint flagsEnd, Span<byte> output)
    {
        if (inputs.Length < (7 * stride) + (blocks * Blake3Core.BlockLen) || output.Length < 8 * Blake3Core.OutLen)
        {
            throw new ArgumentException("The input or output buffer is too short.", nameof(inputs));
        }

        ref byte input = ref MemoryMarshal.GetReference(inputs);
        ref byte outRef = ref MemoryMarshal.GetReference(output);
        nuint s = (nuint)stride;
        ulong step = incrementCounter ? 1ul : 0ul;
        Vector256<uint> counterLow = Vector256.Create((uint)(counter + 0ul * step), (uint)(counter + 1ul * step), (uint)(counter + 2ul * step), (uint)(counter + 3ul * step), (uint)(counter + 4ul * step), (uint)(counter + 5ul * step), (uint)(counter + 6ul * step), (uint)(counter + 7ul * step));
        Vector256<uint> counterHigh = Vector256.Create((uint)((counter + 0ul * step) >> 32), (uint)((counter + 1ul * step) >> 32), (uint)((counter + 2ul * step) >> 32), (uint)((counter + 3ul * step) >> 32), (uint)((counter + 4ul * step) >> 32), (uint)((counter + 5ul * step) >> 32), (uint)((counter + 6ul * step) >> 32), (uint)((counter + 7ul * step) >> 32));
        Vector256<uint> h0 = Vector256.Create(key[0]);
        Vector256<uint> h1 = Vector256.Create(key[1]);
        Vector256<uint> h2 = Vector256.Create(key[2]);
        Vector256<uint> h3 = Vector256.Create(key[3]);
        Vector256<uint> h4 = Vector256.Create(key[4]);
        Vector256<uint> h5 = Vector256.Create(key[5]);
        Vector256<uint> h6 = Vector256.Create(key[6]);
        Vector256<uint> h7 = Vector256.Create(key[7]);

        for (int b = 0; b < blocks; b++)
        {
            nuint offset = (nuint)(b * Blake3Core.BlockLen);
            uint blockFlags = flags | (b == 0 ? flagsStart : 0) | (b == blocks - 1 ? flagsEnd : 0);
            Vector256<uint> m0 = Vector256.LoadUnsafe(ref input, offset + 0).AsUInt32();
            Vector256<uint> m1 = Vector256.LoadUnsafe(ref input, s + offset + 0).AsUInt32();
            Vector256<uint> m2 = Vector256.LoadUnsafe(ref input, (2 * s) + offset + 0).AsUInt32();
            Vector256<uint> m3 = Vector256.LoadUnsafe(ref input, (3 * s) + offset + 0).AsUInt32();
            Vector256<uint> m4 = Vector256.LoadUnsafe(ref input, (4 * s) + offset + 0).AsUInt32();
            Vector256<uint> m5 = Vector256.LoadUnsafe(ref input, (5 * s) + offset + 0).AsUInt32();
            Vector256<uint> m6 = Vector256.LoadUnsafe(ref input, (6 * s) + offset + 0).AsUInt32();
            Vector256<uint> m7 = Vector256.LoadUnsafe(ref input, (7 * s) + offset + 0).AsUInt32();
            Transpose(ref m0, ref m1, ref m2, ref m3, ref m4, ref m5, ref m6, ref m7);
            Vector256<uint> m8 = Vector256.LoadUnsafe(ref input, offset + 32).AsUInt32();
            Vector256<uint> m9 = Vector256.LoadUnsafe(ref input, s + offset + 32).AsUInt32();
            Vector256<uint> m10 = Vector256.LoadUnsafe(ref input, (2 * s) + offset + 32).AsUInt32();
            Vector256<uint> m11 = Vector256.LoadUnsafe(ref input, (3 * s) + offset + 32).AsUInt32();
            Vector256<uint> m12 = Vector256.LoadUnsafe(ref input, (4 * s) + offset + 32).AsUInt32();
            Vector256<uint> m13 = Vector256.LoadUnsafe(ref input, (5 * s) + offset + 32).AsUInt32();
            Vector256<uint> m14 = Vector256.LoadUnsafe(ref input, (6 * s) + offset + 32).AsUInt32();
            Vector256<uint> m15 = Vector256.LoadUnsafe(ref input, (7 * s) + offset + 32).AsUInt32();
            Transpose(ref m8, ref m9, ref m10, ref m11, ref m12, ref m13, ref m14, ref m15);

            Vector256<uint> v0 = h0, v1 = h1, v2 = h2, v3 = h3, v4 = h4, v5 = h5, v6 = h6, v7 = h7;
            Vector256<uint> v8 = Vector256.Create(Blake3Core.Iv0), v9 = Vector256.Create(Blake3Core.Iv1), v10 = Vector256.Create(Blake3Core.Iv2), v11 = Vector256.Create(Blake3Core.Iv3);
            Vector256<uint> v12 = counterLow, v13 = counterHigh, v14 = Vector256.Create((uint)Blake3Core.BlockLen), v15 = Vector256.Create(blockFlags);

                    // Round 1.
                    v0 = v0 + v4 + m0; v12 = Ror16(v12 ^ v0); v8 += v12; v4 = Ror12(v4 ^ v8);
                    v0 = v0 + v4 + m1; v12 = Ror8(v12 ^ v0); v8 += v12; v4 = Ror7(v4 ^ v8);
                    v1 = v1 + v5 + m2; v13 = Ror16(v13 ^ v1); v9 += v13; v5 = Ror12(v5 ^ v9);
                    v1 = v1 + v5 + m3; v13 = Ror8(v13 ^ v1); v9 += v13; v5 = Ror7(v5 ^ v9);
                    v2 = v2 + v6 + m4; v14 = Ror16(v14 ^ v2); v10 += v14; v6 = Ror12(v6 ^ v10);
                    v2 = v2 + v6 + m5; v14 = Ror8(v14 ^ v2); v10 += v14; v6 = Ror7(v6 ^ v10);
                    v3 = v3 + v7 + m6; v15 = Ror16(v15 ^ v3); v11 += v15; v7 = Ror12(v7 ^ v11);
                    v3 = v3 + v7 + m7; v15 = Ror8(v15 ^ v3); v11 += v15; v7 = Ror7(v7 ^ v11);
                    v0 = v0 + v5 + m8; v15 = Ror16(v15 ^ v0); v10 += v15; v5 = Ror12(v5 ^ v10);
                    v0 = v0 + v5 + m9; v15 = Ror8(v15 ^ v0); v10 += v15; v5 = Ror7(v5 ^ v10);
                    v1 = v1 + v6 + m10; v12 = Ror16(v12 ^ v1); v11 += v12; v6 = Ror12(v6 ^ v11);
                    v1 = v1 + v6 + m11; v12 = Ror8(v12 ^ v1); v11 += v12; v6 = Ror7(v6 ^ v11);
                    v2 = v2 + v7 + m12; v13 = Ror16(v13 ^ v2); v8 += v13; v7 = Ror12(v7 ^ v8);
                    v2 = v2 + v7 + m13; v13 = Ror8(v13 ^ v2); v8 += v13; v7 = Ror7(v7 ^ v8);
                    v3 = v3 + v4 + m14; v14 = Ror16(v14 ^ v3); v9 += v14; v4 = Ror12(v4 ^ v9);
                    v3 = v3 + v4 + m15; v14 = Ror8(v14 ^ v3); v9 += v14; v4 = Ror7(v4 ^ v9);
                    // Round 2.
                    v0 = v0 + v4 + m2; v12 = Ror16(v12 ^ v0); v8 += v12; v4 = Ror12(v4 ^ v8);
                    v0 = v0 + v4 + m6; v12 = Ror8(v12 ^ v0); v8 += v12; v4 = Ror7(v4 ^ v8);
                    v1 = v1 + v5 + m3; v13 = Ror16(v13 ^ v1); v9 += v13; v5 = Ror12(v5 ^ v9);
                    v1 = v1 + v5 + m10; v13 = Ror8(v13 ^ v1); v9 += v13; v5 = Ror7(v5 ^ v9);
                    v2 = v2 + v6 + m7; v14 = Ror16(v14 ^ v2); v10 += v14; v6 = Ror12(v6 ^ v10);
                    v2 = v2 + v6 + m0; v14 = Ror8(v14 ^ v2); v10 += v14; v6 = Ror7(v6 ^ v10);
                    v3 = v3 + v7 + m4; v15 = Ror16(v15 ^ v3); v11 += v15; v7 = Ror12(v7 ^ v11);
                    v3 = v3 + v7 + m13; v15 = Ror8(v15 ^ v3); v11 += v15; v7 = Ror7(v7 ^ v11);
                    v0 = v0 + v5 + m1; v15 = Ror16(v15 ^ v0); v10 += v15; v5 = Ror12(v5 ^ v10);
                    v0 = v0 + v5 + m11; v15 = Ror8(v15 ^ v0); v10 += v15; v5 = Ror7(v5 ^ v10);
                    v1 = v1 + v6 + m12; v12 = Ror16(v12 ^ v1); v11 += v12; v6 = Ror12(v6 ^ v11);
                    v1 = v1 + v6 + m5; v12 = Ror8(v12 ^ v1); v11 += v12; v6 = Ror7(v6 ^ v11);
                    v2 = v2 + v7 + m9; v13 = Ror16(v13 ^ v2); v8 += v13; v7 = Ror12(v7 ^ v8);
                    v2 = v2 + v7 + m14; v13 = Ror8(v13 ^ v2); v8 += v13; v7 = Ror7(v7 ^ v8);
                    v3 = v3 + v4 + m15; v14 = Ror16(v14 ^ v3); v9 += v14; v4 = Ror12(v4 ^ v9);
                    v3 = v3 + v4 + m8; v14 = Ror8(v14 ^ v3); v9 += v14; v4 = Ror7(v4 ^ v9);
                    // Round 3.
                    v0 = v0 + v4 + m3; v12 = Ror16(v12 ^ v0); v8 += v12; v4 = Ror12(v4 ^ v8);
                    v0 = v0 + v4 + m4; v12 = Ror8(v12 ^ v0); v8 += v12; v4 = Ror7(v4 ^ v8);
                    v1 = v1 + v5 + m10; v13 = Ror16(v13 ^ v1); v9 += v13; v5 = Ror12(v5 ^ v9);
                    v1 = v1 + v5 + m12; v13 = Ror8(v13 ^ v1); v9 += v13; v5 = Ror7(v5 ^ v9);
                    v2 = v2 + v6 + m13; v14 = Ror16(v14 ^ v2); v10 += v14; v6 = Ror12(v6 ^ v10);
                    v2 = v2 + v6 + m2; v14 = Ror8(v14 ^ v2); v10 += v14; v6 = Ror7(v6 ^ v10);
                    v3 = v3 + v7 + m7; v15 = Ror16(v15 ^ v3); v11 += v15; v7 = Ror12(v7 ^ v11);
                    v3 = v3 + v7 + m14; v15 = Ror8(v15 ^ v3); v11 += v15; v7 = Ror7(v7 ^ v11);
                    v0 = v0 + v5 + m6; v15 = Ror16(v15 ^ v0); v10 += v15; v5 = Ror12(v5 ^ v10);
                    v0 = v0 + v5 + m5; v15 = Ror8(v15 ^ v0); v10 += v15; v5 = Ror7(v5 ^ v10);
                    v1 = v1 + v6 + m9; v12 = Ror16(v12 ^ v1); v11 += v12; v6 = Ror12(v6 ^ v11);
                    v1 = v1 + v6 + m0; v12 = Ror8(v12 ^ v1); v11 += v12; v6 = Ror7(v6 ^ v11);
                    v2 = v2 + v7 + m11; v13 = Ror16(v13 ^ v2); v8 += v13; v7 = Ror12(v7 ^ v8);
                    v2 = v2 + v7 + m15; v13 = Ror8(v13 ^ v2); v8 += v13; v7 = Ror7(v7 ^ v8);
                    v3 = v3 + v4 + m8; v14 = Ror16(v14 ^ v3); v9 += v14; v4 = Ror12(v4 ^ v9);
                    v3 = v3 + v4 + m1; v14 = Ror8(v14 ^ v3); v9 += v14; v4 = Ror7(v4 ^ v9);
                    // Round 4.
                    v0 = v0 + v4 + m10; v12 = Ror16(v12 ^ v0); v8 += v12; v4 = Ror12(v4 ^ v8);
                    v0 = v0 + v4 + m7; v12 = Ror8(v12 ^ v0); v8 += v12; v4 = Ror7(v4 ^ v8);
                    v1 = v1 + v5 + m12; v13 = Ror16(v13 ^ v1); v9 += v13; v5 = Ror12(v5 ^ v9);
                    v1 = v1 + v5 + m9; v13 = Ror8(v13 ^ v1); v9 += v13; v5 = Ror7(v5 ^ v9);
                    v2 = v2 + v6 + m14; v14 = Ror16(v14 ^ v2); v10 += v14; v6 = Ror12(v6 ^ v10);
                    v2 = v2 + v6 + m3; v14 = Ror8(v14 ^ v2); v10 += v14; v6 = Ror7(v6 ^ v10);
                    v3 = v3 + v7 + m13; v15 = Ror16(v15 ^ v3); v11 += v15; v7 = Ror12(v7 ^ v11);
                    v3 = v3 + v7 + m15; v15 = Ror8(v15 ^ v3); v11 += v15; v7 = Ror7(v7 ^ v11);
                    v0 = v0 + v5 + m4; v15 = Ror16(v15 ^ v0); v10 += v15; v5 = Ror12(v5 ^ v10);
                    v0 = v0 + v5 + m0; v15 = Ror8(v15 ^ v0); v10 += v15; v5 = Ror7(v5 ^ v10);
                    v1 = v1 + v6 + m11; v12 = Ror16(v12 ^ v1); v11 += v12; v6 = Ror12(v6 ^ v11);
                    v1 = v1 + v6 + m2; v12 = Ror8(v12 ^ v1); v11 += v12; v6 = Ror7(v6 ^ v11);
                    v2 = v2 + v7 + m5; v13 = Ror16(v13 ^ v2); v8 += v13; v7 = Ror12(v7 ^ v8);
                    v2 = v2 + v7 + m8; v13 = Ror8(v13 ^ v2); v8 += v13; v7 = Ror7(v7 ^ v8);
                    v3 = v3 + v4 + m1; v14 = Ror16(v14 ^ v3); v9 += v14; v4 = Ror12(v4 ^ v9);
                    v3 = v3 + v4 + m6; v14 = Ror8(v14 ^ v3); v9 += v14; v4 = Ror7(v4 ^ v9);
                    // Round 5.
                    v0 = v0 + v4 + m12; v12 = Ror16(v12 ^ v0); v8 += v12; v4 = Ror12(v4 ^ v8);
                    v0 = v0 + v4 + m13; v12 = Ror8(v12 ^ v0); v8 += v12; v4 = Ror7(v4 ^ v8);
                    v1 = v1 + v5 + m9; v13 = Ror16(v13 ^ v1); v9 += v13; v5 = Ror12(v5 ^ v9);
                    v1 = v1 + v5 + m11; v13 = Ror8(v13 ^ v1); v9 += v13; v5 = Ror7(v5 ^ v9);
                    v2 = v2 + v6 + m15; v14 = Ror16(v14 ^ v2); v10 += v14; v6 = Ror12(v6 ^ v10);
                    v2 = v2 + v6 + m10; v14 = Ror8(v14 ^ v2); v10 += v14; v6 = Ror7(v6 ^ v10);
                    v3 = v3 + v7 + m14; v15 = Ror16(v15 ^ v3); v11 += v15; v7 = Ror12(v7 ^ v11);
                    v3 = v3 + v7 + m8; v15 = Ror8(v15 ^ v3); v11 += v15; v7 = Ror7(v7 ^ v11);
                    v0 = v0 + v5 + m7; v15 = Ror16(v15 ^ v0); v10 += v15; v5 = Ror12(v5 ^ v10);
                    v0 = v0 + v5 + m2; v15 = Ror8(v15 ^ v0); v10 += v15; v5 = Ror7(v5 ^ v10);
                    v1 = v1 + v6 + m5; v12 = Ror16(v12 ^ v1); v11 += v12; v6 = Ror12(v6 ^ v11);
                    v1 = v1 + v6 + m3; v12 = Ror8(v12 ^ v1); v11 += v12; v6 = Ror7(v6 ^ v11);
                    v2 = v2 + v7 + m0; v13 = Ror16(v13 ^ v2); v8 += v13; v7 = Ror12(v7 ^ v8);
                    v2 = v2 + v7 + m1; v13 = Ror8(v13 ^ v2); v8 += v13; v7 = Ror7(v7 ^ v8);
                    v3 = v3 + v4 + m6; v14 = Ror16(v14 ^ v3); v9 += v14; v4 = Ror12(v4 ^ v9);
                    v3 = v3 + v4 + m4; v14 = Ror8(v14 ^ v3); v9 += v14; v4 = Ror7(v4 ^ v9);
                    // Round 6.
                    v0 = v0 + v4 + m9; v12 = Ror16(v12 ^ v0); v8 += v12; v4 = Ror12(v4 ^ v8);
                    v0 = v0 + v4 + m14; v12 = Ror8(v12 ^ v0); v8 += v12; v4 = Ror7(v4 ^ v8);
                    v1 = v1 + v5 + m11; v13 = Ror16(v13 ^ v1); v9 += v13; v5 = Ror12(v5 ^ v9);
                    v1 = v1 + v5 + m5; v13 = Ror8(v13 ^ v1); v9 += v13; v5 = Ror7(v5 ^ v9);
                    v2 = v2 + v6 + m8; v14 = Ror16(v14 ^ v2); v10 += v14; v6 = Ror12(v6 ^ v10);
                    v2 = v2 + v6 + m12; v14 = Ror8(v14 ^ v2); v10 += v14; v6 = Ror7(v6 ^ v10);
                    v3 = v3 + v7 + m15; v15 = Ror16(v15 ^ v3); v11 += v15; v7 = Ror12(v7 ^ v11);
                    v3 = v3 + v7 + m1; v15 = Ror8(v15 ^ v3); v11 += v15; v7 = Ror7(v7 ^ v11);
                    v0 = v0 + v5 + m13; v15 = Ror16(v15 ^ v0); v10 += v15; v5 = Ror12(v5 ^ v10);
                    v0 = v0 + v5 + m3; v15 = Ror8(v15 ^ v0); v10 += v15; v5 = Ror7(v5 ^ v10);
                    v1 = v1 + v6 + m0; v12 = Ror16(v12 ^ v1); v11 += v12; v6 = Ror12(v6 ^ v11);
                    v1 = v1 + v6 + m10; v12 = Ror8(v12 ^ v1); v11 += v12; v6 = Ror7(v6 ^ v11);
                    v2 = v2 + v7 + m2; v13 = Ror16(v13 ^ v2); v8 += v13; v7 = Ror12(v7 ^ v8);
                    v2 = v2 + v7 + m6; v13 = Ror8(v13 ^ v2); v8 += v13; v7 = Ror7(v7 ^ v8);
                    v3 = v3 + v4 + m4; v14 = Ror16(v14 ^ v3); v9 += v14; v4 = Ror12(v4 ^ v9);
                    v3 = v3 + v4 + m7; v14 = Ror8(v14 ^ v3); v9 += v14; v4 = Ror7(v4 ^ v9);
                    // Round 7.
                    v0 = v0 + v4 + m11; v12 = Ror16(v12 ^ v0); v8 += v12; v4 = Ror12(v4 ^ v8);
                    v0 = v0 + v4 + m15; v12 = Ror8(v12 ^ v0); v8 += v12; v4 = Ror7(v4 ^ v8);
                    v1 = v1 + v5 + m5; v13 = Ror16(v13 ^ v1); v9 += v13; v5 = Ror12(v5 ^ v9);
                    v1 = v1 + v5 + m0; v13 = Ror8(v13 ^ v1); v9 += v13; v5 = Ror7(v5 ^ v9);
                    v2 = v2 + v6 + m1; v14 = Ror16(v14 ^ v2); v10 += v14; v6 = Ror12(v6 ^ v10);
                    v2 = v2 + v6 + m9; v14 = Ror8(v14 ^ v2); v10 += v14; v6 = Ror7(v6 ^ v10);
                    v3 = v3 + v7 + m8; v15 = Ror16(v15 ^ v3); v11 += v15; v7 = Ror12(v7 ^ v11);
                    v3 = v3 + v7 + m6; v15 = Ror8(v15 ^ v3); v11 += v15; v7 = Ror7(v7 ^ v11);
                    v0 = v0 + v5 + m14; v15 = Ror16(v15 ^ v0); v10 += v15; v5 = Ror12(v5 ^ v10);
                    v0 = v0 + v5 + m10; v15 = Ror8(v15 ^ v0); v10 += v15; v5 = Ror7(v5 ^ v10);
                    v1 = v1 + v6 + m2; v12 = Ror16(v12 ^ v1); v11 += v12; v6 = Ror12(v6 ^ v11);
                    v1 = v1 + v6 + m12; v12 = Ror8(v12 ^ v1); v11 += v12; v6 = Ror7(v6 ^ v11);
                    v2 = v2 + v7 + m3; v13 = Ror16(v13 ^ v2); v8 += v13; v7 = Ror12(v7 ^ v8);
                    v2 = v2 + v7 + m4; v13 = Ror8(v13 ^ v2); v8 += v13; v7 = Ror7(v7 ^ v8);
                    v3 = v3 + v4 + m7; v14 = Ror16(v14 ^ v3); v9 += v14; v4 = Ror12(v4 ^ v9);
                    v3 = v3 + v4 + m13; v14 = Ror8(v14 ^ v3); v9 += v14; v4 = Ror7(v4 ^ v9);

            h0 = v0 ^ v8;
            h1 = v1 ^ v9;
            h2 = v2 ^ v10;
            h3 = v3 ^ v11;
            h4 = v4 ^ v12;
            h5 = v5 ^ v13;
            h6 = v6 ^ v14;
            h7 = v7 ^ v15;
        }

        Transpose(ref h0, ref h1, ref h2, ref h3, ref h4, ref h5, ref h6, ref h7);
        ref uint o = ref Unsafe.As<byte, uint>(ref outRef);
        h0.StoreUnsafe(ref o, 0);
        h1.StoreUnsafe(ref o, 8);
        h2.StoreUnsafe(ref o, 16);
        h3.StoreUnsafe(ref o, 24);
        h4.StoreUnsafe(ref o, 32);
        h5.StoreUnsafe(ref o, 40);
        h6.StoreUnsafe(ref o, 48);
        h7.StoreUnsafe(ref o, 56);
    }
}
