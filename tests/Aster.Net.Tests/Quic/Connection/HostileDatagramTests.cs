using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Aster.Net.Identity;
using Aster.Net.Quic;
using Aster.Net.Quic.Connection;
using Aster.Net.Quic.Frames;
using Aster.Net.Quic.Packets;
using Aster.Net.Quic.Protection;
using Aster.Net.Tests.Quic.Relay;
using Aster.Testing;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.Logging;

namespace Aster.Net.Tests.Quic.Connection;

/// <summary>
/// Garbage, truncated packets and invalid TLS aimed at a live endpoint (issue #6): nothing escapes as an exception
/// (nothing reaches the endpoint's error log) and other connections carry on.
/// </summary>
public sealed class HostileDatagramTests
{
    [Fact]
    public async Task HostileDatagrams_DuringTransfer_TransferCompletesAndEndpointStillAccepts()
    {
        using var logs = new CountingLoggerFactory();
        await using RelayEchoHarness harness = await RelayEchoHarness.StartAsync(RelayFaults.None, o => o.LoggerFactory = logs);
        await using AsterEndpoint client = await RelayEchoHarness.BindClientAsync(o => o.LoggerFactory = logs);
        await using AsterConnection connection = await client.ConnectAsync(harness.RelayedAddress, RelayEchoHarness.Alpn).DefaultTimeout();
        byte[] data = RandomNumberGenerator.GetBytes(2 << 20);
        Task<byte[]> transfer = RelayEchoHarness.EchoHashAsync(connection, data);

        using var attacker = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        attacker.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var random = new Random(1234);
        byte[] realInitial = ClientInitial(harness.Server.Id);
        int sent = 0;
        for (int i = 0; i < 3000 && (!transfer.IsCompleted || i < 400); i++)
        {
            byte[] datagram = (i % 5) switch
            {
                0 => RandomBytes(random, random.Next(1, 1500)),
                1 => realInitial[..random.Next(1, realInitial.Length)], // truncated
                2 => Mutate(random, realInitial),
                3 => InitialWithInvalidTls(random),
                _ => ShortHeader(random),
            };
            await attacker.SendToAsync(datagram, (i & 1) == 0 ? harness.Server.LocalEndPoint : client.LocalEndPoint);
            sent++;
            if (i % 50 == 0)
            {
                await Task.Delay(1);
            }
        }

        Assert.Equal(SHA256.HashData(data), await transfer.TimeoutAfter(TimeSpan.FromSeconds(60)));
        Assert.Null(connection.CloseError);

        // A new, honest connection is still served.
        await using AsterEndpoint other = await RelayEchoHarness.BindClientAsync();
        await using AsterConnection second = await other.ConnectAsync(new EndpointAddr(harness.Server.Id, null, [harness.Server.LocalEndPoint]), RelayEchoHarness.Alpn).DefaultTimeout();
        byte[] small = RandomNumberGenerator.GetBytes(1000);
        Assert.Equal(SHA256.HashData(small), await RelayEchoHarness.EchoHashAsync(second, small).DefaultTimeout());
        Assert.True(sent >= 400);
        Assert.Equal(0, logs.WarningsOrWorse);
    }

    [Fact]
    public void ServerCore_ArbitraryDatagramsAfterRealInitial_NeverThrow()
    {
        SecretKey serverKey = SecretKey.Generate();
        byte[] initial = ClientInitial(serverKey.PublicKey);
        Assert.Equal(QuicHeaderStatus.Ok, QuicPacketParser.TryParse(initial, 8, out QuicPacketHeader header));
        byte[] dcid = header.DestinationConnectionId.ToArray();
        byte[] scid = header.SourceConnectionId.ToArray();
        Config config = Config.QuickThrowOnFailure.WithMaxTest(300);
        Check.One(config, Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            var random = new Random(seed);
            var options = new QuicConnectionOptions { SecretKey = serverKey, Alpns = [RelayEchoHarness.Alpn] };
            using QuicConnectionCore core = QuicConnectionCore.CreateServer(options, dcid, scid, 0);
            core.ReceiveDatagram(initial.ToArray(), 0);
            byte[] output = new byte[QuicConnectionCore.MaxDatagramBuffer];
            for (int i = 0; i < 20; i++)
            {
                byte[] datagram = random.Next(3) switch
                {
                    0 => Mutate(random, initial),
                    1 => InitialWithInvalidTls(random, dcid),
                    _ => RandomBytes(random, random.Next(0, 1500)),
                };
                core.ReceiveDatagram(datagram, i * 1000);
                while (core.WriteDatagram(output, i * 1000) > 0)
                {
                }

                core.HandleTimeout(i * 1000);
            }
        }));
    }

    /// <summary>A real first datagram of a client dialing <paramref name="server"/> (a ClientHello in a padded Initial).</summary>
    private static byte[] ClientInitial(EndpointId server)
    {
        var options = new QuicConnectionOptions { SecretKey = SecretKey.Generate(), Alpns = [RelayEchoHarness.Alpn], ExpectedServer = server };
        using QuicConnectionCore core = QuicConnectionCore.CreateClient(options, 0);
        byte[] buffer = new byte[QuicConnectionCore.MaxDatagramBuffer];
        int length = core.WriteDatagram(buffer, 0);
        return buffer[..length];
    }

    /// <summary>A correctly protected client Initial whose CRYPTO frame holds a broken TLS message.</summary>
    private static byte[] InitialWithInvalidTls(Random random, byte[]? dcid = null)
    {
        dcid ??= RandomBytes(random, 8 + random.Next(13));
        byte[] scid = RandomBytes(random, 8);
        InitialSecrets.CreateKeys(dcid, isServer: false, out PacketProtectionKeys read, out PacketProtectionKeys write);
        using (read)
        using (write)
        {
            byte[] buffer = new byte[1300];
            QuicPacketBuilder builder = QuicPacketBuilder.BeginLong(buffer, QuicPacketType.Initial, dcid, scid, default, random.Next(4), 4);
            var writer = new QuicWriter(builder.Payload);
            byte[] tls = RandomBytes(random, random.Next(4, 600));
            tls[0] = (byte)random.Next(0, 3); // hello_request / client_hello / server_hello type bytes
            QuicFrameWriter.WriteCrypto(ref writer, (ulong)random.Next(0, 3) * 100, tls);
            int length = builder.Finish(writer.Position, write, QuicConstants.MinInitialDatagramSize);
            return buffer[..length];
        }
    }

    private static byte[] ShortHeader(Random random)
    {
        byte[] datagram = RandomBytes(random, random.Next(10, 1400));
        datagram[0] = (byte)(0x40 | (datagram[0] & 0x3f));
        return datagram;
    }

    private static byte[] Mutate(Random random, byte[] original)
    {
        byte[] copy = original.ToArray();
        int flips = 1 + random.Next(4);
        for (int i = 0; i < flips; i++)
        {
            copy[random.Next(copy.Length)] ^= (byte)random.Next(1, 256);
        }

        return copy;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Counts log entries at Warning or above (the endpoint logs escaped exceptions as warnings).</summary>
    private sealed class CountingLoggerFactory : ILoggerFactory, ILogger
    {
        private int _warnings;

        public int WarningsOrWorse => Volatile.Read(ref _warnings);

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Warning)
            {
                Interlocked.Increment(ref _warnings);
            }
        }

        public void Dispose()
        {
        }
    }
}
