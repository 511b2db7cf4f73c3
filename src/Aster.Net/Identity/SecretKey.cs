using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Aster.Net.Crypto;

namespace Aster.Net.Identity;

/// <summary>
/// An endpoint's only secret: the 32-byte Ed25519 seed of RFC 8032 (transport.md §1.1). Its public key is the
/// endpoint's <see cref="EndpointId"/>.
/// </summary>
/// <remarks>
/// <para>
/// The seed lives in a pinned array that <see cref="Dispose"/> zeroes, together with the expanded signing key.
/// <see cref="ToString"/> never shows the secret (it shows the public key), and <see cref="Equals(SecretKey)"/>
/// compares in constant time. Every member except <see cref="Dispose"/>, <see cref="ToString"/> and equality
/// throws <see cref="ObjectDisposedException"/> after disposal.
/// </para>
/// <para>
/// Text form: 64 hex characters (either case). Like iroh's <c>SecretKey::from_str</c>
/// (<c>iroh-base/src/key.rs</c> at <c>v0.97.0</c>), <see cref="Parse(ReadOnlySpan{char})"/> also accepts the
/// 52-character base32 form. There is deliberately no method that formats the secret as text; export it with
/// <see cref="CopyTo"/> or <see cref="ToBytes"/>.
/// </para>
/// </remarks>
public sealed class SecretKey : IEquatable<SecretKey>, IDisposable
{
    /// <summary>The length of a secret key in bytes.</summary>
    public const int Length = 32;

    private const string What = "secret key";

    private readonly byte[] _seed = GC.AllocateArray<byte>(Length, pinned: true);
    private readonly Lock _lock = new();
    private Ed25519SigningKey? _signingKey;
    private volatile byte[]? _publicKey; // written once; a reference, so readers never see a torn value
    private volatile bool _disposed;

    private SecretKey(ReadOnlySpan<byte> seed) => seed.CopyTo(_seed);

