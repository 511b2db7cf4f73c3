using System.Security.Cryptography;
using Aster.Net.Tls;

namespace Aster.Net.Quic.Protection;

/// <summary>Per-suite facts for QUIC packet protection (RFC 9001, section 5 and 6.6).</summary>
internal static class QuicCipherSuites
{
    /// <summary>The AEAD nonce and IV length of every suite.</summary>
    public const int IvLength = 12;

    /// <summary>The AEAD tag length of every suite.</summary>
    public const int TagLength = 16;

    /// <summary>The packet-protection key length (also the header-protection key length).</summary>
    public static int GetKeyLength(TlsCipherSuite suite) => suite switch
    {
        TlsCipherSuite.Aes128GcmSha256 => 16,
        TlsCipherSuite.Aes256GcmSha384 => 32,
        TlsCipherSuite.ChaCha20Poly1305Sha256 => 32,
        _ => throw new ArgumentException($"Unsupported cipher suite {suite}.", nameof(suite)),
    };

    /// <summary>The suite's hash, used by HKDF.</summary>
    public static HashAlgorithmName GetHash(TlsCipherSuite suite) =>
        suite == TlsCipherSuite.Aes256GcmSha384 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;

    /// <summary>The suite's hash length (the length of its traffic secrets).</summary>
    public static int GetHashLength(TlsCipherSuite suite) => suite == TlsCipherSuite.Aes256GcmSha384 ? 48 : 32;

    /// <summary>
    /// The confidentiality limit: packets one key may protect (RFC 9001, section 6.6). ChaCha20-Poly1305's limit exceeds
    /// the packet-number space, so it is reported as <see cref="long.MaxValue"/>.
    /// </summary>
    public static long GetConfidentialityLimit(TlsCipherSuite suite) =>
        suite == TlsCipherSuite.ChaCha20Poly1305Sha256 ? long.MaxValue : 1L << 23;

    /// <summary>The integrity limit: failed decryptions a connection tolerates (RFC 9001, section 6.6).</summary>
    public static long GetIntegrityLimit(TlsCipherSuite suite) =>
        suite == TlsCipherSuite.ChaCha20Poly1305Sha256 ? 1L << 36 : 1L << 52;
}
