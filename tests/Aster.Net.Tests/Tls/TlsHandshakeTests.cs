using Aster.Net.Tls;
using Aster.Testing;

namespace Aster.Net.Tests.Tls;

public sealed class TlsHandshakeTests
{
    [Theory]
    [InlineData(0x1301, 0x1d)]
    [InlineData(0x1301, 0x17)]
    [InlineData(0x1302, 0x1d)]
    [InlineData(0x1302, 0x17)]
    [InlineData(0x1303, 0x1d)]
    [InlineData(0x1303, 0x17)]
    public void Handshake_SuiteAndGroup_BothSidesAgree(int suiteCode, int groupCode)
    {
        var suite = (TlsCipherSuite)suiteCode;
        var group = (TlsNamedGroup)groupCode;

        // Arrange
        using var client = TlsHandshake.Create(TlsTestPeers.Client(o => { o.CipherSuites = [suite]; o.Groups = [group]; }));
        using var server = TlsHandshake.Create(TlsTestPeers.Server(o => o.CipherSuites = [TlsCipherSuite.Aes128GcmSha256, TlsCipherSuite.Aes256GcmSha384, TlsCipherSuite.ChaCha20Poly1305Sha256]));

        // Act
        List<Flight> flights = TlsTestPeers.Run(client, server);

        // Assert
        AssertCompleted(client, server, suite);
        Assert.DoesNotContain(flights, f => f.Level == EncryptionLevel.Initial && f.Data.AsSpan(6, 32).SequenceEqual(TlsConstants.HelloRetryRequestRandom));
    }

    [Theory]
    [InlineData(0x1d, 0x17)]
    [InlineData(0x17, 0x1d)]
    public void Handshake_NoShareForServerGroup_CompletesAfterHelloRetryRequest(int clientFirstCode, int serverOnlyCode)
    {
        var clientFirst = (TlsNamedGroup)clientFirstCode;
        var serverOnly = (TlsNamedGroup)serverOnlyCode;

        // Arrange: the client offers both groups with a share for its first; the server supports only the other.
        using var client = TlsHandshake.Create(TlsTestPeers.Client(o => o.Groups = [clientFirst, serverOnly]));
        using var server = TlsHandshake.Create(TlsTestPeers.Server(o => o.Groups = [serverOnly]));

        // Act
        List<Flight> flights = TlsTestPeers.Run(client, server);

        // Assert
        AssertCompleted(client, server, TlsCipherSuite.Aes128GcmSha256);
        Flight retry = flights.Single(f => !f.FromClient && f.Level == EncryptionLevel.Initial && f.Data.AsSpan(6, 32).SequenceEqual(TlsConstants.HelloRetryRequestRandom));
        Assert.Equal(2, flights.Count(f => f.FromClient && f.Level == EncryptionLevel.Initial));
        if (serverOnly == TlsNamedGroup.Secp256r1)
        {
            // transport.md 4.5 S1: the exact HelloRetryRequest bytes.
            Assert.Equal(
                "020000340303cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c00130100000c002b0002030400330002 0017".Replace(" ", string.Empty, StringComparison.Ordinal),
                Hex.Encode(retry.Data));
        }
    }

    [Fact]
    public void Handshake_HelloRetryRequestWithSha384Suite_Completes()
    {
        using var client = TlsHandshake.Create(TlsTestPeers.Client(o =>
        {
            o.CipherSuites = [TlsCipherSuite.Aes256GcmSha384, TlsCipherSuite.Aes128GcmSha256];
            o.Groups = [TlsNamedGroup.X25519, TlsNamedGroup.Secp256r1];
        }));
        using var server = TlsHandshake.Create(TlsTestPeers.Server(o =>
        {
            o.CipherSuites = [TlsCipherSuite.Aes256GcmSha384];
            o.Groups = [TlsNamedGroup.Secp256r1];
        }));

        List<Flight> flights = TlsTestPeers.Run(client, server, chunk: 7);

        AssertCompleted(client, server, TlsCipherSuite.Aes256GcmSha384);
        Assert.Equal(2, flights.Count(f => f.FromClient && f.Level == EncryptionLevel.Initial));
    }

