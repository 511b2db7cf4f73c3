using System.Security.Cryptography;
using Aster.Net.Quic;
using Aster.Testing;
using Xunit.Abstractions;

namespace Aster.Net.Tests.Quic.Relay;

/// <summary>
/// C# to C# QUIC through the in-process lossy relay (transport.md 9.3, after the QUIC interop runner). Every test is
/// bounded in time; every failure message carries the relay's seed and counters.
/// </summary>
public sealed class LossyRelayTests
{
    private static readonly TimeSpan _baseDelay = TimeSpan.FromMilliseconds(5);
    private readonly ITestOutputHelper _output;

    public LossyRelayTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task Handshakes_30PercentLoss_50ConnectionsEcho()
    {
        var faults = new RelayFaults { LossRate = 0.3, MaxBurst = 3, Delay = _baseDelay };
        await using RelayEchoHarness harness = await RelayEchoHarness.StartAsync(faults);
        using var gate = new SemaphoreSlim(10);
        int completed = 0;
        async Task OneAsync(int i)
        {
            await gate.WaitAsync();
            try
            {
                await using AsterEndpoint client = await RelayEchoHarness.BindClientAsync();
                await using AsterConnection connection = await client.ConnectAsync(harness.RelayedAddress, RelayEchoHarness.Alpn);
                Assert.Equal(harness.Server.Id, connection.RemoteId);
                byte[] data = RandomNumberGenerator.GetBytes(1024);
                byte[] echoed = await RelayEchoHarness.EchoHashAsync(connection, data);
                Assert.Equal(SHA256.HashData(data), echoed);
                Interlocked.Increment(ref completed);
            }
            finally
            {
                gate.Release();
            }
        }

        await RunAsync(harness, () => Task.WhenAll(Enumerable.Range(0, 50).Select(OneAsync)), TimeSpan.FromSeconds(150));
        Assert.Equal(50, completed);
        Assert.True(harness.Relay.ToServer.DroppedByLoss > 0 && harness.Relay.ToClient.DroppedByLoss > 0, harness.Relay.ToString());
    }

