using System.Diagnostics;
using Aster.Net.Crypto;
using Aster.Net.Tls;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Net.Tests.Tls;

/// <summary>
/// Feeds mutated and truncated copies of real handshake flights into fresh clients and servers: only
/// <see cref="TlsAlertException"/> may escape, and never internal_error (which would mean a bug in a parser).
/// </summary>
public sealed class TlsMutationTests
{
    private const int Iterations = 20_000;
    private const int ClientSeed = 11;
    private const int ServerSeed = 22;
    private static readonly TimeSpan _limit = TimeSpan.FromMinutes(5);

    [Fact]
    public void ProcessInput_MutatedRecordedFlights_OnlyTlsAlerts()
    {
        // Arrange: recorded handshakes. The "deep" one is a deterministic x25519 handshake whose recorded flights still
        // verify in a fresh peer (so mutations reach Finished); the others use secp256r1, which is cheaper per run.
        using var keys = new SigningKeys();
        var recordings = new Recordings(keys);
        var random = new Random(20261121);
        var stopwatch = Stopwatch.StartNew();
        int alerts = 0;
        int iterations = 0;

        // Act
        for (; iterations < Iterations; iterations++)
        {
            Assert.True(stopwatch.Elapsed < _limit, "mutation loop exceeded its time limit");
            try
            {
                RunOne(iterations % 40, recordings, keys, random);
            }
            catch (TlsAlertException ex)
            {
                Assert.True(ex.Alert != TlsAlert.InternalError, "internal_error at iteration " + iterations + ": " + ex.Message);
                alerts++;
            }
        }

        // Assert: most mutations are refused; the loop really ran.
        Assert.Equal(Iterations, iterations);
        Assert.InRange(alerts, Iterations / 2, Iterations);
    }

