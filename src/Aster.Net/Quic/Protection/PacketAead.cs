using System.Buffers.Binary;
using System.Security.Cryptography;
using Aster.Net.Tls;

namespace Aster.Net.Quic.Protection;

/// <summary>
/// One direction's packet-protection AEAD and IV (RFC 9001, section 5.3): the nonce is the IV XOR the packet number.
/// Encryption and decryption are in place and allocate nothing. The AES-GCM suites run on <see cref="AesNiGcm"/> where
/// the CPU has AES-NI and PCLMULQDQ (no per-call overhead), otherwise on <see cref="AesGcm"/>.
/// </summary>
/// <remarks>
/// Not thread-safe: the underlying <see cref="AesGcm"/>/<see cref="ChaCha20Poly1305"/> instance is not. Each connection
/// owns its keys and uses them from one thread at a time.
/// </remarks>
internal sealed class PacketAead : IDisposable
{
    private readonly AesNiGcm? _aesNi;
    private readonly AesGcm? _aesGcm;
    private readonly ChaCha20Poly1305? _chacha;
    private readonly byte[] _iv;

    private PacketAead(TlsCipherSuite suite, AesNiGcm? aesNi, AesGcm? aesGcm, ChaCha20Poly1305? chacha, byte[] iv)
    {
        Suite = suite;
        _aesNi = aesNi;
        _aesGcm = aesGcm;
        _chacha = chacha;
        _iv = iv;
    }

    /// <summary>The cipher suite.</summary>
    public TlsCipherSuite Suite { get; }

    /// <summary>Creates the AEAD from a key and IV.</summary>
    public static PacketAead Create(TlsCipherSuite suite, ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv) =>
        Create(suite, key, iv, AesNiGcm.IsSupported);

    /// <summary>Like <see cref="Create(TlsCipherSuite, ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>; <paramref name="useAesNi"/> false keeps the AES suites on <see cref="AesGcm"/> (tests compare the two).</summary>
    public static PacketAead Create(TlsCipherSuite suite, ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, bool useAesNi)
    {
        if (key.Length != QuicCipherSuites.GetKeyLength(suite) || iv.Length != QuicCipherSuites.IvLength)
        {
            throw new ArgumentException("Packet key or IV length does not match the suite.");
        }

        if (suite == TlsCipherSuite.ChaCha20Poly1305Sha256)
        {
            return new PacketAead(suite, null, null, new ChaCha20Poly1305(key), iv.ToArray());
        }

        return useAesNi && AesNiGcm.IsSupported
            ? new PacketAead(suite, new AesNiGcm(key), null, null, iv.ToArray())
            : new PacketAead(suite, null, new AesGcm(key, QuicCipherSuites.TagLength), null, iv.ToArray());
    }

    /// <summary>Encrypts <paramref name="payload"/> in place and writes the tag.</summary>
    public void Encrypt(long packetNumber, ReadOnlySpan<byte> associatedData, Span<byte> payload, Span<byte> tag)
    {
        Span<byte> nonce = stackalloc byte[QuicCipherSuites.IvLength];
        BuildNonce(packetNumber, nonce);
        if (_aesNi is not null)
        {
            _aesNi.Encrypt(nonce, payload, payload, tag, associatedData);
        }
        else if (_aesGcm is not null)
        {
            _aesGcm.Encrypt(nonce, payload, payload, tag, associatedData);
        }
        else
        {
            _chacha!.Encrypt(nonce, payload, payload, tag, associatedData);
        }
    }

    /// <summary>
    /// Decrypts <paramref name="payload"/> in place; false if the tag does not verify (the payload is then zeroed).
    /// </summary>
    /// <remarks>
    /// The BCL reports a bad tag with <see cref="AuthenticationTagMismatchException"/>; it is caught here, so callers see
    /// a plain result. That exception costs a few microseconds per forged packet, bounded by the packet rate.
    /// </remarks>
    public bool TryDecrypt(long packetNumber, ReadOnlySpan<byte> associatedData, Span<byte> payload, ReadOnlySpan<byte> tag)
    {
        Span<byte> nonce = stackalloc byte[QuicCipherSuites.IvLength];
        BuildNonce(packetNumber, nonce);
        if (_aesNi is not null)
        {
            return _aesNi.TryDecrypt(nonce, payload, tag, payload, associatedData);
        }

        try
        {
            if (_aesGcm is not null)
            {
                _aesGcm.Decrypt(nonce, payload, tag, payload, associatedData);
            }
            else
            {
                _chacha!.Decrypt(nonce, payload, tag, payload, associatedData);
            }

            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    /// <summary>Writes the nonce for <paramref name="packetNumber"/>: the IV XOR the left-padded packet number.</summary>
    public void BuildNonce(long packetNumber, Span<byte> nonce)
    {
        _iv.CopyTo(nonce);
        ulong tail = BinaryPrimitives.ReadUInt64BigEndian(nonce[4..]) ^ (ulong)packetNumber;
        BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], tail);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _aesNi?.Dispose();
        _aesGcm?.Dispose();
        _chacha?.Dispose();
        CryptographicOperations.ZeroMemory(_iv);
    }
}
