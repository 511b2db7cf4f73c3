using Aster.Client;
using Aster.Contracts;
using Aster.Net.Identity;
using Aster.Net.Quic;
using Aster.Protocol;
using Aster.Server;
using Aster.Testing;
using Aster.Tests.Network;
using Aster.Tests.Rpc;
using Aster.Transport;
using Aster.Trust;
using Aster.Trust.Mesh;

namespace Aster.Tests.Trust.Mesh;

/// <summary>
/// The mesh run by real networked <see cref="AsterServer"/>s with no test wiring: each server has a
/// <see cref="TrustAuthority"/> with both gates closed and <see cref="AsterServerOptions.Mesh"/>; the server starts the
/// node on its own endpoint, serves producer admission and gossip, and gate 0 rule 5 (trust.md 7.1) admits members'
/// connections and refuses evicted ones; the expiry sweep closes what an eviction left open.
/// </summary>
[Collection(NetworkTestGroup.Name)]
public sealed class MeshOverAsterServerTests
{
    private static readonly ClientMethod<HelloRequest, HelloResponse> _sayHello = new("Hello", 1, "sayHello", MethodPattern.Unary);

    private sealed class ServedProducer : IAsyncDisposable
    {
        public required string Hex { get; init; }

        public required SecretKey Key { get; init; }

        public required AsterServer Server { get; init; }

        public required TrustAuthority Authority { get; init; }

