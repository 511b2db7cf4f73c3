using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Aster.Net.Crypto;

/// <summary>The compression back ends of the BLAKE3 implementation, from slowest to fastest.</summary>
internal enum Blake3Backend
{
    /// <summary>One compression at a time, portable scalar code.</summary>
    Scalar = 0,

    /// <summary>Four chunks (or parent nodes) at a time in <see cref="Vector128{T}"/> lanes.</summary>
    Vector128 = 1,

    /// <summary>Eight chunks (or parent nodes) at a time in <see cref="Vector256{T}"/> lanes (x86 AVX2).</summary>
    Vector256 = 2,

    /// <summary>Sixteen chunks (or parent nodes) at a time in <see cref="Vector512{T}"/> lanes (x86 AVX-512F).</summary>
    Vector512 = 3,
}

/// <summary>Eight 32-bit words: a BLAKE3 chaining value or key.</summary>
[InlineArray(8)]
internal struct Blake3Cv
{
    private uint _element;
}

/// <summary>One 64-byte BLAKE3 message block.</summary>
[InlineArray(Blake3Core.BlockLen)]
internal struct Blake3Block
{
    private byte _element;
}

/// <summary>Constants and the tree-level helpers shared by the one-shot and incremental BLAKE3 code.</summary>
internal static class Blake3Core
{
    public const int BlockLen = 64;
    public const int ChunkLen = 1024;
    public const int OutLen = 32;

    /// <summary>Deepest possible CV stack: 2^64 bytes of input is 2^54 chunks.</summary>
    public const int MaxDepth = 54;

    /// <summary>Largest SIMD degree of any back end (Vector512: 16 lanes).</summary>
    public const int MaxSimdDegree = 16;

    public const uint ChunkStart = 1;
    public const uint ChunkEnd = 2;
    public const uint Parent = 4;
    public const uint Root = 8;
    public const uint KeyedHash = 16;
    public const uint DeriveKeyContext = 32;
    public const uint DeriveKeyMaterial = 64;

    public const uint Iv0 = 0x6A09E667;
    public const uint Iv1 = 0xBB67AE85;
    public const uint Iv2 = 0x3C6EF372;
    public const uint Iv3 = 0xA54FF53A;
    public const uint Iv4 = 0x510E527F;
    public const uint Iv5 = 0x9B05688C;
    public const uint Iv6 = 0x1F83D9AB;
    public const uint Iv7 = 0x5BE0CD19;

    /// <summary>The fastest back end this machine supports.</summary>
    public static Blake3Backend BestBackend { get; } = DetectBackend();

    private static Blake3Backend DetectBackend()
    {
        if (!BitConverter.IsLittleEndian)
        {
            return Blake3Backend.Scalar;
        }

        if (Avx512F.IsSupported && Vector512.IsHardwareAccelerated)
        {
            return Blake3Backend.Vector512;
        }

        if (Avx2.IsSupported && Vector256.IsHardwareAccelerated)
        {
            return Blake3Backend.Vector256;
        }

        return Vector128.IsHardwareAccelerated ? Blake3Backend.Vector128 : Blake3Backend.Scalar;
    }

    /// <summary>Clamps a requested back end to what the machine supports.</summary>
    public static Blake3Backend Effective(Blake3Backend requested) => requested > BestBackend ? BestBackend : requested;

    /// <summary>How many chunks the back end compresses at once.</summary>
    public static int Degree(Blake3Backend backend) => backend switch
    {
        Blake3Backend.Vector512 => 16,
        Blake3Backend.Vector256 => 8,
        Blake3Backend.Vector128 => 4,
        _ => 1,
    };

    /// <summary>The standard IV as a key (the unkeyed hash and the derive-key context step).</summary>
    public static Blake3Cv IvKey()
    {
        Blake3Cv key = default;
        key[0] = Iv0;
        key[1] = Iv1;
        key[2] = Iv2;
        key[3] = Iv3;
        key[4] = Iv4;
        key[5] = Iv5;
        key[6] = Iv6;
        key[7] = Iv7;
        return key;
    }

    /// <summary>Reads a 32-byte key as eight little-endian words.</summary>
    public static Blake3Cv LoadKey(ReadOnlySpan<byte> key)
    {
        Blake3Cv words = default;
        ReadOnlySpan<byte> k = key[..OutLen];
        for (int i = 0; i < 8; i++)
        {
            words[i] = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(k[(4 * i)..]);
        }

        return words;
    }

