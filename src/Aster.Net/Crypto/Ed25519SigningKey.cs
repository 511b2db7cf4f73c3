using System.Security.Cryptography;
using Aster.Net.Crypto.Curve25519;

namespace Aster.Net.Crypto;

/// <summary>
/// An Ed25519 secret key expanded once (clamped scalar, nonce prefix and public key cached) for signing many messages.
/// <c>Sign</c> is safe to call from several threads at once. <see cref="Dispose"/> zeroes the secret material;
/// it must not race with <c>Sign</c>.
/// </summary>
public sealed class Ed25519SigningKey : IDisposable
{
    // Pinned so the garbage collector never leaves a moved copy of the secret behind.
    private readonly byte[] _expanded = GC.AllocateArray<byte>(64, pinned: true);
    private readonly byte[] _publicKey = new byte[Ed25519.PublicKeySize];
    private volatile bool _disposed;

    /// <summary>Expands a 32-byte seed (RFC 8032 secret key).</summary>
    /// <param name="seed">The 32-byte secret key; it is not retained.</param>
    /// <exception cref="ArgumentException"><paramref name="seed"/> is not 32 bytes.</exception>
    public Ed25519SigningKey(ReadOnlySpan<byte> seed)
    {
        Ed25519.CheckLength(seed, Ed25519.SecretKeySize, nameof(seed));
        Ed25519.ExpandSeed(seed, _expanded);
        BasepointTable.MulBase(_expanded.AsSpan(0, 32)).Encode(_publicKey);
    }

    /// <summary>The 32-byte public key.</summary>
    /// <exception cref="ObjectDisposedException">The key was disposed.</exception>
    public ReadOnlySpan<byte> PublicKey
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _publicKey;
        }
    }

    /// <summary>Signs <paramref name="message"/> (deterministic, RFC 8032 §5.1.6).</summary>
    /// <param name="message">The message to sign.</param>
    /// <param name="signature">Receives the 64-byte signature.</param>
    /// <exception cref="ArgumentException"><paramref name="signature"/> is not 64 bytes.</exception>
    /// <exception cref="ObjectDisposedException">The key was disposed.</exception>
    public void Sign(ReadOnlySpan<byte> message, Span<byte> signature)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Ed25519.CheckLength(signature, Ed25519.SignatureSize, nameof(signature));
        Ed25519.SignExpanded(_expanded, _publicKey, message, signature);
    }

    /// <summary>Signs <paramref name="message"/> into a new 64-byte array.</summary>
    /// <param name="message">The message to sign.</param>
    /// <returns>The signature.</returns>
    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        byte[] signature = new byte[Ed25519.SignatureSize];
        Sign(message, signature);
        return signature;
    }

    /// <summary>Zeroes the expanded secret key.</summary>
    public void Dispose()
    {
        _disposed = true;
        CryptographicOperations.ZeroMemory(_expanded);
    }
}
