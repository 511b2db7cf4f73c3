using System.Buffers.Binary;
using System.Numerics;

namespace Aster.Net.Quic.Protection;

/// <summary>
/// The ChaCha20 block function (RFC 8439, section 2.3). The BCL exposes ChaCha20 only inside ChaCha20-Poly1305, and
/// QUIC header protection needs the raw keystream (RFC 9001, section 5.4.4), so this small managed version exists.
/// </summary>
internal static class ChaCha20Block
{
    /// <summary>The key length in bytes.</summary>
    public const int KeyLength = 32;

    /// <summary>The nonce length in bytes.</summary>
    public const int NonceLength = 12;

    /// <summary>The block length in bytes.</summary>
    public const int BlockLength = 64;

    /// <summary>Computes one 64-byte keystream block for <paramref name="counter"/>.</summary>
    public static void Compute(ReadOnlySpan<byte> key, uint counter, ReadOnlySpan<byte> nonce, Span<byte> output)
    {
        if (key.Length != KeyLength || nonce.Length != NonceLength || output.Length < BlockLength)
        {
            throw new ArgumentException("ChaCha20 needs a 32-byte key, a 12-byte nonce and 64 bytes of output.");
        }

        Span<uint> initial = stackalloc uint[16];
        initial[0] = 0x61707865;
        initial[1] = 0x3320646e;
        initial[2] = 0x79622d32;
        initial[3] = 0x6b206574;
        for (int i = 0; i < 8; i++)
        {
            initial[4 + i] = BinaryPrimitives.ReadUInt32LittleEndian(key[(4 * i)..]);
        }

        initial[12] = counter;
        initial[13] = BinaryPrimitives.ReadUInt32LittleEndian(nonce);
        initial[14] = BinaryPrimitives.ReadUInt32LittleEndian(nonce[4..]);
        initial[15] = BinaryPrimitives.ReadUInt32LittleEndian(nonce[8..]);

        Span<uint> x = stackalloc uint[16];
        initial.CopyTo(x);
        for (int round = 0; round < 10; round++)
        {
            QuarterRound(x, 0, 4, 8, 12);
            QuarterRound(x, 1, 5, 9, 13);
            QuarterRound(x, 2, 6, 10, 14);
            QuarterRound(x, 3, 7, 11, 15);
            QuarterRound(x, 0, 5, 10, 15);
            QuarterRound(x, 1, 6, 11, 12);
            QuarterRound(x, 2, 7, 8, 13);
            QuarterRound(x, 3, 4, 9, 14);
        }

        for (int i = 0; i < 16; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(output[(4 * i)..], x[i] + initial[i]);
        }
    }

    private static void QuarterRound(Span<uint> x, int a, int b, int c, int d)
    {
        x[a] += x[b];
        x[d] = BitOperations.RotateLeft(x[d] ^ x[a], 16);
        x[c] += x[d];
        x[b] = BitOperations.RotateLeft(x[b] ^ x[c], 12);
        x[a] += x[b];
        x[d] = BitOperations.RotateLeft(x[d] ^ x[a], 8);
        x[c] += x[d];
        x[b] = BitOperations.RotateLeft(x[b] ^ x[c], 7);
    }
}
