using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Aster.Net.Identity;
using Aster.Testing;
using Aster.Trust;
using Aster.Trust.Mesh;

namespace Aster.Tests.Trust.Mesh;

/// <summary>Mesh state persistence (trust.md 9.1, 9.3): found, resume across a restart, mismatches and corruption.</summary>
public sealed class MeshStateTests
{
    [Fact]
    public async Task Restart_SameFiles_ResumesSaltMembersAndDenylist()
    {
        await using MeshTestbed bed = new();
        TestProducer a = await bed.CreateAsync("a");
        MeshNode first = await MeshTestbed.StartAsync(a, bed.Options(a));
        string topic = first.Topic;
        SecretKey joiner = SecretKey.Generate();
        SecretKey evicted = SecretKey.Generate();
        foreach (SecretKey k in new[] { joiner, evicted })
        {
            string reply = await MeshTestbed.AdmitRawAsync(k, a, new ProducerAdmissionRequest(Encoding.UTF8.GetString(bed.Root.SignProducer(k.PublicKey, bed.Expiry, new Dictionary<string, string>()).ToWireJson()), string.Empty).ToJson());
            Assert.StartsWith("{\"accepted\":true", reply, StringComparison.Ordinal);
        }

        SaltRotationStatement rotation = SaltRotationStatement.Sign(bed.Root, 2, (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds(), Enumerable.Repeat((byte)0x5a, 32).ToArray(), [evicted.PublicKey.ToString()]);
        Assert.True(await first.ApplySaltRotationAsync(rotation));
        Assert.False(await first.ApplySaltRotationAsync(rotation)); // idempotent
        string rotatedTopic = first.Topic;
        Assert.NotEqual(topic, rotatedTopic);
        await first.DisposeAsync();
        a.Node = null;

        // A new node object over the same files: resumed, nothing regenerated.
        MeshNode second = await MeshNode.StartAsync(bed.Options(a)).DefaultTimeout();
        a.Node = second;
        Assert.Equal(MeshStartMode.Resumed, second.StartMode);
        Assert.Equal(rotatedTopic, second.Topic);
        Assert.Equal(2UL, second.SaltEpoch);
        Assert.Equal(new[] { a.Hex, joiner.PublicKey.ToString() }.Order(StringComparer.Ordinal), second.Members);
        Assert.Equal([evicted.PublicKey.ToString()], second.Denylist);

        // The file has the reference's keys and ours, two-space indented, and never a rotation salt.
        string file = await File.ReadAllTextAsync(Path.Combine(a.StateDirectory, "mesh_state.json"));
        using JsonDocument doc = JsonDocument.Parse(file);
        foreach (string key in (string[])["accepted_producers", "salt", "topic_id", "peer_offsets", "drift_isolated", "last_heartbeat_epoch_ms", "mesh_joined_at_epoch_ms", "mesh_dead", "root_pubkey", "self_endpoint_id", "salt_epoch", "denylist", "rotation", "member_credentials"])
        {
            Assert.True(doc.RootElement.TryGetProperty(key, out _), key);
        }

        Assert.Equal(rotatedTopic, doc.RootElement.GetProperty("topic_id").GetString());
        Assert.False(doc.RootElement.GetProperty("rotation").TryGetProperty("salt", out _));
        Assert.StartsWith("{\n  \"accepted_producers\": [", file, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(a.StateDirectory, "mesh_state.json")));
        }
    }

    [Fact]
    public async Task Start_StateOfAnotherRootOrNode_Fails()
    {
        await using MeshTestbed bed = new();
        TestProducer a = await bed.CreateAsync("a");
        await MeshTestbed.StartAsync(a, bed.Options(a));
        await a.Node!.DisposeAsync();
        a.Node = null;

        MeshOptions otherRoot = bed.Options(a);
        using RootKey other = RootKey.Generate();
        otherRoot.RootPublicKey = other.PublicKey.ToArray();
        otherRoot.Credential = null;
        await Assert.ThrowsAsync<MeshException>(async () => await MeshNode.StartAsync(otherRoot));

        TestProducer b = await bed.CreateAsync("b");
        MeshOptions otherNode = bed.Options(b);
        otherNode.StateDirectory = a.StateDirectory;
        await Assert.ThrowsAsync<MeshException>(async () => await MeshNode.StartAsync(otherNode));
    }

    [Fact]
    public async Task Start_CorruptState_FailsNamingTheFile()
    {
        await using MeshTestbed bed = new();
        TestProducer a = await bed.CreateAsync("a");
        Directory.CreateDirectory(a.StateDirectory);
        await File.WriteAllTextAsync(Path.Combine(a.StateDirectory, "mesh_state.json"), "{\"salt\":");
        MeshException ex = await Assert.ThrowsAsync<MeshException>(async () => await MeshNode.StartAsync(bed.Options(a)));
        Assert.Contains("mesh_state.json", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Found_LegacySaltFile_Adopted()
    {
        await using MeshTestbed bed = new();
        TestProducer a = await bed.CreateAsync("a");
        Directory.CreateDirectory(a.StateDirectory);
        byte[] legacy = Enumerable.Repeat((byte)0x11, 32).ToArray();
        await File.WriteAllBytesAsync(Path.Combine(a.StateDirectory, "mesh_salt"), legacy);
        MeshNode node = await MeshTestbed.StartAsync(a, bed.Options(a));
        Assert.Equal(MeshStartMode.Founded, node.StartMode);
        Assert.Equal(Convert.ToHexStringLower(GossipTopic.Derive(bed.Root.PublicKey, legacy)), node.Topic);
        Assert.Equal([a.Hex], node.Members);
    }

    [Fact]
    public async Task Start_InvalidOptions_ArgumentExceptionNamingTheOption()
    {
        await using MeshTestbed bed = new();
        TestProducer a = await bed.CreateAsync("a");
        MeshOptions noDir = bed.Options(a);
        noDir.StateDirectory = null;
        Assert.Contains("StateDirectory", (await Assert.ThrowsAsync<ArgumentException>(async () => await MeshNode.StartAsync(noDir))).Message, StringComparison.Ordinal);

        MeshOptions foreign = bed.Options(a);
        foreign.Credential = bed.Root.SignProducer(SecretKey.Generate().PublicKey, bed.Expiry, new Dictionary<string, string>());
        Assert.Contains("another endpoint", (await Assert.ThrowsAsync<ArgumentException>(async () => await MeshNode.StartAsync(foreign))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StateJson_RoundTrips()
    {
        using RootKey root = RootKey.Generate();
        string self = SecretKey.Generate().PublicKey.ToString();
        MeshState state = new() { RootPublicKey = root.PublicKey.ToArray(), SelfEndpointId = self, Salt = new byte[32], SaltEpoch = 3 };
        state.Members.Add(self);
        state.PeerOffsets[self] = -12;
        MeshState back = MeshState.Parse(state.ToJson());
        Assert.Equal(state.ToJson(), back.ToJson());
    }
}

/// <summary>The periodic sweep (trust.md 9.4, 9.8) driven by a manual clock, and admission records for the host.</summary>
public sealed class MeshSweepTests
{
    private sealed class Records : IMeshAdmissionRecords
    {
        public ConcurrentDictionary<EndpointId, PeerAdmission> Live { get; } = new();

        public void Record(PeerAdmission admission) => Live[admission.EndpointId] = admission;

        public void Remove(EndpointId peer) => Live.TryRemove(peer, out _);
    }

    [Fact]
    public async Task Sweep_RotationDropFileAppliedAndMoved_ExpiredMemberRemoved_RecordsFollow()
    {
        ManualTimeProvider clock = new();
        await using MeshTestbed bed = new(clock);
        TestProducer a = await bed.CreateAsync("a");
        Records records = new();
        MeshOptions options = bed.Options(a);
        options.AdmissionRecords = records;
        MeshNode node = await MeshTestbed.StartAsync(a, options);
        ulong now = (ulong)clock.GetUtcNow().ToUnixTimeSeconds();

        SecretKey shortLived = SecretKey.Generate();
        SecretKey excluded = SecretKey.Generate();
        foreach ((SecretKey key, ulong expiry) in new[] { (shortLived, now + 15), (excluded, now + 3600) })
        {
            EnrollmentCredential c = bed.Root.SignProducer(key.PublicKey, expiry, new Dictionary<string, string> { ["aster.name"] = "p" });
            string reply = await MeshTestbed.AdmitRawAsync(key, a, new ProducerAdmissionRequest(Encoding.UTF8.GetString(c.ToWireJson()), string.Empty).ToJson());
            Assert.StartsWith("{\"accepted\":true", reply, StringComparison.Ordinal);
        }

        PeerAdmission record = records.Live[excluded.PublicKey];
        Assert.Equal(AdmissionPath.ProducerAdmission, record.Path);
        Assert.Equal("p", record.Handle);
        Assert.Equal((long)now + 3600, record.ExpiresAt);

        SaltRotationStatement rotation = SaltRotationStatement.Sign(bed.Root, 2, now, Enumerable.Repeat((byte)7, 32).ToArray(), [excluded.PublicKey.ToString()]);
        await File.WriteAllBytesAsync(Path.Combine(a.StateDirectory, MeshNode.RotationDropFileName), rotation.ToJson(includeSalt: true));
        clock.Advance(TimeSpan.FromSeconds(20));

        // The records are removed right after the new state is saved: wait for both.
        await MeshTestbed.WaitUntilAsync(() => node.SaltEpoch == 2 && node.Members.Count == 1 && !records.Live.ContainsKey(excluded.PublicKey), "the sweep applied the drop file, removed the expired member and the excluded record");
        Assert.Equal([a.Hex], node.Members);
        Assert.Equal([excluded.PublicKey.ToString()], node.Denylist);
        await MeshTestbed.WaitUntilAsync(() => File.Exists(Path.Combine(a.StateDirectory, "applied", "2.json")), "the drop file was moved");
        Assert.False(File.Exists(Path.Combine(a.StateDirectory, MeshNode.RotationDropFileName)));
    }
}
