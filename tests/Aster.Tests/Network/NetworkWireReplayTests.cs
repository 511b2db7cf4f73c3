using Aster.Net.Quic;
using Aster.Server;
using Aster.Testing;
using Aster.Tests.Rpc;
using Aster.Transport;

namespace Aster.Tests.Network;

/// <summary>
/// The recorded reference exchanges replayed into our networked server over a real QUIC connection on loopback (dev
/// mode, so aster/1 needs no admission first): our server answers as the reference server did.
/// </summary>
[Collection(NetworkTestGroup.Name)]
public sealed class NetworkWireReplayTests : WireReplayTestsBase
{
    private RawPeer? _peer;

    protected override AsterServerOptions ConfigureServer(AsterServerOptions options)
    {
        options.ShutdownGracePeriod = TimeSpan.FromMilliseconds(200);
        return options;
    }

    protected override async Task<IRpcConnection> ConnectAsync(AsterServer server)
    {
        await server.StartAsync().TimeoutAfter(RawPeer.Limit);
        _peer = await RawPeer.StartAsync();
        AsterConnection connection = await _peer.ConnectAsync(server.EndpointAddr, AsterAlpns.Rpc);
        return new QuicRpcConnection(connection);
    }

    protected override async Task DisposeTransportAsync()
    {
        if (_peer is not null)
        {
            await _peer.DisposeAsync();
        }
    }
}
