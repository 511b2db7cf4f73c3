using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace Aster.Net.Quic.Protection;

/// <summary>
/// AES-GCM (NIST SP 800-38D) with 12-byte nonces and 16-byte tags on the x86 AES and carry-less multiply instructions,
/// for QUIC packet protection. <see cref="AesGcm"/> costs about 2.4 µs of fixed overhead per call on Linux (OpenSSL
/// parameter lookups and error-queue clearing around every packet), several times the cost of sealing a 1,400-byte
/// packet itself; this type has none.
/// </summary>
/// <remarks>
/// <para>Counter mode runs four blocks at a time. GHASH works on byte-reversed field elements with PCLMULQDQ (the Intel
/// carry-less multiplication white paper's method: schoolbook product, shift left by one, reduction modulo
/// x^128 + x^7 + x^2 + x + 1), four blocks at a time with one reduction: with H, H², H³ and H⁴ precomputed,
/// Y' = (Y ⊕ X₀)·H⁴ ⊕ X₁·H³ ⊕ X₂·H² ⊕ X₃·H, and the shift and reduction are linear so the four unreduced products are
/// added first. Only the forward cipher is needed; the key schedule is expanded once with AESKEYGENASSIST (no
/// key-indexed table lookups) and kept; round keys and hash powers are zeroed on <see cref="Dispose"/>.</para>
/// <para>Use only when <see cref="IsSupported"/>; <see cref="PacketAead"/> falls back to <see cref="AesGcm"/>
/// otherwise. Not thread-safe, like the packet keys that own it. Tags are compared in constant time; a failed
/// decryption leaves the output zeroed, as <see cref="AesGcm"/> does.</para>
/// </remarks>
internal sealed class AesNiGcm : IDisposable
{
    /// <summary>The nonce length used by QUIC.</summary>
    public const int NonceLength = 12;

    /// <summary>The tag length used by QUIC.</summary>
    public const int TagLength = 16;

    private const int BlockLength = 16;
    private const int WideLength = 4 * BlockLength;
    private readonly Vector128<byte>[] _roundKeys;

    // H, H², H³, H⁴ in the byte-reversed representation.
    private readonly Vector128<ulong>[] _hashPowers = new Vector128<ulong>[4];
    private bool _disposed;

    /// <summary>Creates the cipher for a 16- or 32-byte key.</summary>
    /// <exception cref="PlatformNotSupportedException">The instructions are not available (<see cref="IsSupported"/>).</exception>
    /// <exception cref="ArgumentException">The key is not 16 or 32 bytes.</exception>
    public AesNiGcm(ReadOnlySpan<byte> key)
    {
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("AES-NI and PCLMULQDQ are not available.");
        }

        if (key.Length is not (16 or 32))
        {
            throw new ArgumentException("AES-GCM keys here are 16 or 32 bytes.", nameof(key));
        }

