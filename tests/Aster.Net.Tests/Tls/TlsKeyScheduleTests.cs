using System.Security.Cryptography;
using Aster.Net.Crypto;
using Aster.Net.Tls;
using Aster.Testing;

namespace Aster.Net.Tests.Tls;

/// <summary>The key schedule and codecs against RFC 8448, section 3 ("Simple 1-RTT Handshake").</summary>
public sealed class TlsKeyScheduleTests
{
    private const string ClientHelloHex =
        "010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece700000613011303130201"
        + "0000910000000b0009000006736572766572ff01000100000a00140012001d0017001800190100010101020103010400"
        + "230000003300260024001d002099381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c002b00"
        + "03020304000d0020001e040305030603020308040805080604010501060102010402050206020202002d00020101001c"
        + "00024001";

    private const string ServerHelloHex =
        "020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e2692800130100002e0033"
        + "0024001d0020c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304";

    private const string ClientPrivate = "49af42ba7f7994852d713ef2784bcbcaa7911de26adc5642cb634540e7ea5005";
    private const string SharedSecret = "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d";
    private const string HandshakeSecretHex = "1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac";
    private const string ThroughServerFinished = "9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13";

    private static readonly HashAlgorithmName _sha256 = HashAlgorithmName.SHA256;

    [Fact]
    public void EarlySecret_NoPsk_MatchesRfc8448()
    {
        byte[] early = TlsKeySchedule.EarlySecret(_sha256);

        Assert.Equal("33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a", Hex.Encode(early));
        Assert.Equal("6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba", Hex.Encode(TlsKeySchedule.Derived(_sha256, early)));
    }

    [Fact]
    public void HandshakeSecret_Rfc8448X25519Exchange_MatchesTrace()
    {
        // Arrange: the client's x25519 private key and the server's share from the ServerHello.
        ServerHello hello = ServerHello.Decode(Hex.Decode(ServerHelloHex).AsSpan(4));
        byte[] shared = new byte[32];

        // Act
        Assert.True(X25519.TryAgree(Hex.Decode(ClientPrivate), hello.KeyShare!.Value.Key, shared));
        byte[] handshake = TlsKeySchedule.HandshakeSecret(_sha256, shared);

        // Assert
        Assert.Equal(SharedSecret, Hex.Encode(shared));
        Assert.Equal(HandshakeSecretHex, Hex.Encode(handshake));
    }

    [Fact]
    public void HandshakeTrafficSecrets_TranscriptThroughServerHello_MatchRfc8448()
    {
        // Arrange: the transcript buffers the ClientHello until the suite (hash) is known, as our client does.
        using var transcript = new TlsTranscript();
        transcript.Add(Hex.Decode(ClientHelloHex));
        transcript.SetHash(_sha256);
        transcript.Add(Hex.Decode(ServerHelloHex));
        byte[] handshake = Hex.Decode(HandshakeSecretHex);

        // Act
        byte[] hash = transcript.CurrentHash();
        byte[] client = TlsKeySchedule.DeriveSecret(_sha256, handshake, "c hs traffic", hash);
        byte[] server = TlsKeySchedule.DeriveSecret(_sha256, handshake, "s hs traffic", hash);

        // Assert
        Assert.Equal("860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8", Hex.Encode(hash));
        Assert.Equal("b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21", Hex.Encode(client));
        Assert.Equal("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38", Hex.Encode(server));
        Assert.Equal("008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8", Hex.Encode(HkdfLabel.Expand(_sha256, server, "finished", [], 32)));
    }

    [Fact]
    public void ApplicationTrafficSecrets_TranscriptThroughServerFinished_MatchRfc8448()
    {
        byte[] handshake = Hex.Decode(HandshakeSecretHex);
        byte[] hash = Hex.Decode(ThroughServerFinished);

        byte[] master = TlsKeySchedule.MasterSecret(_sha256, handshake);

        Assert.Equal("43de77e0c77713859a944db9db2590b53190a65b3ee2e4f12dd7a0bb7ce254b4", Hex.Encode(TlsKeySchedule.Derived(_sha256, handshake)));
        Assert.Equal("18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919", Hex.Encode(master));
        Assert.Equal("9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5", Hex.Encode(TlsKeySchedule.DeriveSecret(_sha256, master, "c ap traffic", hash)));
        Assert.Equal("a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643", Hex.Encode(TlsKeySchedule.DeriveSecret(_sha256, master, "s ap traffic", hash)));
    }