        public MeshNode Node => Server.Mesh!;

        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync();
            Authority.Dispose();
            Key.Dispose();
        }
    }

    private static async Task<ServedProducer> StartAsync(MeshTestbed bed, string name, ServedProducer? bootstrap)
    {
        SecretKey key = SecretKey.Generate();
        TrustAuthority authority = new(new TrustAuthorityOptions { RootPublicKey = bed.Root.PublicKey.ToArray(), AllowAllProducers = false, NonceStore = new InMemoryNonceStore() });
        MeshOptions mesh = new()
        {
            StateDirectory = Path.Combine(bed.Directory, name),
            RootPublicKey = bed.Root.PublicKey.ToArray(),
            Credential = bed.Root.SignProducer(key.PublicKey, bed.Expiry, new Dictionary<string, string> { ["aster.name"] = name }),
        };
        if (bootstrap is not null)
        {
            mesh.BootstrapPeers.Add(bootstrap.Server.EndpointAddr);
        }

        AsterServer server = await NetworkServers.StartAsync([ReferenceServices.Hello()], o =>
        {
            o.SecretKey = key;
            o.Admission = authority;
            o.Mesh = mesh;
            o.AdmissionLimits.ExpirySweepInterval = TimeSpan.FromMilliseconds(250);
        });
        return new ServedProducer { Hex = key.PublicKey.ToString(), Key = key, Server = server, Authority = authority };
    }

    /// <summary>An <c>aster/1</c> connection from an endpoint holding <paramref name="key"/> (a producer's identity) to <paramref name="target"/>.</summary>
    private static async Task<(AsterEndpoint Endpoint, AsterConnection Connection)> DialRpcAsync(SecretKey key, AsterServer target)
    {
        AsterEndpoint endpoint = await AsterEndpoint.BindAsync(new AsterEndpointOptions { SecretKey = key });
        AsterConnection connection = await endpoint.ConnectAsync(target.EndpointAddr, AsterAlpns.Rpc).AsTask().TimeoutAfter(RawPeer.Limit);
        return (endpoint, connection);
    }

    private static AsterClient Client(AsterConnection connection)
        => new(new QuicRpcConnection(connection), new AsterClientOptions { Codecs = JsonTestCodecProvider.Instance, DefaultSerializationMode = SerializationMode.Json });

    [Fact]
    public async Task ThreeAsterServers_OneEvictedByRotation_OthersKeepGossiping_EvictedReceivesNothingNew()
    {
        await using MeshTestbed bed = new();
        await using ServedProducer a = await StartAsync(bed, "a", null);
        await using ServedProducer b = await StartAsync(bed, "b", a);
        await using ServedProducer c = await StartAsync(bed, "c", a);
        foreach (ServedProducer p in new[] { a, b, c })
        {
            await MeshTestbed.WaitUntilAsync(() => p.Node.Members.Count == 3, "every node knows all three members");
        }

        await MeshTestbed.WaitUntilAsync(() => a.Node.LinkedPeers.Count == 2, "A linked B and C");
        await using MeshGossipTests.Inbox inA = new(a.Node);
        await using MeshGossipTests.Inbox inB = new(b.Node);
        await using MeshGossipTests.Inbox inC = new(c.Node);
        await b.Node.BroadcastAsync(ProducerMessageType.LeaseUpdate, MeshGossipTests.Lease("before-b"));
        await MeshTestbed.WaitUntilAsync(() => inA.Has("before-b") && inC.Has("before-b"), "A and C heard B");

        // Gate 0 rule 5 on aster/1: members call each other without consumer admission (consumers are gated).
        (AsterEndpoint cEndpoint, AsterConnection cToA) = await DialRpcAsync(c.Key, a.Server);
        (AsterEndpoint bEndpoint, AsterConnection bToC) = await DialRpcAsync(b.Key, c.Server);
        await using (cEndpoint)
        await using (bEndpoint)
        await using (AsterClient cClient = Client(cToA))
        await using (AsterClient bClient = Client(bToC))
        {
            Assert.Equal("Hello, c!", (await cClient.UnaryAsync(_sayHello, new HelloRequest("c")).AsTask().TimeoutAfter(RawPeer.Limit)).Message);
            Assert.Equal("Hello, b!", (await bClient.UnaryAsync(_sayHello, new HelloRequest("b")).AsTask().TimeoutAfter(RawPeer.Limit)).Message);

            SaltRotationStatement rotation = SaltRotationStatement.Sign(bed.Root, 2, (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds(), System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), [c.Hex]);
            Assert.True(await a.Node.ApplySaltRotationAsync(rotation));
            await MeshTestbed.WaitUntilAsync(() => b.Node.SaltEpoch == 2 && a.Node.LinkedPeers.SequenceEqual([b.Hex]) && c.Node.LinkedPeers.Count == 0, "B followed, C was cut off");

            // The eviction closes C's open aster/1 connection at the next sweep; a new one is refused at gate 0.
            await cToA.Ended.TimeoutAfter(RawPeer.Limit);
            Assert.Equal(403UL, cToA.CloseError!.ErrorCode);
            Assert.Equal("admission expired", cToA.CloseError.ReasonPhrase);
            (AsterEndpoint again, AsterConnection refused) = await DialRpcAsync(c.Key, a.Server);
            await using (again)
            await using (refused)
            {
                await refused.Ended.TimeoutAfter(RawPeer.Limit);
                Assert.Equal(403UL, refused.CloseError!.ErrorCode);
                Assert.Equal("not admitted", refused.CloseError.ReasonPhrase);
            }
        }

        // Gate 0 and the handlers refuse C; its admission is rejected; it stays on the old topic.
        Assert.Null(a.Authority.FindAdmission(c.Key.PublicKey));
        Assert.NotNull(a.Authority.FindAdmission(b.Key.PublicKey));
        Assert.False(await MeshTestbed.Bounded(c.Node.ConnectAsync(a.Server.EndpointAddr)));
        Assert.False(await MeshTestbed.Bounded(c.Node.ResynchronizeAsync()));
        Assert.Equal(1UL, c.Node.SaltEpoch);

        await a.Node.BroadcastAsync(ProducerMessageType.LeaseUpdate, MeshGossipTests.Lease("after-a"));
        await b.Node.BroadcastAsync(ProducerMessageType.LeaseUpdate, MeshGossipTests.Lease("after-b"));
        await MeshTestbed.WaitUntilAsync(() => inA.Has("after-b") && inB.Has("after-a"), "A and B kept gossiping");
        Assert.Equal(["before-b"], inC.Received);
    }

    [Fact]
    public async Task Stranger_IsRefusedRpc_ButMayTryProducerAdmission()
    {
        await using MeshTestbed bed = new();
        await using ServedProducer a = await StartAsync(bed, "a", null);
        await using RawPeer stranger = await RawPeer.StartAsync();

        AsterConnection rpc = await stranger.ConnectAsync(a.Server.EndpointAddr, AsterAlpns.Rpc);
        await rpc.Ended.TimeoutAfter(RawPeer.Limit);
        Assert.Equal("not admitted", rpc.CloseError!.ReasonPhrase);
        await rpc.DisposeAsync();

        // Producer admission is always reachable while producers are gated (rule 2); without a credential it is the uniform rejection.
        await using AsterConnection admission = await stranger.ConnectAsync(a.Server.EndpointAddr, AsterAlpns.ProducerAdmission);
        await using AsterStream stream = await admission.OpenBidirectionalStreamAsync();
        await stream.WriteAsync(new ProducerAdmissionRequest("", "").ToJson(), completeWrites: true);
        Assert.Equal("{\"accepted\":false,\"salt\":\"\",\"accepted_producers\":[],\"reason\":\"\"}", System.Text.Encoding.UTF8.GetString(await RawPeer.ReadToEndAsync(stream).TimeoutAfter(RawPeer.Limit)));
        Assert.Equal([a.Hex], a.Node.Members);
        Assert.Equal(MeshStartMode.Founded, a.Node.StartMode);
    }

    [Fact]
    public async Task Mesh_WithProducersOpen_ServerRefusesToStart()
    {
        await using MeshTestbed bed = new();
        using TrustAuthority open = new(new TrustAuthorityOptions { RootPublicKey = bed.Root.PublicKey.ToArray(), NonceStore = new InMemoryNonceStore() });
        var server = new AsterServer([ReferenceServices.Hello()], new AsterServerOptions
        {
            Codecs = JsonTestCodecProvider.Instance,
            Admission = open,
            Mesh = new MeshOptions { StateDirectory = Path.Combine(bed.Directory, "x"), RootPublicKey = bed.Root.PublicKey.ToArray() },
        });
        await using (server)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => server.StartAsync().TimeoutAfter(RawPeer.Limit));
        }
    }
}
