using Aster.Client;
using Aster.Net.Quic;
using Aster.Server;
using Aster.Testing;
using Aster.Tests.Rpc;
using Aster.Transport;

namespace Aster.Tests.Network;

/// <summary>Gate 0 (trust.md 7.1) fails closed: a refusal, an exception or no answer in time closes with 403 <c>not admitted</c>.</summary>
[Collection(NetworkTestGroup.Name)]
public sealed class Gate0Tests
{
    public static TheoryData<string> Refusals => new() { "false", "throws", "hangs" };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task RefusingAuthority_ClosesRpcConnectionWith403(string how)
    {
        var authority = new TestAuthority
        {
            Gate0 = how switch
            {
                "false" => (_, _, _) => ValueTask.FromResult(false),
                "throws" => (_, _, _) => throw new InvalidOperationException("the store is unavailable"),
                _ => async (_, _, ct) =>
                {
                    await Task.Delay(Timeout.Infinite, ct);
                    return true;
                },
            },
        };
        await using AsterServer server = await NetworkServers.StartAsync([ReferenceServices.Hello()], o =>
        {
            o.Admission = authority;
            o.AdmissionLimits.Gate0Timeout = TimeSpan.FromMilliseconds(200);
        });
        await using RawPeer peer = await RawPeer.StartAsync();

        AsterConnection connection = await peer.ConnectAsync(server.EndpointAddr, AsterAlpns.Rpc);
        await connection.Ended.TimeoutAfter(RawPeer.Limit);

        Assert.True(connection.CloseError!.IsApplicationError);
        Assert.Equal(403UL, connection.CloseError.ErrorCode);
        Assert.Equal("not admitted", connection.CloseError.ReasonPhrase);
        await connection.DisposeAsync();
    }

    [Fact]
    public async Task RefusingAuthority_ClientSeesAdmissionDenied()
    {
        var authority = new TestAuthority { Gate0 = (_, _, _) => ValueTask.FromResult(false) };
        await using AsterServer server = await NetworkServers.StartAsync([ReferenceServices.Hello()], o => o.Admission = authority);

        AdmissionException ex = await Assert.ThrowsAsync<AdmissionException>(() => AsterClient.ConnectAsync(server.Address, new AsterClientOptions { Codecs = JsonTestCodecProvider.Instance }).TimeoutAfter(RawPeer.Limit));

        Assert.True(ex.Failure == AdmissionFailure.Denied, ex.ToString());
    }

    [Fact]
    public async Task AllowingAuthority_IsAskedWithThePeerAndAlpn()
    {
        var asked = new List<(string Peer, string Alpn)>();
        var authority = new TestAuthority
        {
            Gate0 = (peer, alpn, _) =>
            {
                lock (asked)
                {
                    asked.Add((peer.ToString(), alpn));
                }

                return ValueTask.FromResult(true);
            },
        };
        await using AsterServer server = await NetworkServers.StartAsync([ReferenceServices.Hello()], o => o.Admission = authority);
        var options = new AsterClientOptions { Codecs = JsonTestCodecProvider.Instance };
        using var key = Aster.Net.Identity.SecretKey.Generate();
        options.SecretKey = key;

        await using (AsterClient client = await AsterClient.ConnectAsync(server.Address, options).TimeoutAfter(RawPeer.Limit))
        {
            HelloResponse reply = await client.UnaryAsync(new ClientMethod<HelloRequest, HelloResponse>("Hello", 1, "sayHello", Aster.Contracts.MethodPattern.Unary), new HelloRequest("gate")).AsTask().TimeoutAfter(RawPeer.Limit);
            Assert.Equal("Hello, gate!", reply.Message);
        }

        lock (asked)
        {
            Assert.Equal([(key.PublicKey.ToString(), AsterAlpns.ConsumerAdmission), (key.PublicKey.ToString(), AsterAlpns.Rpc)], asked);
        }
    }
}
