using System.Numerics;
using System.Runtime.CompilerServices;

namespace Aster.Net.Crypto;

/// <summary>The inputs of a final compression: enough to produce a chaining value or any part of the root output.</summary>
internal struct Blake3Output
{
    public Blake3Cv InputCv;
    public Blake3Block Block;
    public ulong Counter;
    public uint BlockLen;
    public uint Flags;

    public void ChainingValue(out Blake3Cv cv)
    {
        cv = InputCv;
        Blake3Scalar.Compress(ref cv, Block, Counter, BlockLen, Flags);
    }

    public void RootBytes(ulong seek, Span<byte> output) => Blake3Core.RootOutput(InputCv, Block, BlockLen, Flags, seek, output);

    public static Blake3Output ParentNode(in Blake3Cv left, in Blake3Cv right, in Blake3Cv key, uint flags)
    {
        Blake3Output output = default;
        output.InputCv = key;
        Span<byte> block = output.Block;
        Blake3Core.StoreCv(left, block);
        Blake3Core.StoreCv(right, block[Blake3Core.OutLen..]);
        output.Counter = 0;
        output.BlockLen = Blake3Core.BlockLen;
        output.Flags = flags | Blake3Core.Parent;
        return output;
    }
}

/// <summary>The state of one chunk being hashed: its CV so far, a block buffer, and its counter.</summary>
internal struct Blake3ChunkState
{
    public Blake3Cv Cv;
    public ulong ChunkCounter;
    public Blake3Block Buffer;
    public int BufferLen;
    public int BlocksCompressed;
    public uint Flags;

    public Blake3ChunkState(in Blake3Cv key, ulong chunkCounter, uint flags)
    {
        Cv = key;
        ChunkCounter = chunkCounter;
        Flags = flags;
    }

    /// <summary>Bytes of this chunk taken so far.</summary>
    public readonly int Length => (BlocksCompressed * Blake3Core.BlockLen) + BufferLen;

    private readonly uint StartFlag => BlocksCompressed == 0 ? Blake3Core.ChunkStart : 0;

    /// <summary>Adds input; the caller never adds more than the chunk's 1024 bytes in total.</summary>
    public void Update(ReadOnlySpan<byte> input)
    {
        if (BufferLen > 0)
        {
            int take = Math.Min(Blake3Core.BlockLen - BufferLen, input.Length);
            input[..take].CopyTo(((Span<byte>)Buffer)[BufferLen..]);
            BufferLen += take;
            input = input[take..];
            if (input.IsEmpty)
            {
                return;
            }

            // The buffer is full and more input follows, so it is not the chunk's last block.
            Blake3Scalar.Compress(ref Cv, Buffer, ChunkCounter, Blake3Core.BlockLen, Flags | StartFlag);
            BlocksCompressed++;
            BufferLen = 0;
        }

        while (input.Length > Blake3Core.BlockLen)
        {
            Blake3Scalar.Compress(ref Cv, input[..Blake3Core.BlockLen], ChunkCounter, Blake3Core.BlockLen, Flags | StartFlag);
            BlocksCompressed++;
            input = input[Blake3Core.BlockLen..];
        }

        input.CopyTo(Buffer);
        BufferLen = input.Length;
    }

    public Blake3Output Output()
    {
        Blake3Output output = default;
        output.InputCv = Cv;
        Span<byte> block = output.Block;
        ((ReadOnlySpan<byte>)Buffer)[..BufferLen].CopyTo(block);
        output.Counter = ChunkCounter;
        output.BlockLen = (uint)BufferLen;
        output.Flags = Flags | StartFlag | Blake3Core.ChunkEnd;
        return output;
    }

    public void ChainingValue(out Blake3Cv cv) => Output().ChainingValue(out cv);
}

/// <summary>A stack of chaining values of completed subtrees: one per set bit of the chunk count, plus one pending merge.</summary>
[InlineArray(Blake3Core.MaxDepth + 1)]
internal struct Blake3CvStack
{
    private Blake3Cv _element;
}

/// <summary>
/// The incremental BLAKE3 state (the algorithm of the reference Rust <c>Hasher</c>): a chunk state, a lazily merged
/// CV stack, and whole subtrees hashed with the SIMD back end when the input allows.
/// </summary>
internal struct Blake3State
{
    public Blake3Cv Key;
    public uint Flags;
    public Blake3Backend Backend;
    public Blake3ChunkState Chunk;
    public Blake3CvStack Stack;
    public int StackLength;

