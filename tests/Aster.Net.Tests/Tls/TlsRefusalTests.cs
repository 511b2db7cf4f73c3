using Aster.Net.Tls;
using Aster.Testing;

namespace Aster.Net.Tests.Tls;

/// <summary>
/// Refusals of crafted peer messages. At this seam handshake messages are plaintext, so a test can rewrite one
/// message of a real flight; the checks under test run before any signature or Finished would catch the change.
/// </summary>
public sealed class TlsRefusalTests
{
    [Fact]
    public void Client_ServerCertificateWithTwoEntries_BadCertificate()
    {
        byte[] spki = RawPublicKey.EncodeSpki(TlsTestPeers.ServerKey);
        var certificate = new CertificateMessage { Entries = [spki, spki] };

        TlsAlert alert = ServerFlightRewritten(TlsHandshakeType.Certificate, _ => certificate.Encode());

        Assert.Equal(TlsAlert.BadCertificate, alert);
    }

    [Fact]
    public void Client_ServerCertificateEmpty_DecodeError()
    {
        TlsAlert alert = ServerFlightRewritten(TlsHandshakeType.Certificate, _ => new CertificateMessage().Encode());

        Assert.Equal(TlsAlert.DecodeError, alert);
    }

    [Fact]
    public void Client_ServerCertificateNotSpki_BadCertificate()
    {
        var certificate = new CertificateMessage { Entries = [Hex.Decode("3082010a0282010100")] };

        TlsAlert alert = ServerFlightRewritten(TlsHandshakeType.Certificate, _ => certificate.Encode());

        Assert.Equal(TlsAlert.BadCertificate, alert);
    }

    [Fact]
    public void Client_EncryptedExtensionsWithoutAlpn_NoApplicationProtocol()
    {
        TlsAlert alert = ServerFlightRewritten(TlsHandshakeType.EncryptedExtensions, _ => new EncryptedExtensions
        {
            ClientCertificateType = 2,
            ServerCertificateType = 2,
            TransportParameters = TlsTestPeers.ServerParameters,
        }.Encode());

        Assert.Equal(TlsAlert.NoApplicationProtocol, alert);
    }

    [Fact]
    public void Client_EncryptedExtensionsWithX509ServerType_UnsupportedCertificate()
    {
        TlsAlert alert = ServerFlightRewritten(TlsHandshakeType.EncryptedExtensions, _ => new EncryptedExtensions
        {
            Alpn = "aster/1"u8.ToArray(),
            ClientCertificateType = 2,
            ServerCertificateType = 0,
            TransportParameters = TlsTestPeers.ServerParameters,
        }.Encode());

        Assert.Equal(TlsAlert.UnsupportedCertificate, alert);
    }

    [Fact]
    public void Client_EncryptedExtensionsWithoutTransportParameters_MissingExtension()
    {
        TlsAlert alert = ServerFlightRewritten(TlsHandshakeType.EncryptedExtensions, _ => new EncryptedExtensions
        {
            Alpn = "aster/1"u8.ToArray(),
            ClientCertificateType = 2,
            ServerCertificateType = 2,
        }.Encode());

        Assert.Equal(TlsAlert.MissingExtension, alert);
    }

    [Fact]
    public void Client_EncryptedExtensionsWithUnofferedAlpn_IllegalParameter()
    {
        TlsAlert alert = ServerFlightRewritten(TlsHandshakeType.EncryptedExtensions, _ => new EncryptedExtensions
        {
            Alpn = "h3"u8.ToArray(),
            ClientCertificateType = 2,
            ServerCertificateType = 2,
            TransportParameters = TlsTestPeers.ServerParameters,
        }.Encode());

        Assert.Equal(TlsAlert.IllegalParameter, alert);
    }

    [Fact]
    public void Client_CertificateRequestWithoutEd25519_HandshakeFailure()
    {
        TlsAlert alert = ServerFlightRewritten(TlsHandshakeType.CertificateRequest, _ => new CertificateRequest { SignatureAlgorithms = [0x0403, 0x0804] }.Encode());

        Assert.Equal(TlsAlert.HandshakeFailure, alert);
    }

