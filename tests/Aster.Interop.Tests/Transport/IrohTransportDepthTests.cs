using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Aster.Interop.Tests.Infrastructure;
using Aster.Net.Identity;
using Aster.Net.Quic;
using Aster.Testing;
using Xunit.Abstractions;

namespace Aster.Interop.Tests.Transport;

/// <summary>
/// Depth against a real iroh 0.97 peer on loopback (issue #6): 10 MB echoes both ways, 100 concurrent streams, and key
/// updates in both directions mid-transfer. iroh (noq) starts its own first key update after a random 10-1000 packets
/// of the first phase (transport.md 6.4), so a 10 MB transfer always carries one we must follow, provided we do not
/// update first: any update (either side's) moves noq's next one to the confidentiality limit. The npm addon has no
/// call to force further iroh updates, so the repeated updates after that are ours, and iroh must follow each.
/// </summary>
public sealed class IrohTransportDepthTests
{
    private const string Alpn = "aster/1";
    private const int TenMegabytes = 10 << 20;
    private readonly ITestOutputHelper _output;

    public IrohTransportDepthTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [NodeFact]
    public async Task Dial_IrohServe_10MBEcho_KeyUpdatesBothWays()
    {
        await using NodePeer peer = await NodePeer.ServeAsync([Alpn]).TimeoutAfter(TimeSpan.FromSeconds(60));
        try
        {
            await using AsterEndpoint endpoint = await AsterEndpoint.BindAsync(new AsterEndpointOptions { SecretKey = SecretKey.Generate() });
            await using AsterConnection connection = await endpoint.ConnectAsync(PeerAddress(peer), Alpn).AsTask().TimeoutAfter(TimeSpan.FromSeconds(10));
            byte[] data = RandomNumberGenerator.GetBytes(TenMegabytes);
            Assert.Equal(SHA256.HashData(data), await EchoHashAsync(connection, data).TimeoutAfter(TimeSpan.FromSeconds(90)));
            Assert.True(connection.GetStatistics().KeyUpdatesAnswered >= 1, "iroh never started a key update during 10 MB");

            // Now ours, repeatedly, during a second transfer.
            Task<byte[]> echo = EchoHashAsync(connection, data);
            int forced = await ForceUpdatesWhileAsync(connection, echo, 5);
            Assert.Equal(SHA256.HashData(data), await echo.TimeoutAfter(TimeSpan.FromSeconds(90)));

            // One more echo after our last update: iroh followed every one of them.
            byte[] after = RandomNumberGenerator.GetBytes(1200);
            Assert.Equal(SHA256.HashData(after), await EchoHashAsync(connection, after).TimeoutAfter(TimeSpan.FromSeconds(10)));
            AsterConnectionStatistics stats = connection.GetStatistics();
            _output.WriteLine($"forced {forced}, statistics {stats}");
            Assert.True(forced >= 2, $"only {forced} key updates could be started during the transfer");
            Assert.Equal(forced, stats.KeyUpdatesInitiated);
            Assert.True(stats.KeyUpdatesAnswered >= 1, "iroh never started a key update during 10 MB");
            Assert.Null(connection.CloseError);
        }
        finally
        {
            WriteStderr(peer);
        }
    }