    /// <summary>Writes a chaining value as 32 little-endian bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreCv(in Blake3Cv cv, Span<byte> destination)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes((ReadOnlySpan<uint>)cv).CopyTo(destination);
        }
        else
        {
            for (int i = 0; i < 8; i++)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(destination[(4 * i)..], cv[i]);
            }
        }
    }

    /// <summary>The largest power of two that is at most <paramref name="n"/> (n &gt; 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long LargestPowerOfTwoLeq(long n) => 1L << (63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)n));

    /// <summary>
    /// Hashes one chunk (at most 1024 bytes) as the root and writes <paramref name="output"/> bytes of its extended
    /// output starting at <paramref name="seek"/>.
    /// </summary>
    public static void HashSingleChunkRoot(in Blake3Cv key, uint flags, ReadOnlySpan<byte> input, ulong seek, Span<byte> output)
    {
        Blake3Cv cv = key;
        int fullBefore = input.Length == 0 ? 0 : (input.Length - 1) / BlockLen;
        uint startFlag = ChunkStart;
        for (int b = 0; b < fullBefore; b++)
        {
            Blake3Scalar.Compress(ref cv, input.Slice(b * BlockLen, BlockLen), 0, BlockLen, flags | startFlag);
            startFlag = 0;
        }

        ReadOnlySpan<byte> last = input[(fullBefore * BlockLen)..];
        if (last.Length == BlockLen)
        {
            RootOutput(cv, last, BlockLen, flags | startFlag | ChunkEnd, seek, output);
        }
        else
        {
            Span<byte> block = stackalloc byte[BlockLen];
            block.Clear();
            last.CopyTo(block);
            RootOutput(cv, block, (uint)last.Length, flags | startFlag | ChunkEnd, seek, output);
        }
    }

    /// <summary>
    /// Writes the root node's extended output: block <c>i</c> of the output stream is the compression of the root's
    /// input with counter <c>i</c> and the ROOT flag.
    /// </summary>
    public static void RootOutput(in Blake3Cv inputCv, ReadOnlySpan<byte> block, uint blockLen, uint flags, ulong seek, Span<byte> output)
    {
        flags |= Root;
        if (seek == 0 && output.Length == OutLen)
        {
            Blake3Cv cv = inputCv;
            Blake3Scalar.Compress(ref cv, block, 0, blockLen, flags);
            StoreCv(cv, output);
            return;
        }

        ulong counter = seek / BlockLen;
        int skip = (int)(seek % BlockLen);
        Span<byte> buffer = stackalloc byte[BlockLen];
        while (output.Length > 0)
        {
            Blake3Scalar.CompressXof(inputCv, block, counter, blockLen, flags, buffer);
            int take = Math.Min(BlockLen - skip, output.Length);
            buffer.Slice(skip, take).CopyTo(output);
            output = output[take..];
            skip = 0;
            counter++;
        }

        buffer.Clear();
    }

    /// <summary>
    /// Hashes whole chunks (<paramref name="blocks"/> = 16) or parent nodes (<paramref name="blocks"/> = 1) laid out
    /// contiguously in <paramref name="inputs"/>, writing one 32-byte chaining value per input to
    /// <paramref name="output"/>. Uses the widest back end allowed and falls back to narrower ones for the rest.
    /// </summary>
    public static void HashMany(
        ReadOnlySpan<byte> inputs,
        int count,
        int blocks,
        in Blake3Cv key,
        ulong counter,
        bool incrementCounter,
        uint flags,
        uint flagsStart,
        uint flagsEnd,
        Span<byte> output,
        Blake3Backend backend)
    {
        int stride = blocks * BlockLen;
        inputs = inputs[..(count * stride)];
        output = output[..(count * OutLen)];
        int i = 0;
        if (backend >= Blake3Backend.Vector512)
        {
            for (; count - i >= 16; i += 16)
            {
                Blake3Vector512.Hash16(inputs[(i * stride)..], stride, blocks, key, counter, incrementCounter, flags, flagsStart, flagsEnd, output[(i * OutLen)..]);
                counter += incrementCounter ? 16u : 0u;
            }
        }

        if (backend >= Blake3Backend.Vector256)
        {
            for (; count - i >= 8; i += 8)
            {
                Blake3Vector256.Hash8(inputs[(i * stride)..], stride, blocks, key, counter, incrementCounter, flags, flagsStart, flagsEnd, output[(i * OutLen)..]);
                counter += incrementCounter ? 8u : 0u;
            }
        }

        if (backend >= Blake3Backend.Vector128)
        {
            for (; count - i >= 4; i += 4)
            {
                Blake3Vector128.Hash4(inputs[(i * stride)..], stride, blocks, key, counter, incrementCounter, flags, flagsStart, flagsEnd, output[(i * OutLen)..]);
                counter += incrementCounter ? 4u : 0u;
            }
        }

        for (; i < count; i++)
        {
            Blake3Cv cv = key;
            ReadOnlySpan<byte> input = inputs.Slice(i * stride, stride);
            for (int b = 0; b < blocks; b++)
            {
                uint f = flags | (b == 0 ? flagsStart : 0) | (b == blocks - 1 ? flagsEnd : 0);
                Blake3Scalar.Compress(ref cv, input.Slice(b * BlockLen, BlockLen), counter, BlockLen, f);
            }

            StoreCv(cv, output[(i * OutLen)..]);
            counter += incrementCounter ? 1u : 0u;
        }
    }

    /// <summary>Hashes the chunks of <paramref name="input"/> (at most one SIMD degree of them) and returns how many CVs were written.</summary>
    private static int CompressChunksParallel(ReadOnlySpan<byte> input, in Blake3Cv key, ulong chunkCounter, uint flags, Span<byte> output, Blake3Backend backend)
    {
        int fullChunks = input.Length / ChunkLen;
        HashMany(input, fullChunks, ChunkLen / BlockLen, key, chunkCounter, true, flags, ChunkStart, ChunkEnd, output, backend);
        ReadOnlySpan<byte> rest = input[(fullChunks * ChunkLen)..];
        if (rest.IsEmpty)
        {
            return fullChunks;
        }

        Blake3ChunkState chunk = new(key, chunkCounter + (ulong)fullChunks, flags);
        chunk.Update(rest);
        chunk.ChainingValue(out Blake3Cv cv);
        StoreCv(cv, output[(fullChunks * OutLen)..]);
        return fullChunks + 1;
    }

    /// <summary>Compresses pairs of child CVs into parent CVs; an odd last child is passed through.</summary>
    private static int CompressParentsParallel(ReadOnlySpan<byte> childCvs, in Blake3Cv key, uint flags, Span<byte> output, Blake3Backend backend)
    {
        int parents = childCvs.Length / BlockLen;
        HashMany(childCvs, parents, 1, key, 0, false, flags | Parent, 0, 0, output, backend);
        ReadOnlySpan<byte> rest = childCvs[(parents * BlockLen)..];
        if (rest.IsEmpty)
        {
            return parents;
        }

        rest.CopyTo(output[(parents * OutLen)..]);
        return parents + 1;
    }

    /// <summary>
    /// Hashes a subtree of more than one chunk (whose chunk count is a power of two unless it is the right edge)
    /// into at least two CVs, as many as the SIMD degree allows.
    /// </summary>
    private static int CompressSubtreeWide(ReadOnlySpan<byte> input, in Blake3Cv key, ulong chunkCounter, uint flags, Span<byte> output, Blake3Backend backend)
    {
        int degree = Degree(backend);
        if (input.Length <= degree * ChunkLen)
        {
            return CompressChunksParallel(input, key, chunkCounter, flags, output, backend);
        }

        int leftLen = (int)(LargestPowerOfTwoLeq((input.Length - 1) / ChunkLen) * ChunkLen);
        ReadOnlySpan<byte> left = input[..leftLen];
        ReadOnlySpan<byte> right = input[leftLen..];
        ulong rightCounter = chunkCounter + (ulong)(leftLen / ChunkLen);

        Span<byte> cvs = stackalloc byte[2 * MaxSimdDegree * OutLen];
        int leftDegree = leftLen == ChunkLen ? 1 : Math.Max(degree, 2);
        int leftN = CompressSubtreeWide(left, key, chunkCounter, flags, cvs, backend);
        int rightN = CompressSubtreeWide(right, key, rightCounter, flags, cvs[(leftDegree * OutLen)..], backend);
        if (leftN == 1)
        {
            // Scalar back end: keep two outputs rather than merging them.
            cvs[..(2 * OutLen)].CopyTo(output);
            return 2;
        }

        return CompressParentsParallel(cvs[..((leftN + rightN) * OutLen)], key, flags, output, backend);
    }

    /// <summary>
    /// Hashes a subtree of more than one chunk down to its two children's CVs (64 bytes: the parent node's block).
    /// </summary>
    public static void CompressSubtreeToParentNode(ReadOnlySpan<byte> input, in Blake3Cv key, ulong chunkCounter, uint flags, Span<byte> parentBlock, Blake3Backend backend)
    {
        Span<byte> cvs = stackalloc byte[MaxSimdDegree * OutLen];
        Span<byte> next = stackalloc byte[MaxSimdDegree * OutLen / 2];
        int n = CompressSubtreeWide(input, key, chunkCounter, flags, cvs, backend);
        while (n > 2)
        {
            n = CompressParentsParallel(cvs[..(n * OutLen)], key, flags, next, backend);
            next[..(n * OutLen)].CopyTo(cvs);
        }

        cvs[..BlockLen].CopyTo(parentBlock);
    }

    /// <summary>One-shot hash of any input: the tree is hashed without a CV stack, then the root output is written.</summary>
    public static void HashAll(in Blake3Cv key, uint flags, ReadOnlySpan<byte> input, ulong seek, Span<byte> output, Blake3Backend backend)
    {
        if (input.Length <= ChunkLen)
        {
            HashSingleChunkRoot(key, flags, input, seek, output);
            return;
        }

        Span<byte> parentBlock = stackalloc byte[BlockLen];
        CompressSubtreeToParentNode(input, key, 0, flags, parentBlock, Effective(backend));
        RootOutput(key, parentBlock, BlockLen, flags | Parent, seek, output);
    }
}
