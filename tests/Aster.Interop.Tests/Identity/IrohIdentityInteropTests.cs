using System.Net;
using System.Text.Json;
using Aster.Interop.Tests.Infrastructure;
using Aster.Net.Identity;
using Aster.Testing;

namespace Aster.Interop.Tests.Identity;

/// <summary>
/// Our identity types against a real iroh 0.97 endpoint (the reference addon): key derivation, id text and the
/// aster1 address the reference prints.
/// </summary>
public sealed class IrohIdentityInteropTests
{
    private const string ZeroSecret = "0000000000000000000000000000000000000000000000000000000000000000";

    [NodeFact]
    public async Task Serve_ZeroSecret_EndpointIdIsTheTransportVector()
    {
        await using NodePeer peer = await NodePeer.ServeAsync(["aster/1"], ZeroSecret).TimeoutAfter(TimeSpan.FromSeconds(60));

        string printed = peer.Greeting.GetProperty("endpointId").GetString()!;

        Assert.Equal("3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29", printed);
        using SecretKey key = SecretKey.Parse(ZeroSecret);
        Assert.Equal(key.PublicKey, EndpointId.Parse(printed));
    }

    [NodeFact]
    public async Task Serve_RandomSecret_IrohDerivesTheSameEndpointIdAsWe()
    {
        using SecretKey key = SecretKey.Generate();
        string secretHex = Convert.ToHexStringLower(key.ToBytes());

        await using NodePeer peer = await NodePeer.ServeAsync(["aster/1", "aster.consumer_admission"], secretHex).TimeoutAfter(TimeSpan.FromSeconds(60));

        string printed = peer.Greeting.GetProperty("endpointId").GetString()!;
        EndpointId id = EndpointId.Parse(printed);
        Assert.Equal(key.PublicKey, id);
        Assert.Equal(printed, id.ToString());
        Assert.True(id.IsValidPublicKey);
        Assert.Equal(["aster/1", "aster.consumer_admission"], peer.Greeting.GetProperty("alpns").EnumerateArray().Select(e => e.GetString()));
    }

    [NodeFact]
    public async Task Serve_Greeting_AsterTicketParsesAndReencodesIdentically()
    {
        await using NodePeer peer = await NodePeer.ServeAsync(["aster/1"]).TimeoutAfter(TimeSpan.FromSeconds(60));
        string ticket = peer.Greeting.GetProperty("asterTicket").GetString()!;
        string addr = peer.Greeting.GetProperty("addr").GetString()!;

        AsterAddress address = AsterAddress.Parse(ticket);

        Assert.Equal(ticket, address.ToString());
        Assert.Equal(EndpointId.Parse(peer.Greeting.GetProperty("endpointId").GetString()!), address.Id);
        Assert.Equal(IPEndPoint.Parse(addr), Assert.Single(address.DirectAddresses));
        Assert.Null(address.Relay);
        Assert.Null(address.Credential);
        EndpointAddr endpoint = EndpointAddr.Parse(ticket);
        Assert.Equal(ticket, endpoint.ToString());
        Assert.Equal(address.Id, EndpointAddr.Parse(endpoint.ToNodeAddrBase64()).Id);
    }

    [NodeFact]
    public async Task Dial_WithFixedSecret_ServerAuthenticatesOurDerivedId()
    {
        using SecretKey dialer = SecretKey.Generate();
        await using NodePeer server = await NodePeer.ServeAsync(["aster/1"]).TimeoutAfter(TimeSpan.FromSeconds(60));
        string serverId = server.Greeting.GetProperty("endpointId").GetString()!;

        (int exitCode, JsonElement result, _) = await NodePeer.DialAsync(
            serverId,
            server.Greeting.GetProperty("addr").GetString()!,
            "aster/1",
            [0, 7, 1500],
            Convert.ToHexStringLower(dialer.ToBytes())).TimeoutAfter(TimeSpan.FromSeconds(60));

        Assert.True(exitCode == 0, result.ToString());
        Assert.Equal(dialer.PublicKey.ToString(), result.GetProperty("self").GetString());
        Assert.Equal(serverId, result.GetProperty("remote").GetString());
        string expected = $"conn remote={dialer.PublicKey} alpn=aster/1";
        await WaitUntil(() => server.StderrLines.Any(l => l.Contains(expected, StringComparison.Ordinal)));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (int i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition());
    }
}
