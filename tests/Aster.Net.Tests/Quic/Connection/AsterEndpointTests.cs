using System.Net;
using System.Net.Sockets;
using Aster.Net.Identity;
using Aster.Net.Quic;
using Aster.Testing;

namespace Aster.Net.Tests.Quic.Connection;

public sealed class AsterEndpointTests
{
    private const string Alpn = "aster/test";

    [Fact]
    public async Task Connect_Loopback_BothSidesAuthenticated()
    {
        await using AsterEndpoint server = await BindAsync(Alpn);
        await using AsterEndpoint client = await BindAsync();
        (AsterConnection connection, AsterConnection accepted) = await ConnectPairAsync(server, client);
        await using AsterConnection disposeConnection = connection;
        await using AsterConnection disposeAccepted = accepted;
        Assert.Equal(server.Id, connection.RemoteId);
        Assert.Equal(client.Id, accepted.RemoteId);
        Assert.Equal(Alpn, connection.Alpn);
        Assert.Equal(Alpn, accepted.Alpn);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(1200)]
    [InlineData(1 << 20)]
    public async Task Echo_Loopback_ReturnsSameBytes(int size)
    {
        await using AsterEndpoint server = await BindAsync(Alpn);
        using var cts = new CancellationTokenSource();
        Task serve = ServeEchoAsync(server, cts.Token);
        await using AsterEndpoint client = await BindAsync();
        await using AsterConnection connection = await client.ConnectAsync(server.Address, Alpn).DefaultTimeout();
        byte[] data = new byte[size];
        Random.Shared.NextBytes(data);
        byte[] echoed = await EchoAsync(connection, data).TimeoutAfter(TimeSpan.FromSeconds(30));
        Assert.True(data.AsSpan().SequenceEqual(echoed));
        await cts.CancelAsync();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Echo_4MB_WithAndWithoutSegmentationOffload_SameBytes(bool offload)
    {
        await using AsterEndpoint server = await BindAsync(Alpn, segmentationOffload: offload);
        using var cts = new CancellationTokenSource();
        Task serve = ServeEchoAsync(server, cts.Token);
        await using AsterEndpoint client = await BindAsync(segmentationOffload: offload);
        Assert.Equal(offload && OperatingSystem.IsLinux(), client.SegmentationOffload);
        Assert.Equal(offload && OperatingSystem.IsLinux() && Environment.Is64BitProcess, server.ReceiveOffload);
        await using AsterConnection connection = await client.ConnectAsync(server.Address, Alpn).DefaultTimeout();
        byte[] data = new byte[4 << 20];
        Random.Shared.NextBytes(data);

        byte[] echoed = await EchoAsync(connection, data).TimeoutAfter(TimeSpan.FromSeconds(60));

        Assert.True(data.AsSpan().SequenceEqual(echoed));
        AsterConnectionStatistics stats = connection.GetStatistics();
        Assert.True(stats.DatagramsSent >= data.Length / stats.PathMtu, stats.ToString());
        Assert.True(stats.DatagramsReceived >= data.Length / 1452, stats.ToString());
        if (client.SegmentationOffload)
        {
            // Full-size datagrams leave in batches: fewer system calls than datagrams (how many fewer depends on how
            // the ACK clock and pacing group them; on the loaded build machine about 40 per call).
            Assert.True(stats.SendCalls < stats.DatagramsSent, stats.ToString());
        }
        else
        {
            Assert.Equal(stats.DatagramsSent, stats.SendCalls);
        }

        await cts.CancelAsync();
    }

    [Fact]
    public async Task Echo_100ConcurrentStreams_AllReturnTheirBytes()
    {
        await using AsterEndpoint server = await BindAsync(Alpn);
        using var cts = new CancellationTokenSource();
        Task serve = ServeEchoAsync(server, cts.Token);
        await using AsterEndpoint client = await BindAsync();
        await using AsterConnection connection = await client.ConnectAsync(server.Address, Alpn).DefaultTimeout();
        var tasks = Enumerable.Range(0, 100).Select(async i =>
        {
            byte[] data = new byte[1000 + (i * 37)];
            Random.Shared.NextBytes(data);
            byte[] echoed = await EchoAsync(connection, data);
            Assert.True(data.AsSpan().SequenceEqual(echoed));
        });
        await Task.WhenAll(tasks).TimeoutAfter(TimeSpan.FromSeconds(30));
        await cts.CancelAsync();
    }

    [Fact]
    public async Task Connect_WrongAlpn_RefusedWith0x178()
    {
        await using AsterEndpoint server = await BindAsync(Alpn);
        await using AsterEndpoint client = await BindAsync();
        var ex = await Assert.ThrowsAsync<TransportException>(() => client.ConnectAsync(server.Address, "other/1").AsTask()).DefaultTimeout();
        Assert.Equal(TransportErrorReason.TransportClosedByPeer, ex.Reason);
        Assert.Equal(0x178UL, ex.ErrorCode);
    }

    [Fact]
    public async Task Connect_WrongExpectedIdentity_Refused()
    {
        await using AsterEndpoint server = await BindAsync(Alpn);
        await using AsterEndpoint client = await BindAsync();
        var wrong = new EndpointAddr(SecretKey.Generate().PublicKey, null, [server.LocalEndPoint]);
        var ex = await Assert.ThrowsAsync<TransportException>(() => client.ConnectAsync(wrong, Alpn).AsTask()).DefaultTimeout();
        Assert.Equal(TransportErrorReason.HandshakeFailed, ex.Reason);
    }

    [Fact]
    public async Task GarbageDatagrams_OpenConnection_StillEchoes()
    {
        await using AsterEndpoint server = await BindAsync(Alpn);
        using var cts = new CancellationTokenSource();
        Task serve = ServeEchoAsync(server, cts.Token);
        await using AsterEndpoint client = await BindAsync();
        await using AsterConnection connection = await client.ConnectAsync(server.Address, Alpn).DefaultTimeout();
        using (var garbage = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            var random = new Random(7);
            for (int i = 0; i < 200; i++)
            {
                byte[] junk = new byte[random.Next(1, 1500)];
                random.NextBytes(junk);
                if (i % 3 == 0)
                {
                    junk[0] = (byte)(0xc0 | (junk[0] & 0x0f));
                }

                garbage.SendTo(junk, server.LocalEndPoint);
                garbage.SendTo(junk, client.LocalEndPoint);
            }
        }

        byte[] data = new byte[50_000];
        Random.Shared.NextBytes(data);
        byte[] echoed = await EchoAsync(connection, data).TimeoutAfter(TimeSpan.FromSeconds(20));
        Assert.True(data.AsSpan().SequenceEqual(echoed));
        await cts.CancelAsync();
    }

    [Fact]
    public async Task Close_WithApplicationCode_PeerSeesCode()
    {
        await using AsterEndpoint server = await BindAsync(Alpn);
        await using AsterEndpoint client = await BindAsync();
        (AsterConnection connection, AsterConnection accepted) = await ConnectPairAsync(server, client);
        await connection.CloseAsync(403, "not admitted").DefaultTimeout();
        var ex = await Assert.ThrowsAsync<TransportException>(() => accepted.AcceptBidirectionalStreamAsync().AsTask()).DefaultTimeout();
        Assert.Equal(TransportErrorReason.ApplicationClosedByPeer, ex.Reason);
        Assert.Equal(403UL, ex.ErrorCode);
        Assert.Equal("not admitted", ex.ReasonPhrase);
    }

    [Fact]
    public async Task Connect_IPv6Loopback_Echoes()
    {
        if (!Socket.OSSupportsIPv6)
        {
            return;
        }

        await using AsterEndpoint server = await BindAsync(Alpn, IPAddress.IPv6Loopback);
        using var cts = new CancellationTokenSource();
        Task serve = ServeEchoAsync(server, cts.Token);
        await using AsterEndpoint client = await BindAsync(null, IPAddress.IPv6Loopback);
        await using AsterConnection connection = await client.ConnectAsync(server.Address, Alpn).DefaultTimeout();
        byte[] echoed = await EchoAsync(connection, [1, 2, 3]).DefaultTimeout();
        Assert.Equal([1, 2, 3], echoed);
        await cts.CancelAsync();
    }

    [Fact]
    public async Task Stream_AbortWrite_PeerReadThrowsWithCode()
    {
        await using AsterEndpoint server = await BindAsync(Alpn);
        await using AsterEndpoint client = await BindAsync();
        (AsterConnection connection, AsterConnection accepted) = await ConnectPairAsync(server, client);
        await using AsterConnection disposeConnection = connection;
        await using AsterConnection disposeAccepted = accepted;
        await using AsterStream stream = await connection.OpenBidirectionalStreamAsync().DefaultTimeout();
        await stream.WriteAsync(new byte[] { 1, 2, 3 }).DefaultTimeout();
        await using AsterStream peer = await accepted.AcceptBidirectionalStreamAsync().DefaultTimeout();
        stream.Abort(StreamAbortDirection.Write, 7);
        var ex = await Assert.ThrowsAsync<TransportException>(async () =>
        {
            byte[] buffer = new byte[16];
            while (await peer.ReadAsync(buffer) > 0)
            {
            }
        }).DefaultTimeout();
        Assert.Equal(TransportErrorReason.StreamAborted, ex.Reason);
        Assert.Equal(7UL, ex.ErrorCode);
        await Assert.ThrowsAsync<TransportException>(() => stream.WritesClosed).DefaultTimeout();
    }

    [Fact]
    public async Task Stream_Echo_ReadsAndWritesClosedComplete()
    {
        await using AsterEndpoint server = await BindAsync(Alpn);
        using var cts = new CancellationTokenSource();
        Task serve = ServeEchoAsync(server, cts.Token);
        await using AsterEndpoint client = await BindAsync();
        await using AsterConnection connection = await client.ConnectAsync(server.Address, Alpn).DefaultTimeout();
        await using AsterStream stream = await connection.OpenBidirectionalStreamAsync().DefaultTimeout();
        await stream.WriteAsync(new byte[] { 9, 8, 7 }, completeWrites: true).DefaultTimeout();
        using var received = new MemoryStream();
        await stream.CopyToAsync(received).DefaultTimeout();
        Assert.Equal([9, 8, 7], received.ToArray());
        await stream.ReadsClosed.DefaultTimeout();
        await stream.WritesClosed.DefaultTimeout();
        await cts.CancelAsync();
    }

    [Fact]
    public async Task Accept_MaxConnectionsReached_NewHandshakeIsDropped()
    {
        var options = new AsterEndpointOptions { SecretKey = SecretKey.Generate(), MaxConnections = 1 };
        options.Alpns.Add(Alpn);
        await using AsterEndpoint server = await AsterEndpoint.BindAsync(options);
        await using AsterEndpoint client = await BindAsync();
        await using AsterConnection first = await client.ConnectAsync(server.Address, Alpn).DefaultTimeout();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ConnectAsync(server.Address, Alpn, cts.Token).AsTask()).DefaultTimeout();
    }