    [Fact]
    public void ProcessInput_RandomBytes_OnlyTlsAlerts()
    {
        Config config = Config.QuickThrowOnFailure.WithMaxTest(1_000);
        Check.One(config, Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
        {
            bytes ??= [];
            using var server = TlsHandshake.Create(TlsTestPeers.Server());
            using var client = TlsHandshake.Create(TlsTestPeers.Client(o => o.Groups = [TlsNamedGroup.Secp256r1]));
            client.Start();
            return OnlyAlerts(() => server.ProcessInput(EncryptionLevel.Initial, bytes))
                && OnlyAlerts(() => client.ProcessInput(EncryptionLevel.Initial, bytes))
                && OnlyAlerts(() => client.ProcessInput(EncryptionLevel.Initial, [2, 0, 0, (byte)bytes.Length, .. bytes]));
        }));
    }

    private static bool OnlyAlerts(Action action)
    {
        try
        {
            action();
            return true;
        }
        catch (TlsAlertException ex)
        {
            return ex.Alert != TlsAlert.InternalError;
        }
    }

    private static void RunOne(int slot, Recordings r, SigningKeys keys, Random random)
    {
        switch (slot)
        {
            case < 8:
                {
                    // A mutated ClientHello to a fresh server.
                    using TlsHandshake server = keys.Server(TlsNamedGroup.Secp256r1, null);
                    Deliver(server, EncryptionLevel.Initial, Mutate(r.Cheap.ClientHello, random), random);
                    break;
                }

            case < 14:
                {
                    // A mutated ServerHello, then the server's real Handshake flight, to a fresh client.
                    using TlsHandshake client = keys.StartedClient([TlsNamedGroup.Secp256r1], null);
                    Deliver(client, EncryptionLevel.Initial, Mutate(r.Cheap.ServerHello, random), random);
                    Deliver(client, EncryptionLevel.Handshake, r.Cheap.ServerFlight, random);
                    break;
                }

            case < 28:
                {
                    // The real ServerHello, then a mutated EncryptedExtensions..Finished flight, to a fresh client.
                    using TlsHandshake client = keys.StartedClient([TlsNamedGroup.Secp256r1], null);
                    Deliver(client, EncryptionLevel.Initial, r.Cheap.ServerHello, random);
                    Deliver(client, EncryptionLevel.Handshake, Mutate(r.Cheap.ServerFlight, random), random);
                    break;
                }

            case 28:
                {
                    // Deep: the whole recorded transcript matches, so a mutated Finished is really checked.
                    using TlsHandshake client = keys.StartedClient([TlsNamedGroup.X25519], new SeededRandom(ClientSeed));
                    Deliver(client, EncryptionLevel.Initial, r.Deep.ServerHello, random);
                    Deliver(client, EncryptionLevel.Handshake, Mutate(r.Deep.ServerFlight, random), random);
                    break;
                }

            case 29:
                {
                    // Deep: a server that took the real ClientHello receives a mutated client authentication flight.
                    using TlsHandshake server = keys.Server(TlsNamedGroup.X25519, new SeededRandom(ServerSeed));
                    server.ProcessInput(EncryptionLevel.Initial, r.Deep.ClientHello);
                    Deliver(server, EncryptionLevel.Handshake, Mutate(r.Deep.ClientFlight, random), random);
                    break;
                }

            case < 35:
                {
                    // A mutated HelloRetryRequest (asking for x25519) to a client that led with secp256r1.
                    using TlsHandshake client = keys.StartedClient([TlsNamedGroup.Secp256r1, TlsNamedGroup.X25519], null);
                    Deliver(client, EncryptionLevel.Initial, Mutate(r.RetryToClient.ServerHello, random), random);
                    break;
                }

            default:
                {
                    // A mutated second ClientHello to a server that sent a HelloRetryRequest for secp256r1.
                    using TlsHandshake server = keys.Server(TlsNamedGroup.Secp256r1, null);
                    server.ProcessInput(EncryptionLevel.Initial, r.RetryToServer.ClientHello);
                    Deliver(server, EncryptionLevel.Initial, Mutate(r.RetryToServer.SecondClientHello!, random), random);
                    break;
                }
        }
    }

    private static void Deliver(TlsHandshake side, EncryptionLevel level, byte[] data, Random random)
    {
        int offset = 0;
        while (offset < data.Length)
        {
            int size = random.Next(3) == 0 ? random.Next(1, 20) : data.Length - offset;
            size = Math.Min(size, data.Length - offset);
            side.ProcessInput(level, data.AsSpan(offset, size));
            offset += size;
        }
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var data = new List<byte>(original);
        int operations = 1 + random.Next(3);
        for (int i = 0; i < operations && data.Count > 0; i++)
        {
            int position = random.Next(data.Count);
            switch (random.Next(7))
            {
                case 0:
                    data[position] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    data[position] = (byte)random.Next(256);
                    break;
                case 2:
                    data.RemoveRange(position, data.Count - position);
                    break;
                case 3:
                    data.RemoveRange(position, Math.Min(data.Count - position, 1 + random.Next(8)));
                    break;
                case 4:
                    {
                        byte[] insert = new byte[1 + random.Next(8)];
                        random.NextBytes(insert);
                        data.InsertRange(position, insert);
                        break;
                    }

                case 5:
                    data.InsertRange(position, data.GetRange(position, Math.Min(data.Count - position, 1 + random.Next(16))));
                    break;
                default:
                    // Length-field corruption: bump or zero a byte near a likely length prefix.
                    data[position] = random.Next(2) == 0 ? (byte)0 : (byte)0xff;
                    break;
            }
        }

        return [.. data];
    }


    private sealed record Recording(byte[] ClientHello, byte[]? SecondClientHello, byte[] ServerHello, byte[] ServerFlight, byte[] ClientFlight);

    private sealed class SigningKeys : IDisposable
    {
        private readonly Ed25519SigningKey _client = new(TlsTestPeers.ClientSeed);
        private readonly Ed25519SigningKey _server = new(TlsTestPeers.ServerSeed);

        public TlsHandshake Client(TlsNamedGroup[] groups, SeededRandom? random)
        {
            return TlsHandshake.Create(TlsTestPeers.Client(o =>
            {
                o.Seed = default;
                o.SigningKey = _client;
                o.Random = random;
                o.Groups = groups;
            }));
        }

        public TlsHandshake StartedClient(TlsNamedGroup[] groups, SeededRandom? random)
        {
            TlsHandshake client = Client(groups, random);
            client.Start();
            while (client.TryTakeOutput(out _, out _))
            {
            }

            return client;
        }

        public TlsHandshake Server(TlsNamedGroup group, SeededRandom? random)
        {
            return TlsHandshake.Create(TlsTestPeers.Server(o =>
            {
                o.Seed = default;
                o.SigningKey = _server;
                o.Random = random;
                o.Groups = [group];
            }));
        }

        public void Dispose()
        {
            _client.Dispose();
            _server.Dispose();
        }
    }

    private sealed class Recordings(SigningKeys keys)
    {
        public Recording Deep { get; } = Record(keys, [TlsNamedGroup.X25519], TlsNamedGroup.X25519, deterministic: true);

        public Recording Cheap { get; } = Record(keys, [TlsNamedGroup.Secp256r1], TlsNamedGroup.Secp256r1, deterministic: false);

        public Recording RetryToClient { get; } = Record(keys, [TlsNamedGroup.Secp256r1, TlsNamedGroup.X25519], TlsNamedGroup.X25519, deterministic: false);

        public Recording RetryToServer { get; } = Record(keys, [TlsNamedGroup.X25519, TlsNamedGroup.Secp256r1], TlsNamedGroup.Secp256r1, deterministic: false);

        private static Recording Record(SigningKeys keys, TlsNamedGroup[] clientGroups, TlsNamedGroup serverGroup, bool deterministic)
        {
            using TlsHandshake client = keys.Client(clientGroups, deterministic ? new SeededRandom(ClientSeed) : null);
            using TlsHandshake server = keys.Server(serverGroup, deterministic ? new SeededRandom(ServerSeed) : null);
            List<Flight> flights = TlsTestPeers.Run(client, server);
            Assert.True(client.IsHandshakeComplete && server.IsHandshakeComplete);
            List<Flight> clientInitial = flights.Where(f => f.FromClient && f.Level == EncryptionLevel.Initial).ToList();
            return new Recording(
                clientInitial[0].Data,
                clientInitial.Count > 1 ? clientInitial[1].Data : null,
                flights.First(f => !f.FromClient && f.Level == EncryptionLevel.Initial).Data,
                flights.Last(f => !f.FromClient && f.Level == EncryptionLevel.Handshake).Data,
                flights.Single(f => f.FromClient && f.Level == EncryptionLevel.Handshake).Data);
        }
    }
}
