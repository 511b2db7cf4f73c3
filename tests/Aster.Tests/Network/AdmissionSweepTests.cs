using System.Text;
using System.Text.Json;
using Aster.Client;
using Aster.Contracts;
using Aster.Net.Identity;
using Aster.Net.Quic;
using Aster.Protocol;
using Aster.Server;
using Aster.Testing;
using Aster.Tests.Rpc;
using Aster.Transport;
using Aster.Trust;

namespace Aster.Tests.Network;

/// <summary>
/// The expiry sweep of trust.md 7.1 (T27) over real QUIC on loopback: a server whose clock is a
/// <see cref="ManualTimeProvider"/> closes the <c>aster/1</c> connection of a consumer whose credential has expired with
/// 403 <c>admission expired</c> and leaves a consumer with a live admission alone.
/// </summary>
[Collection(NetworkTestGroup.Name)]
public sealed class AdmissionSweepTests : IDisposable
{
    private static readonly ClientMethod<HelloRequest, HelloResponse> _sayHello = new("Hello", 1, "sayHello", MethodPattern.Unary);
    private readonly RootKey _root = RootKey.Generate();
    private readonly ManualTimeProvider _clock = new();

    public void Dispose() => _root.Dispose();

    private sealed class Consumer : IAsyncDisposable
    {
        public required RawPeer Peer { get; init; }

        public required AsterConnection Connection { get; init; }

        public required AsterClient Client { get; init; }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await Connection.DisposeAsync();
            await Peer.DisposeAsync();
        }
    }

    /// <summary>An authority gating consumers by <see cref="_root"/>, on the test's clock.</summary>
    private TrustAuthority GatedAuthority()
        => new(new TrustAuthorityOptions { RootPublicKey = _root.PublicKey.ToArray(), NonceStore = new InMemoryNonceStore(_clock), TimeProvider = _clock });

    /// <summary>A Hello server admitting through <paramref name="authority"/>, on the test's clock (so the sweep timer follows it).</summary>
    private Task<AsterServer> StartServerAsync(TrustAuthority authority)
        => NetworkServers.StartAsync([ReferenceServices.Hello()], o =>
        {
            o.Admission = authority;
            o.TimeProvider = _clock;
        });

    /// <summary>Admits a fresh endpoint with a policy credential expiring after <paramref name="lifetime"/>, then opens <c>aster/1</c>.</summary>
    private async Task<Consumer> AdmitAsync(AsterServer server, TimeSpan lifetime)
    {
        RawPeer peer = await RawPeer.StartAsync();
        ulong expiresAt = (ulong)_clock.GetUtcNow().Add(lifetime).ToUnixTimeSeconds();
        ConsumerEnrollmentCredential credential = _root.SignPolicy(peer.Endpoint.Id, expiresAt, new Dictionary<string, string> { ["aster.name"] = "sweep" });
        byte[] reply = await peer.AdmissionAsync(server.EndpointAddr, new ConsumerAdmissionRequest(Encoding.UTF8.GetString(credential.ToWireJson()), "").ToJson());
        using (JsonDocument answer = JsonDocument.Parse(reply))
        {
            Assert.True(answer.RootElement.GetProperty("admitted").GetBoolean());
        }

        AsterConnection connection = await peer.ConnectAsync(server.EndpointAddr, AsterAlpns.Rpc);
        var client = new AsterClient(new QuicRpcConnection(connection), new AsterClientOptions { Codecs = JsonTestCodecProvider.Instance, DefaultSerializationMode = SerializationMode.Json });
        return new Consumer { Peer = peer, Connection = connection, Client = client };
    }

    [Fact]
    public async Task Sweep_ExpiredCredential_ClosesWith403AdmissionExpired_LiveConsumerUntouched()
    {
        using TrustAuthority authority = GatedAuthority();
        await using AsterServer server = await StartServerAsync(authority);
        await using Consumer expiring = await AdmitAsync(server, TimeSpan.FromMinutes(5));
        await using Consumer lasting = await AdmitAsync(server, TimeSpan.FromDays(30));
        Assert.Equal("Hello, a!", (await expiring.Client.UnaryAsync(_sayHello, new HelloRequest("a")).AsTask().TimeoutAfter(RawPeer.Limit)).Message);
        Assert.Equal("Hello, b!", (await lasting.Client.UnaryAsync(_sayHello, new HelloRequest("b")).AsTask().TimeoutAfter(RawPeer.Limit)).Message);

        // Ten minutes later the first credential has expired; the 60 s sweep timer is due.
        _clock.Advance(TimeSpan.FromMinutes(10));

        await expiring.Connection.Ended.TimeoutAfter(RawPeer.Limit);
        Assert.True(expiring.Connection.CloseError!.IsApplicationError);
        Assert.Equal(403UL, expiring.Connection.CloseError.ErrorCode);
        Assert.Equal("admission expired", expiring.Connection.CloseError.ReasonPhrase);
        Assert.Equal("Hello, c!", (await lasting.Client.UnaryAsync(_sayHello, new HelloRequest("c")).AsTask().TimeoutAfter(RawPeer.Limit)).Message);
        Assert.Null(lasting.Connection.CloseError);
        Assert.False(lasting.Connection.Ended.IsCompleted);
    }

    [Fact]
    public async Task Sweep_RemovedAdmission_ClosesTheConnection_BeforeTheSweepCallsAreRefused()
    {
        using TrustAuthority authority = GatedAuthority();
        await using AsterServer server = await StartServerAsync(authority);
        await using Consumer removed = await AdmitAsync(server, TimeSpan.FromDays(30));
        Assert.Equal("Hello, a!", (await removed.Client.UnaryAsync(_sayHello, new HelloRequest("a")).AsTask().TimeoutAfter(RawPeer.Limit)).Message);

        authority.Peers.Remove(removed.Peer.Endpoint.Id);
        RpcException refused = await Assert.ThrowsAsync<RpcException>(() => removed.Client.UnaryAsync(_sayHello, new HelloRequest("b")).AsTask().TimeoutAfter(RawPeer.Limit));
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Equal("admission expired", refused.Status.Message);
        Assert.Null(removed.Connection.CloseError);

        _clock.Advance(TimeSpan.FromSeconds(60));

        await removed.Connection.Ended.TimeoutAfter(RawPeer.Limit);
        Assert.Equal(403UL, removed.Connection.CloseError!.ErrorCode);
        Assert.Equal("admission expired", removed.Connection.CloseError.ReasonPhrase);
    }
}