    [Fact]
    public void Handshake_OneByteAtATime_Completes()
    {
        using var client = TlsHandshake.Create(TlsTestPeers.Client());
        using var server = TlsHandshake.Create(TlsTestPeers.Server());

        TlsTestPeers.Run(client, server, chunk: 1);

        AssertCompleted(client, server, TlsCipherSuite.Aes128GcmSha256);
    }

    [Fact]
    public void Handshake_FlightLargerThanMessageLimitInOneCall_Completes()
    {
        // The server's whole Handshake flight (about 1.1 KB) arrives in one call although the limit is 1 KiB per message.
        byte[] parameters = new byte[900];
        using var client = TlsHandshake.Create(TlsTestPeers.Client(o => o.MaxMessageBytes = 1024));
        using var server = TlsHandshake.Create(TlsTestPeers.Server(o => o.TransportParameters = parameters));

        TlsTestPeers.Run(client, server);

        Assert.True(client.IsHandshakeComplete);
        Assert.Equal(900, client.PeerTransportParameters.Length);
    }

    [Fact]
    public void Handshake_EightKibTransportParameters_Completes()
    {
        // transport.md 9.3 case A uses an 8 KiB GREASE transport parameter.
        byte[] parameters = new byte[8 * 1024];
        using var client = TlsHandshake.Create(TlsTestPeers.Client(o => o.TransportParameters = parameters));
        using var server = TlsHandshake.Create(TlsTestPeers.Server(o => o.TransportParameters = parameters));

        TlsTestPeers.Run(client, server, chunk: 1000);

        Assert.True(server.IsHandshakeComplete);
        Assert.Equal(parameters.Length, server.PeerTransportParameters.Length);
    }

    [Fact]
    public void Handshake_DefaultOptions_SendsTheDocumentedShapes()
    {
        // Arrange
        using var client = TlsHandshake.Create(TlsTestPeers.Client(o => o.Random = new SeededRandom(7)));
        using var server = TlsHandshake.Create(TlsTestPeers.Server());

        // Act
        List<Flight> flights = TlsTestPeers.Run(client, server);

        // Assert: ClientHello extensions of transport.md 4.2.
        string hello = Hex.Encode(flights[0].Data);
        Assert.Contains("000a00060004001d0017", hello, StringComparison.Ordinal);
        Assert.Contains("000d000400020807", hello, StringComparison.Ordinal);
        Assert.Contains("0010000a000807617374657" + "22f31", hello, StringComparison.Ordinal);
        Assert.Contains("001300020102", hello, StringComparison.Ordinal);
        Assert.Contains("001400020102", hello, StringComparison.Ordinal);
        Assert.Contains("002b0003020304", hello, StringComparison.Ordinal);
        Assert.Contains("00330026002400 1d0020".Replace(" ", string.Empty, StringComparison.Ordinal), hello, StringComparison.Ordinal);
        Assert.Contains("00000046004400004" + "1" + Hex.Encode(System.Text.Encoding.ASCII.GetBytes(RawPublicKey.ServerName(TlsTestPeers.ServerKey))), hello, StringComparison.Ordinal);
        Assert.Equal("0000021301", Hex.Encode(flights[0].Data.AsSpan(38, 5)));

        // ServerHello for x25519 is an 86-byte body (S2); the CertificateRequest is exactly S4.
        Flight serverHello = flights[1];
        Assert.Equal(4 + 86, serverHello.Data.Length);
        string serverFlight = Hex.Encode(flights[2].Data);
        Assert.Contains("0d00000b000008000d000400020807", serverFlight, StringComparison.Ordinal);
        Assert.Contains("0b00003500000031" + "00002c" + Hex.Encode(RawPublicKey.EncodeSpki(TlsTestPeers.ServerKey)) + "0000", serverFlight, StringComparison.Ordinal);

        // The client's authentication flight is 57 + 72 + 36 = 165 bytes (transport.md 4.4).
        Flight clientFlight = flights.Single(f => f.FromClient && f.Level == EncryptionLevel.Handshake);
        Assert.Equal(165, clientFlight.Data.Length);
        Assert.Equal("0b000035", Hex.Encode(clientFlight.Data.AsSpan(0, 4)));
        Assert.Equal("0f0000440807", Hex.Encode(clientFlight.Data.AsSpan(57, 6)));
        Assert.Equal("14000020", Hex.Encode(clientFlight.Data.AsSpan(129, 4)));
    }

