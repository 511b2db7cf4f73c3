using System.Security.Cryptography;

namespace Aster.Net.Tls;

/// <summary>The TLS 1.3 key schedule (RFC 8446, section 7.1) for one cipher suite's hash.</summary>
internal static class TlsKeySchedule
{
    /// <summary>The hash algorithm of <paramref name="suite"/>.</summary>
    public static HashAlgorithmName HashOf(TlsCipherSuite suite)
    {
        return suite == TlsCipherSuite.Aes256GcmSha384 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;
    }

    /// <summary>The hash length in bytes of <paramref name="hash"/>.</summary>
    public static int HashLength(HashAlgorithmName hash)
    {
        return hash == HashAlgorithmName.SHA384 ? 48 : 32;
    }

    /// <summary>True when <paramref name="suite"/> is one this implementation can run.</summary>
    public static bool IsKnown(ushort suite)
    {
        return suite is (ushort)TlsCipherSuite.Aes128GcmSha256 or (ushort)TlsCipherSuite.Aes256GcmSha384 or (ushort)TlsCipherSuite.ChaCha20Poly1305Sha256;
    }

    /// <summary>The early secret without a PSK: HKDF-Extract(0, 0).</summary>
    public static byte[] EarlySecret(HashAlgorithmName hash)
    {
        int length = HashLength(hash);
        return HKDF.Extract(hash, new byte[length], new byte[length]);
    }

    /// <summary>Derive-Secret(secret, label, messages) where <paramref name="transcriptHash"/> = Transcript-Hash(messages).</summary>
    public static byte[] DeriveSecret(HashAlgorithmName hash, ReadOnlySpan<byte> secret, string label, ReadOnlySpan<byte> transcriptHash)
    {
        return HkdfLabel.Expand(hash, secret, label, transcriptHash, HashLength(hash));
    }

    /// <summary>Derive-Secret(secret, "derived", "").</summary>
    public static byte[] Derived(HashAlgorithmName hash, ReadOnlySpan<byte> secret)
    {
        Span<byte> empty = stackalloc byte[HashLength(hash)];
        HashEmpty(hash, empty);
        return DeriveSecret(hash, secret, "derived", empty);
    }

    /// <summary>The handshake secret: HKDF-Extract(Derived(early secret), shared secret).</summary>
    public static byte[] HandshakeSecret(HashAlgorithmName hash, ReadOnlySpan<byte> sharedSecret)
    {
        byte[] early = EarlySecret(hash);
        byte[] salt = Derived(hash, early);
        byte[] result = new byte[HashLength(hash)];
        HKDF.Extract(hash, sharedSecret, salt, result);
        CryptographicOperations.ZeroMemory(early);
        CryptographicOperations.ZeroMemory(salt);
        return result;
    }

    /// <summary>The master secret: HKDF-Extract(Derived(handshake secret), 0).</summary>
    public static byte[] MasterSecret(HashAlgorithmName hash, ReadOnlySpan<byte> handshakeSecret)
    {
        byte[] salt = Derived(hash, handshakeSecret);
        byte[] result = HKDF.Extract(hash, new byte[HashLength(hash)], salt);
        CryptographicOperations.ZeroMemory(salt);
        return result;
    }

    /// <summary>verify_data = HMAC(finished_key, transcript hash), finished_key = Expand-Label(base key, "finished", "").</summary>
    public static byte[] VerifyData(HashAlgorithmName hash, ReadOnlySpan<byte> baseKey, ReadOnlySpan<byte> transcriptHash)
    {
        byte[] finishedKey = HkdfLabel.Expand(hash, baseKey, "finished", [], HashLength(hash));
        try
        {
            return hash == HashAlgorithmName.SHA384
                ? HMACSHA384.HashData(finishedKey, transcriptHash)
                : HMACSHA256.HashData(finishedKey, transcriptHash);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(finishedKey);
        }
    }

    private static void HashEmpty(HashAlgorithmName hash, Span<byte> destination)
    {
        if (hash == HashAlgorithmName.SHA384)
        {
            SHA384.HashData([], destination);
        }
        else
        {
            SHA256.HashData([], destination);
        }
    }
}

/// <summary>
/// The running transcript hash. Messages are buffered until the hash is known (the client learns the suite from the
/// ServerHello), and a HelloRetryRequest replaces ClientHello1 with the synthetic message_hash message.
/// </summary>
internal sealed class TlsTranscript : IDisposable
{
    private readonly TlsWriter _pending = new(512);
    private IncrementalHash? _hash;

    /// <summary>The transcript's hash algorithm, once chosen.</summary>
    public HashAlgorithmName? Hash { get; private set; }

    /// <summary>Appends a complete handshake message.</summary>
    public void Add(ReadOnlySpan<byte> message)
    {
        if (_hash is null)
        {
            _pending.WriteBytes(message);
        }
        else
        {
            _hash.AppendData(message);
        }
    }

    /// <summary>Chooses the hash and feeds it what was buffered.</summary>
    public void SetHash(HashAlgorithmName hash)
    {
        if (_hash is not null)
        {
            return;
        }

        Hash = hash;
        _hash = IncrementalHash.CreateHash(hash);
        _hash.AppendData(_pending.WrittenSpan);
    }

    /// <summary>Replaces everything so far (ClientHello1) with message_hash(Hash(ClientHello1)) (RFC 8446, section 4.4.1).</summary>
    public void ReplaceWithMessageHash()
    {
        if (_hash is null)
        {
            throw new InvalidOperationException("Transcript hash not chosen.");
        }

        byte[] digest = _hash.GetHashAndReset();
        _hash.AppendData([TlsHandshakeType.MessageHash, 0, 0, (byte)digest.Length]);
        _hash.AppendData(digest);
    }

    /// <summary>The hash of the transcript so far.</summary>
    public byte[] CurrentHash()
    {
        if (_hash is null)
        {
            throw new InvalidOperationException("Transcript hash not chosen.");
        }

        return _hash.GetCurrentHash();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _hash?.Dispose();
    }
}
