using System.Diagnostics.CodeAnalysis;
using Aster.Net.Crypto;
using Aster.Net.Crypto.Curve25519;

namespace Aster.Net.Identity;

/// <summary>
/// An endpoint's address and TLS identity: its 32-byte Ed25519 public key (transport.md §1.1).
/// </summary>
/// <remarks>
/// <para>
/// Text forms. <see cref="ToString"/> writes 64 lowercase hex characters, as iroh's <c>Display</c> does.
/// <see cref="Parse(ReadOnlySpan{char})"/> reads hex of either case, and the 52-character unpadded RFC 4648
/// base32 form (alphabet <c>A–Z 2–7</c>, either case, unused trailing bits zero) that iroh's <c>PublicKey::from_str</c>
/// also accepts. Checked against n0-computer/iroh at <c>v0.97.0</c>, <c>iroh-base/src/key.rs</c>
/// (<c>decode_base32_hex</c>: 64 characters are <c>HEXLOWER</c>, anything else is uppercased and decoded with
/// <c>BASE32_NOPAD</c>); iroh itself accepts only lowercase hex, we also accept uppercase (transport.md §1.1).
/// <see cref="ToBase32"/> writes that base32 form in lowercase, the case iroh tickets use.
/// </para>
/// <para>
/// Parsing checks the format only, not that the bytes are a point of the curve: addresses such as the
/// <c>aster1</c> test vectors carry arbitrary 32-byte ids (the reference core stores a raw <c>[u8; 32]</c>).
/// <see cref="IsValidPublicKey"/> answers that question, and <see cref="Verify"/> fails for invalid keys.
/// </para>
/// <para><c>default(EndpointId)</c> is the all-zero id.</para>
/// </remarks>
public readonly struct EndpointId : IEquatable<EndpointId>, IComparable<EndpointId>, IComparable, ISpanParsable<EndpointId>
{
    /// <summary>The length of an endpoint id in bytes.</summary>
    public const int Length = 32;

    /// <summary>The length of the DER SubjectPublicKeyInfo of an Ed25519 key (transport.md §1.2).</summary>
    public const int SubjectPublicKeyInfoLength = 44;

    private const string TlsServerNameSuffix = ".iroh.invalid";
    private const string What = "endpoint id";

    private static readonly byte[] _zero = new byte[Length];
    private static readonly byte[] _spkiPrefix = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

    private readonly byte[]? _bytes;

    private EndpointId(byte[] bytes) => _bytes = bytes;

    private byte[] Bytes => _bytes ?? _zero;

    /// <summary>Whether the 32 bytes decode to an Ed25519 curve point of large order (transport.md §1.1, "validity").</summary>
    public bool IsValidPublicKey
        => EdwardsPoint.TryDecode(Bytes, out EdwardsPoint point) && !point.IsSmallOrderVartime();

    /// <summary>Creates an id from its 32 bytes.</summary>
    /// <param name="bytes">Exactly 32 bytes.</param>
    /// <returns>The id.</returns>
    /// <exception cref="KeyFormatException"><paramref name="bytes"/> is not 32 bytes long.</exception>
    public static EndpointId FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw IdentityErrors.Key(What, $"expected {Length} bytes, got {bytes.Length}");
        }

        return new EndpointId(bytes.ToArray());
    }

    /// <summary>Parses 64 hex characters (either case) or the 52-character RFC 4648 base32 form (either case).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The id.</returns>
    /// <exception cref="KeyFormatException">The text is neither form; the exception names the offending character.</exception>
    public static EndpointId Parse(ReadOnlySpan<char> text)
        => TryParseCore(text, out EndpointId id, out TextError error) ? id : throw ToException(error);

    /// <inheritdoc cref="Parse(ReadOnlySpan{char})"/>
    public static EndpointId Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Parse(text.AsSpan());
    }

    /// <summary>Parses like <see cref="Parse(ReadOnlySpan{char})"/>, returning false instead of throwing.</summary>
    /// <param name="text">The text.</param>
    /// <param name="result">The id, or the default id on failure.</param>
    /// <returns>Whether the text was a valid id.</returns>
    public static bool TryParse(ReadOnlySpan<char> text, out EndpointId result) => TryParseCore(text, out result, out _);

    /// <inheritdoc cref="TryParse(ReadOnlySpan{char}, out EndpointId)"/>
    public static bool TryParse([NotNullWhen(true)] string? text, out EndpointId result)
    {
        if (text is null)
        {
            result = default;
            return false;
        }

        return TryParseCore(text, out result, out _);
    }

    static EndpointId IParsable<EndpointId>.Parse(string s, IFormatProvider? provider) => Parse(s);

    static bool IParsable<EndpointId>.TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out EndpointId result)
        => TryParse(s, out result);

    static EndpointId ISpanParsable<EndpointId>.Parse(ReadOnlySpan<char> s, IFormatProvider? provider) => Parse(s);

    static bool ISpanParsable<EndpointId>.TryParse(ReadOnlySpan<char> s, IFormatProvider? provider, out EndpointId result)
        => TryParse(s, out result);

    /// <summary>Reads the 44-byte DER SubjectPublicKeyInfo of an Ed25519 key: the fixed 12-byte prefix and the key.</summary>
    /// <param name="spki">Exactly 44 bytes.</param>
    /// <returns>The id.</returns>
    /// <exception cref="KeyFormatException">The length or the prefix differs; the exception names the first differing byte.</exception>
    public static EndpointId FromSubjectPublicKeyInfo(ReadOnlySpan<byte> spki)
    {
        const string what = "Ed25519 SubjectPublicKeyInfo";
        if (spki.Length != SubjectPublicKeyInfoLength)
        {
            throw IdentityErrors.Key(what, $"expected {SubjectPublicKeyInfoLength} bytes, got {spki.Length}");
        }

        for (int i = 0; i < _spkiPrefix.Length; i++)
        {
            if (spki[i] != _spkiPrefix[i])
            {
                throw IdentityErrors.KeyAtByte(what, $"expected 0x{_spkiPrefix[i]:x2}, found 0x{spki[i]:x2}", i);
            }
        }

        return new EndpointId(spki[_spkiPrefix.Length..].ToArray());
    }

    /// <summary>
    /// Reads the TLS server name an iroh client sends, <c>&lt;base32hex of the id&gt;.iroh.invalid</c>
    /// (transport.md §1.3; iroh <c>iroh/src/tls/name.rs</c>, <c>decode</c>, at <c>v0.97.0</c>).
    /// </summary>
    /// <remarks>
    /// Like iroh's decoder (data-encoding's <c>BASE32_DNSSEC</c>), the 52-character label is read in either case and
    /// its last character's 4 unused bits must be zero; the suffix must be exactly <c>.iroh.invalid</c>. Unlike iroh,
    /// the id is not checked to be a curve point (see <see cref="IsValidPublicKey"/>). A server must not depend on
    /// the name anyway (transport.md §1.5).
    /// </remarks>
    /// <param name="serverName">The server name.</param>
    /// <returns>The id.</returns>
    /// <exception cref="KeyFormatException">The name is not of that form; the exception names the offending character.</exception>
    public static EndpointId FromTlsServerName(string serverName)
    {
        ArgumentNullException.ThrowIfNull(serverName);
        return TryFromTlsServerNameCore(serverName, out EndpointId id, out TextError error)
            ? id
            : throw (error.Index >= 0
                ? IdentityErrors.KeyAtCharacter("TLS server name", error.Reason, error.Index)
                : IdentityErrors.Key("TLS server name", error.Reason));
    }

    /// <summary>Reads a TLS server name like <see cref="FromTlsServerName"/>, returning false instead of throwing.</summary>
    /// <param name="serverName">The server name.</param>
    /// <param name="result">The id, or the default id on failure.</param>
    /// <returns>Whether the name named an endpoint.</returns>
    public static bool TryFromTlsServerName(string? serverName, out EndpointId result)
    {
        if (serverName is null)
        {
            result = default;
            return false;
        }

        return TryFromTlsServerNameCore(serverName, out result, out _);
    }

    /// <summary>The 32 key bytes.</summary>
    /// <returns>A read-only view of the bytes.</returns>
    public ReadOnlySpan<byte> AsSpan() => Bytes;

    /// <summary>Copies the 32 key bytes into a new array.</summary>
    /// <returns>The bytes.</returns>
    public byte[] ToArray() => (byte[])Bytes.Clone();

    /// <summary>Copies the 32 key bytes into <paramref name="destination"/>.</summary>
    /// <param name="destination">At least 32 bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 32 bytes.</exception>
    public void CopyTo(Span<byte> destination) => Bytes.CopyTo(destination);

    /// <summary>The 64-character lowercase hex form.</summary>
    /// <returns>The hex text.</returns>
    public override string ToString() => Convert.ToHexStringLower(Bytes);

    /// <summary>The 52-character unpadded RFC 4648 base32 form, lowercase.</summary>
    /// <returns>The base32 text.</returns>
    public string ToBase32() => TextEncodings.EncodeBase32(Bytes, TextEncodings.Base32Alphabet);

    /// <summary>The 44-byte DER SubjectPublicKeyInfo that is this endpoint's TLS certificate (transport.md §1.2).</summary>
    /// <returns>A new 44-byte array.</returns>
    public byte[] ToSubjectPublicKeyInfo()
    {
        byte[] spki = new byte[SubjectPublicKeyInfoLength];
        _spkiPrefix.CopyTo(spki, 0);
        Bytes.CopyTo(spki, _spkiPrefix.Length);
        return spki;
    }

    /// <summary>
    /// The TLS server name an iroh client sends when dialling this endpoint: lowercase unpadded base32hex of the
    /// 32 bytes followed by <c>.iroh.invalid</c> (65 characters; transport.md §1.3).
    /// </summary>
    /// <returns>The server name.</returns>
    public string ToTlsServerName() => TextEncodings.EncodeBase32(Bytes, TextEncodings.Base32HexAlphabet) + TlsServerNameSuffix;

    /// <summary>
    /// Verifies an Ed25519 signature made by this endpoint's key (strict RFC 8032 verification, as iroh's
    /// <c>verify_strict</c>). False for any invalid signature, and for ids that are not valid public keys.
    /// </summary>
    /// <param name="message">The signed message.</param>
    /// <param name="signature">The signature; anything but 64 bytes fails.</param>
    /// <returns>Whether the signature is valid.</returns>
    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
        => Ed25519.Verify(Bytes, message, signature);

    /// <inheritdoc/>
    public bool Equals(EndpointId other) => Bytes.AsSpan().SequenceEqual(other.Bytes);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is EndpointId other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => BitConverter.ToInt32(Bytes, 0);

    /// <summary>Orders ids by their bytes, lexicographically (iroh's <c>Ord</c> for <c>PublicKey</c>).</summary>
    /// <param name="other">The other id.</param>
    /// <returns>Negative, zero or positive.</returns>
    public int CompareTo(EndpointId other) => Bytes.AsSpan().SequenceCompareTo(other.Bytes);

    /// <inheritdoc/>
    public int CompareTo(object? obj) => obj switch
    {
        null => 1,
        EndpointId other => CompareTo(other),
        _ => throw new ArgumentException("The object is not an EndpointId.", nameof(obj)),
    };

    /// <summary>Whether two ids are equal.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(EndpointId left, EndpointId right) => left.Equals(right);

    /// <summary>Whether two ids differ.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(EndpointId left, EndpointId right) => !left.Equals(right);

    /// <summary>Whether <paramref name="left"/> sorts before <paramref name="right"/>.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns>The comparison result.</returns>
    public static bool operator <(EndpointId left, EndpointId right) => left.CompareTo(right) < 0;

    /// <summary>Whether <paramref name="left"/> sorts before or equal to <paramref name="right"/>.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns>The comparison result.</returns>
    public static bool operator <=(EndpointId left, EndpointId right) => left.CompareTo(right) <= 0;

    /// <summary>Whether <paramref name="left"/> sorts after <paramref name="right"/>.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns>The comparison result.</returns>
    public static bool operator >(EndpointId left, EndpointId right) => left.CompareTo(right) > 0;

    /// <summary>Whether <paramref name="left"/> sorts after or equal to <paramref name="right"/>.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns>The comparison result.</returns>
    public static bool operator >=(EndpointId left, EndpointId right) => left.CompareTo(right) >= 0;

    /// <summary>Wraps an array the caller hands over (and never touches again).</summary>
    internal static EndpointId FromOwnedArray(byte[] bytes) => new(bytes);

    internal static KeyFormatException ToException(TextError error) => error.Index >= 0
        ? IdentityErrors.KeyAtCharacter(What, error.Reason, error.Index)
        : IdentityErrors.Key(What, error.Reason);

    internal static bool TryParseCore(ReadOnlySpan<char> text, out EndpointId result, out TextError error)
    {
        result = default;
        if (text.Length == Length * 2)
        {
            byte[] bytes = new byte[Length];
            if (!TextEncodings.TryDecodeHex(text, bytes, out error))
            {
                return false;
            }

            result = new EndpointId(bytes);
            return true;
        }

        if (text.Length == TextEncodings.Base32Length(Length))
        {
            if (!TextEncodings.TryDecodeBase32(text, hexAlphabet: false, out byte[] bytes, out error))
            {
                return false;
            }

            result = new EndpointId(bytes);
            return true;
        }

        error = new TextError($"expected 64 hex or 52 base32 characters, got {text.Length} characters", -1);
        return false;
    }

    private static bool TryFromTlsServerNameCore(string serverName, out EndpointId result, out TextError error)
    {
        result = default;
        int labelLength = TextEncodings.Base32Length(Length);
        if (serverName.Length != labelLength + TlsServerNameSuffix.Length
            || !serverName.EndsWith(TlsServerNameSuffix, StringComparison.Ordinal))
        {
            error = new TextError($"expected 52 base32hex characters followed by '{TlsServerNameSuffix}'", -1);
            return false;
        }

        if (!TextEncodings.TryDecodeBase32(serverName.AsSpan(0, labelLength), hexAlphabet: true, out byte[] bytes, out error))
        {
            return false;
        }

        result = new EndpointId(bytes);
        return true;
    }
}