    [Fact]
    public void Handshake_WrongExpectedServerKey_ClientRefusesWithBadCertificate()
    {
        byte[] other = TlsTestPeers.PublicKey(new byte[32]);
        using var client = TlsHandshake.Create(TlsTestPeers.Client(o => o.ExpectedServerKey = other));
        using var server = TlsHandshake.Create(TlsTestPeers.Server());

        TlsAlertException ex = Assert.Throws<TlsAlertException>(() => TlsTestPeers.Run(client, server));

        Assert.Equal(TlsAlert.BadCertificate, ex.Alert);
        Assert.False(client.IsHandshakeComplete);
        Assert.True(client.PeerPublicKey.IsEmpty);
    }

    [Fact]
    public void Handshake_NoCommonAlpn_ServerRefusesWithNoApplicationProtocol()
    {
        using var client = TlsHandshake.Create(TlsTestPeers.Client(o => o.Alpns = ["other/1"]));
        using var server = TlsHandshake.Create(TlsTestPeers.Server(o => o.Alpns = ["aster/1", "aster/2"]));

        TlsAlertException ex = Assert.Throws<TlsAlertException>(() => TlsTestPeers.Run(client, server));

        Assert.Equal(TlsAlert.NoApplicationProtocol, ex.Alert);
        Assert.Equal(120, (int)ex.Alert);
    }

    [Fact]
    public void Handshake_SeveralAlpns_ServerPicksItsOwnFirstPreference()
    {
        using var client = TlsHandshake.Create(TlsTestPeers.Client(o => o.Alpns = ["b", "a"]));
        using var server = TlsHandshake.Create(TlsTestPeers.Server(o => o.Alpns = ["a", "b"]));

        TlsTestPeers.Run(client, server);

        Assert.Equal("a", client.NegotiatedAlpn);
        Assert.Equal("a", server.NegotiatedAlpn);
    }

    [Fact]
    public void Handshake_ServerRefusesClientKey_AccessDenied()
    {
        byte[]? seen = null;
        using var client = TlsHandshake.Create(TlsTestPeers.Client());
        using var server = TlsHandshake.Create(TlsTestPeers.Server(o => o.ClientKeyValidator = key => { seen = key.ToArray(); return false; }));

        TlsAlertException ex = Assert.Throws<TlsAlertException>(() => TlsTestPeers.Run(client, server));

        Assert.Equal(TlsAlert.AccessDenied, ex.Alert);
        Assert.Equal(TlsTestPeers.ClientKey, seen);
        Assert.False(server.IsHandshakeComplete);
        Assert.True(server.PeerPublicKey.IsEmpty);
    }

    [Fact]
    public void Handshake_ServerAcceptsClientKey_Completes()
    {
        using var client = TlsHandshake.Create(TlsTestPeers.Client());
        using var server = TlsHandshake.Create(TlsTestPeers.Server(o => o.ClientKeyValidator = key => key.Span.SequenceEqual(TlsTestPeers.ClientKey)));

        TlsTestPeers.Run(client, server);

        AssertCompleted(client, server, TlsCipherSuite.Aes128GcmSha256);
    }