    [Fact]
    public void VerifyData_KnownKey_IsHmacOfFinishedKey()
    {
        byte[] baseKey = Hex.Decode("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38");
        byte[] hash = SHA256.HashData("transcript"u8);

        byte[] verifyData = TlsKeySchedule.VerifyData(_sha256, baseKey, hash);

        byte[] finishedKey = Hex.Decode("008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8");
        Assert.Equal(HMACSHA256.HashData(finishedKey, hash), verifyData);
    }

    [Fact]
    public void TranscriptReplaceWithMessageHash_AfterClientHello_IsSyntheticMessage()
    {
        byte[] hello = Hex.Decode(ClientHelloHex);
        using var transcript = new TlsTranscript();
        transcript.Add(hello);
        transcript.SetHash(_sha256);

        transcript.ReplaceWithMessageHash();

        byte[] synthetic = [254, 0, 0, 32, .. SHA256.HashData(hello)];
        Assert.Equal(SHA256.HashData(synthetic), transcript.CurrentHash());
    }

    [Fact]
    public void ClientHelloDecode_Rfc8448_ReadsEveryField()
    {
        ClientHello hello = ClientHello.Decode(Hex.Decode(ClientHelloHex).AsSpan(4));

        Assert.Equal("cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7", Hex.Encode(hello.Random));
        Assert.Empty(hello.SessionId);
        Assert.Equal([0x1301, 0x1303, 0x1302], hello.CipherSuites);
        Assert.True(hello.HasServerName);
        Assert.Equal([0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104], hello.SupportedGroups);
        Assert.Equal([0x0304], hello.SupportedVersions);
        Assert.Equal(15, hello.SignatureAlgorithms!.Count);
        KeyShareEntry share = Assert.Single(hello.KeyShares!);
        Assert.Equal(0x001d, share.Group);
        Assert.Equal("99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c", Hex.Encode(share.Key));
        Assert.Null(hello.TransportParameters);
        Assert.Null(hello.Alpns);
    }

    [Fact]
    public void ServerProcessInput_Rfc8448ClientHelloWithoutQuicParameters_MissingExtension()
    {
        // RFC 9001, section 8.2: a ClientHello without quic_transport_parameters is missing_extension.
        using var server = TlsHandshake.Create(TlsTestPeers.Server(o => o.Alpns = ["aster/1"]));
        ClientHello hello = ClientHello.Decode(Hex.Decode(ClientHelloHex).AsSpan(4));
        hello.Alpns = [[0x61, 0x73, 0x74, 0x65, 0x72, 0x2f, 0x31]];
        hello.ClientCertificateTypes = [2];
        hello.ServerCertificateTypes = [2];

        TlsAlertException ex = Assert.Throws<TlsAlertException>(() => server.ProcessInput(EncryptionLevel.Initial, hello.Encode()));

        Assert.Equal(TlsAlert.MissingExtension, ex.Alert);
    }

    [Fact]
    public void ServerHelloDecode_Rfc8448_ReadsEveryFieldAndReencodesIdentically()
    {
        byte[] bytes = Hex.Decode(ServerHelloHex);

        ServerHello hello = ServerHello.Decode(bytes.AsSpan(4));

        Assert.False(hello.IsHelloRetryRequest);
        Assert.Equal(0x1301, hello.CipherSuite);
        Assert.Equal((ushort)0x0304, hello.SelectedVersion);
        Assert.Equal(0x001d, hello.KeyShare!.Value.Group);
        Assert.Equal("c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f", Hex.Encode(hello.KeyShare.Value.Key));

        // Our encoder writes supported_versions before key_share; RFC 8448 has the reverse order.
        ServerHello again = ServerHello.Decode(hello.Encode().AsSpan(4));
        Assert.Equal(hello.Random, again.Random);
        Assert.Equal(hello.KeyShare.Value.Key, again.KeyShare!.Value.Key);
        Assert.Equal(bytes.Length, hello.Encode().Length);
    }
}