    [Fact]
    public async Task Transfer_2MB_2PercentLoss_HashMatches()
    {
        var faults = new RelayFaults { LossRate = 0.02, MaxBurst = 3, Delay = _baseDelay };
        await EchoThroughRelayAsync(faults, 2 << 20, TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Transfer_2MB_2PercentCorruption_HashMatches()
    {
        var faults = new RelayFaults { CorruptRate = 0.02, MaxBurst = 3, Delay = _baseDelay };
        RelayEchoHarness harness = await EchoThroughRelayAsync(faults, 2 << 20, TimeSpan.FromSeconds(60));
        Assert.True(harness.Relay.ToServer.Corrupted > 0 && harness.Relay.ToClient.Corrupted > 0, harness.Relay.ToString());
    }

    [Fact]
    public async Task Handshakes_30PercentCorruption_10ConnectionsEcho()
    {
        var faults = new RelayFaults { CorruptRate = 0.3, MaxBurst = 3, Delay = _baseDelay };
        await using RelayEchoHarness harness = await RelayEchoHarness.StartAsync(faults);
        async Task OneAsync()
        {
            await using AsterEndpoint client = await RelayEchoHarness.BindClientAsync();
            await using AsterConnection connection = await client.ConnectAsync(harness.RelayedAddress, RelayEchoHarness.Alpn);
            byte[] data = RandomNumberGenerator.GetBytes(1024);
            Assert.Equal(SHA256.HashData(data), await RelayEchoHarness.EchoHashAsync(connection, data));
        }

        await RunAsync(harness, () => Task.WhenAll(Enumerable.Range(0, 10).Select(_ => OneAsync())), TimeSpan.FromSeconds(90));
    }

    [Fact]
    public async Task Transfer_2MB_ReorderedAndDuplicated_HashMatches()
    {
        var faults = new RelayFaults
        {
            Delay = _baseDelay,
            ReorderRate = 0.1,
            ReorderMin = TimeSpan.FromMilliseconds(5),
            ReorderMax = TimeSpan.FromMilliseconds(30),
            DuplicateRate = 0.05,
        };
        RelayEchoHarness harness = await EchoThroughRelayAsync(faults, 2 << 20, TimeSpan.FromSeconds(60));
        Assert.True(harness.Relay.ToServer.Reordered > 0 && harness.Relay.ToClient.Duplicated > 0, harness.Relay.ToString());
    }

    [Fact]
    public async Task Transfer_Blackhole5Seconds_ConnectionSurvives()
    {
        var faults = new RelayFaults { Delay = _baseDelay };
        await using RelayEchoHarness harness = await RelayEchoHarness.StartAsync(faults);
        await using AsterEndpoint client = await RelayEchoHarness.BindClientAsync();
        await RunAsync(
            harness,
            async () =>
            {
                await using AsterConnection connection = await client.ConnectAsync(harness.RelayedAddress, RelayEchoHarness.Alpn);
                byte[] data = RandomNumberGenerator.GetBytes(3 << 20);
                int started = 0;
                byte[] echoed = await RelayEchoHarness.EchoHashAsync(connection, data, received =>
                {
                    if (received >= 512 * 1024 && Interlocked.Exchange(ref started, 1) == 0)
                    {
                        harness.Relay.Blackhole(TimeSpan.FromSeconds(5));
                    }
                });
                Assert.Equal(1, started);
                Assert.Equal(SHA256.HashData(data), echoed);
                Assert.Null(connection.CloseError);
                byte[] after = RandomNumberGenerator.GetBytes(1000);
                Assert.Equal(SHA256.HashData(after), await RelayEchoHarness.EchoHashAsync(connection, after));
            },
            TimeSpan.FromSeconds(90));
        Assert.True(harness.Relay.ToServer.DroppedByBlackhole > 0 && harness.Relay.ToClient.DroppedByBlackhole > 0, harness.Relay.ToString());
    }

    [Fact]
    public async Task Streams_2000OnOneConnection_MaxStreamsGrows()
    {
        var faults = new RelayFaults { LossRate = 0.01, Delay = _baseDelay };
        await using RelayEchoHarness harness = await RelayEchoHarness.StartAsync(faults, o => o.MaxInboundBidirectionalStreams = 100);
        await using AsterEndpoint client = await RelayEchoHarness.BindClientAsync();
        long highestId = -1;
        await RunAsync(
            harness,
            async () =>
            {
                await using AsterConnection connection = await client.ConnectAsync(harness.RelayedAddress, RelayEchoHarness.Alpn);
                int next = -1;
                async Task WorkerAsync()
                {
                    while (Interlocked.Increment(ref next) < 2000)
                    {
                        byte[] data = RandomNumberGenerator.GetBytes(32);
                        await using AsterStream stream = await connection.OpenBidirectionalStreamAsync();
                        InterlockedMax(ref highestId, stream.Id);
                        await stream.WriteAsync(data, completeWrites: true);
                        using var received = new MemoryStream();
                        await stream.CopyToAsync(received);
                        Assert.Equal(data, received.ToArray());
                    }
                }

                await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => WorkerAsync()));
            },
            TimeSpan.FromSeconds(90));

        // Client-initiated bidirectional ids are 4n: 2,000 streams reach id 7,996, far beyond the 100 granted at first.
        Assert.Equal(4 * 1999, highestId);
    }