    [Fact]
    public async Task GetStatistics_EchoRoundTrips_CountsDatagramsPacketsAndWakeups()
    {
        await using AsterEndpoint server = await BindAsync(Alpn);
        using var cts = new CancellationTokenSource();
        Task serve = ServeEchoAsync(server, cts.Token);
        await using AsterEndpoint client = await BindAsync();
        await using AsterConnection connection = await client.ConnectAsync(server.Address, Alpn).DefaultTimeout();
        AsterConnectionStatistics before = connection.GetStatistics();
        const int RoundTrips = 20;
        for (int i = 0; i < RoundTrips; i++)
        {
            Assert.Equal([(byte)i], await EchoAsync(connection, [(byte)i]).DefaultTimeout());
        }

        AsterConnectionStatistics after = connection.GetStatistics();
        Assert.True(after.DatagramsSent - before.DatagramsSent >= RoundTrips, $"sent {after.DatagramsSent - before.DatagramsSent}");
        Assert.True(after.DatagramsReceived - before.DatagramsReceived >= RoundTrips, $"received {after.DatagramsReceived - before.DatagramsReceived}");
        Assert.True(after.PacketsSent >= after.DatagramsSent);
        Assert.InRange(after.AckOnlyPacketsSent, 0, after.PacketsSent);
        Assert.True(after.DriverWakeups > before.DriverWakeups);
        await cts.CancelAsync();
    }

