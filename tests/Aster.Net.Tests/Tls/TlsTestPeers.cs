using System.Security.Cryptography;
using Aster.Net.Tls;

namespace Aster.Net.Tests.Tls;

/// <summary>A deterministic <see cref="RandomNumberGenerator"/> for reproducible handshakes.</summary>
internal sealed class SeededRandom : RandomNumberGenerator
{
    private readonly Random _random;

    public SeededRandom(int seed)
    {
        _random = new Random(seed);
    }

    public override void GetBytes(byte[] data) => _random.NextBytes(data);

    public override void GetBytes(byte[] data, int offset, int count) => _random.NextBytes(data.AsSpan(offset, count));

    public override void GetBytes(Span<byte> data) => _random.NextBytes(data);

    public override void GetNonZeroBytes(byte[] data)
    {
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (byte)_random.Next(1, 256);
        }
    }
}

/// <summary>One run of handshake bytes sent by one side.</summary>
internal sealed record Flight(bool FromClient, EncryptionLevel Level, byte[] Data);

/// <summary>Builds peers and pumps handshake bytes between them in memory.</summary>
internal static class TlsTestPeers
{
    public static readonly byte[] ClientSeed = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    public static readonly byte[] ServerSeed = Enumerable.Range(101, 32).Select(i => (byte)i).ToArray();
    public static readonly byte[] ClientKey = PublicKey(ClientSeed);
    public static readonly byte[] ServerKey = PublicKey(ServerSeed);
    public static readonly byte[] ClientParameters = [0x01, 0x04, 0x80, 0x00, 0x75, 0x30, 0x0e, 0x01, 0x05];
    public static readonly byte[] ServerParameters = [0x01, 0x04, 0x80, 0x00, 0x75, 0x30, 0x0c, 0x00, 0x0e, 0x01, 0x05];

    public static byte[] PublicKey(byte[] seed)
    {
        byte[] key = new byte[32];
        Aster.Net.Crypto.Ed25519.GetPublicKey(seed, key);
        return key;
    }

    public static TlsHandshakeOptions Client(Action<TlsHandshakeOptions>? configure = null)
    {
        var options = new TlsHandshakeOptions
        {
            IsClient = true,
            Seed = ClientSeed,
            PublicKey = ClientKey,
            Alpns = ["aster/1"],
            TransportParameters = ClientParameters,
            ExpectedServerKey = ServerKey,
        };
        configure?.Invoke(options);
        return options;
    }

    public static TlsHandshakeOptions Server(Action<TlsHandshakeOptions>? configure = null)
    {
        var options = new TlsHandshakeOptions
        {
            IsClient = false,
            Seed = ServerSeed,
            PublicKey = ServerKey,
            Alpns = ["aster/1"],
            TransportParameters = ServerParameters,
        };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>
    /// Runs a handshake to completion or failure. <paramref name="mutate"/> may rewrite each flight before delivery;
    /// <paramref name="chunk"/> &gt; 0 delivers the bytes in pieces of that size.
    /// </summary>
    public static List<Flight> Run(
        IQuicTlsHandshake client,
        IQuicTlsHandshake server,
        Func<Flight, byte[]>? mutate = null,
        int chunk = 0)
    {
        var flights = new List<Flight>();
        client.Start();
        server.Start();
        bool progress = true;
        for (int round = 0; progress && round < 20; round++)
        {
            progress = Move(client, server, true, flights, mutate, chunk) | Move(server, client, false, flights, mutate, chunk);
        }

        return flights;
    }

    public static List<TlsTrafficKeys> DrainKeys(IQuicTlsHandshake side)
    {
        var keys = new List<TlsTrafficKeys>();
        while (side.TryTakeKeys(out TlsTrafficKeys k))
        {
            keys.Add(k);
        }

        return keys;
    }

    private static bool Move(IQuicTlsHandshake from, IQuicTlsHandshake to, bool fromClient, List<Flight> flights, Func<Flight, byte[]>? mutate, int chunk)
    {
        bool moved = false;
        while (from.TryTakeOutput(out EncryptionLevel level, out ReadOnlyMemory<byte> data))
        {
            var flight = new Flight(fromClient, level, data.ToArray());
            flights.Add(flight);
            byte[] bytes = mutate is null ? flight.Data : mutate(flight);
            if (chunk <= 0)
            {
                to.ProcessInput(level, bytes);
            }
            else
            {
                for (int i = 0; i < bytes.Length; i += chunk)
                {
                    to.ProcessInput(level, bytes.AsSpan(i, Math.Min(chunk, bytes.Length - i)));
                }
            }

            moved = true;
        }

        return moved;
    }
}
