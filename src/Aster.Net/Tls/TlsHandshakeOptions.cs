using System.Security.Cryptography;

namespace Aster.Net.Tls;

/// <summary>Test-only deviations from the protocol, used to exercise the peer's refusals (transport.md 9.4).</summary>
[Flags]
internal enum TlsTestHooks
{
    /// <summary>Normal behaviour.</summary>
    None = 0,

    /// <summary>A client answers CertificateRequest with an empty Certificate (and no CertificateVerify).</summary>
    OmitClientCertificate = 1,

    /// <summary>The signature in our CertificateVerify has one bit flipped.</summary>
    CorruptCertificateVerify = 2,

    /// <summary>A client's ClientHello carries no certificate-type extensions.</summary>
    OmitCertificateTypeExtensions = 4,

    /// <summary>A server adds an unsolicited extension (early_data) to EncryptedExtensions.</summary>
    UnsolicitedEncryptedExtension = 8,

    /// <summary>Our Finished verify_data has one bit flipped.</summary>
    CorruptFinished = 16,
}

/// <summary>Settings for one TLS 1.3 handshake over QUIC with raw Ed25519 public keys.</summary>
internal sealed class TlsHandshakeOptions
{
    /// <summary>True for the dialing side, false for the accepting side.</summary>
    public bool IsClient { get; set; }

    /// <summary>Our 32-byte Ed25519 seed (the endpoint's secret key). Required unless <see cref="SigningKey"/> is set.</summary>
    public ReadOnlyMemory<byte> Seed { get; set; }

    /// <summary>
    /// Our secret key, expanded once and shared by every handshake of an endpoint (it saves one scalar multiplication
    /// per signature). When set, it is used instead of <see cref="Seed"/>; the caller owns and disposes it.
    /// </summary>
    public Crypto.Ed25519SigningKey? SigningKey { get; set; }

    /// <summary>Our 32-byte Ed25519 public key. Derived from <see cref="Seed"/> when empty.</summary>
    public ReadOnlyMemory<byte> PublicKey { get; set; }

    /// <summary>
    /// ALPN protocols. A client offers them in this order (Aster offers exactly one per connection); a server selects
    /// the first protocol of this list that the client offered (transport.md 4.5, S3). Required.
    /// </summary>
    public IReadOnlyList<string> Alpns { get; set; } = [];

    /// <summary>Our encoded QUIC transport parameters, sent as the quic_transport_parameters body. Required.</summary>
    public ReadOnlyMemory<byte> TransportParameters { get; set; }

    /// <summary>Client only: the 32-byte public key (EndpointId) of the server being dialled. Required for clients.</summary>
    public ReadOnlyMemory<byte> ExpectedServerKey { get; set; }

    /// <summary>
    /// Client only: the server_name to send. Defaults to the iroh name of <see cref="ExpectedServerKey"/>
    /// (transport.md 1.3); an empty string leaves the extension out.
    /// </summary>
    public string? ServerName { get; set; }

    /// <summary>
    /// Server only: decides whether a client key (32 bytes, already proven by its CertificateVerify) may connect.
    /// A false answer is access_denied. Defaults to accepting every key.
    /// </summary>
    public Func<ReadOnlyMemory<byte>, bool>? ClientKeyValidator { get; set; }

    /// <summary>Key-exchange groups in preference order. Defaults to x25519, then secp256r1.</summary>
    public IReadOnlyList<TlsNamedGroup> Groups { get; set; } = [TlsNamedGroup.X25519, TlsNamedGroup.Secp256r1];

    /// <summary>
    /// Cipher suites in preference order. Defaults to TLS_AES_128_GCM_SHA256 only (transport.md 4.1); 0x1302 may be
    /// added, and 0x1303 only when the QUIC layer can protect headers with ChaCha20.
    /// </summary>
    public IReadOnlyList<TlsCipherSuite> CipherSuites { get; set; } = [TlsCipherSuite.Aes128GcmSha256];

    /// <summary>The source of randoms and x25519 private keys. Defaults to the system generator.</summary>
    public RandomNumberGenerator? Random { get; set; }

    /// <summary>The largest handshake message accepted, and the most bytes buffered per level. Defaults to 64 KiB.</summary>
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>Where handshake events are logged (event ids 2000–2999). Defaults to no logging.</summary>
    public Microsoft.Extensions.Logging.ILogger? Logger { get; set; }

    /// <summary>Deviations for negative tests. Defaults to none.</summary>
    public TlsTestHooks TestHooks { get; set; }

    /// <summary>Checks the options once; the exception names the property.</summary>
    internal void Validate()
    {
        if (SigningKey is null && Seed.Length != RawPublicKey.KeyLength)
        {
            throw new ArgumentException("The Ed25519 seed must be 32 bytes.", nameof(Seed));
        }

        if (!PublicKey.IsEmpty && PublicKey.Length != RawPublicKey.KeyLength)
        {
            throw new ArgumentException("The Ed25519 public key must be 32 bytes.", nameof(PublicKey));
        }

        if (Alpns is null || Alpns.Count == 0 || Alpns.Any(a => string.IsNullOrEmpty(a) || System.Text.Encoding.UTF8.GetByteCount(a) > 255))
        {
            throw new ArgumentException("At least one ALPN protocol of 1 to 255 bytes is required.", nameof(Alpns));
        }

        if (IsClient && ExpectedServerKey.Length != RawPublicKey.KeyLength)
        {
            throw new ArgumentException("A client must know the 32-byte key of the server it dials.", nameof(ExpectedServerKey));
        }

        if (ServerName is not null && (ServerName.Length > 253 || !System.Text.Ascii.IsValid(ServerName)))
        {
            throw new ArgumentException("The server name must be ASCII and at most 253 characters.", nameof(ServerName));
        }

        if (Groups is null || Groups.Count == 0 || Groups.Any(g => !Enum.IsDefined(g)))
        {
            throw new ArgumentException("At least one supported group is required.", nameof(Groups));
        }

        if (CipherSuites is null || CipherSuites.Count == 0 || CipherSuites.Any(s => !TlsKeySchedule.IsKnown((ushort)s)))
        {
            throw new ArgumentException("At least one TLS 1.3 cipher suite is required.", nameof(CipherSuites));
        }

        if (MaxMessageBytes < 1024)
        {
            throw new ArgumentException("The handshake message limit must be at least 1 KiB.", nameof(MaxMessageBytes));
        }
    }
}