        _roundKeys = AesNiRounds.ExpandKey(key);
        Vector128<ulong> h = Reverse(AesNiRounds.Encrypt(_roundKeys, Vector128<byte>.Zero)).AsUInt64();
        _hashPowers[0] = h;
        for (int i = 1; i < _hashPowers.Length; i++)
        {
            _hashPowers[i] = Multiply(_hashPowers[i - 1], h);
        }
    }

    /// <summary>Gets a value indicating whether this CPU has the instructions (x86 AES-NI, PCLMULQDQ, SSSE3).</summary>
    public static bool IsSupported => X86Aes.IsSupported && Pclmulqdq.IsSupported && Ssse3.IsSupported;

    /// <summary>Encrypts <paramref name="plaintext"/> into <paramref name="ciphertext"/> (the same length; in place allowed) and writes the tag.</summary>
    /// <exception cref="ArgumentException">The nonce is not 12 bytes, the tag not 16, the lengths differ or the buffers partly overlap.</exception>
    /// <exception cref="ObjectDisposedException">The key was disposed.</exception>
    public void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        CheckArguments(nonce, plaintext, ciphertext, tag.Length);
        Vector128<byte> counter0 = CounterBlock(nonce);
        Vector128<ulong> hash = HashPadded(Vector128<ulong>.Zero, associatedData);
        hash = Crypt(counter0, plaintext, ciphertext, hash, encrypting: true);
        ComputeTag(hash, counter0, associatedData.Length, plaintext.Length).CopyTo(tag);
    }

    /// <summary>
    /// Decrypts <paramref name="ciphertext"/> into <paramref name="plaintext"/> (in place allowed) if the tag verifies;
    /// otherwise zeroes <paramref name="plaintext"/> and returns false.
    /// </summary>
    /// <exception cref="ArgumentException">The nonce is not 12 bytes, the tag not 16, the lengths differ or the buffers partly overlap.</exception>
    /// <exception cref="ObjectDisposedException">The key was disposed.</exception>
    public bool TryDecrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        CheckArguments(nonce, ciphertext, plaintext, tag.Length);
        Vector128<byte> counter0 = CounterBlock(nonce);
        Vector128<ulong> hash = HashPadded(Vector128<ulong>.Zero, associatedData);
        hash = Crypt(counter0, ciphertext, plaintext, hash, encrypting: false);
        Span<byte> expected = stackalloc byte[TagLength];
        ComputeTag(hash, counter0, associatedData.Length, ciphertext.Length).CopyTo(expected);
        if (CryptographicOperations.FixedTimeEquals(expected, tag))
        {
            return true;
        }

        CryptographicOperations.ZeroMemory(plaintext);
        return false;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed = true;
        Array.Clear(_roundKeys);
        Array.Clear(_hashPowers);
    }

    private void CheckArguments(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> input, ReadOnlySpan<byte> output, int tagLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (nonce.Length != NonceLength || tagLength != TagLength || input.Length != output.Length)
        {
            throw new ArgumentException("AES-GCM here takes a 12-byte nonce, a 16-byte tag and an output as long as the input.");
        }

        if (input.Overlaps(output, out int elementOffset) && elementOffset != 0)
        {
            throw new ArgumentException("The input and output buffers overlap without being the same buffer.");
        }
    }

    /// <summary>Counter mode from counter 2 with GHASH over the ciphertext (read before it is overwritten in place).</summary>
    private Vector128<ulong> Crypt(Vector128<byte> counter0, ReadOnlySpan<byte> input, Span<byte> output, Vector128<ulong> hash, bool encrypting)
    {
        ref byte source = ref MemoryMarshal.GetReference(input);
        ref byte destination = ref MemoryMarshal.GetReference(output);
        Vector128<ulong>[] powers = _hashPowers;
        uint counter = 2;
        int offset = 0;
        int whole = input.Length & ~(WideLength - 1);
        for (; offset < whole; offset += WideLength, counter += 4)
        {
            Vector128<byte> k0 = WithCounter(counter0, counter);
            Vector128<byte> k1 = WithCounter(counter0, counter + 1);
            Vector128<byte> k2 = WithCounter(counter0, counter + 2);
            Vector128<byte> k3 = WithCounter(counter0, counter + 3);
            AesNiRounds.Encrypt4(_roundKeys, ref k0, ref k1, ref k2, ref k3);
            Vector128<byte> i0 = Vector128.LoadUnsafe(ref source, (nuint)offset);
            Vector128<byte> i1 = Vector128.LoadUnsafe(ref source, (nuint)(offset + 16));
            Vector128<byte> i2 = Vector128.LoadUnsafe(ref source, (nuint)(offset + 32));
            Vector128<byte> i3 = Vector128.LoadUnsafe(ref source, (nuint)(offset + 48));
            Vector128<byte> o0 = i0 ^ k0;
            Vector128<byte> o1 = i1 ^ k1;
            Vector128<byte> o2 = i2 ^ k2;
            Vector128<byte> o3 = i3 ^ k3;
            o0.StoreUnsafe(ref destination, (nuint)offset);
            o1.StoreUnsafe(ref destination, (nuint)(offset + 16));
            o2.StoreUnsafe(ref destination, (nuint)(offset + 32));
            o3.StoreUnsafe(ref destination, (nuint)(offset + 48));
            Vector128<ulong> low = Vector128<ulong>.Zero;
            Vector128<ulong> middle = Vector128<ulong>.Zero;
            Vector128<ulong> high = Vector128<ulong>.Zero;
            MultiplyAccumulate(hash ^ Reverse(encrypting ? o0 : i0).AsUInt64(), powers[3], ref low, ref middle, ref high);
            MultiplyAccumulate(Reverse(encrypting ? o1 : i1).AsUInt64(), powers[2], ref low, ref middle, ref high);
            MultiplyAccumulate(Reverse(encrypting ? o2 : i2).AsUInt64(), powers[1], ref low, ref middle, ref high);
            MultiplyAccumulate(Reverse(encrypting ? o3 : i3).AsUInt64(), powers[0], ref low, ref middle, ref high);
            hash = Reduce(low, middle, high);
        }

        for (; offset + BlockLength <= input.Length; offset += BlockLength, counter++)
        {
            Vector128<byte> key = AesNiRounds.Encrypt(_roundKeys, WithCounter(counter0, counter));
            Vector128<byte> i = Vector128.LoadUnsafe(ref source, (nuint)offset);
            Vector128<byte> o = i ^ key;
            o.StoreUnsafe(ref destination, (nuint)offset);
            hash = HashBlock(hash, encrypting ? o : i);
        }

        int rest = input.Length - offset;
        if (rest > 0)
        {
            Span<byte> block = stackalloc byte[BlockLength];
            block.Clear();
            input[offset..].CopyTo(block);
            Vector128<byte> i = Vector128.Create((ReadOnlySpan<byte>)block);
            Vector128<byte> o = i ^ AesNiRounds.Encrypt(_roundKeys, WithCounter(counter0, counter));
            o.CopyTo(block);
            block[..rest].CopyTo(output[offset..]);
            block[rest..].Clear();
            hash = HashBlock(hash, encrypting ? Vector128.Create((ReadOnlySpan<byte>)block) : i);
        }

        return hash;
    }

    private Vector128<byte> ComputeTag(Vector128<ulong> hash, Vector128<byte> counter0, int associatedLength, int dataLength)
    {
        // The lengths block is len(A)‖len(C) in bits, big-endian; byte-reversed that is len(C) in the low lane.
        Vector128<ulong> lengths = Vector128.Create((ulong)dataLength * 8, (ulong)associatedLength * 8);
        hash = Multiply(hash ^ lengths, _hashPowers[0]);
        return Reverse(hash.AsByte()) ^ AesNiRounds.Encrypt(_roundKeys, WithCounter(counter0, 1));
    }

    /// <summary>GHASH over <paramref name="data"/>, the last block zero-padded.</summary>
    private Vector128<ulong> HashPadded(Vector128<ulong> hash, ReadOnlySpan<byte> data)
    {
        int offset = 0;
        for (; offset + BlockLength <= data.Length; offset += BlockLength)
        {
            hash = HashBlock(hash, Vector128.Create(data.Slice(offset, BlockLength)));
        }

        if (offset < data.Length)
        {
            Span<byte> block = stackalloc byte[BlockLength];
            block.Clear();
            data[offset..].CopyTo(block);
            hash = HashBlock(hash, Vector128.Create((ReadOnlySpan<byte>)block));
        }

        return hash;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector128<ulong> HashBlock(Vector128<ulong> hash, Vector128<byte> block) => Multiply(hash ^ Reverse(block).AsUInt64(), _hashPowers[0]);

    /// <summary>The nonce followed by a zero counter; <see cref="WithCounter"/> sets the counter.</summary>
    private static Vector128<byte> CounterBlock(ReadOnlySpan<byte> nonce)
    {
        Span<byte> block = stackalloc byte[BlockLength];
        block.Clear();
        nonce.CopyTo(block);
        return Vector128.Create((ReadOnlySpan<byte>)block);
    }

    /// <summary>The counter block with its last four bytes the big-endian <paramref name="counter"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> WithCounter(Vector128<byte> block, uint counter) =>
        block.AsUInt32().WithElement(3, BinaryPrimitives.ReverseEndianness(counter)).AsByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Reverse(Vector128<byte> value) =>
        Ssse3.Shuffle(value, Vector128.Create((byte)15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0));

    /// <summary>The GHASH product of two byte-reversed field elements.</summary>
    private static Vector128<ulong> Multiply(Vector128<ulong> a, Vector128<ulong> b)
    {
        Vector128<ulong> low = Vector128<ulong>.Zero;
        Vector128<ulong> middle = Vector128<ulong>.Zero;
        Vector128<ulong> high = Vector128<ulong>.Zero;
        MultiplyAccumulate(a, b, ref low, ref middle, ref high);
        return Reduce(low, middle, high);
    }

    /// <summary>Adds the 256-bit carry-less product of <paramref name="a"/> and <paramref name="b"/> (as low, middle and high partial products) to the accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MultiplyAccumulate(Vector128<ulong> a, Vector128<ulong> b, ref Vector128<ulong> low, ref Vector128<ulong> middle, ref Vector128<ulong> high)
    {
        low ^= Pclmulqdq.CarrylessMultiply(a, b, 0x00);
        middle ^= Pclmulqdq.CarrylessMultiply(a, b, 0x10) ^ Pclmulqdq.CarrylessMultiply(a, b, 0x01);
        high ^= Pclmulqdq.CarrylessMultiply(a, b, 0x11);
    }

    /// <summary>
    /// Combines the partial products, shifts the 256-bit result left by one bit (GCM's reflected bit order) and reduces
    /// it modulo x^128 + x^7 + x^2 + x + 1.
    /// </summary>
    private static Vector128<ulong> Reduce(Vector128<ulong> low, Vector128<ulong> middle, Vector128<ulong> high)
    {
        low ^= Sse2.ShiftLeftLogical128BitLane(middle, 8);
        high ^= Sse2.ShiftRightLogical128BitLane(middle, 8);

        // Shift the 256-bit product high:low left by one bit.
        Vector128<uint> lo = low.AsUInt32();
        Vector128<uint> hi = high.AsUInt32();
        Vector128<uint> loCarry = Sse2.ShiftRightLogical(lo, 31);
        Vector128<uint> hiCarry = Sse2.ShiftRightLogical(hi, 31);
        lo = Sse2.ShiftLeftLogical(lo, 1);
        hi = Sse2.ShiftLeftLogical(hi, 1);
        Vector128<uint> crossing = Sse2.ShiftRightLogical128BitLane(loCarry, 12);
        hiCarry = Sse2.ShiftLeftLogical128BitLane(hiCarry, 4);
        loCarry = Sse2.ShiftLeftLogical128BitLane(loCarry, 4);
        lo |= loCarry;
        hi |= hiCarry | crossing;

        // Reduce: first phase.
        Vector128<uint> t = Sse2.ShiftLeftLogical(lo, 31) ^ Sse2.ShiftLeftLogical(lo, 30) ^ Sse2.ShiftLeftLogical(lo, 25);
        Vector128<uint> carried = Sse2.ShiftRightLogical128BitLane(t, 4);
        lo ^= Sse2.ShiftLeftLogical128BitLane(t, 12);

        // Second phase.
        Vector128<uint> u = Sse2.ShiftRightLogical(lo, 1) ^ Sse2.ShiftRightLogical(lo, 2) ^ Sse2.ShiftRightLogical(lo, 7) ^ carried;
        lo ^= u;
        return (hi ^ lo).AsUInt64();
    }
}