    [Fact]
    public async Task PeerBidirectionalStreamLimit_ServerAllows37_ClientSees37()
    {
        var options = new AsterEndpointOptions { SecretKey = SecretKey.Generate(), BindAddress = new IPEndPoint(IPAddress.Loopback, 0), MaxInboundBidirectionalStreams = 37 };
        options.Alpns.Add(Alpn);
        await using AsterEndpoint server = await AsterEndpoint.BindAsync(options);
        await using AsterEndpoint client = await BindAsync();
        await using AsterConnection connection = await client.ConnectAsync(server.Address, Alpn).DefaultTimeout();
        Assert.Equal(37, connection.PeerBidirectionalStreamLimit);
    }

    [Fact]
    public async Task Close_WithoutWaiting_PeerSeesTheApplicationCloseAndCompletionFollows()
    {
        await using AsterEndpoint server = await BindAsync(Alpn);
        await using AsterEndpoint client = await BindAsync();
        (AsterConnection connection, AsterConnection accepted) = await ConnectPairAsync(server, client);

        connection.Close(42, "done");

        Assert.Equal(TransportErrorReason.ClosedLocally, connection.CloseError?.Reason);
        await accepted.Completion.DefaultTimeout();
        Assert.Equal(TransportErrorReason.ApplicationClosedByPeer, accepted.CloseError?.Reason);
        Assert.Equal(42UL, accepted.CloseError?.ErrorCode);
        await connection.Completion.DefaultTimeout();
    }

