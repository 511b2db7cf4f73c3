using Aster.Net.Crypto;
using Aster.Net.Tls;
using Aster.Testing;

namespace Aster.Net.Tests.Tls;

public sealed class RawPublicKeyTests
{
    // transport.md 1.4.
    private const string EndpointId = "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29";

    [Fact]
    public void EncodeSpki_ZeroSeedVector_MatchesTransportSpec()
    {
        byte[] key = new byte[32];
        Ed25519.GetPublicKey(new byte[32], key);

        byte[] spki = RawPublicKey.EncodeSpki(key);

        Assert.Equal(EndpointId, Hex.Encode(key));
        Assert.Equal("302a300506032b6570032100" + EndpointId, Hex.Encode(spki));
        Assert.Equal(key, RawPublicKey.ParseSpki(spki));
    }

    [Fact]
    public void ServerName_ZeroSeedVector_MatchesIrohSnapshot()
    {
        string name = RawPublicKey.ServerName(Hex.Decode(EndpointId));

        Assert.Equal("7dl2ff6emqi2qol3l382krodedij45bn3nh479hqo14a32qpr8kg.iroh.invalid", name);
        Assert.Equal(65, name.Length);
    }

    [Fact]
    public void ServerName_AllOnes_EndsWithPaddingBitsZero()
    {
        string name = RawPublicKey.ServerName(Enumerable.Repeat((byte)0xff, 32).ToArray());

        // 256 bits = 51 full characters + 1 bit followed by four zero bits ('g' = 16).
        Assert.Equal(new string('v', 51) + "g.iroh.invalid", name);
    }

    [Theory]
    [InlineData("302a300506032b6570032100")] // prefix only
    [InlineData("302a300506032b656e032100" + EndpointId)] // X25519 OID
    [InlineData("302b300506032b6570032200" + EndpointId + "00")] // 45 bytes
    [InlineData("0100000000000000000000000000000000000000000000000000000000000000")] // bare key
    [InlineData("302a300506032b6570032100" + "0100000000000000000000000000000000000000000000000000000000000000")] // identity
    [InlineData("302a300506032b6570032100" + "0000000000000000000000000000000000000000000000000000000000000000")] // order 4
    [InlineData("302a300506032b6570032100" + "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")] // order 2
    [InlineData("302a300506032b6570032100" + "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")] // order 8
    [InlineData("302a300506032b6570032100" + "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")] // non-canonical 1
    public void ParseSpki_NotAUsableEd25519Spki_BadCertificate(string hex)
    {
        TlsAlertException ex = Assert.Throws<TlsAlertException>(() => RawPublicKey.ParseSpki(Hex.Decode(hex)));

        Assert.Equal(TlsAlert.BadCertificate, ex.Alert);
    }

    [Fact]
    public void CertificateVerify_SignedAsServer_VerifiesOnlyWithServerContext()
    {
        byte[] seed = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();
        byte[] key = RawPublicKey.PublicKeyOf(seed);
        byte[] hash = new byte[32];
        hash[5] = 9;

        byte[] signature = RawPublicKey.SignCertificateVerify(seed, server: true, hash);

        Assert.True(RawPublicKey.VerifyCertificateVerify(key, server: true, hash, signature));
        Assert.False(RawPublicKey.VerifyCertificateVerify(key, server: false, hash, signature));
        hash[0] ^= 1;
        Assert.False(RawPublicKey.VerifyCertificateVerify(key, server: true, hash, signature));
        Assert.False(RawPublicKey.VerifyCertificateVerify(key, server: true, hash, signature.AsSpan(0, 63)));
    }
}
