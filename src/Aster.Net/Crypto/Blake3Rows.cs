using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Aster.Net.Crypto;

/// <summary>
/// Single-block BLAKE3 compression with the state in four <see cref="Vector128{T}"/> rows (x86 with AVX2): the four
/// column (then diagonal) G functions run in the lanes of one vector, with lane rotations between the halves of a
/// round. Each round's message words are gathered from the block with <c>vpermd</c> (one 512-bit permute with
/// AVX-512F, or two 256-bit permutes and a blend with AVX2). Used for every compression that cannot be batched: short
/// inputs, the last block of a chunk, the root output, and the merges of the incremental CV stack.
/// </summary>
internal static class Blake3Rows
{
    /// <summary>Per round, the message word for each of the 16 lanes of the four message vectors (x and y for the columns, then the diagonals).</summary>
    private static ReadOnlySpan<uint> Schedule =>
    [
        0, 2, 4, 6, 1, 3, 5, 7, 8, 10, 12, 14, 9, 11, 13, 15,
        2, 3, 7, 4, 6, 10, 0, 13, 1, 12, 9, 15, 11, 5, 14, 8,
        3, 10, 13, 7, 4, 12, 2, 14, 6, 9, 11, 8, 5, 0, 15, 1,
        10, 12, 14, 13, 7, 9, 3, 15, 4, 11, 5, 1, 0, 2, 8, 6,
        12, 9, 15, 14, 13, 11, 10, 8, 7, 5, 0, 6, 2, 3, 1, 4,
        9, 11, 8, 15, 14, 5, 12, 1, 13, 0, 2, 4, 3, 10, 6, 7,
        11, 5, 1, 8, 15, 0, 9, 6, 14, 2, 3, 7, 10, 12, 4, 13,
    ];

    /// <summary>Whether this path is available.</summary>
    public static bool IsSupported => Avx2.IsSupported && BitConverter.IsLittleEndian;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Ror16(Vector128<uint> x) => Avx512F.VL.IsSupported
        ? Avx512F.VL.RotateRight(x, 16)
        : Ssse3.Shuffle(x.AsByte(), Vector128.Create((byte)2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13)).AsUInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Ror12(Vector128<uint> x) => Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(x, 12) : (x >> 12) | (x << 20);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Ror8(Vector128<uint> x) => Avx512F.VL.IsSupported
        ? Avx512F.VL.RotateRight(x, 8)
        : Ssse3.Shuffle(x.AsByte(), Vector128.Create((byte)1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12)).AsUInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Ror7(Vector128<uint> x) => Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(x, 7) : (x >> 7) | (x << 25);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void G(ref Vector128<uint> a, ref Vector128<uint> b, ref Vector128<uint> c, ref Vector128<uint> d, Vector128<uint> x, Vector128<uint> y)
    {
        a = a + b + x;
        d = Ror16(d ^ a);
        c += d;
        b = Ror12(b ^ c);
        a = a + b + y;
        d = Ror8(d ^ a);
        c += d;
        b = Ror7(b ^ c);
    }

