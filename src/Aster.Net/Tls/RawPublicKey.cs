using System.Security.Cryptography;
using System.Text;
using Aster.Net.Crypto;
using Aster.Net.Crypto.Curve25519;

namespace Aster.Net.Tls;

/// <summary>
/// RFC 7250 raw Ed25519 public keys as Aster carries them: the 44-byte SubjectPublicKeyInfo (transport.md 1.2), the
/// iroh TLS server name (transport.md 1.3) and the CertificateVerify signatures (RFC 8446, section 4.4.3).
/// </summary>
internal static class RawPublicKey
{
    /// <summary>Length of an Ed25519 public key.</summary>
    public const int KeyLength = 32;

    /// <summary>Length of the SubjectPublicKeyInfo.</summary>
    public const int SpkiLength = 44;

    /// <summary>Length of an Ed25519 signature.</summary>
    public const int SignatureLength = 64;

    private const string NameSuffix = ".iroh.invalid";
    private const string Base32Hex = "0123456789abcdefghijklmnopqrstuv";

    private static readonly byte[] _serverContext = BuildContext("TLS 1.3, server CertificateVerify");
    private static readonly byte[] _clientContext = BuildContext("TLS 1.3, client CertificateVerify");

    /// <summary>The fixed 12-byte DER prefix: SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (33 bytes) }.</summary>
    public static ReadOnlySpan<byte> SpkiPrefix => [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

    /// <summary>Encodes <paramref name="publicKey"/> as the 44-byte SPKI.</summary>
    public static byte[] EncodeSpki(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != KeyLength)
        {
            throw new ArgumentException("An Ed25519 public key is 32 bytes.", nameof(publicKey));
        }

        byte[] spki = new byte[SpkiLength];
        SpkiPrefix.CopyTo(spki);
        publicKey.CopyTo(spki.AsSpan(SpkiPrefix.Length));
        return spki;
    }

    /// <summary>
    /// Extracts the key from a certificate entry: it must be exactly the 44-byte Ed25519 SPKI and the key must not be
    /// a valid point of large order; anything else is bad_certificate.
    /// </summary>
    public static byte[] ParseSpki(ReadOnlySpan<byte> certData)
    {
        if (certData.Length != SpkiLength || !certData[..SpkiPrefix.Length].SequenceEqual(SpkiPrefix))
        {
            throw new TlsAlertException(TlsAlert.BadCertificate, "The certificate is not a 44-byte Ed25519 SubjectPublicKeyInfo.");
        }

        ReadOnlySpan<byte> key = certData[SpkiPrefix.Length..];
        if (!IsValidKey(key))
        {
            throw new TlsAlertException(TlsAlert.BadCertificate, "The certificate's Ed25519 key is not a valid point, or has small order.");
        }

        return key.ToArray();
    }

    /// <summary>
    /// True when <paramref name="publicKey"/> is a canonical encoding of a curve point whose order is not small
    /// (transport.md 1.1: identity and small-order points prove nothing).
    /// </summary>
    public static bool IsValidKey(ReadOnlySpan<byte> publicKey)
    {
        return publicKey.Length == KeyLength
            && EdwardsPoint.TryDecode(publicKey, out EdwardsPoint point)
            && !point.IsSmallOrderVartime();
    }

    /// <summary>
    /// The TLS server name of an endpoint id (transport.md 1.3, iroh's <c>tls/name.rs</c>): the 52-character lowercase
    /// RFC 4648 base32hex encoding of the 32 key bytes, most significant bit first, without padding, then
    /// <c>.iroh.invalid</c>. Kept local until the identity module's <c>EndpointId.ToTlsServerName()</c> replaces it.
    /// </summary>
    public static string ServerName(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != KeyLength)
        {
            throw new ArgumentException("An Ed25519 public key is 32 bytes.", nameof(publicKey));
        }

        var name = new StringBuilder(52 + NameSuffix.Length);
        int buffer = 0;
        int bits = 0;
        foreach (byte b in publicKey)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                name.Append(Base32Hex[(buffer >> bits) & 0x1f]);
            }
        }

        if (bits > 0)
        {
            name.Append(Base32Hex[(buffer << (5 - bits)) & 0x1f]);
        }

        return name.Append(NameSuffix).ToString();
    }

    /// <summary>Signs the CertificateVerify content for <paramref name="transcriptHash"/>.</summary>
    public static byte[] SignCertificateVerify(ReadOnlySpan<byte> seed, bool server, ReadOnlySpan<byte> transcriptHash)
    {
        byte[] content = Content(server, transcriptHash);
        byte[] signature = new byte[SignatureLength];
        Ed25519.Sign(seed, content, signature);
        return signature;
    }

    /// <summary>Signs the CertificateVerify content for <paramref name="transcriptHash"/> with an expanded key.</summary>
    public static byte[] SignCertificateVerify(Ed25519SigningKey key, bool server, ReadOnlySpan<byte> transcriptHash)
    {
        return key.Sign(Content(server, transcriptHash));
    }

    /// <summary>Checks a CertificateVerify signature; false when it does not verify.</summary>
    public static bool VerifyCertificateVerify(ReadOnlySpan<byte> publicKey, bool server, ReadOnlySpan<byte> transcriptHash, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != SignatureLength || publicKey.Length != KeyLength)
        {
            return false;
        }

        return Ed25519.Verify(publicKey, Content(server, transcriptHash), signature);
    }

    /// <summary>Derives the public key of <paramref name="seed"/>.</summary>
    public static byte[] PublicKeyOf(ReadOnlySpan<byte> seed)
    {
        byte[] publicKey = new byte[KeyLength];
        Ed25519.GetPublicKey(seed, publicKey);
        return publicKey;
    }

    private static byte[] Content(bool server, ReadOnlySpan<byte> transcriptHash)
    {
        byte[] prefix = server ? _serverContext : _clientContext;
        byte[] content = new byte[prefix.Length + transcriptHash.Length];
        prefix.CopyTo(content, 0);
        transcriptHash.CopyTo(content.AsSpan(prefix.Length));
        return content;
    }

    private static byte[] BuildContext(string label)
    {
        byte[] context = new byte[64 + label.Length + 1];
        context.AsSpan(0, 64).Fill(0x20);
        Encoding.ASCII.GetBytes(label, context.AsSpan(64));
        return context;
    }

    /// <summary>Compares two MACs in constant time.</summary>
    public static bool MacEquals(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        return CryptographicOperations.FixedTimeEquals(a, b);
    }
}