    [Fact]
    public async Task KeyUpdates_ForcedRepeatedlyDuringTransfer_BothSidesFollow()
    {
        var faults = new RelayFaults { Delay = _baseDelay, ReorderRate = 0.05, LossRate = 0.01 };
        await using RelayEchoHarness harness = await RelayEchoHarness.StartAsync(faults);
        await using AsterEndpoint client = await RelayEchoHarness.BindClientAsync();
        await RunAsync(
            harness,
            async () =>
            {
                await using AsterConnection connection = await client.ConnectAsync(harness.RelayedAddress, RelayEchoHarness.Alpn);
                byte[] data = RandomNumberGenerator.GetBytes(4 << 20);
                Task<byte[]> echo = RelayEchoHarness.EchoHashAsync(connection, data);
                Task<int> updates = Task.Run(async () =>
                {
                    int forced = 0;
                    while (!echo.IsCompleted && forced < 8)
                    {
                        if (connection.Core.ForceKeyUpdate())
                        {
                            forced++;
                        }

                        await Task.Delay(10);
                    }

                    return forced;
                });
                Assert.Equal(SHA256.HashData(data), await echo);
                int forced = await updates;
                Assert.True(forced >= 3, $"only {forced} key updates could be forced during the transfer");
                Assert.Equal(forced, connection.Core.KeyUpdatesInitiated);

                // One more echo after the last update proves the server followed every one.
                byte[] after = RandomNumberGenerator.GetBytes(5000);
                Assert.Equal(SHA256.HashData(after), await RelayEchoHarness.EchoHashAsync(connection, after));
                Assert.True(harness.Accepted.TryPeek(out AsterConnection? accepted));
                Assert.Equal(forced, accepted.Core.KeyUpdatesAnswered);

                // And the server can start updates too; the client follows.
                Assert.True(accepted.Core.ForceKeyUpdate());
                Assert.Equal(SHA256.HashData(after), await RelayEchoHarness.EchoHashAsync(connection, after));
                Assert.Equal(1, connection.Core.KeyUpdatesAnswered);
            },
            TimeSpan.FromSeconds(90));
    }

    [Fact]
    public async Task Handshake_LaterClientDatagramsDropped_ServerSendsAtMostThreeTimesWhatItReceived()
    {
        // Only the client's first datagram (its 1200-byte Initial) arrives; the server's PTO retransmissions must stop
        // at three times that until the client's address is validated (RFC 9000 8.1; transport.md 7.5, case A).
        var toServer = new RelayFaults { DropList = Enumerable.Range(2, 10_000).ToHashSet() };
        await using RelayEchoHarness harness = await RelayEchoHarness.StartAsync(toServer, RelayFaults.None);
        await using AsterEndpoint client = await RelayEchoHarness.BindClientAsync();
        // The client may finish its side of the handshake (it has the server's flight); the server never validates
        // the client's address. Give the server's PTO (1 s, 2 s, 4 s) time to want more than three flights.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(8));
        try
        {
            await using AsterConnection connection = await client.ConnectAsync(harness.RelayedAddress, RelayEchoHarness.Alpn, cts.Token);
            await Task.Delay(TimeSpan.FromSeconds(8));
        }
        catch (OperationCanceledException)
        {
        }

        _output.WriteLine(harness.Relay.ToString());
        Assert.True(harness.Accepted.IsEmpty);
        long received = harness.Relay.ToServer.ForwardedBytes;
        long sent = harness.Relay.ToClient.ForwardedBytes;
        Assert.True(received >= 1200, harness.Relay.ToString());
        Assert.InRange(sent, 1, 3 * received);
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private async Task<RelayEchoHarness> EchoThroughRelayAsync(RelayFaults faults, int size, TimeSpan limit)
    {
        RelayEchoHarness harness = await RelayEchoHarness.StartAsync(faults);
        try
        {
            await using AsterEndpoint client = await RelayEchoHarness.BindClientAsync();
            await RunAsync(
                harness,
                async () =>
                {
                    await using AsterConnection connection = await client.ConnectAsync(harness.RelayedAddress, RelayEchoHarness.Alpn);
                    byte[] data = RandomNumberGenerator.GetBytes(size);
                    Assert.Equal(SHA256.HashData(data), await RelayEchoHarness.EchoHashAsync(connection, data));
                },
                limit);
        }
        finally
        {
            await harness.DisposeAsync();
        }

        return harness;
    }

    /// <summary>Runs <paramref name="body"/> within <paramref name="limit"/>; the relay's seed and counters go to the output either way.</summary>
    private async Task RunAsync(RelayEchoHarness harness, Func<Task> body, TimeSpan limit)
    {
        try
        {
            await body().TimeoutAfter(limit);
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"Failed with {harness.Relay}: {ex.Message}", ex);
        }
        finally
        {
            _output.WriteLine(harness.Relay.ToString());
        }
    }
}