    [Fact]
    public void Client_CertificateRequestWithContext_IllegalParameter()
    {
        TlsAlert alert = ServerFlightRewritten(TlsHandshakeType.CertificateRequest, _ => new CertificateRequest { Context = [1], SignatureAlgorithms = [0x0807] }.Encode());

        Assert.Equal(TlsAlert.IllegalParameter, alert);
    }

    [Fact]
    public void Client_CertificateVerifyWithOtherScheme_IllegalParameter()
    {
        TlsAlert alert = ServerFlightRewritten(TlsHandshakeType.CertificateVerify, _ => new CertificateVerifyMessage { Scheme = 0x0403, Signature = new byte[64] }.Encode());

        Assert.Equal(TlsAlert.IllegalParameter, alert);
    }

    [Fact]
    public void Client_MessagesOutOfOrder_UnexpectedMessage()
    {
        // CertificateVerify where the Certificate belongs.
        TlsAlert alert = ServerFlightRewritten(TlsHandshakeType.Certificate, _ => new CertificateVerifyMessage { Scheme = 0x0807, Signature = new byte[64] }.Encode());

        Assert.Equal(TlsAlert.UnexpectedMessage, alert);
    }

    [Fact]
    public void Server_ClientCertificateSmallOrderKey_BadCertificate()
    {
        var certificate = new CertificateMessage
        {
            Entries = [Hex.Decode("302a300506032b6570032100" + "0100000000000000000000000000000000000000000000000000000000000000")],
        };

        TlsAlert alert = ClientFlightRewritten(TlsHandshakeType.Certificate, _ => certificate.Encode());

        Assert.Equal(TlsAlert.BadCertificate, alert);
    }

    [Fact]
    public void Server_ClientCertificateOfAnotherKey_DecryptError()
    {
        // A valid SPKI whose key did not sign the CertificateVerify.
        var certificate = new CertificateMessage { Entries = [RawPublicKey.EncodeSpki(TlsTestPeers.ServerKey)] };

        TlsAlert alert = ClientFlightRewritten(TlsHandshakeType.Certificate, _ => certificate.Encode());

        Assert.Equal(TlsAlert.DecryptError, alert);
    }

    [Fact]
    public void Server_NoServerNameOrForeignServerName_Accepted()
    {
        foreach (string name in new[] { string.Empty, "example.com" })
        {
            using var client = TlsHandshake.Create(TlsTestPeers.Client(o => o.ServerName = name));
            using var server = TlsHandshake.Create(TlsTestPeers.Server());

            TlsTestPeers.Run(client, server);

            Assert.True(server.IsHandshakeComplete);
        }
    }

    [Fact]
    public void Server_ClientHelloWithoutSignatureAlgorithms_HandshakeFailure()
    {
        TlsAlert alert = ClientHelloRewritten(hello => hello.SignatureAlgorithms = null);

        Assert.Equal(TlsAlert.HandshakeFailure, alert);
    }

    [Fact]
    public void Server_ClientHelloWithX509CertificateTypeOnly_UnsupportedCertificate()
    {
        TlsAlert alert = ClientHelloRewritten(hello => hello.ServerCertificateTypes = [0]);

        Assert.Equal(TlsAlert.UnsupportedCertificate, alert);
    }

    [Fact]
    public void Server_ClientHelloWithoutTls13_ProtocolVersion()
    {
        TlsAlert alert = ClientHelloRewritten(hello => hello.SupportedVersions = [0x0303]);

        Assert.Equal(TlsAlert.ProtocolVersion, alert);
    }

    [Fact]
    public void Server_ClientHelloWithAllZeroX25519Share_IllegalParameter()
    {
        TlsAlert alert = ClientHelloRewritten(hello => hello.KeyShares = [new KeyShareEntry(0x001d, new byte[32])]);

        Assert.Equal(TlsAlert.IllegalParameter, alert);
    }

