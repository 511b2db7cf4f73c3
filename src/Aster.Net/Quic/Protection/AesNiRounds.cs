using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace Aster.Net.Quic.Protection;

/// <summary>
/// The AES forward cipher (AES-128 and AES-256) on the x86 AES instructions: the key schedule and block encryption that
/// <see cref="AesNiGcm"/> and <see cref="HeaderProtectionKey"/> share. Only the forward direction is needed by QUIC.
/// Callers zero the round keys when they are done with them.
/// </summary>
internal static class AesNiRounds
{
    /// <summary>Gets a value indicating whether this CPU has the AES instructions.</summary>
    public static bool IsSupported => X86Aes.IsSupported && Sse2.IsSupported;

    /// <summary>
    /// The AES key schedule on AESKEYGENASSIST (the Intel AES-NI white paper's method): no table lookups indexed by key
    /// bytes, so the expansion is as free of cache-timing leaks as the rounds.
    /// </summary>
    /// <exception cref="ArgumentException">The key is not 16 or 32 bytes.</exception>
    public static Vector128<byte>[] ExpandKey(ReadOnlySpan<byte> key)
    {
        if (key.Length is not (16 or 32))
        {
            throw new ArgumentException("AES keys here are 16 or 32 bytes.", nameof(key));
        }

        var keys = new Vector128<byte>[key.Length == 16 ? 11 : 15];
        Vector128<byte> a = Vector128.Create(key[..16]);
        keys[0] = a;
        if (key.Length == 16)
        {
            keys[1] = a = Next128(a, X86Aes.KeygenAssist(a, 0x01));
            keys[2] = a = Next128(a, X86Aes.KeygenAssist(a, 0x02));
            keys[3] = a = Next128(a, X86Aes.KeygenAssist(a, 0x04));
            keys[4] = a = Next128(a, X86Aes.KeygenAssist(a, 0x08));
            keys[5] = a = Next128(a, X86Aes.KeygenAssist(a, 0x10));
            keys[6] = a = Next128(a, X86Aes.KeygenAssist(a, 0x20));
            keys[7] = a = Next128(a, X86Aes.KeygenAssist(a, 0x40));
            keys[8] = a = Next128(a, X86Aes.KeygenAssist(a, 0x80));
            keys[9] = a = Next128(a, X86Aes.KeygenAssist(a, 0x1b));
            keys[10] = Next128(a, X86Aes.KeygenAssist(a, 0x36));
            return keys;
        }

        Vector128<byte> b = Vector128.Create(key[16..32]);
        keys[1] = b;
        keys[2] = a = Next128(a, X86Aes.KeygenAssist(b, 0x01));
        keys[3] = b = Next256Odd(b, a);
        keys[4] = a = Next128(a, X86Aes.KeygenAssist(b, 0x02));
        keys[5] = b = Next256Odd(b, a);
        keys[6] = a = Next128(a, X86Aes.KeygenAssist(b, 0x04));
        keys[7] = b = Next256Odd(b, a);
        keys[8] = a = Next128(a, X86Aes.KeygenAssist(b, 0x08));
        keys[9] = b = Next256Odd(b, a);
        keys[10] = a = Next128(a, X86Aes.KeygenAssist(b, 0x10));
        keys[11] = b = Next256Odd(b, a);
        keys[12] = a = Next128(a, X86Aes.KeygenAssist(b, 0x20));
        keys[13] = b = Next256Odd(b, a);
        keys[14] = Next128(a, X86Aes.KeygenAssist(b, 0x40));
        return keys;
    }

    /// <summary>The next four key words: a running XOR of <paramref name="previous"/>'s words plus the assist's word 3 (RotWord, SubWord, Rcon).</summary>
    private static Vector128<byte> Next128(Vector128<byte> previous, Vector128<byte> assist)
    {
        Vector128<uint> t = Sse2.Shuffle(assist.AsUInt32(), 0xff);
        return XorPrefix(previous) ^ t.AsByte();
    }

    /// <summary>The odd round keys of AES-256: a running XOR of <paramref name="previous"/> plus SubWord (no rotation, no Rcon) of <paramref name="even"/>'s last word.</summary>
    private static Vector128<byte> Next256Odd(Vector128<byte> previous, Vector128<byte> even)
    {
        Vector128<uint> t = Sse2.Shuffle(X86Aes.KeygenAssist(even, 0x00).AsUInt32(), 0xaa);
        return XorPrefix(previous) ^ t.AsByte();
    }

    /// <summary>w0, w0^w1, w0^w1^w2, w0^w1^w2^w3 of the four words of <paramref name="value"/>.</summary>
    private static Vector128<byte> XorPrefix(Vector128<byte> value)
    {
        Vector128<byte> shifted = Sse2.ShiftLeftLogical128BitLane(value, 4);
        value ^= shifted;
        shifted = Sse2.ShiftLeftLogical128BitLane(shifted, 4);
        value ^= shifted;
        shifted = Sse2.ShiftLeftLogical128BitLane(shifted, 4);
        return value ^ shifted;
    }

    /// <summary>Encrypts one block with the expanded <paramref name="keys"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Encrypt(Vector128<byte>[] keys, Vector128<byte> block)
    {
        int last = keys.Length - 1;
        block ^= keys[0];
        for (int round = 1; round < last; round++)
        {
            block = X86Aes.Encrypt(block, keys[round]);
        }

        return X86Aes.EncryptLast(block, keys[last]);
    }

    /// <summary>Encrypts four independent blocks in place, interleaved so the AES units stay busy.</summary>
    public static void Encrypt4(Vector128<byte>[] keys, ref Vector128<byte> b0, ref Vector128<byte> b1, ref Vector128<byte> b2, ref Vector128<byte> b3)
    {
        Vector128<byte> key = keys[0];
        b0 ^= key;
        b1 ^= key;
        b2 ^= key;
        b3 ^= key;
        int last = keys.Length - 1;
        for (int round = 1; round < last; round++)
        {
            key = keys[round];
            b0 = X86Aes.Encrypt(b0, key);
            b1 = X86Aes.Encrypt(b1, key);
            b2 = X86Aes.Encrypt(b2, key);
            b3 = X86Aes.Encrypt(b3, key);
        }

        key = keys[last];
        b0 = X86Aes.EncryptLast(b0, key);
        b1 = X86Aes.EncryptLast(b1, key);
        b2 = X86Aes.EncryptLast(b2, key);
        b3 = X86Aes.EncryptLast(b3, key);
    }
}