    public Blake3State(in Blake3Cv key, uint flags, Blake3Backend backend)
    {
        Key = key;
        Flags = flags;
        Backend = Blake3Core.Effective(backend);
        Chunk = new Blake3ChunkState(key, 0, flags);
    }

    public void Reset()
    {
        Chunk = new Blake3ChunkState(Key, 0, Flags);
        ((Span<Blake3Cv>)Stack)[..StackLength].Clear();
        StackLength = 0;
    }

    /// <summary>Zeroes everything, key included.</summary>
    public void Clear() => this = default;

    private void MergeCvStack(ulong totalChunks)
    {
        int postMergeLength = BitOperations.PopCount(totalChunks);
        while (StackLength > postMergeLength)
        {
            Blake3Output parent = Blake3Output.ParentNode(Stack[StackLength - 2], Stack[StackLength - 1], Key, Flags);
            parent.ChainingValue(out Stack[StackLength - 2]);
            StackLength--;
        }
    }

    private void PushCv(in Blake3Cv cv, ulong chunkCounter)
    {
        MergeCvStack(chunkCounter);
        Stack[StackLength] = cv;
        StackLength++;
    }

    public void Update(ReadOnlySpan<byte> input)
    {
        if (Chunk.Length > 0)
        {
            int take = Math.Min(Blake3Core.ChunkLen - Chunk.Length, input.Length);
            Chunk.Update(input[..take]);
            input = input[take..];
            if (input.IsEmpty)
            {
                return;
            }

            // The chunk is full and more input follows, so it is not the root: finalize it.
            Chunk.ChainingValue(out Blake3Cv chunkCv);
            PushCv(chunkCv, Chunk.ChunkCounter);
            Chunk = new Blake3ChunkState(Key, Chunk.ChunkCounter + 1, Flags);
        }

        // More than one chunk left: hash the largest whole subtree that keeps the tree aligned.
        while (input.Length > Blake3Core.ChunkLen)
        {
            long subtreeLen = Blake3Core.LargestPowerOfTwoLeq(input.Length);
            ulong countSoFar = Chunk.ChunkCounter * Blake3Core.ChunkLen;
            while ((((ulong)subtreeLen - 1) & countSoFar) != 0)
            {
                subtreeLen /= 2;
            }

            ulong subtreeChunks = (ulong)subtreeLen / Blake3Core.ChunkLen;
            ReadOnlySpan<byte> subtree = input[..(int)subtreeLen];
            if (subtreeLen <= Blake3Core.ChunkLen)
            {
                Blake3ChunkState single = new(Key, Chunk.ChunkCounter, Flags);
                single.Update(subtree);
                single.ChainingValue(out Blake3Cv cv);
                PushCv(cv, Chunk.ChunkCounter);
            }
            else
            {
                Blake3Block pair = default;
                Blake3Core.CompressSubtreeToParentNode(subtree, Key, Chunk.ChunkCounter, Flags, pair, Backend);
                PushCv(Blake3Core.LoadKey(pair), Chunk.ChunkCounter);
                PushCv(Blake3Core.LoadKey(pair[Blake3Core.OutLen..]), Chunk.ChunkCounter + (subtreeChunks / 2));
            }

            Chunk.ChunkCounter += subtreeChunks;
            input = input[(int)subtreeLen..];
        }

        if (!input.IsEmpty)
        {
            Chunk.Update(input);

            // With bytes in the chunk state, nothing on the stack can be the root; merge now to simplify finalization.
            MergeCvStack(Chunk.ChunkCounter);
        }
    }

    public Blake3Output FinalOutput()
    {
        if (StackLength == 0)
        {
            return Chunk.Output();
        }

        Blake3Output output;
        int remaining = StackLength;
        if (Chunk.Length > 0)
        {
            output = Chunk.Output();
        }
        else
        {
            // The input ended on a subtree boundary: the top two CVs are the root's children.
            output = Blake3Output.ParentNode(Stack[remaining - 2], Stack[remaining - 1], Key, Flags);
            remaining -= 2;
        }

        while (remaining > 0)
        {
            output.ChainingValue(out Blake3Cv right);
            output = Blake3Output.ParentNode(Stack[remaining - 1], right, Key, Flags);
            remaining--;
        }

        return output;
    }
}
