using System.Collections.Concurrent;
using System.Text;
using Aster.Net.Identity;
using Aster.Net.Quic;
using Aster.Testing;
using Aster.Trust;
using Aster.Trust.Mesh;

namespace Aster.Tests.Trust.Mesh;

/// <summary>
/// Our simple gossip over QUIC on loopback (trust.md 9.4–9.9): joining, signed broadcasts, graceful departure, and salt
/// rotation that leaves an evicted producer unable to follow.
/// </summary>
public sealed class MeshGossipTests
{
    internal static byte[] Lease(string service) => Encoding.UTF8.GetBytes("{\"service_name\":\"" + service + "\",\"version\":1,\"contract_id\":\"" + new string('0', 64) + "\",\"health_status\":\"ready\",\"addressing_info\":{}}");

    /// <summary>Collects every message a node delivers, by payload service name.</summary>
    internal sealed class Inbox : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _pump;

        public Inbox(MeshNode node)
        {
            _pump = Task.Run(async () =>
            {
                try
                {
                    await foreach (ProducerMessage m in node.ReadMessagesAsync(_stop.Token))
                    {
                        string payload = Encoding.UTF8.GetString(m.Payload);
                        Received.Enqueue(payload[(payload.IndexOf("\"service_name\":\"", StringComparison.Ordinal) + 16)..payload.IndexOf("\",\"version\"", StringComparison.Ordinal)]);
                    }
                }
                catch (OperationCanceledException)
                {
                }
            });
        }

        public ConcurrentQueue<string> Received { get; } = new();

