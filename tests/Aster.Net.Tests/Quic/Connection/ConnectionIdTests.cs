using System.Security.Cryptography;
using Aster.Net.Quic;
using Aster.Net.Tests.Quic.Relay;
using Aster.Testing;

namespace Aster.Net.Tests.Quic.Connection;

/// <summary>Connection ids after the handshake (RFC 9000 5.1; transport.md 3.4, 6.3): issued, routed, retired, replaced.</summary>
public sealed class ConnectionIdTests
{
    [Fact]
    public async Task IssuedIds_ClientRotatesThroughThem_ServerRetiresAndReplaces()
    {
        await using RelayEchoHarness harness = await RelayEchoHarness.StartAsync(RelayFaults.None);
        await using AsterEndpoint client = await RelayEchoHarness.BindClientAsync();
        await using AsterConnection connection = await client.ConnectAsync(harness.RelayedAddress, RelayEchoHarness.Alpn).DefaultTimeout();
        await EchoAsync(connection);
        Assert.True(harness.Accepted.TryPeek(out AsterConnection? accepted));

        // min(peer's active_connection_id_limit = 5, 4) ids each way, the handshake's included.
        await WaitUntilAsync(() => connection.Core.ActiveRemoteConnectionIds == 4 && accepted.Core.ActiveRemoteConnectionIds == 4);
        Assert.Equal(4, accepted.Core.ActiveLocalConnectionIds);

        for (int i = 0; i < 6; i++)
        {
            // Each rotation sends to a fresh id (routed by the server's endpoint) and retires the old one, which the
            // server replaces with a new NEW_CONNECTION_ID; the echo proves the path works on the new id.
            await WaitUntilAsync(() => connection.Core.RotateRemoteConnectionId());
            await EchoAsync(connection);
        }

        await WaitUntilAsync(() => connection.Core.ActiveRemoteConnectionIds == 4 && accepted.Core.ActiveLocalConnectionIds == 4);
        Assert.Null(connection.CloseError);
        Assert.Null(accepted.CloseError);
    }

    private static async Task EchoAsync(AsterConnection connection)
    {
        byte[] data = RandomNumberGenerator.GetBytes(3000);
        Assert.Equal(SHA256.HashData(data), await RelayEchoHarness.EchoHashAsync(connection, data).DefaultTimeout());
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(Aster.Testing.TaskExtensions.DefaultTimeoutSpan);
        while (!condition())
        {
            await Task.Delay(10, cts.Token);
        }
    }
}
