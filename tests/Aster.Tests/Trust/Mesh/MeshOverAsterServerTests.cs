using Aster.Net.Identity;
using Aster.Net.Quic;
using Aster.Server;
using Aster.Testing;
using Aster.Tests.Network;
using Aster.Tests.Rpc;
using Aster.Transport;
using Aster.Trust;
using Aster.Trust.Mesh;

namespace Aster.Tests.Trust.Mesh;

/// <summary>
/// The mesh served by real networked <see cref="AsterServer"/>s: producer admission and gossip are
/// <see cref="AsterServerOptions.AlpnHandlers"/>, and gate 0 admits gossip only from mesh members (trust.md 7.1 rule 5).
/// </summary>
public sealed class MeshOverAsterServerTests
{
    /// <summary>An ALPN handler whose target is set once the node exists (the node advertises the server's address).</summary>
    private sealed class Deferred(string alpn) : IAlpnHandler
    {
        public IAlpnHandler? Target { get; set; }

        public string Alpn => alpn;

        public Task HandleConnectionAsync(IRpcConnection connection, CancellationToken cancellationToken)
            => Target is { } target ? target.HandleConnectionAsync(connection, cancellationToken) : connection.CloseAsync(0, "starting", cancellationToken).AsTask();
    }

    private sealed class ServedProducer : IAsyncDisposable
    {
        public required string Hex { get; init; }

        public required AsterServer Server { get; init; }

        public required AsterEndpoint Dialer { get; init; }

        public MeshNode Node { get; set; } = null!;

        public async ValueTask DisposeAsync()
        {
            await Node.DisposeAsync();
            await Server.StopAsync();
            await Server.DisposeAsync();
            await Dialer.DisposeAsync();
        }
    }

    private static async Task<ServedProducer> StartAsync(MeshTestbed bed, string name, ServedProducer? bootstrap)
    {
        SecretKey key = SecretKey.Generate();
        Deferred admission = new(MeshAlpns.ProducerAdmission);
        Deferred gossip = new(MeshAlpns.Gossip);
        MeshNode? node = null;
        AsterServer server = await NetworkServers.StartAsync([ReferenceServices.Hello()], o =>
        {
            o.SecretKey = key;
            o.AlpnHandlers.Add(admission);
            o.AlpnHandlers.Add(gossip);
            o.Admission = new TestAuthority
            {
                Gate0 = (peer, alpn, _) => ValueTask.FromResult(alpn != MeshAlpns.Gossip || (Volatile.Read(ref node)?.IsMember(peer) ?? false)),
            };
        });

        // The node dials from an endpoint of its own with the same identity and advertises the server's addresses.
        AsterEndpoint dialer = await AsterEndpoint.BindAsync(new AsterEndpointOptions { SecretKey = key });
        MeshOptions options = new()
        {
            StateDirectory = Path.Combine(bed.Directory, name),
            RootPublicKey = bed.Root.PublicKey.ToArray(),
            SecretKey = key,
            Endpoint = dialer,
            Credential = bed.Root.SignProducer(key.PublicKey, bed.Expiry, new Dictionary<string, string> { ["aster.name"] = name }),
        };
        foreach (System.Net.IPEndPoint address in server.EndpointAddr.DirectAddresses)
        {
            options.AdvertisedAddresses.Add(address);
        }

        if (bootstrap is not null)
        {
            options.BootstrapPeers.Add(bootstrap.Server.EndpointAddr);
        }

        MeshNode started = await MeshTestbed.Bounded(MeshNode.StartAsync(options));
        Volatile.Write(ref node, started);
        admission.Target = started.AdmissionHandler;
        gossip.Target = started.GossipHandler;
        return new ServedProducer { Hex = key.PublicKey.ToString(), Server = server, Dialer = dialer, Node = started };
    }

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

        SaltRotationStatement rotation = SaltRotationStatement.Sign(bed.Root, 2, (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds(), System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), [c.Hex]);
        Assert.True(await a.Node.ApplySaltRotationAsync(rotation));
        await MeshTestbed.WaitUntilAsync(() => b.Node.SaltEpoch == 2 && a.Node.LinkedPeers.SequenceEqual([b.Hex]) && c.Node.LinkedPeers.Count == 0, "B followed, C was cut off");

        // Gate 0 and the handlers refuse C; its admission is rejected; it stays on the old topic.
        Assert.False(await MeshTestbed.Bounded(c.Node.ConnectAsync(a.Server.EndpointAddr)));
        Assert.False(await MeshTestbed.Bounded(c.Node.ResynchronizeAsync()));
        Assert.Equal(1UL, c.Node.SaltEpoch);

        await a.Node.BroadcastAsync(ProducerMessageType.LeaseUpdate, MeshGossipTests.Lease("after-a"));
        await b.Node.BroadcastAsync(ProducerMessageType.LeaseUpdate, MeshGossipTests.Lease("after-b"));
        await MeshTestbed.WaitUntilAsync(() => inA.Has("after-b") && inB.Has("after-a"), "A and B kept gossiping");
        Assert.Equal(["before-b"], inC.Received);
    }
}