        public bool Has(string name) => Received.Contains(name);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _pump;
            _stop.Dispose();
        }
    }

    private static async Task<(TestProducer A, TestProducer B, TestProducer C)> StartThreeAsync(MeshTestbed bed)
    {
        TestProducer a = await bed.CreateAsync("a");
        TestProducer b = await bed.CreateAsync("b");
        TestProducer c = await bed.CreateAsync("c");
        await MeshTestbed.StartAsync(a, bed.Options(a));
        MeshNode nb = await MeshTestbed.StartAsync(b, bed.Options(b, a));
        MeshNode nc = await MeshTestbed.StartAsync(c, bed.Options(c, a));
        Assert.Equal(MeshStartMode.Joined, nb.StartMode);
        Assert.Equal(MeshStartMode.Joined, nc.StartMode);
        string[] all = [.. new[] { a.Hex, b.Hex, c.Hex }.Order(StringComparer.Ordinal)];
        foreach (TestProducer p in new[] { a, b, c })
        {
            await MeshTestbed.WaitUntilAsync(() => p.Node!.Members.SequenceEqual(all) && p.Node.LinkedPeers.Count == 2, $"{p.Name} knows and links both others");
        }

        return (a, b, c);
    }

    [Fact]
    public async Task ThreeProducers_OneEvictedByRotation_OthersKeepGossiping_EvictedReceivesNothingNew()
    {
        await using MeshTestbed bed = new();
        (TestProducer a, TestProducer b, TestProducer c) = await StartThreeAsync(bed);
        Assert.Equal(a.Node!.Topic, c.Node!.Topic);
        await using Inbox inA = new(a.Node);
        await using Inbox inB = new(b.Node!);
        await using Inbox inC = new(c.Node);

        // Before: everyone hears everyone.
        foreach (TestProducer p in new[] { a, b, c })
        {
            Assert.True(await p.Node!.BroadcastAsync(ProducerMessageType.LeaseUpdate, Lease("before-" + p.Name)) > 0);
        }

        await MeshTestbed.WaitUntilAsync(() => inA.Has("before-b") && inA.Has("before-c") && inB.Has("before-a") && inB.Has("before-c") && inC.Has("before-a") && inC.Has("before-b"), "all three heard each other");

        // The operator rotates the salt on A only, excluding C; A delivers the new salt to B alone over their link.
        string oldTopic = a.Node.Topic;
        SaltRotationStatement rotation = SaltRotationStatement.Sign(bed.Root, 2, (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds(), System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), [c.Hex]);
        Assert.True(await a.Node.ApplySaltRotationAsync(rotation));
        await MeshTestbed.WaitUntilAsync(() => b.Node!.SaltEpoch == 2, "B received the rotation from A");
        await MeshTestbed.WaitUntilAsync(() => c.Node.LinkedPeers.Count == 0, "C's links were closed");
        await MeshTestbed.WaitUntilAsync(() => a.Node.LinkedPeers.SequenceEqual([b.Hex]) && b.Node!.LinkedPeers.SequenceEqual([a.Hex]), "A and B linked on the new topic");
        Assert.Equal(a.Node.Topic, b.Node!.Topic);
        Assert.NotEqual(oldTopic, a.Node.Topic);
        Assert.Equal(oldTopic, c.Node.Topic);
        Assert.Equal(1UL, c.Node.SaltEpoch);
        Assert.Equal([c.Hex], b.Node.Denylist);
        Assert.DoesNotContain(c.Hex, b.Node.Members);

        // C cannot follow: no link (both refuse it), no admission, no resynchronisation to the new salt.
        Assert.False(await MeshTestbed.Bounded(c.Node.ConnectAsync(a.Address)));
        Assert.False(await MeshTestbed.Bounded(c.Node.ConnectAsync(b.Address)));
        Assert.False(await MeshTestbed.Bounded(c.Node.ResynchronizeAsync()));
        Assert.Equal(oldTopic, c.Node.Topic);

        // After: A and B keep gossiping; C's broadcast reaches nobody, and C receives nothing new.
        int cQueued = await c.Node.BroadcastAsync(ProducerMessageType.LeaseUpdate, Lease("after-c"));
        await a.Node.BroadcastAsync(ProducerMessageType.LeaseUpdate, Lease("after-a"));
        await b.Node.BroadcastAsync(ProducerMessageType.LeaseUpdate, Lease("after-b"));
        await MeshTestbed.WaitUntilAsync(() => inA.Has("after-b") && inB.Has("after-a"), "A and B heard each other after the rotation");

        // One more round trip between A and B, so anything C could have injected would have arrived by now.
        await a.Node.BroadcastAsync(ProducerMessageType.LeaseUpdate, Lease("marker-a"));
        await MeshTestbed.WaitUntilAsync(() => inB.Has("marker-a"), "B heard A's marker");
        Assert.Equal(0, cQueued);
        Assert.False(inA.Has("after-c"));
        Assert.False(inB.Has("after-c"));
        Assert.Equal(["before-a", "before-b"], inC.Received.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Dispose_SendsDepart_OthersRemoveTheMember()
    {
        await using MeshTestbed bed = new();
        (TestProducer a, TestProducer b, TestProducer c) = await StartThreeAsync(bed);
        await c.Node!.DisposeAsync();
        c.Node = null;
        await MeshTestbed.WaitUntilAsync(() => !a.Node!.Members.Contains(c.Hex) && !b.Node!.Members.Contains(c.Hex), "A and B removed C after its DEPART");

        // DEPART is not an exclusion: C may come back with its credential (trust.md 9.9).
        Assert.Empty(a.Node!.Denylist);
        string reply = await MeshTestbed.AdmitRawAsync(c.Key, a, new ProducerAdmissionRequest(Encoding.UTF8.GetString(c.Credential.ToWireJson()), string.Empty).ToJson());
        Assert.StartsWith("{\"accepted\":true", reply, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resync_MemberOfflineDuringRotation_CatchesUpAfterTwoHeartbeatsOfSilence()
    {
        ManualTimeProvider clock = new();
        await using MeshTestbed bed = new(clock);
        TestProducer a = await bed.CreateAsync("a");
        TestProducer b = await bed.CreateAsync("b");
        MeshOptions optionsA = bed.Options(a);
        optionsA.Limits.RotationOverlap = TimeSpan.Zero; // A stops hearing the old topic at once
        MeshNode na = await MeshTestbed.StartAsync(a, optionsA);
        await MeshTestbed.StartAsync(b, bed.Options(b, a));
        await MeshTestbed.WaitUntilAsync(() => na.LinkedPeers.Contains(b.Hex), "A linked B");

        // B is down while the operator rotates the salt on A (nobody excluded).
        await MeshTestbed.StopAsync(b);
        SaltRotationStatement rotation = SaltRotationStatement.Sign(bed.Root, 2, (ulong)clock.GetUtcNow().ToUnixTimeSeconds(), System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), []);
        Assert.True(await na.ApplySaltRotationAsync(rotation));

        // B restarts on its old salt: A refuses a link on the unknown topic.
        TestProducer b2 = await bed.RebindAsync(b);
        MeshNode nb = await MeshTestbed.StartAsync(b2, bed.Options(b2, a));
        Assert.Equal(MeshStartMode.Resumed, nb.StartMode);
        Assert.Equal(1UL, nb.SaltEpoch);
        Assert.Empty(nb.LinkedPeers);

        // After twice the lease heartbeat without traffic, B re-runs admission, verifies the statement, and follows.
        clock.Advance(TimeSpan.FromSeconds(1805));
        await MeshTestbed.WaitUntilAsync(() => nb.SaltEpoch == 2 && nb.LinkedPeers.Contains(a.Hex), "B resynchronised and linked A on the new topic");
        Assert.Equal(na.Topic, nb.Topic);
    }

    [Fact]
    public async Task Join_NoBootstrapAdmits_FailsWithMeshException()
    {
        await using MeshTestbed bed = new();
        TestProducer a = await bed.CreateAsync("a");
        await MeshTestbed.StartAsync(a, bed.Options(a));
        TestProducer b = await bed.CreateAsync("b");
        using RootKey other = RootKey.Generate();
        MeshOptions options = bed.Options(b, a);
        options.Credential = other.SignProducer(b.Key.PublicKey, bed.Expiry, new Dictionary<string, string>());
        await Assert.ThrowsAsync<MeshException>(async () => await MeshTestbed.Bounded(MeshNode.StartAsync(options)));
    }

    [Fact]
    public async Task ReceivePipeline_T31ToT35_OnlyTheValidMessageIsDelivered()
    {
        await using MeshTestbed bed = new();
        TestProducer a = await bed.CreateAsync("a");
        TestProducer b = await bed.CreateAsync("b");
        await MeshTestbed.StartAsync(a, bed.Options(a));
        await MeshTestbed.StartAsync(b, bed.Options(b, a));
        await MeshTestbed.WaitUntilAsync(() => a.Node!.LinkedPeers.Contains(b.Hex), "A linked B");
        await using Inbox inA = new(a.Node!);
        SecretKey stranger = SecretKey.Generate();
        ulong now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        ProducerMessage Signed(SecretKey key, string sender, string service, ulong epoch, ProducerMessageType type = ProducerMessageType.LeaseUpdate)
        {
            byte[] payload = type == ProducerMessageType.Introduce ? Encoding.UTF8.GetBytes(service) : Lease(service);
            return new ProducerMessage((byte)type, payload, sender, epoch, key.Sign(ProducerMessage.SigningBytes((byte)type, payload, sender, epoch)));
        }

        ProducerMessage valid = Signed(b.Key, b.Hex, "valid", now);
        ProducerMessage[] bad =
        [
            Signed(b.Key, b.Hex, "stale-past", now - 30_001), // T31
            Signed(b.Key, b.Hex, "stale-future", now + 31_000), // T31 (real clock: a margin for transit; the exact bound is unit-tested)
            Signed(stranger, stranger.PublicKey.ToString(), "non-member", now), // T33
            Signed(stranger, b.Hex, "wrong-key", now), // T34
            Signed(stranger, stranger.PublicKey.ToString(), Encoding.UTF8.GetString(b.Credential.ToWireJson()), now, ProducerMessageType.Introduce), // T35: names another endpoint
        ];

        // Inject through B's real link to A, as B's node would forward them.
        MeshLinkProbe probe = new(b.Node!);
        foreach (ProducerMessage m in bad)
        {
            probe.Send(m);
        }

        probe.Send(valid);
        probe.Send(valid); // T32: the duplicate is dropped
        await MeshTestbed.WaitUntilAsync(() => inA.Has("valid"), "A delivered the valid message");
        await b.Node!.BroadcastAsync(ProducerMessageType.LeaseUpdate, Lease("marker"));
        await MeshTestbed.WaitUntilAsync(() => inA.Has("marker"), "A delivered the marker sent after everything else");
        Assert.Equal(["valid", "marker"], inA.Received);
        Assert.DoesNotContain(stranger.PublicKey.ToString(), a.Node!.Members);
    }
}

public sealed class ReplayGuardTests
{
    [Fact]
    public void IsFresh_T31_BoundaryIsThirtySecondsEitherWay()
    {
        ReplayGuard guard = new(TimeSpan.FromSeconds(30), 4);
        const long Now = 1_700_000_000_000;
        Assert.True(guard.IsFresh(Now - 30_000, Now));
        Assert.True(guard.IsFresh(Now + 30_000, Now));
        Assert.False(guard.IsFresh(Now - 30_001, Now));
        Assert.False(guard.IsFresh(Now + 30_001, Now));
        Assert.False(guard.IsFresh(ulong.MaxValue, Now));
    }

    [Fact]
    public void Duplicates_T32_RememberedForTwiceTheWindowAndBounded()
    {
        ReplayGuard guard = new(TimeSpan.FromSeconds(30), 2);
        byte[] s1 = [1];
        guard.Remember(s1, 0);
        Assert.True(guard.IsDuplicate(s1, 59_999));
        Assert.False(guard.IsDuplicate(s1, 60_000));
        guard.Remember([1], 0);
        guard.Remember([2], 0);
        guard.Remember([3], 0);
        Assert.Equal(2, guard.Count);
        Assert.False(guard.IsDuplicate([1], 1));
    }

    [Fact]
    public void ClockDrift_UpperMedianIsolationAndSelfOutlier()
    {
        ClockDriftTracker drift = new(TimeSpan.FromSeconds(5), 3);
        SortedDictionary<string, long> offsets = new(StringComparer.Ordinal);
        SortedSet<string> isolated = new(StringComparer.Ordinal);
        Assert.Equal(3, ClockDriftTracker.UpperMedian([1, 3, 2, 4]));
        Assert.False(drift.Record(offsets, isolated, "a", 0, decide: true));
        Assert.False(drift.Record(offsets, isolated, "b", 100, decide: true));
        Assert.False(drift.Record(offsets, isolated, "c", 20_000, decide: true));
        Assert.Contains("c", isolated);
        Assert.False(drift.Record(offsets, isolated, "c", 50, decide: true));
        Assert.DoesNotContain("c", isolated);

        // Every peer is 10 s behind us: our own clock is the outlier.
        SortedDictionary<string, long> behind = new(StringComparer.Ordinal) { ["a"] = 10_000, ["b"] = 10_000 };
        Assert.True(drift.Record(behind, isolated, "c", 10_000, decide: true));
        Assert.False(drift.Record(behind, isolated, "c", 10_000, decide: false));
    }
}

/// <summary>Queues raw envelopes on a node's open links, bypassing its signing (for pipeline attack tests).</summary>
internal sealed class MeshLinkProbe(MeshNode node)
{
    public void Send(ProducerMessage message) => node.InjectForTesting(message.ToEnvelopeJson());
}
