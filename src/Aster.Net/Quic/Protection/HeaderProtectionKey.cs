using System.Security.Cryptography;
using Aster.Net.Tls;

namespace Aster.Net.Quic.Protection;

/// <summary>
/// A header-protection key (RFC 9001, section 5.4): AES-ECB for the AES suites, the ChaCha20 block function for
/// ChaCha20-Poly1305. Computing a mask allocates nothing.
/// </summary>
/// <remarks>Not thread-safe: it reuses one AES transform and scratch buffers. Each connection owns its keys.</remarks>
internal sealed class HeaderProtectionKey : IDisposable
{
    /// <summary>The mask length used by QUIC (one byte for the first byte, up to four for the packet number).</summary>
    public const int MaskLength = 5;

    private readonly Aes? _aes;
    private readonly ICryptoTransform? _ecb;
    private readonly byte[] _sample = new byte[16];
    private readonly byte[] _block = new byte[16];
    private readonly byte[]? _chachaKey;

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
    public static HeaderProtectionKey Create(TlsCipherSuite suite, ReadOnlySpan<byte> key)
    {
        if (key.Length != QuicCipherSuites.GetKeyLength(suite))
        {
            throw new ArgumentException("Header-protection key length does not match the suite.", nameof(key));
        }

        if (suite == TlsCipherSuite.ChaCha20Poly1305Sha256)
        {
            return new HeaderProtectionKey(key.ToArray());
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

        ObjectDisposedException.ThrowIf(_ecb is null, this);
        _ecb.TransformBlock(samples, 0, length, masks, 0);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _ecb?.Dispose();
        _aes?.Dispose();
        if (_chachaKey is not null)
        {
            CryptographicOperations.ZeroMemory(_chachaKey);
        }
    }
}