    /// <summary>Rotates rows 1, 2 and 3 left by 1, 2 and 3 lanes so the diagonals line up as columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Diagonalize(ref Vector128<uint> row1, ref Vector128<uint> row2, ref Vector128<uint> row3)
    {
        row1 = Sse2.Shuffle(row1, 0x39);
        row2 = Sse2.Shuffle(row2, 0x4E);
        row3 = Sse2.Shuffle(row3, 0x93);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Undiagonalize(ref Vector128<uint> row1, ref Vector128<uint> row2, ref Vector128<uint> row3)
    {
        row1 = Sse2.Shuffle(row1, 0x93);
        row2 = Sse2.Shuffle(row2, 0x4E);
        row3 = Sse2.Shuffle(row3, 0x39);
    }

    /// <summary>The four message vectors of round <paramref name="round"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Message(Vector512<uint> m, int round, out Vector128<uint> x0, out Vector128<uint> y0, out Vector128<uint> x1, out Vector128<uint> y1)
    {
        ref uint table = ref Unsafe.Add(ref MemoryMarshal.GetReference(Schedule), round * 16);
        if (Avx512F.IsSupported)
        {
            Vector512<uint> all = Avx512F.PermuteVar16x32(m, Vector512.LoadUnsafe(ref table));
            x0 = all.GetLower().GetLower();
            y0 = all.GetLower().GetUpper();
            x1 = all.GetUpper().GetLower();
            y1 = all.GetUpper().GetUpper();
        }
        else
        {
            Vector256<uint> lo = m.GetLower();
            Vector256<uint> hi = m.GetUpper();
            Vector256<uint> i0 = Vector256.LoadUnsafe(ref table);
            Vector256<uint> i1 = Vector256.LoadUnsafe(ref table, 8);
            Vector256<uint> seven = Vector256.Create(7u);
            Vector256<uint> a = Avx2.BlendVariable(Avx2.PermuteVar8x32(lo, i0), Avx2.PermuteVar8x32(hi, i0), Vector256.GreaterThan(i0, seven));
            Vector256<uint> b = Avx2.BlendVariable(Avx2.PermuteVar8x32(lo, i1), Avx2.PermuteVar8x32(hi, i1), Vector256.GreaterThan(i1, seven));
            x0 = a.GetLower();
            y0 = a.GetUpper();
            x1 = b.GetLower();
            y1 = b.GetUpper();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Rounds(Vector512<uint> m, ref Vector128<uint> row0, ref Vector128<uint> row1, ref Vector128<uint> row2, ref Vector128<uint> row3)
    {
        Vector128<uint> x0, y0, x1, y1;
        // Round 1: message words [0, 2, 4, 6, 1, 3, 5, 7, 8, 10, 12, 14, 9, 11, 13, 15].
        Message(m, 0, out x0, out y0, out x1, out y1);
        G(ref row0, ref row1, ref row2, ref row3, x0, y0);
        Diagonalize(ref row1, ref row2, ref row3);
        G(ref row0, ref row1, ref row2, ref row3, x1, y1);
        Undiagonalize(ref row1, ref row2, ref row3);
        // Round 2: message words [2, 3, 7, 4, 6, 10, 0, 13, 1, 12, 9, 15, 11, 5, 14, 8].
        Message(m, 1, out x0, out y0, out x1, out y1);
        G(ref row0, ref row1, ref row2, ref row3, x0, y0);
        Diagonalize(ref row1, ref row2, ref row3);
        G(ref row0, ref row1, ref row2, ref row3, x1, y1);
        Undiagonalize(ref row1, ref row2, ref row3);
        // Round 3: message words [3, 10, 13, 7, 4, 12, 2, 14, 6, 9, 11, 8, 5, 0, 15, 1].
        Message(m, 2, out x0, out y0, out x1, out y1);
        G(ref row0, ref row1, ref row2, ref row3, x0, y0);
        Diagonalize(ref row1, ref row2, ref row3);
        G(ref row0, ref row1, ref row2, ref row3, x1, y1);
        Undiagonalize(ref row1, ref row2, ref row3);
        // Round 4: message words [10, 12, 14, 13, 7, 9, 3, 15, 4, 11, 5, 1, 0, 2, 8, 6].
        Message(m, 3, out x0, out y0, out x1, out y1);
        G(ref row0, ref row1, ref row2, ref row3, x0, y0);
        Diagonalize(ref row1, ref row2, ref row3);
        G(ref row0, ref row1, ref row2, ref row3, x1, y1);
        Undiagonalize(ref row1, ref row2, ref row3);
        // Round 5: message words [12, 9, 15, 14, 13, 11, 10, 8, 7, 5, 0, 6, 2, 3, 1, 4].
        Message(m, 4, out x0, out y0, out x1, out y1);
        G(ref row0, ref row1, ref row2, ref row3, x0, y0);
        Diagonalize(ref row1, ref row2, ref row3);
        G(ref row0, ref row1, ref row2, ref row3, x1, y1);
        Undiagonalize(ref row1, ref row2, ref row3);
        // Round 6: message words [9, 11, 8, 15, 14, 5, 12, 1, 13, 0, 2, 4, 3, 10, 6, 7].
        Message(m, 5, out x0, out y0, out x1, out y1);
        G(ref row0, ref row1, ref row2, ref row3, x0, y0);
        Diagonalize(ref row1, ref row2, ref row3);
        G(ref row0, ref row1, ref row2, ref row3, x1, y1);
        Undiagonalize(ref row1, ref row2, ref row3);
        // Round 7: message words [11, 5, 1, 8, 15, 0, 9, 6, 14, 2, 3, 7, 10, 12, 4, 13].
        Message(m, 6, out x0, out y0, out x1, out y1);
        G(ref row0, ref row1, ref row2, ref row3, x0, y0);
        Diagonalize(ref row1, ref row2, ref row3);
        G(ref row0, ref row1, ref row2, ref row3, x1, y1);
        Undiagonalize(ref row1, ref row2, ref row3);
    }

    /// <summary>Compresses one block into <paramref name="cv"/> in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compress(ref Blake3Cv cv, ReadOnlySpan<byte> block, ulong counter, uint blockLen, uint flags)
    {
        Vector512<uint> m = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(block[..Blake3Core.BlockLen])).AsUInt32();
        ref uint h = ref Unsafe.As<Blake3Cv, uint>(ref cv);
        Vector128<uint> row0 = Vector128.LoadUnsafe(ref h);
        Vector128<uint> row1 = Vector128.LoadUnsafe(ref h, 4);
        Vector128<uint> row2 = Vector128.Create(Blake3Core.Iv0, Blake3Core.Iv1, Blake3Core.Iv2, Blake3Core.Iv3);
        Vector128<uint> row3 = Vector128.Create((uint)counter, (uint)(counter >> 32), blockLen, flags);
        Rounds(m, ref row0, ref row1, ref row2, ref row3);
        (row0 ^ row2).StoreUnsafe(ref h);
        (row1 ^ row3).StoreUnsafe(ref h, 4);
    }

    /// <summary>Compresses one block and writes the full 64-byte output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CompressXof(in Blake3Cv cv, ReadOnlySpan<byte> block, ulong counter, uint blockLen, uint flags, Span<byte> output)
    {
        Vector512<uint> m = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(block[..Blake3Core.BlockLen])).AsUInt32();
        ref uint h = ref Unsafe.As<Blake3Cv, uint>(ref Unsafe.AsRef(in cv));
        Vector128<uint> cv0 = Vector128.LoadUnsafe(ref h);
        Vector128<uint> cv1 = Vector128.LoadUnsafe(ref h, 4);
        Vector128<uint> row0 = cv0;
        Vector128<uint> row1 = cv1;
        Vector128<uint> row2 = Vector128.Create(Blake3Core.Iv0, Blake3Core.Iv1, Blake3Core.Iv2, Blake3Core.Iv3);
        Vector128<uint> row3 = Vector128.Create((uint)counter, (uint)(counter >> 32), blockLen, flags);
        Rounds(m, ref row0, ref row1, ref row2, ref row3);
        ref uint o = ref Unsafe.As<byte, uint>(ref MemoryMarshal.GetReference(output[..Blake3Core.BlockLen]));
        (row0 ^ row2).StoreUnsafe(ref o);
        (row1 ^ row3).StoreUnsafe(ref o, 4);
        (row2 ^ cv0).StoreUnsafe(ref o, 8);
        (row3 ^ cv1).StoreUnsafe(ref o, 12);
    }
}
