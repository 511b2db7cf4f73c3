using Aster.Net.Crypto;
using Aster.Net.Tls;
using BenchmarkDotNet.Attributes;

namespace Aster.Bench.Micro.Tls;

/// <summary>A complete in-memory TLS 1.3 handshake (both roles, no QUIC packet protection).</summary>
[MemoryDiagnoser]
public class HandshakeBenchmarks : IDisposable
{
    private static readonly byte[] _clientSeed = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] _serverSeed = Enumerable.Range(101, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] _parameters = [0x01, 0x04, 0x80, 0x00, 0x75, 0x30, 0x0e, 0x01, 0x05];

    private readonly Ed25519SigningKey _clientKey = new(_clientSeed);
    private readonly Ed25519SigningKey _serverKey = new(_serverSeed);

    /// <summary>The key-exchange group: x25519 (managed) or secp256r1 (BCL).</summary>
    [Params(TlsNamedGroupParam.X25519, TlsNamedGroupParam.Secp256r1)]
    public TlsNamedGroupParam Group { get; set; }

    /// <summary>Runs one handshake to completion and returns the client's negotiated ALPN.</summary>
    [Benchmark]
    public string? FullHandshake()
    {
        TlsNamedGroup group = Group == TlsNamedGroupParam.X25519 ? TlsNamedGroup.X25519 : TlsNamedGroup.Secp256r1;
        using TlsHandshake client = TlsHandshake.Create(new TlsHandshakeOptions
        {
            IsClient = true,
            SigningKey = _clientKey,
            Alpns = ["aster/1"],
            TransportParameters = _parameters,
            ExpectedServerKey = _serverKey.PublicKey.ToArray(),
            Groups = [group],
        });
        using TlsHandshake server = TlsHandshake.Create(new TlsHandshakeOptions
        {
            SigningKey = _serverKey,
            Alpns = ["aster/1"],
            TransportParameters = _parameters,
            Groups = [group],
        });
        client.Start();
        for (int round = 0; round < 4; round++)
        {
            Pump(client, server);
            Pump(server, client);
        }

        return client.NegotiatedAlpn;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _clientKey.Dispose();
        _serverKey.Dispose();
        GC.SuppressFinalize(this);
    }

    private static void Pump(TlsHandshake from, TlsHandshake to)
    {
        while (from.TryTakeOutput(out EncryptionLevel level, out ReadOnlyMemory<byte> data))
        {
            to.ProcessInput(level, data.Span);
        }

        while (from.TryTakeKeys(out _))
        {
        }
    }
}

/// <summary>Public mirror of the internal group enum, for BenchmarkDotNet parameters.</summary>
public enum TlsNamedGroupParam
{
    /// <summary>x25519.</summary>
    X25519,

    /// <summary>secp256r1.</summary>
    Secp256r1,
}
