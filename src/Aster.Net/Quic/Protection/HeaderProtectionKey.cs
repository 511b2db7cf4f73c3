using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using Aster.Net.Tls;

namespace Aster.Net.Quic.Protection;

/// <summary>
/// A header-protection key (RFC 9001, section 5.4): one AES block per mask for the AES suites (on the AES instructions
/// through <see cref="AesNiRounds"/> where the CPU has them, else a BCL AES-ECB transform), the ChaCha20 block function
/// for ChaCha20-Poly1305. Computing a mask allocates nothing.
/// </summary>
/// <remarks>Not thread-safe: the BCL path reuses one AES transform and scratch buffers. Each connection owns its keys.
/// The AES-NI path also spares every connection the platform cipher objects (six per connection: Initial, Handshake and
/// 1-RTT, each direction) and every mask the platform call's fixed cost.</remarks>
internal sealed class HeaderProtectionKey : IDisposable
{
    /// <summary>The mask length used by QUIC (one byte for the first byte, up to four for the packet number).</summary>
    public const int MaskLength = 5;

    private readonly Aes? _aes;
    private readonly ICryptoTransform? _ecb;
    private readonly byte[] _sample = new byte[16];
    private readonly byte[] _block = new byte[16];
    private readonly byte[]? _chachaKey;
    private readonly Vector128<byte>[]? _roundKeys;

    private HeaderProtectionKey(Vector128<byte>[] roundKeys)
    {
        _roundKeys = roundKeys;
    }

    private HeaderProtectionKey(Aes aes)
    {
        _aes = aes;
        _ecb = aes.CreateEncryptor();
    }

    private HeaderProtectionKey(byte[] chachaKey)
    {
        _chachaKey = chachaKey;
    }

    /// <summary>Creates the key for <paramref name="suite"/>.</summary>
    public static HeaderProtectionKey Create(TlsCipherSuite suite, ReadOnlySpan<byte> key) => Create(suite, key, AesNiRounds.IsSupported);

    /// <summary>Like <see cref="Create(TlsCipherSuite, ReadOnlySpan{byte})"/>; <paramref name="useAesNi"/> false keeps the AES suites on the BCL transform (tests compare the two).</summary>
    public static HeaderProtectionKey Create(TlsCipherSuite suite, ReadOnlySpan<byte> key, bool useAesNi)
    {
        if (key.Length != QuicCipherSuites.GetKeyLength(suite))
        {
            throw new ArgumentException("Header-protection key length does not match the suite.", nameof(key));
        }

        if (suite == TlsCipherSuite.ChaCha20Poly1305Sha256)
        {
            return new HeaderProtectionKey(key.ToArray());
        }

        if (useAesNi && AesNiRounds.IsSupported)
        {
            return new HeaderProtectionKey(AesNiRounds.ExpandKey(key));
        }

        var aes = Aes.Create();
        aes.Key = key.ToArray();
        aes.Mode = CipherMode.ECB;
        aes.Padding = PaddingMode.None;
        return new HeaderProtectionKey(aes);
    }

    /// <summary>Computes the 5-byte mask for a 16-byte <paramref name="sample"/>.</summary>
    public void ComputeMask(ReadOnlySpan<byte> sample, Span<byte> mask)
    {
        if (sample.Length < 16 || mask.Length < MaskLength)
        {
            throw new ArgumentException("Header protection needs a 16-byte sample and a 5-byte mask.");
        }

        if (_chachaKey is not null)
        {
            Span<byte> block = stackalloc byte[ChaCha20Block.BlockLength];
            uint counter = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(sample);
            ChaCha20Block.Compute(_chachaKey, counter, sample.Slice(4, 12), block);
            block[..MaskLength].CopyTo(mask);
            return;
        }

        if (_roundKeys is not null)
        {
            Span<byte> block = stackalloc byte[HeaderProtectionBatch.BlockLength];
            AesNiRounds.Encrypt(_roundKeys, Vector128.Create(sample[..16])).CopyTo(block);
            block[..MaskLength].CopyTo(mask);
            return;
        }

        ObjectDisposedException.ThrowIf(_ecb is null, this);
        sample[..16].CopyTo(_sample);
        _ecb.TransformBlock(_sample, 0, 16, _block, 0);
        _block.AsSpan(0, MaskLength).CopyTo(mask);
    }

    /// <summary>
    /// Computes the masks for <paramref name="count"/> 16-byte samples laid end to end in <paramref name="samples"/>,
    /// writing a 16-byte block per sample to <paramref name="masks"/> (the mask is each block's first 5 bytes). For
    /// AES this is one cipher call for the whole batch: the per-call overhead of the platform cipher costs more than
    /// the block itself.
    /// </summary>
    public void ComputeMasks(byte[] samples, byte[] masks, int count)
    {
        int length = count * HeaderProtectionBatch.BlockLength;
        if (count < 0 || samples.Length < length || masks.Length < length)
        {
            throw new ArgumentException("The sample and mask buffers must hold the batch.");
        }

        if (count == 0)
        {
            return;
        }

        if (_chachaKey is not null)
        {
            for (int i = 0; i < length; i += HeaderProtectionBatch.BlockLength)
            {
                ComputeMask(samples.AsSpan(i, HeaderProtectionBatch.BlockLength), masks.AsSpan(i, MaskLength));
            }

            return;
        }

        if (_roundKeys is not null)
        {
            ComputeMasksAesNi(_roundKeys, samples, masks, length);
            return;
        }

        ObjectDisposedException.ThrowIf(_ecb is null, this);
        _ecb.TransformBlock(samples, 0, length, masks, 0);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_roundKeys is not null)
        {
            Array.Clear(_roundKeys);
        }

        _ecb?.Dispose();
        _aes?.Dispose();
        if (_chachaKey is not null)
        {
            CryptographicOperations.ZeroMemory(_chachaKey);
        }
    }

    /// <summary>Encrypts <paramref name="length"/> bytes of samples (whole blocks) into <paramref name="masks"/>, four blocks at a time.</summary>
    private static void ComputeMasksAesNi(Vector128<byte>[] keys, byte[] samples, byte[] masks, int length)
    {
        ref byte source = ref MemoryMarshal.GetArrayDataReference(samples);
        ref byte destination = ref MemoryMarshal.GetArrayDataReference(masks);
        int offset = 0;
        for (; offset + (4 * HeaderProtectionBatch.BlockLength) <= length; offset += 4 * HeaderProtectionBatch.BlockLength)
        {
            Vector128<byte> b0 = Vector128.LoadUnsafe(ref source, (nuint)offset);
            Vector128<byte> b1 = Vector128.LoadUnsafe(ref source, (nuint)(offset + 16));
            Vector128<byte> b2 = Vector128.LoadUnsafe(ref source, (nuint)(offset + 32));
            Vector128<byte> b3 = Vector128.LoadUnsafe(ref source, (nuint)(offset + 48));
            AesNiRounds.Encrypt4(keys, ref b0, ref b1, ref b2, ref b3);
            b0.StoreUnsafe(ref destination, (nuint)offset);
            b1.StoreUnsafe(ref destination, (nuint)(offset + 16));
            b2.StoreUnsafe(ref destination, (nuint)(offset + 32));
            b3.StoreUnsafe(ref destination, (nuint)(offset + 48));
        }

        for (; offset < length; offset += HeaderProtectionBatch.BlockLength)
        {
            AesNiRounds.Encrypt(keys, Vector128.LoadUnsafe(ref source, (nuint)offset)).StoreUnsafe(ref destination, (nuint)offset);
        }
    }
}