    [Theory]
    [InlineData(2, true, 51)]
    [InlineData(2, false, 51)]
    [InlineData(16, true, 51)]
    [InlineData(16, false, 51)]
    [InlineData(1, true, 116)]
    [InlineData(4, true, 40)]
    [InlineData(8, false, 110)]
    public void Handshake_TestHook_PeerRefusesWithDocumentedAlert(int hookCode, bool onClient, int expectedAlert)
    {
        var hook = (TlsTestHooks)hookCode;
        var expected = (TlsAlert)expectedAlert;

        using var client = TlsHandshake.Create(TlsTestPeers.Client(o => o.TestHooks = onClient ? hook : TlsTestHooks.None));
        using var server = TlsHandshake.Create(TlsTestPeers.Server(o => o.TestHooks = onClient ? TlsTestHooks.None : hook));

        TlsAlertException ex = Assert.Throws<TlsAlertException>(() => TlsTestPeers.Run(client, server));

        Assert.Equal(expected, ex.Alert);
        Assert.False(onClient ? server.IsHandshakeComplete : client.IsHandshakeComplete);
    }

    [Fact]
    public void Handshake_TamperedServerCertificateVerify_ClientRefusesWithDecryptError()
    {
        using var client = TlsHandshake.Create(TlsTestPeers.Client());
        using var server = TlsHandshake.Create(TlsTestPeers.Server());

        // The server flight is EE, CR (15 bytes), Certificate (57 bytes), CV (72 bytes), Finished.
        TlsAlertException ex = Assert.Throws<TlsAlertException>(() => TlsTestPeers.Run(client, server, f =>
        {
            byte[] data = f.Data.ToArray();
            if (!f.FromClient && f.Level == EncryptionLevel.Handshake)
            {
                int cv = data.Length - 36 - 72;
                data[cv + 8 + 20] ^= 0x01;
            }

            return data;
        }));

        Assert.Equal(TlsAlert.DecryptError, ex.Alert);
    }

    [Fact]
    public void Handshake_TamperedClientFinished_ServerRefusesWithDecryptError()
    {
        using var client = TlsHandshake.Create(TlsTestPeers.Client());
        using var server = TlsHandshake.Create(TlsTestPeers.Server());

        TlsAlertException ex = Assert.Throws<TlsAlertException>(() => TlsTestPeers.Run(client, server, f =>
        {
            byte[] data = f.Data.ToArray();
            if (f.FromClient && f.Level == EncryptionLevel.Handshake)
            {
                data[^1] ^= 0x80;
            }

            return data;
        }));

        Assert.Equal(TlsAlert.DecryptError, ex.Alert);
        Assert.True(client.IsHandshakeComplete);
        Assert.False(server.IsHandshakeComplete);
        Assert.DoesNotContain(TlsTestPeers.DrainKeys(server), k => k.Level == EncryptionLevel.Application);
    }

    [Fact]
    public void Handshake_NoCommonSuite_HandshakeFailure()
    {
        using var client = TlsHandshake.Create(TlsTestPeers.Client(o => o.CipherSuites = [TlsCipherSuite.Aes256GcmSha384]));
        using var server = TlsHandshake.Create(TlsTestPeers.Server());

        TlsAlertException ex = Assert.Throws<TlsAlertException>(() => TlsTestPeers.Run(client, server));

        Assert.Equal(TlsAlert.HandshakeFailure, ex.Alert);
    }

    [Fact]
    public void Handshake_NoCommonGroup_HandshakeFailure()
    {
        using var client = TlsHandshake.Create(TlsTestPeers.Client(o => o.Groups = [TlsNamedGroup.X25519]));
        using var server = TlsHandshake.Create(TlsTestPeers.Server(o => o.Groups = [TlsNamedGroup.Secp256r1]));

        TlsAlertException ex = Assert.Throws<TlsAlertException>(() => TlsTestPeers.Run(client, server));

        Assert.Equal(TlsAlert.HandshakeFailure, ex.Alert);
    }