    [Fact]
    public async Task Ended_CompletesWhenTheCloseBegins_OnBothSides_CompletionAfterTheClosingPeriod()
    {
        await using AsterEndpoint server = await BindAsync(Alpn);
        await using AsterEndpoint client = await BindAsync();
        (AsterConnection connection, AsterConnection accepted) = await ConnectPairAsync(server, client);
        Assert.False(connection.Ended.IsCompleted);
        Assert.False(accepted.Ended.IsCompleted);

        connection.Close(7, "bye");

        // Locally the connection is unusable at once; the closing period (3 × PTO) is still ahead.
        Assert.True(connection.Ended.IsCompleted);
        await accepted.Ended.DefaultTimeout();
        Assert.Equal(7UL, accepted.CloseError?.ErrorCode);
        await accepted.Completion.DefaultTimeout();
        await connection.Completion.DefaultTimeout();
    }

    /// <summary>Connects <paramref name="client"/> to <paramref name="server"/> on <see cref="Alpn"/>; both ends of the connection.</summary>
    internal static async Task<(AsterConnection Connection, AsterConnection Accepted)> ConnectPairAsync(AsterEndpoint server, AsterEndpoint client)
    {
        Task<AsterConnection> accept = server.AcceptAsync().AsTask();
        AsterConnection connection = await client.ConnectAsync(server.Address, Alpn).DefaultTimeout();
        return (connection, await accept.DefaultTimeout());
    }

    internal static async Task<AsterEndpoint> BindAsync(string? alpn = null, IPAddress? address = null, bool segmentationOffload = true)
    {
        var options = new AsterEndpointOptions
        {
            SecretKey = SecretKey.Generate(),
            BindAddress = new IPEndPoint(address ?? IPAddress.Loopback, 0),
            SegmentationOffload = segmentationOffload,
        };
        if (alpn is not null)
        {
            options.Alpns.Add(alpn);
        }

        return await AsterEndpoint.BindAsync(options);
    }

    internal static async Task<byte[]> EchoAsync(AsterConnection connection, byte[] data)
    {
        await using AsterStream stream = await connection.OpenBidirectionalStreamAsync();
        Task write = stream.WriteAsync(data, completeWrites: true).AsTask();
        using var received = new MemoryStream();
        await stream.CopyToAsync(received);
        await write;
        return received.ToArray();
    }

    internal static async Task ServeEchoAsync(AsterEndpoint endpoint, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                AsterConnection connection = await endpoint.AcceptAsync(cancellationToken);
                _ = Task.Run(async () =>
                {
                    try
                    {
                        while (true)
                        {
                            AsterStream stream = await connection.AcceptBidirectionalStreamAsync(cancellationToken);
                            _ = Task.Run(async () =>
                            {
                                await using (stream)
                                {
                                    using var buffer = new MemoryStream();
                                    await stream.CopyToAsync(buffer, cancellationToken);
                                    await stream.WriteAsync(buffer.ToArray(), completeWrites: true, cancellationToken);
                                }
                            }, CancellationToken.None);
                        }
                    }
                    catch (TransportException)
                    {
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }, CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (TransportException)
        {
        }
    }
}
