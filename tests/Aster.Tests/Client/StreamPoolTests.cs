using Aster.Client;
using Aster.Testing;
using Aster.Transport;

namespace Aster.Tests.Client;

public sealed class StreamPoolTests
{
    [Theory]
    [InlineData(null, null, 8)]      // the transport does not say: the reference size
    [InlineData(null, 99, 8)]
    [InlineData(null, 100, 64)]     // iroh's and our servers' limit: room for 64 calls in flight
    [InlineData(null, 1000, 64)]
    [InlineData(null, 5, 5)]        // never above the peer's limit (wire-protocol.md 3.3)
    [InlineData(null, 0, 1)]
    [InlineData(8, 100, 8)]         // the reference behaviour on request
    [InlineData(200, 100, 100)]
    [InlineData(200, null, 200)]
    public void SharedCapacity_ConfiguredAndPeerLimit_StaysWithinTheLimit(int? configured, int? peerLimit, int expected)
    {
        Assert.Equal(expected, StreamPool.SharedCapacity(configured, peerLimit));
    }

    [Fact]
    public void SharedCapacity_ZeroConfigured_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => StreamPool.SharedCapacity(0, 100));
    }

    [Fact]
    public void ClientLink_PeerAllows100Streams_SharedPoolOf64AndSessionPoolsOfOne()
    {
        var connection = new LimitedConnection(100);
        var link = new ClientLink(connection, new AsterClientOptions());
        Assert.Equal(64, link.SharedPool.Capacity);
        Assert.Equal(1, link.PoolFor(7).Capacity);
    }

    [Fact]
    public void ClientLink_ReferenceSizeConfigured_SharedPoolOf8()
    {
        var link = new ClientLink(new LimitedConnection(100), new AsterClientOptions { SharedStreamPoolSize = 8 });
        Assert.Equal(8, link.SharedPool.Capacity);
    }

    [Fact]
    public async Task AcquireAsync_PoolFull_WaitsForAReturnedStreamAndReusesIt()
    {
        (IRpcConnection client, IRpcConnection server) = InMemoryTransport.CreatePair();
        await using (client)
        await using (server)
        {
            var pool = new StreamPool(client, 2, Aster.Framing.Frame.MaxLength);
            ClientStream first = await pool.AcquireAsync(TimeSpan.FromSeconds(5), CancellationToken.None).DefaultTimeout();
            ClientStream second = await pool.AcquireAsync(TimeSpan.FromSeconds(5), CancellationToken.None).DefaultTimeout();
            Assert.NotSame(first, second);

            ValueTask<ClientStream> third = pool.AcquireAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
            Assert.False(third.IsCompleted);
            pool.Return(first);
            Assert.Same(first, await third.DefaultTimeout());
        }
    }

    /// <summary>A connection that only reports a peer stream limit (the pool opens no stream in these tests).</summary>
    private sealed class LimitedConnection(int limit) : IRpcConnection
    {
        public string Alpn => "aster/1";

        public Aster.Net.Identity.EndpointId? RemoteId => null;

        public CancellationToken Closed => CancellationToken.None;

        public int? PeerStreamLimit => limit;

        public ValueTask<IRpcStream> OpenStreamAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<IRpcStream?> AcceptStreamAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask CloseAsync(long errorCode, string reason, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
