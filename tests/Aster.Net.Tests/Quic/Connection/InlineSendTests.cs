using Aster.Net.Quic;
using Aster.Testing;
using static Aster.Net.Tests.Quic.Connection.AsterEndpointTests;

namespace Aster.Net.Tests.Quic.Connection;

/// <summary>
/// Sends from the writing thread on an idle connection (<c>QuicConnectionDriver</c>'s inline sends), with the driver
/// as the fallback: real UDP on loopback.
/// </summary>
public sealed class InlineSendTests
{
    private const string Alpn = "aster/inline";

    [Fact]
    public async Task SequentialEchoes_IdleConnection_WritesGoOutWithoutWakingTheDriverEachTime()
    {
        await using AsterEndpoint server = await BindAsync(Alpn);
        using var cts = new CancellationTokenSource();
        Task serve = ServeEchoAsync(server, cts.Token);
        await using AsterEndpoint client = await BindAsync();
        await using AsterConnection connection = await client.ConnectAsync(server.Address, Alpn).DefaultTimeout();
        Assert.Equal([0], await EchoAsync(connection, [0]).DefaultTimeout());
        AsterConnectionStatistics before = connection.GetStatistics();
        const int RoundTrips = 40;
        for (int i = 1; i <= RoundTrips; i++)
        {
            // A caller that does something with each reply: the write follows a quiet moment (a burst of wake-ups
            // within 50 µs goes to the driver, see the next test), not the previous stream's disposal a few µs before.
            await Task.Delay(1);
            Assert.Equal([(byte)i, 1, 2], await EchoAsync(connection, [(byte)i, 1, 2]).DefaultTimeout());
        }

        AsterConnectionStatistics after = connection.GetStatistics();
        long wakeups = after.DriverWakeups - before.DriverWakeups;
        long sent = after.DatagramsSent - before.DatagramsSent;

        // Every request left the client: one datagram (at least) per round trip. Woken for every write, the driver
        // made at least one turn per round trip; inline, only timers (a delayed ACK the next request did not beat)
        // wake it.
        Assert.True(sent >= RoundTrips, $"sent {sent}");
        Assert.True(wakeups < RoundTrips / 2, $"{wakeups} driver wake-ups for {RoundTrips} round trips");
        await cts.CancelAsync();
    }

    [Fact]
    public async Task ConcurrentEchoes_MixedSizes_InlineSendersAndDriverDeliverEverything()
    {
        await using AsterEndpoint server = await BindAsync(Alpn);
        using var cts = new CancellationTokenSource();
        Task serve = ServeEchoAsync(server, cts.Token);
        await using AsterEndpoint client = await BindAsync();
        await using AsterConnection connection = await client.ConnectAsync(server.Address, Alpn).DefaultTimeout();

        // Small writes race for the send lock; 300 KB writes need more than the two batches an inline sender may
        // send, so the driver takes over mid-write.
        int[] sizes = [1, 64, 1200, 5000, 300_000];
        Task[] callers = new Task[16];
        for (int c = 0; c < callers.Length; c++)
        {
            int caller = c;
            callers[c] = Task.Run(async () =>
            {
                for (int i = 0; i < 10; i++)
                {
                    byte[] data = new byte[sizes[(caller + i) % sizes.Length]];
                    new Random((caller * 100) + i).NextBytes(data);
                    byte[] echoed = await EchoAsync(connection, data);
                    Assert.Equal(data, echoed);
                }
            });
        }

        await Task.WhenAll(callers).TimeoutAfter(TimeSpan.FromSeconds(60));
        await cts.CancelAsync();
    }
}
