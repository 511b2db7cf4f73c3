using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Aster.Net.Crypto;

/// <summary>
/// Four-way BLAKE3: four chunks or parent nodes compressed at once, one per <see cref="Vector128{T}"/> lane, with transposed message words. Rotations use AVX-512VL <c>vprord</c>, else SSSE3 byte shuffles for 16 and 8 bits, else shifts; transposes use SSE2 unpacks or Arm64 zips.
/// </summary>
internal static class Blake3Vector128
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Ror16(Vector128<uint> x)
    {
        if (Avx512F.VL.IsSupported)
        {
            return Avx512F.VL.RotateRight(x, 16);
        }

        if (Ssse3.IsSupported)
        {
            return Ssse3.Shuffle(x.AsByte(), Vector128.Create((byte)2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13)).AsUInt32();
        }

        return (x >> 16) | (x << 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Ror12(Vector128<uint> x) => Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(x, 12) : (x >> 12) | (x << 20);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Ror8(Vector128<uint> x)
    {
        if (Avx512F.VL.IsSupported)
        {
            return Avx512F.VL.RotateRight(x, 8);
        }

        if (Ssse3.IsSupported)
        {
            return Ssse3.Shuffle(x.AsByte(), Vector128.Create((byte)1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12)).AsUInt32();
        }

        return (x >> 8) | (x << 24);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Ror7(Vector128<uint> x) => Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(x, 7) : (x >> 7) | (x << 25);

    /// <summary>Transposes a 4x4 matrix of words held in four rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose(ref Vector128<uint> r0, ref Vector128<uint> r1, ref Vector128<uint> r2, ref Vector128<uint> r3)
    {
        if (Sse2.IsSupported)
        {
            Vector128<uint> t0 = Sse2.UnpackLow(r0, r1);
            Vector128<uint> t1 = Sse2.UnpackLow(r2, r3);
            Vector128<uint> t2 = Sse2.UnpackHigh(r0, r1);
            Vector128<uint> t3 = Sse2.UnpackHigh(r2, r3);
            r0 = Sse2.UnpackLow(t0.AsUInt64(), t1.AsUInt64()).AsUInt32();
            r1 = Sse2.UnpackHigh(t0.AsUInt64(), t1.AsUInt64()).AsUInt32();
            r2 = Sse2.UnpackLow(t2.AsUInt64(), t3.AsUInt64()).AsUInt32();
            r3 = Sse2.UnpackHigh(t2.AsUInt64(), t3.AsUInt64()).AsUInt32();
        }
        else if (AdvSimd.Arm64.IsSupported)
        {
            Vector128<uint> t0 = AdvSimd.Arm64.ZipLow(r0, r1);
            Vector128<uint> t1 = AdvSimd.Arm64.ZipLow(r2, r3);
            Vector128<uint> t2 = AdvSimd.Arm64.ZipHigh(r0, r1);
            Vector128<uint> t3 = AdvSimd.Arm64.ZipHigh(r2, r3);
            r0 = AdvSimd.Arm64.ZipLow(t0.AsUInt64(), t1.AsUInt64()).AsUInt32();
            r1 = AdvSimd.Arm64.ZipHigh(t0.AsUInt64(), t1.AsUInt64()).AsUInt32();
            r2 = AdvSimd.Arm64.ZipLow(t2.AsUInt64(), t3.AsUInt64()).AsUInt32();
            r3 = AdvSimd.Arm64.ZipHigh(t2.AsUInt64(), t3.AsUInt64()).AsUInt32();
        }
        else
        {
            Vector128<uint> a = r0, b = r1, c = r2, d = r3;
            r0 = Vector128.Create(a[0], b[0], c[0], d[0]);
            r1 = Vector128.Create(a[1], b[1], c[1], d[1]);
            r2 = Vector128.Create(a[2], b[2], c[2], d[2]);
            r3 = Vector128.Create(a[3], b[3], c[3], d[3]);
        }
    }


    /// <summary>
    /// Hashes 4 inputs of <paramref name="blocks"/> blocks each, <paramref name="stride"/> bytes apart, one per lane,
    /// and writes their 4 chaining values (32 bytes each) to <paramref name="output"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Hash4(ReadOnlySpan<byte> inputs, int stride, int blocks, in Blake3Cv key, ulong counter, bool incrementCounter, uint flags, uint flagsStart, uint flagsEnd, Span<byte> output)
    {
        if (inputs.Length < (3 * stride) + (blocks * Blake3Core.BlockLen) || output.Length < 4 * Blake3Core.OutLen)
        {
            throw new ArgumentException("The input or output buffer is too short.", nameof(inputs));
        }

        ref byte input = ref MemoryMarshal.GetReference(inputs);
        ref byte outRef = ref MemoryMarshal.GetReference(output);
        nuint s = (nuint)stride;
        ulong step = incrementCounter ? 1ul : 0ul;
        Vector128<uint> counterLow = Vector128.Create((uint)(counter + 0ul * step), (uint)(counter + 1ul * step), (uint)(counter + 2ul * step), (uint)(counter + 3ul * step));
        Vector128<uint> counterHigh = Vector128.Create((uint)((counter + 0ul * step) >> 32), (uint)((counter + 1ul * step) >> 32), (uint)((counter + 2ul * step) >> 32), (uint)((counter + 3ul * step) >> 32));
        Vector128<uint> h0 = Vector128.Create(key[0]);
        Vector128<uint> h1 = Vector128.Create(key[1]);
        Vector128<uint> h2 = Vector128.Create(key[2]);
        Vector128<uint> h3 = Vector128.Create(key[3]);
        Vector128<uint> h4 = Vector128.Create(key[4]);
        Vector128<uint> h5 = Vector128.Create(key[5]);
        Vector128<uint> h6 = Vector128.Create(key[6]);
        Vector128<uint> h7 = Vector128.Create(key[7]);

        for (int b = 0; b < blocks; b++)
        {
            nuint offset = (nuint)(b * Blake3Core.BlockLen);
            uint blockFlags = flags | (b == 0 ? flagsStart : 0) | (b == blocks - 1 ? flagsEnd : 0);
            Vector128<uint> m0 = Vector128.LoadUnsafe(ref input, offset + 0).AsUInt32();
            Vector128<uint> m1 = Vector128.LoadUnsafe(ref input, s + offset + 0).AsUInt32();
            Vector128<uint> m2 = Vector128.LoadUnsafe(ref input, (2 * s) + offset + 0).AsUInt32();
            Vector128<uint> m3 = Vector128.LoadUnsafe(ref input, (3 * s) + offset + 0).AsUInt32();
            Transpose(ref m0, ref m1, ref m2, ref m3);
            Vector128<uint> m4 = Vector128.LoadUnsafe(ref input, offset + 16).AsUInt32();
            Vector128<uint> m5 = Vector128.LoadUnsafe(ref input, s + offset + 16).AsUInt32();
            Vector128<uint> m6 = Vector128.LoadUnsafe(ref input, (2 * s) + offset + 16).AsUInt32();
            Vector128<uint> m7 = Vector128.LoadUnsafe(ref input, (3 * s) + offset + 16).AsUInt32();
            Transpose(ref m4, ref m5, ref m6, ref m7);
            Vector128<uint> m8 = Vector128.LoadUnsafe(ref input, offset + 32).AsUInt32();
            Vector128<uint> m9 = Vector128.LoadUnsafe(ref input, s + offset + 32).AsUInt32();
            Vector128<uint> m10 = Vector128.LoadUnsafe(ref input, (2 * s) + offset + 32).AsUInt32();
            Vector128<uint> m11 = Vector128.LoadUnsafe(ref input, (3 * s) + offset + 32).AsUInt32();
            Transpose(ref m8, ref m9, ref m10, ref m11);
            Vector128<uint> m12 = Vector128.LoadUnsafe(ref input, offset + 48).AsUInt32();
            Vector128<uint> m13 = Vector128.LoadUnsafe(ref input, s + offset + 48).AsUInt32();
            Vector128<uint> m14 = Vector128.LoadUnsafe(ref input, (2 * s) + offset + 48).AsUInt32();
            Vector128<uint> m15 = Vector128.LoadUnsafe(ref input, (3 * s) + offset + 48).AsUInt32();
            Transpose(ref m12, ref m13, ref m14, ref m15);

            Vector128<uint> v0 = h0, v1 = h1, v2 = h2, v3 = h3, v4 = h4, v5 = h5, v6 = h6, v7 = h7;
            Vector128<uint> v8 = Vector128.Create(Blake3Core.Iv0), v9 = Vector128.Create(Blake3Core.Iv1), v10 = Vector128.Create(Blake3Core.Iv2), v11 = Vector128.Create(Blake3Core.Iv3);
            Vector128<uint> v12 = counterLow, v13 = counterHigh, v14 = Vector128.Create((uint)Blake3Core.BlockLen), v15 = Vector128.Create(blockFlags);

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

        Transpose(ref h0, ref h1, ref h2, ref h3);
        Transpose(ref h4, ref h5, ref h6, ref h7);
        h0.StoreUnsafe(ref Unsafe.As<byte, uint>(ref outRef), 0);
        h4.StoreUnsafe(ref Unsafe.As<byte, uint>(ref outRef), 4);
        h1.StoreUnsafe(ref Unsafe.As<byte, uint>(ref outRef), 8);
        h5.StoreUnsafe(ref Unsafe.As<byte, uint>(ref outRef), 12);
        h2.StoreUnsafe(ref Unsafe.As<byte, uint>(ref outRef), 16);
        h6.StoreUnsafe(ref Unsafe.As<byte, uint>(ref outRef), 20);
        h3.StoreUnsafe(ref Unsafe.As<byte, uint>(ref outRef), 24);
        h7.StoreUnsafe(ref Unsafe.As<byte, uint>(ref outRef), 28);
    }
}