    /// <summary>The endpoint id: the Ed25519 public key of this seed. Computed once, on first use.</summary>
    /// <exception cref="ObjectDisposedException">The key was disposed.</exception>
    public EndpointId PublicKey
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_publicKey is { } cached)
            {
                return EndpointId.FromOwnedArray(cached);
            }

            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                _signingKey ??= new Ed25519SigningKey(_seed);
                _publicKey ??= _signingKey.PublicKey.ToArray();
                return EndpointId.FromOwnedArray(_publicKey);
            }
        }
    }

    /// <summary>Creates a new random key with the operating system's cryptographic random number generator.</summary>
    /// <returns>The key.</returns>
    public static SecretKey Generate()
    {
        Span<byte> seed = stackalloc byte[Length];
        try
        {
            RandomNumberGenerator.Fill(seed);
            return new SecretKey(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>Creates a key from its 32 seed bytes (copied; the caller may zero its buffer afterwards).</summary>
    /// <param name="seed">Exactly 32 bytes.</param>
    /// <returns>The key.</returns>
    /// <exception cref="KeyFormatException"><paramref name="seed"/> is not 32 bytes long.</exception>
    public static SecretKey FromBytes(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != Length)
        {
            throw IdentityErrors.Key(What, $"expected {Length} bytes, got {seed.Length}");
        }

        return new SecretKey(seed);
    }

    /// <summary>Parses 64 hex characters (either case) or the 52-character RFC 4648 base32 form.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The key.</returns>
    /// <exception cref="KeyFormatException">The text is neither form; the exception names the offending character, never the secret.</exception>
    public static SecretKey Parse(ReadOnlySpan<char> text)
    {
        Span<byte> seed = stackalloc byte[Length];
        try
        {
            if (!TryDecodeSeed(text, seed, out TextError error))
            {
                throw error.Index >= 0
                    ? IdentityErrors.KeyAtCharacter(What, error.Reason, error.Index)
                    : IdentityErrors.Key(What, error.Reason);
            }

            return new SecretKey(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <inheritdoc cref="Parse(ReadOnlySpan{char})"/>
    public static SecretKey Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Parse(text.AsSpan());
    }

    /// <summary>Parses like <see cref="Parse(ReadOnlySpan{char})"/>, returning false instead of throwing.</summary>
    /// <param name="text">The text.</param>
    /// <param name="result">The key, or null on failure.</param>
    /// <returns>Whether the text was a valid key.</returns>
    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out SecretKey? result)
    {
        Span<byte> seed = stackalloc byte[Length];
        try
        {
            result = TryDecodeSeed(text, seed, out _) ? new SecretKey(seed) : null;
            return result is not null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>Copies the 32 seed bytes into <paramref name="destination"/>. Zero that buffer when done with it.</summary>
    /// <param name="destination">At least 32 bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 32 bytes.</exception>
    /// <exception cref="ObjectDisposedException">The key was disposed.</exception>
    public void CopyTo(Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (destination.Length < Length)
        {
            throw new ArgumentException($"The destination must hold at least {Length} bytes.", nameof(destination));
        }

        _seed.CopyTo(destination);
    }

    /// <summary>Copies the 32 seed bytes into a new array. Zero it (<see cref="CryptographicOperations.ZeroMemory"/>) when done.</summary>
    /// <returns>The seed.</returns>
    /// <exception cref="ObjectDisposedException">The key was disposed.</exception>
    public byte[] ToBytes()
    {
        byte[] copy = new byte[Length];
        CopyTo(copy);
        return copy;
    }

    /// <summary>Signs <paramref name="message"/> (pure Ed25519, deterministic, RFC 8032 §5.1.6).</summary>
    /// <param name="message">The message.</param>
    /// <param name="signature">Receives the 64-byte signature.</param>
    /// <exception cref="ArgumentException"><paramref name="signature"/> is not 64 bytes.</exception>
    /// <exception cref="ObjectDisposedException">The key was disposed.</exception>
    public void Sign(ReadOnlySpan<byte> message, Span<byte> signature) => SigningKey().Sign(message, signature);

    /// <summary>Signs <paramref name="message"/> into a new 64-byte array.</summary>
    /// <param name="message">The message.</param>
    /// <returns>The signature.</returns>
    /// <exception cref="ObjectDisposedException">The key was disposed.</exception>
    public byte[] Sign(ReadOnlySpan<byte> message) => SigningKey().Sign(message);

    /// <summary>Whether both keys hold the same seed, compared in constant time. A disposed key equals only itself.</summary>
    /// <param name="other">The other key.</param>
    /// <returns>Whether they are equal.</returns>
    public bool Equals(SecretKey? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || _disposed || other._disposed)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(_seed, other._seed);
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as SecretKey);

    /// <summary>A hash of the public key (never of the secret). Do not use a key as a dictionary key across disposal.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode() => _disposed ? 0 : PublicKey.GetHashCode();

    /// <summary>Shows the public key, never the secret: <c>SecretKey(public &lt;first 8 hex characters&gt;…)</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString()
        => _disposed ? "SecretKey(disposed)" : $"SecretKey(public {PublicKey.ToString()[..8]}…)";

    /// <summary>Zeroes the seed and the expanded signing key. Idempotent.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            CryptographicOperations.ZeroMemory(_seed);
            _signingKey?.Dispose();
            _signingKey = null;
        }
    }

    private static bool TryDecodeSeed(ReadOnlySpan<char> text, Span<byte> seed, out TextError error)
    {
        if (text.Length == Length * 2)
        {
            return TextEncodings.TryDecodeHex(text, seed, out error);
        }

        if (text.Length == TextEncodings.Base32Length(Length))
        {
            if (!TextEncodings.TryDecodeBase32(text, hexAlphabet: false, out byte[] bytes, out error))
            {
                return false;
            }

            bytes.CopyTo(seed);
            CryptographicOperations.ZeroMemory(bytes);
            return true;
        }

        error = new TextError($"expected 64 hex or 52 base32 characters, got {text.Length} characters", -1);
        return false;
    }

    private Ed25519SigningKey SigningKey()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _signingKey ??= new Ed25519SigningKey(_seed);
        }
    }
}