    [Fact]
    public void ProcessInput_SecondHelloRetryRequest_UnexpectedMessage()
    {
        // Arrange: a real HelloRetryRequest, then the same one again.
        using var client = TlsHandshake.Create(TlsTestPeers.Client());
        using var server = TlsHandshake.Create(TlsTestPeers.Server(o => o.Groups = [TlsNamedGroup.Secp256r1]));
        client.Start();
        client.TryTakeOutput(out _, out ReadOnlyMemory<byte> hello1);
        server.ProcessInput(EncryptionLevel.Initial, hello1.Span);
        server.TryTakeOutput(out _, out ReadOnlyMemory<byte> retry);
        client.ProcessInput(EncryptionLevel.Initial, retry.Span);

        // Act + Assert
        TlsAlertException ex = Assert.Throws<TlsAlertException>(() => client.ProcessInput(EncryptionLevel.Initial, retry.Span));
        Assert.Equal(TlsAlert.UnexpectedMessage, ex.Alert);
    }

    [Fact]
    public void ProcessInput_HelloRetryRequestNotHonoured_IllegalParameter()
    {
        // Arrange: answer the HelloRetryRequest with the first ClientHello again.
        using var client = TlsHandshake.Create(TlsTestPeers.Client());
        using var server = TlsHandshake.Create(TlsTestPeers.Server(o => o.Groups = [TlsNamedGroup.Secp256r1]));
        client.Start();
        client.TryTakeOutput(out _, out ReadOnlyMemory<byte> hello1);
        server.ProcessInput(EncryptionLevel.Initial, hello1.Span);

        // Act + Assert
        TlsAlertException ex = Assert.Throws<TlsAlertException>(() => server.ProcessInput(EncryptionLevel.Initial, hello1.Span));
        Assert.Equal(TlsAlert.IllegalParameter, ex.Alert);
    }

    [Fact]
    public void ProcessInput_NonEmptySessionId_ProtocolViolation()
    {
        using var server = TlsHandshake.Create(TlsTestPeers.Server());
        var hello = new ClientHello
        {
            Random = new byte[32],
            SessionId = [1, 2, 3],
            CipherSuites = [0x1301],
            SupportedVersions = [0x0304],
        };

        TlsAlertException ex = Assert.Throws<TlsAlertException>(() => server.ProcessInput(EncryptionLevel.Initial, hello.Encode()));

        Assert.Equal(TlsConstants.QuicProtocolViolation, ex.TransportErrorCode);
    }

    [Fact]
    public void ProcessInput_KeyUpdateAfterHandshake_ProtocolViolation()
    {
        using var client = TlsHandshake.Create(TlsTestPeers.Client());
        using var server = TlsHandshake.Create(TlsTestPeers.Server());
        TlsTestPeers.Run(client, server);

        TlsAlertException ex = Assert.Throws<TlsAlertException>(() => client.ProcessInput(EncryptionLevel.Application, [24, 0, 0, 1, 0]));

        Assert.Equal(TlsAlert.UnexpectedMessage, ex.Alert);
        Assert.Equal(TlsConstants.QuicProtocolViolation, ex.TransportErrorCode);
    }

    [Fact]
    public void ProcessInput_NewSessionTicketAfterHandshake_Ignored()
    {
        using var client = TlsHandshake.Create(TlsTestPeers.Client());
        using var server = TlsHandshake.Create(TlsTestPeers.Server());
        TlsTestPeers.Run(client, server);

        client.ProcessInput(EncryptionLevel.Application, [4, 0, 0, 2, 0xaa, 0xbb]);

        Assert.True(client.IsHandshakeComplete);
    }

    [Fact]
    public void ProcessInput_BytesLeftAtInitialAfterServerHello_UnexpectedMessage()
    {
        using var client = TlsHandshake.Create(TlsTestPeers.Client());
        using var server = TlsHandshake.Create(TlsTestPeers.Server());

        TlsAlertException ex = Assert.Throws<TlsAlertException>(() => TlsTestPeers.Run(client, server, f =>
            !f.FromClient && f.Level == EncryptionLevel.Initial ? [.. f.Data, 8, 0] : f.Data));

        Assert.Equal(TlsAlert.UnexpectedMessage, ex.Alert);
    }

