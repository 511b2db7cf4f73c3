using System.Security.Cryptography;
using Aster.Net.Tls;
using Aster.Testing;

namespace Aster.Net.Tests.Tls;

public sealed class HkdfLabelTests
{
    // RFC 9001, Appendix A.1: initial secrets for the client's DCID 0x8394c8f03e515708.
    private static readonly byte[] _initialSalt = Hex.Decode("38762cf7f55934b34d179ae6a4c80cadccbb7f0a");
    private static readonly byte[] _dcid = Hex.Decode("8394c8f03e515708");

    [Fact]
    public void Expand_Rfc9001ClientInitial_MatchesAppendixA()
    {
        byte[] initial = HKDF.Extract(HashAlgorithmName.SHA256, _dcid, _initialSalt);
        Assert.Equal("7db5df06e7a69e432496adedb00851923595221596ae2ae9fb8115c1e9ed0a44", Hex.Encode(initial));

        byte[] client = HkdfLabel.Expand(HashAlgorithmName.SHA256, initial, "client in", [], 32);
        Assert.Equal("c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea", Hex.Encode(client));
        Assert.Equal("1f369613dd76d5467730efcbe3b1a22d", Hex.Encode(HkdfLabel.Expand(HashAlgorithmName.SHA256, client, "quic key", [], 16)));
        Assert.Equal("fa044b2f42a3fd3b46fb255c", Hex.Encode(HkdfLabel.Expand(HashAlgorithmName.SHA256, client, "quic iv", [], 12)));
        Assert.Equal("9f50449e04a0e810283a1e9933adedd2", Hex.Encode(HkdfLabel.Expand(HashAlgorithmName.SHA256, client, "quic hp", [], 16)));
    }

    [Fact]
    public void Expand_Rfc9001ServerInitial_MatchesAppendixA()
    {
        byte[] initial = HKDF.Extract(HashAlgorithmName.SHA256, _dcid, _initialSalt);
        byte[] server = HkdfLabel.Expand(HashAlgorithmName.SHA256, initial, "server in", [], 32);
        Assert.Equal("3c199828fd139efd216c155ad844cc81fb82fa8d7446fa7d78be803acdda951b", Hex.Encode(server));
        Assert.Equal("cf3a5331653c364c88f0f379b6067e37", Hex.Encode(HkdfLabel.Expand(HashAlgorithmName.SHA256, server, "quic key", [], 16)));
    }
}
