using Aster.Net.Tls;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Net.Tests.Tls;

public sealed class TlsCodecTests
{
    [Fact]
    public void ClientHello_RandomFields_RoundTrip()
    {
        Config config = Config.QuickThrowOnFailure.WithMaxTest(300);
        Check.One(config, Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), ArbMap.Default.ArbFor<ushort[]>(), (parameters, groups) =>
        {
            parameters ??= [];
            ushort[] groupList = groups is { Length: > 0 } ? groups.Take(100).ToArray() : [0x1d];
            var hello = new ClientHello
            {
                Random = Enumerable.Range(0, 32).Select(i => (byte)(i ^ parameters.Length)).ToArray(),
                CipherSuites = [0x1301, 0x1302],
                ServerName = "abc.iroh.invalid",
                SupportedGroups = [.. groupList],
                SignatureAlgorithms = [0x0807],
                Alpns = [[1], [2, 3], [.. parameters.Take(255).Append((byte)1)]],
                ClientCertificateTypes = [2],
                ServerCertificateTypes = [2, 0],
                SupportedVersions = [0x0304],
                KeyShares = [new KeyShareEntry(0x1d, [.. parameters, 9])],
                TransportParameters = parameters,
                Cookie = [7, 7],
            };

            ClientHello decoded = ClientHello.Decode(hello.Encode().AsSpan(4));

            return decoded.Random.SequenceEqual(hello.Random)
                && decoded.CipherSuites.SequenceEqual(hello.CipherSuites)
                && decoded.HasServerName
                && decoded.SupportedGroups!.SequenceEqual(groupList)
                && decoded.Alpns!.Count == 3 && decoded.Alpns[2].SequenceEqual(hello.Alpns[2])
                && decoded.ServerCertificateTypes!.SequenceEqual(hello.ServerCertificateTypes)
                && decoded.KeyShares!.Single().Key.SequenceEqual(hello.KeyShares[0].Key)
                && decoded.TransportParameters!.SequenceEqual(parameters)
                && decoded.Cookie!.SequenceEqual(hello.Cookie);
        }));
    }

    [Fact]
    public void ClientHello_EveryTruncation_DecodeError()
    {
        byte[] body = new ClientHello
        {
            Random = new byte[32],
            CipherSuites = [0x1301],
            SupportedVersions = [0x0304],
            KeyShares = [new KeyShareEntry(0x1d, new byte[32])],
            TransportParameters = [1, 2, 3],
        }.Encode()[4..];

        // Cutting the extensions block off entirely (length 39..42 here) is a legal extension-less ClientHello.
        for (int length = 0; length < body.Length; length++)
        {
            if (length == 2 + 32 + 1 + 4 + 2)
            {
                continue;
            }

            TlsAlertException ex = Assert.Throws<TlsAlertException>(() => ClientHello.Decode(body.AsSpan(0, length)));
            Assert.Equal(TlsAlert.DecodeError, ex.Alert);
        }
    }

    [Fact]
    public void EncryptedExtensions_RoundTrip_KeepsEveryField()
    {
        var extensions = new EncryptedExtensions
        {
            Alpn = "aster/1"u8.ToArray(),
            ClientCertificateType = 2,
            ServerCertificateType = 2,
            TransportParameters = [1, 2, 3],
        };

        EncryptedExtensions decoded = EncryptedExtensions.Decode(extensions.Encode().AsSpan(4), sentServerName: false);

        Assert.Equal(extensions.Alpn, decoded.Alpn);
        Assert.Equal((byte)2, decoded.ClientCertificateType);
        Assert.Equal((byte)2, decoded.ServerCertificateType);
        Assert.Equal(extensions.TransportParameters, decoded.TransportParameters);
    }

    [Fact]
    public void EncryptedExtensions_ServerNameAckWithoutSni_UnsupportedExtension()
    {
        byte[] body = [0x00, 0x04, 0x00, 0x00, 0x00, 0x00];

        Assert.Equal(TlsAlert.UnsupportedExtension, Assert.Throws<TlsAlertException>(() => EncryptedExtensions.Decode(body, sentServerName: false)).Alert);
        Assert.Null(EncryptedExtensions.Decode(body, sentServerName: true).Alpn);
    }

    [Fact]
    public void ServerHello_HelloRetryRequestForm_RoundTrips()
    {
        var retry = new ServerHello
        {
            Random = TlsConstants.HelloRetryRequestRandom.ToArray(),
            CipherSuite = 0x1301,
            SelectedVersion = 0x0304,
            SelectedGroup = 0x0017,
            Cookie = [1, 2, 3],
        };

        ServerHello decoded = ServerHello.Decode(retry.Encode().AsSpan(4));

        Assert.True(decoded.IsHelloRetryRequest);
        Assert.Equal((ushort)0x0017, decoded.SelectedGroup);
        Assert.Null(decoded.KeyShare);
        Assert.Equal([1, 2, 3], decoded.Cookie);
    }
}