    [Fact]
    public void Server_ClientHelloWithP256PointOffCurve_IllegalParameter()
    {
        byte[] point = new byte[65];
        point[0] = 4;
        point[64] = 1;

        TlsAlert alert = ClientHelloRewritten(hello =>
        {
            hello.SupportedGroups = [0x0017];
            hello.KeyShares = [new KeyShareEntry(0x0017, point)];
        });

        Assert.Equal(TlsAlert.IllegalParameter, alert);
    }

    [Fact]
    public void Server_ClientHelloWithShareForUnlistedGroup_IllegalParameter()
    {
        TlsAlert alert = ClientHelloRewritten(hello => hello.SupportedGroups = [0x0017]);

        Assert.Equal(TlsAlert.IllegalParameter, alert);
    }

    [Fact]
    public void Server_ClientHelloWithDuplicateExtension_IllegalParameter()
    {
        using var client = TlsHandshake.Create(TlsTestPeers.Client());
        using var server = TlsHandshake.Create(TlsTestPeers.Server());
        client.Start();
        client.TryTakeOutput(out _, out ReadOnlyMemory<byte> bytes);
        byte[] hello = bytes.ToArray();

        // Append a second supported_versions extension and fix the three lengths.
        byte[] extra = [0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04];
        byte[] patched = [.. hello, .. extra];
        int body = patched.Length - 4;
        patched[1] = (byte)(body >> 16);
        patched[2] = (byte)(body >> 8);
        patched[3] = (byte)body;
        int extensionsAt = 4 + 2 + 32 + 1 + 2 + 2 + 2;
        int extensions = patched.Length - extensionsAt - 2;
        patched[extensionsAt] = (byte)(extensions >> 8);
        patched[extensionsAt + 1] = (byte)extensions;

        TlsAlertException ex = Assert.Throws<TlsAlertException>(() => server.ProcessInput(EncryptionLevel.Initial, patched));

        Assert.Equal(TlsAlert.IllegalParameter, ex.Alert);
    }

    private static TlsAlert ClientHelloRewritten(Action<ClientHello> change)
    {
        using var client = TlsHandshake.Create(TlsTestPeers.Client());
        using var server = TlsHandshake.Create(TlsTestPeers.Server());
        client.Start();
        client.TryTakeOutput(out _, out ReadOnlyMemory<byte> bytes);
        ClientHello hello = ClientHello.Decode(bytes.Span[4..]);
        change(hello);

        return Assert.Throws<TlsAlertException>(() => server.ProcessInput(EncryptionLevel.Initial, hello.Encode())).Alert;
    }

    private static TlsAlert ServerFlightRewritten(byte type, Func<byte[], byte[]> replace)
    {
        using var client = TlsHandshake.Create(TlsTestPeers.Client());
        using var server = TlsHandshake.Create(TlsTestPeers.Server());
        return Assert.Throws<TlsAlertException>(() => TlsTestPeers.Run(client, server, f =>
            !f.FromClient && f.Level == EncryptionLevel.Handshake ? Rewrite(f.Data, type, replace) : f.Data)).Alert;
    }

    private static TlsAlert ClientFlightRewritten(byte type, Func<byte[], byte[]> replace)
    {
        using var client = TlsHandshake.Create(TlsTestPeers.Client());
        using var server = TlsHandshake.Create(TlsTestPeers.Server());
        return Assert.Throws<TlsAlertException>(() => TlsTestPeers.Run(client, server, f =>
            f.FromClient && f.Level == EncryptionLevel.Handshake ? Rewrite(f.Data, type, replace) : f.Data)).Alert;
    }

    private static byte[] Rewrite(byte[] flight, byte type, Func<byte[], byte[]> replace)
    {
        var result = new List<byte>();
        int offset = 0;
        bool replaced = false;
        while (offset < flight.Length)
        {
            int length = 4 + ((flight[offset + 1] << 16) | (flight[offset + 2] << 8) | flight[offset + 3]);
            byte[] message = flight.AsSpan(offset, length).ToArray();
            result.AddRange(!replaced && message[0] == type ? replace(message) : message);
            replaced |= message[0] == type;
            offset += length;
        }

        Assert.True(replaced);
        return [.. result];
    }
}