    [NodeFact]
    public async Task Dial_IrohServe_100ConcurrentStreams()
    {
        await using NodePeer peer = await NodePeer.ServeAsync([Alpn]).TimeoutAfter(TimeSpan.FromSeconds(60));
        try
        {
            await using AsterEndpoint endpoint = await AsterEndpoint.BindAsync(new AsterEndpointOptions { SecretKey = SecretKey.Generate() });
            await using AsterConnection connection = await endpoint.ConnectAsync(PeerAddress(peer), Alpn).AsTask().TimeoutAfter(TimeSpan.FromSeconds(10));
            await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
            {
                byte[] data = RandomNumberGenerator.GetBytes(1000 + (i * 97));
                Assert.Equal(SHA256.HashData(data), await EchoHashAsync(connection, data));
            })).TimeoutAfter(TimeSpan.FromSeconds(60));
            Assert.Null(connection.CloseError);
        }
        finally
        {
            WriteStderr(peer);
        }
    }

    [NodeFact]
    public async Task IrohDial_OurServer_10MBEcho_WeFollowIrohKeyUpdatesAndForceOurs()
    {
        var options = new AsterEndpointOptions { SecretKey = SecretKey.Generate() };
        options.Alpns.Add(Alpn);
        await using AsterEndpoint endpoint = await AsterEndpoint.BindAsync(options);
        using var cts = new CancellationTokenSource();
        var accepted = new ConcurrentQueue<AsterConnection>();
        Task serve = ServeEchoAsync(endpoint, accepted, cts.Token);
        Task<(int ExitCode, System.Text.Json.JsonElement Result, IReadOnlyCollection<string> Stderr)> dial = NodePeer.DialAsync(
            endpoint.Id.ToString(), endpoint.LocalEndPoint.ToString(), Alpn, [TenMegabytes, TenMegabytes, 5], timeoutMilliseconds: 90_000);

        // Once we followed iroh's own update, our server side starts key updates of its own while the transfers run.
        int forced = 0;
        while (!dial.IsCompleted && forced < 3)
        {
            if (accepted.TryPeek(out AsterConnection? c) && c.GetStatistics().KeyUpdatesAnswered >= 1 && c.ForceKeyUpdate())
            {
                forced++;
            }

            await Task.WhenAny(dial, Task.Delay(20));
        }

        var (exitCode, result, stderr) = await dial.TimeoutAfter(TimeSpan.FromSeconds(150));
        _output.WriteLine(result.ToString());
        foreach (string line in stderr)
        {
            _output.WriteLine(line);
        }

        Assert.Equal(0, exitCode);
        Assert.True(result.GetProperty("ok").GetBoolean());
        Assert.True(accepted.TryPeek(out AsterConnection? connection));
        AsterConnectionStatistics stats = connection.GetStatistics();
        _output.WriteLine($"forced {forced}, statistics {stats}");
        Assert.True(stats.KeyUpdatesAnswered >= 1, "iroh never started a key update during 10 MB");
        Assert.Equal(forced, stats.KeyUpdatesInitiated);
        await cts.CancelAsync();
        await serve;
    }

    [NodeFact]
    public async Task IrohDial_OurServer_100ConcurrentStreams()
    {
        var options = new AsterEndpointOptions { SecretKey = SecretKey.Generate() };
        options.Alpns.Add(Alpn);
        await using AsterEndpoint endpoint = await AsterEndpoint.BindAsync(options);
        using var cts = new CancellationTokenSource();
        Task serve = ServeEchoAsync(endpoint, new ConcurrentQueue<AsterConnection>(), cts.Token);
        int[] sizes = [.. Enumerable.Range(0, 100).Select(i => 1000 + (i * 97))];
        var (exitCode, result, _) = await NodePeer.DialAsync(
            endpoint.Id.ToString(), endpoint.LocalEndPoint.ToString(), Alpn, sizes, timeoutMilliseconds: 60_000, parallel: 100)
            .TimeoutAfter(TimeSpan.FromSeconds(120));
        _output.WriteLine(result.ToString());
        Assert.Equal(0, exitCode);
        Assert.True(result.GetProperty("ok").GetBoolean());
        Assert.Equal(100, result.GetProperty("parallel").GetInt32());
        await cts.CancelAsync();
        await serve;
    }

    [NodeFact]
    public async Task IrohServe_UnknownVersion_AnswersVersionNegotiationListingV1()
    {
        await using NodePeer peer = await NodePeer.ServeAsync([Alpn]).TimeoutAfter(TimeSpan.FromSeconds(60));
        var target = IPEndPoint.Parse(peer.Greeting.GetProperty("addr").GetString()!);
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        byte[] dcid = RandomNumberGenerator.GetBytes(12);
        byte[] scid = RandomNumberGenerator.GetBytes(8);
        byte[] probe = RandomNumberGenerator.GetBytes(1200);
        probe[0] = 0xc0;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(probe.AsSpan(1), 0x1a2a3a4a);
        probe[5] = (byte)dcid.Length;
        dcid.CopyTo(probe, 6);
        probe[6 + dcid.Length] = (byte)scid.Length;
        scid.CopyTo(probe, 7 + dcid.Length);
        await socket.SendToAsync(probe, target);

        byte[] buffer = new byte[1500];
        var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0)).TimeoutAfter(TimeSpan.FromSeconds(5));
        byte[] reply = buffer[..received.ReceivedBytes];
        Assert.Equal(0x80, reply[0] & 0x80);
        Assert.Equal(0u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(reply.AsSpan(1)));
        int p = 5;
        Assert.Equal(scid, reply.AsSpan(p + 1, reply[p]).ToArray()); // its DCID is our SCID
        p += 1 + reply[p];
        Assert.Equal(dcid, reply.AsSpan(p + 1, reply[p]).ToArray());
        p += 1 + reply[p];
        var versions = new List<uint>();
        for (; p + 4 <= reply.Length; p += 4)
        {
            versions.Add(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(reply.AsSpan(p)));
        }

        _output.WriteLine(string.Join(", ", versions.Select(v => $"0x{v:x8}")));
        Assert.Contains(1u, versions);
    }

    private static EndpointAddr PeerAddress(NodePeer peer) => new(
        EndpointId.Parse(peer.Greeting.GetProperty("endpointId").GetString()!),
        null,
        [IPEndPoint.Parse(peer.Greeting.GetProperty("addr").GetString()!)]);

    private static async Task<int> ForceUpdatesWhileAsync(AsterConnection connection, Task running, int most)
    {
        int forced = 0;
        while (!running.IsCompleted && forced < most)
        {
            if (connection.ForceKeyUpdate())
            {
                forced++;
            }

            await Task.WhenAny(running, Task.Delay(20));
        }

        return forced;
    }

    private static async Task<byte[]> EchoHashAsync(AsterConnection connection, byte[] data)
    {
        await using AsterStream stream = await connection.OpenBidirectionalStreamAsync();
        Task write = Task.Run(async () =>
        {
            for (int offset = 0; offset < data.Length; offset += 64 * 1024)
            {
                await stream.WriteAsync(data.AsMemory(offset, Math.Min(64 * 1024, data.Length - offset)));
            }

            stream.CompleteWrites();
        });
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, n);
        }

        await write;
        return hash.GetHashAndReset();
    }

    private static async Task ServeEchoAsync(AsterEndpoint endpoint, ConcurrentQueue<AsterConnection> accepted, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                AsterConnection connection = await endpoint.AcceptAsync(cancellationToken);
                accepted.Enqueue(connection);
                _ = Task.Run(
                    async () =>
                    {
                        try
                        {
                            while (true)
                            {
                                AsterStream stream = await connection.AcceptBidirectionalStreamAsync(cancellationToken);
                                _ = Task.Run(
                                    async () =>
                                    {
                                        await using (stream)
                                        {
                                            await stream.CopyToAsync(stream, cancellationToken);
                                            stream.CompleteWrites();
                                        }
                                    },
                                    CancellationToken.None);
                            }
                        }
                        catch (Exception ex) when (ex is TransportException or OperationCanceledException)
                        {
                        }
                    },
                    CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is TransportException or OperationCanceledException)
        {
        }
    }

    private void WriteStderr(NodePeer peer)
    {
        foreach (string line in peer.StderrLines)
        {
            _output.WriteLine(line);
        }
    }
}