    [Fact]
    public void ProcessInput_WrongLevel_UnexpectedMessage()
    {
        using var server = TlsHandshake.Create(TlsTestPeers.Server());

        TlsAlertException ex = Assert.Throws<TlsAlertException>(() => server.ProcessInput(EncryptionLevel.Handshake, [1, 0, 0, 0]));

        Assert.Equal(TlsAlert.UnexpectedMessage, ex.Alert);
    }

    [Fact]
    public void ProcessInput_OversizedMessage_DecodeErrorBeforeBuffering()
    {
        using var server = TlsHandshake.Create(TlsTestPeers.Server());

        TlsAlertException ex = Assert.Throws<TlsAlertException>(() => server.ProcessInput(EncryptionLevel.Initial, [1, 0x01, 0x00, 0x01]));

        Assert.Equal(TlsAlert.DecodeError, ex.Alert);
    }

    [Fact]
    public void ProcessInput_AfterFailure_ThrowsTheSameAlertAgain()
    {
        using var server = TlsHandshake.Create(TlsTestPeers.Server());
        Assert.Throws<TlsAlertException>(() => server.ProcessInput(EncryptionLevel.Initial, [2, 0, 0, 0]));

        TlsAlertException again = Assert.Throws<TlsAlertException>(() => server.ProcessInput(EncryptionLevel.Initial, [1, 0, 0, 0]));

        Assert.Equal(TlsAlert.UnexpectedMessage, again.Alert);
    }

    [Fact]
    public void Options_ClientWithoutExpectedKey_Rejected()
    {
        ArgumentException ex = Assert.Throws<ArgumentException>(() => TlsHandshake.Create(TlsTestPeers.Client(o => o.ExpectedServerKey = default)));

        Assert.Equal("ExpectedServerKey", ex.ParamName);
    }

    private static void AssertCompleted(TlsHandshake client, TlsHandshake server, TlsCipherSuite suite)
    {
        Assert.True(client.IsHandshakeComplete);
        Assert.True(server.IsHandshakeComplete);
        Assert.Equal(suite, client.CipherSuite);
        Assert.Equal(suite, server.CipherSuite);
        Assert.Equal("aster/1", client.NegotiatedAlpn);
        Assert.Equal("aster/1", server.NegotiatedAlpn);
        Assert.Equal(TlsTestPeers.ServerKey, client.PeerPublicKey.ToArray());
        Assert.Equal(TlsTestPeers.ClientKey, server.PeerPublicKey.ToArray());
        Assert.Equal(TlsTestPeers.ServerParameters, client.PeerTransportParameters.ToArray());
        Assert.Equal(TlsTestPeers.ClientParameters, server.PeerTransportParameters.ToArray());

        List<TlsTrafficKeys> clientKeys = TlsTestPeers.DrainKeys(client);
        List<TlsTrafficKeys> serverKeys = TlsTestPeers.DrainKeys(server);
        Assert.Equal([EncryptionLevel.Handshake, EncryptionLevel.Application], clientKeys.Select(k => k.Level));
        Assert.Equal([EncryptionLevel.Handshake, EncryptionLevel.Application], serverKeys.Select(k => k.Level));
        int length = suite == TlsCipherSuite.Aes256GcmSha384 ? 48 : 32;
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(clientKeys[i].ReadSecret, serverKeys[i].WriteSecret);
            Assert.Equal(clientKeys[i].WriteSecret, serverKeys[i].ReadSecret);
            Assert.NotEqual(clientKeys[i].ReadSecret, clientKeys[i].WriteSecret);
            Assert.Equal(length, clientKeys[i].ReadSecret.Length);
            Assert.Equal(suite, clientKeys[i].Suite);
        }

        Assert.NotEqual(clientKeys[0].ReadSecret, clientKeys[1].ReadSecret);
    }
}
