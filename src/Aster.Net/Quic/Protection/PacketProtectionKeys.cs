using System.Security.Cryptography;
using Aster.Net.Tls;

namespace Aster.Net.Quic.Protection;

/// <summary>The packet-protection AEAD and the header-protection key for one direction at one encryption level.</summary>
/// <remarks>Not thread-safe (see <see cref="PacketAead"/>).</remarks>
internal sealed class PacketProtectionKeys : IDisposable
{
    /// <summary>Creates keys from their parts; takes ownership of both.</summary>
    public PacketProtectionKeys(PacketAead aead, HeaderProtectionKey headerKey)
    {
        Aead = aead;
        HeaderKey = headerKey;
    }

    /// <summary>The cipher suite.</summary>
    public TlsCipherSuite Suite => Aead.Suite;

    /// <summary>The packet-protection AEAD.</summary>
    public PacketAead Aead { get; }

    /// <summary>The header-protection key.</summary>
    public HeaderProtectionKey HeaderKey { get; }

    /// <summary>Derives the keys from a traffic secret with <c>quic key</c>, <c>quic iv</c> and <c>quic hp</c> (RFC 9001, section 5.1).</summary>
    public static PacketProtectionKeys FromSecret(TlsCipherSuite suite, ReadOnlySpan<byte> secret) =>
        new(CreateAead(suite, secret), CreateHeaderKey(suite, secret));

    /// <summary>
    /// Creates the Handshake-level keys from secrets TLS handed over (<see cref="IQuicTlsHandshake.TryTakeKeys"/>).
    /// 1-RTT secrets go to <see cref="OneRttKeySet"/> instead, which handles key updates.
    /// </summary>
    public static void FromTlsKeys(TlsTrafficKeys keys, out PacketProtectionKeys read, out PacketProtectionKeys write)
    {
        ArgumentNullException.ThrowIfNull(keys);
        read = FromSecret(keys.Suite, keys.ReadSecret);
        write = FromSecret(keys.Suite, keys.WriteSecret);
    }

    /// <summary>Derives only the AEAD (key and IV) from a traffic secret; key updates keep the header key.</summary>
    public static PacketAead CreateAead(TlsCipherSuite suite, ReadOnlySpan<byte> secret)
    {
        HashAlgorithmName hash = QuicCipherSuites.GetHash(suite);
        int keyLength = QuicCipherSuites.GetKeyLength(suite);
        Span<byte> key = stackalloc byte[keyLength];
        Span<byte> iv = stackalloc byte[QuicCipherSuites.IvLength];
        HkdfLabel.Expand(hash, secret, "quic key", [], key);
        HkdfLabel.Expand(hash, secret, "quic iv", [], iv);
        try
        {
            return PacketAead.Create(suite, key, iv);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Derives the header-protection key from a traffic secret.</summary>
    public static HeaderProtectionKey CreateHeaderKey(TlsCipherSuite suite, ReadOnlySpan<byte> secret)
    {
        Span<byte> hp = stackalloc byte[QuicCipherSuites.GetKeyLength(suite)];
        HkdfLabel.Expand(QuicCipherSuites.GetHash(suite), secret, "quic hp", [], hp);
        try
        {
            return HeaderProtectionKey.Create(suite, hp);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(hp);
        }
    }

    /// <summary>The next generation of a 1-RTT secret: HKDF-Expand-Label(secret, <c>quic ku</c>, "", hash length) (RFC 9001, section 6).</summary>
    public static byte[] NextSecret(TlsCipherSuite suite, ReadOnlySpan<byte> secret) =>
        HkdfLabel.Expand(QuicCipherSuites.GetHash(suite), secret, "quic ku", [], QuicCipherSuites.GetHashLength(suite));

    /// <inheritdoc />
    public void Dispose()
    {
        Aead.Dispose();
        HeaderKey.Dispose();
    }
}

/// <summary>Initial secrets and keys (RFC 9001, section 5.2).</summary>
internal static class InitialSecrets
{
    private static readonly byte[] _initialSaltV1 = Convert.FromHexString("38762cf7f55934b34d179ae6a4c80cadccbb7f0a");

    /// <summary>The QUIC v1 initial salt.</summary>
    public static ReadOnlySpan<byte> SaltV1 => _initialSaltV1;

    /// <summary>Derives the client and server Initial secrets from the client's first destination connection id.</summary>
    public static void DeriveSecrets(ReadOnlySpan<byte> clientDestinationConnectionId, Span<byte> clientSecret, Span<byte> serverSecret)
    {
        Span<byte> initial = stackalloc byte[32];
        HKDF.Extract(HashAlgorithmName.SHA256, clientDestinationConnectionId, _initialSaltV1, initial);
        HkdfLabel.Expand(HashAlgorithmName.SHA256, initial, "client in", [], clientSecret[..32]);
        HkdfLabel.Expand(HashAlgorithmName.SHA256, initial, "server in", [], serverSecret[..32]);
        CryptographicOperations.ZeroMemory(initial);
    }

    /// <summary>
    /// Creates the Initial keys for one side: <paramref name="read"/> opens the peer's packets and
    /// <paramref name="write"/> protects ours.
    /// </summary>
    public static void CreateKeys(
        ReadOnlySpan<byte> clientDestinationConnectionId, bool isServer, out PacketProtectionKeys read, out PacketProtectionKeys write)
    {
        Span<byte> client = stackalloc byte[32];
        Span<byte> server = stackalloc byte[32];
        DeriveSecrets(clientDestinationConnectionId, client, server);
        var clientKeys = PacketProtectionKeys.FromSecret(TlsCipherSuite.Aes128GcmSha256, client);
        var serverKeys = PacketProtectionKeys.FromSecret(TlsCipherSuite.Aes128GcmSha256, server);
        CryptographicOperations.ZeroMemory(client);
        CryptographicOperations.ZeroMemory(server);
        read = isServer ? clientKeys : serverKeys;
        write = isServer ? serverKeys : clientKeys;
    }
}
