namespace Aster.Net.Tls;

/// <summary>
/// The seam between the QUIC connection and the TLS 1.3 handshake (RFC 9001, section 4.1). The QUIC side owns packet
/// protection, CRYPTO frame reassembly and retransmission; the TLS side owns handshake messages and the key schedule.
/// </summary>
/// <remarks>
/// Usage by the QUIC connection: deliver each contiguous run of CRYPTO-frame bytes with <see cref="ProcessInput"/>,
/// then drain <see cref="TryTakeOutput"/> (bytes to send in CRYPTO frames at the given level) and
/// <see cref="TryTakeKeys"/> (secrets that became available) until both return false. Secrets are handed over once;
/// the QUIC side derives packet keys from them with the <c>quic key</c>, <c>quic iv</c>, <c>quic hp</c> labels and
/// 1-RTT key updates with <c>quic ku</c>. A handshake failure throws <see cref="TlsAlertException"/> whose alert
/// becomes QUIC error 0x0100 + alert.
/// </remarks>
internal interface IQuicTlsHandshake
{
    /// <summary>True once this side has sent and received Finished.</summary>
    bool IsHandshakeComplete { get; }

    /// <summary>The ALPN both sides agreed on; null until negotiated.</summary>
    string? NegotiatedAlpn { get; }

    /// <summary>The peer's authenticated Ed25519 public key (32 bytes); empty until its CertificateVerify checked out.</summary>
    ReadOnlyMemory<byte> PeerPublicKey { get; }

    /// <summary>The peer's raw <c>quic_transport_parameters</c> extension body; empty until received.</summary>
    ReadOnlyMemory<byte> PeerTransportParameters { get; }

    /// <summary>The negotiated cipher suite; meaningful once handshake keys exist.</summary>
    TlsCipherSuite CipherSuite { get; }

    /// <summary>Starts the handshake. A client produces its ClientHello as output; a server does nothing.</summary>
    void Start();

    /// <summary>Consumes in-order handshake bytes that arrived in CRYPTO frames at <paramref name="level"/>.</summary>
    /// <exception cref="TlsAlertException">The peer's bytes were malformed or the handshake must fail.</exception>
    void ProcessInput(EncryptionLevel level, ReadOnlySpan<byte> data);

    /// <summary>Takes the next run of handshake bytes to send, with the level it must be sent at.</summary>
    bool TryTakeOutput(out EncryptionLevel level, out ReadOnlyMemory<byte> data);

    /// <summary>Takes secrets that became available since the last call (handshake, then application).</summary>
    bool TryTakeKeys(out TlsTrafficKeys keys);
}

/// <summary>TLS 1.3 cipher suites Aster can negotiate.</summary>
internal enum TlsCipherSuite : ushort
{
    /// <summary>No suite negotiated yet.</summary>
    None = 0,

    /// <summary>TLS_AES_128_GCM_SHA256.</summary>
    Aes128GcmSha256 = 0x1301,

    /// <summary>TLS_AES_256_GCM_SHA384.</summary>
    Aes256GcmSha384 = 0x1302,

    /// <summary>TLS_CHACHA20_POLY1305_SHA256.</summary>
    ChaCha20Poly1305Sha256 = 0x1303,
}

/// <summary>Traffic secrets for one encryption level, both directions.</summary>
/// <param name="Level">Handshake or Application.</param>
/// <param name="Suite">Which AEAD and hash the secrets belong to.</param>
/// <param name="ReadSecret">The secret protecting packets we receive.</param>
/// <param name="WriteSecret">The secret protecting packets we send.</param>
internal sealed record TlsTrafficKeys(EncryptionLevel Level, TlsCipherSuite Suite, byte[] ReadSecret, byte[] WriteSecret);

/// <summary>A TLS alert that ends the handshake; QUIC sends it as CONNECTION_CLOSE with error 0x0100 + alert.</summary>
internal sealed class TlsAlertException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TlsAlertException(TlsAlert alert, string message)
        : base(message)
    {
        Alert = alert;
    }

    /// <summary>The alert to send.</summary>
    public TlsAlert Alert { get; }

    /// <summary>
    /// When set, the QUIC transport error to close with instead of 0x0100 + <see cref="Alert"/>: RFC 9001 asks for
    /// PROTOCOL_VIOLATION (0x0a) on a non-empty legacy_session_id (section 8.4) or a TLS KeyUpdate message (section 6).
    /// </summary>
    public ulong? TransportErrorCode { get; init; }
}

/// <summary>TLS alert descriptions used by the handshake (RFC 8446, section 6).</summary>
internal enum TlsAlert : byte
{
    /// <summary>unexpected_message (10).</summary>
    UnexpectedMessage = 10,

    /// <summary>bad_record_mac (20).</summary>
    BadRecordMac = 20,

    /// <summary>handshake_failure (40).</summary>
    HandshakeFailure = 40,

    /// <summary>bad_certificate (42).</summary>
    BadCertificate = 42,

    /// <summary>unsupported_certificate (43).</summary>
    UnsupportedCertificate = 43,

    /// <summary>certificate_unknown (46).</summary>
    CertificateUnknown = 46,

    /// <summary>access_denied (49): a valid certificate whose key the local policy refuses.</summary>
    AccessDenied = 49,

    /// <summary>illegal_parameter (47).</summary>
    IllegalParameter = 47,

    /// <summary>decode_error (50).</summary>
    DecodeError = 50,

    /// <summary>decrypt_error (51).</summary>
    DecryptError = 51,

    /// <summary>protocol_version (70).</summary>
    ProtocolVersion = 70,

    /// <summary>internal_error (80).</summary>
    InternalError = 80,

    /// <summary>missing_extension (109).</summary>
    MissingExtension = 109,

    /// <summary>unsupported_extension (110).</summary>
    UnsupportedExtension = 110,

    /// <summary>certificate_required (116).</summary>
    CertificateRequired = 116,

    /// <summary>no_application_protocol (120).</summary>
    NoApplicationProtocol = 120,
}
