using System.Security.Cryptography;
using Aster.Net.Crypto;

namespace Aster.Net.Tls;

/// <summary>Named groups for TLS 1.3 key exchange that Aster supports.</summary>
internal enum TlsNamedGroup : ushort
{
    /// <summary>secp256r1 (23), through the BCL's <see cref="ECDiffieHellman"/>.</summary>
    Secp256r1 = 0x0017,

    /// <summary>x25519 (29), through the managed <see cref="Crypto.X25519"/>.</summary>
    X25519 = 0x001d,
}

/// <summary>One ephemeral key pair for the (EC)DHE exchange.</summary>
internal abstract class TlsKeyExchange : IDisposable
{
    /// <summary>The group.</summary>
    public abstract TlsNamedGroup Group { get; }

    /// <summary>Our public key share in its TLS encoding.</summary>
    public abstract byte[] PublicKey { get; }

    /// <summary>Creates a fresh key pair for <paramref name="group"/>.</summary>
    public static TlsKeyExchange Create(TlsNamedGroup group, RandomNumberGenerator? random)
    {
        return group switch
        {
            TlsNamedGroup.X25519 => new X25519Exchange(random),
            TlsNamedGroup.Secp256r1 => new P256Exchange(),
            _ => throw new ArgumentOutOfRangeException(nameof(group)),
        };
    }

    /// <summary>Computes the shared secret; a malformed or degenerate peer share is illegal_parameter.</summary>
    public abstract byte[] Agree(ReadOnlySpan<byte> peerKey);

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the private key.</summary>
    protected abstract void Dispose(bool disposing);

    /// <summary>Fills <paramref name="destination"/> from <paramref name="random"/>, or the system generator when null.</summary>
    public static void Fill(RandomNumberGenerator? random, Span<byte> destination)
    {
        if (random is null)
        {
            RandomNumberGenerator.Fill(destination);
        }
        else
        {
            random.GetBytes(destination);
        }
    }

    private static TlsAlertException BadShare(string what)
    {
        return new TlsAlertException(TlsAlert.IllegalParameter, "Bad key share: " + what + ".");
    }

    private sealed class X25519Exchange : TlsKeyExchange
    {
        private readonly byte[] _privateKey = new byte[32];
        private readonly byte[] _publicKey = new byte[32];

        public X25519Exchange(RandomNumberGenerator? random)
        {
            Fill(random, _privateKey);
            Crypto.X25519.GetPublicKey(_privateKey, _publicKey);
        }

        public override TlsNamedGroup Group => TlsNamedGroup.X25519;

        public override byte[] PublicKey => _publicKey;

        public override byte[] Agree(ReadOnlySpan<byte> peerKey)
        {
            if (peerKey.Length != 32)
            {
                throw BadShare("x25519 share is not 32 bytes");
            }

            byte[] shared = new byte[32];
            if (!Crypto.X25519.TryAgree(_privateKey, peerKey, shared))
            {
                throw BadShare("x25519 shared secret is all zero");
            }

            return shared;
        }

        protected override void Dispose(bool disposing)
        {
            CryptographicOperations.ZeroMemory(_privateKey);
        }
    }

    private sealed class P256Exchange : TlsKeyExchange
    {
        private readonly ECDiffieHellman _key;
        private readonly byte[] _publicKey;

        public P256Exchange()
        {
            _key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
            ECParameters parameters = _key.ExportParameters(false);
            _publicKey = new byte[65];
            _publicKey[0] = 4;
            parameters.Q.X.AsSpan().CopyTo(_publicKey.AsSpan(1 + 32 - parameters.Q.X!.Length));
            parameters.Q.Y.AsSpan().CopyTo(_publicKey.AsSpan(33 + 32 - parameters.Q.Y!.Length));
        }

        public override TlsNamedGroup Group => TlsNamedGroup.Secp256r1;

        public override byte[] PublicKey => _publicKey;

        public override byte[] Agree(ReadOnlySpan<byte> peerKey)
        {
            if (peerKey.Length != 65 || peerKey[0] != 4)
            {
                throw BadShare("secp256r1 share is not an uncompressed point");
            }

            var parameters = new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = peerKey.Slice(1, 32).ToArray(), Y = peerKey.Slice(33, 32).ToArray() },
            };
            try
            {
                using ECDiffieHellman peer = ECDiffieHellman.Create(parameters);
                return _key.DeriveRawSecretAgreement(peer.PublicKey);
            }
            catch (CryptographicException)
            {
                throw BadShare("secp256r1 point is not on the curve");
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _key.Dispose();
            }
        }
    }
}
