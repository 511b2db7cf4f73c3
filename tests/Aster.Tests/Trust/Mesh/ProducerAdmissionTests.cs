using System.Text;
using System.Text.Json.Nodes;
using Aster.Net.Identity;
using Aster.Net.Quic;
using Aster.Testing;
using Aster.Transport;
using Aster.Trust;
using Aster.Trust.Mesh;

namespace Aster.Tests.Trust.Mesh;

/// <summary>
/// Producer admission over real QUIC on loopback (trust.md 4.3): the happy path, and the producer attack cases of
/// section 13 answered with the uniform rejection (4.5).
/// </summary>
public sealed class ProducerAdmissionTests
{
    private const string Rejection = "{\"accepted\":false,\"salt\":\"\",\"accepted_producers\":[],\"reason\":\"\"}";

    private static byte[] Request(EnrollmentCredential c) => new ProducerAdmissionRequest(Encoding.UTF8.GetString(c.ToWireJson()), string.Empty).ToJson();

    private static byte[] Request(string credentialJson) => new ProducerAdmissionRequest(credentialJson, string.Empty).ToJson();

    [Fact]
    public async Task Admission_ValidCredentialFromItsEndpoint_ReturnsSaltAndSortedMembers()
    {
        await using MeshTestbed bed = new();
        TestProducer founder = await bed.CreateAsync("a");
        MeshNode node = await MeshTestbed.StartAsync(founder, bed.Options(founder));
        Assert.Equal(MeshStartMode.Founded, node.StartMode);

        SecretKey joiner = SecretKey.Generate();
        EnrollmentCredential credential = bed.Root.SignProducer(joiner.PublicKey, bed.Expiry, new Dictionary<string, string> { ["aster.role"] = "producer" });
        ProducerAdmissionResponse response = ProducerAdmissionResponse.Parse(Encoding.UTF8.GetBytes(await MeshTestbed.AdmitRawAsync(joiner, founder, Request(credential))));

        Assert.True(response.Accepted);
        Assert.Equal(64, response.Salt.Length);
        Assert.Equal(node.Topic, Convert.ToHexStringLower(GossipTopic.Derive(bed.Root.PublicKey, Convert.FromHexString(response.Salt))));
        Assert.Equal(new[] { founder.Hex, joiner.PublicKey.ToString() }.Order(StringComparer.Ordinal), response.AcceptedProducers);
        Assert.Null(response.SaltRotationJson);
        Assert.True(node.IsMember(joiner.PublicKey));
    }

    [Fact]
    public async Task Admission_InputVariants_RawCredentialBodyAndCamelCaseAccepted()
    {
        await using MeshTestbed bed = new();
        TestProducer founder = await bed.CreateAsync("a");
        await MeshTestbed.StartAsync(founder, bed.Options(founder));
        SecretKey one = SecretKey.Generate();
        SecretKey two = SecretKey.Generate();
        EnrollmentCredential c1 = bed.Root.SignProducer(one.PublicKey, bed.Expiry, new Dictionary<string, string>());
        EnrollmentCredential c2 = bed.Root.SignProducer(two.PublicKey, bed.Expiry, new Dictionary<string, string>());

        // A body that is itself the credential (reference Python back-compat), and the TypeScript key credentialJson.
        string raw = await MeshTestbed.AdmitRawAsync(one, founder, c1.ToWireJson());
        JsonObject camel = new() { ["credentialJson"] = Encoding.UTF8.GetString(c2.ToWireJson()), ["iid_token"] = string.Empty };
        string ts = await MeshTestbed.AdmitRawAsync(two, founder, Encoding.UTF8.GetBytes(camel.ToJsonString()));

        Assert.StartsWith("{\"accepted\":true,", raw, StringComparison.Ordinal);
        Assert.StartsWith("{\"accepted\":true,", ts, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admission_AttackCases_UniformRejectionAndNoMembership()
    {
        ManualTimeProvider clock = new();
        await using MeshTestbed bed = new(clock);
        using RootKey wrongRoot = RootKey.Generate();
        TestProducer founder = await bed.CreateAsync("a");
        MeshNode node = await MeshTestbed.StartAsync(founder, bed.Options(founder));
        SecretKey peer = SecretKey.Generate();
        SecretKey thief = SecretKey.Generate();
        ulong now = (ulong)clock.GetUtcNow().ToUnixTimeSeconds();
        Dictionary<string, string> attrs = new() { ["aster.role"] = "producer" };
        EnrollmentCredential good = bed.Root.SignProducer(peer.PublicKey, bed.Expiry, attrs);

        JsonObject tampered = JsonNode.Parse(good.ToWireJson())!.AsObject();
        tampered["attributes"]!["aster.role"] = "admin";
        JsonObject expiresPlusOne = JsonNode.Parse(good.ToWireJson())!.AsObject();
        expiresPlusOne["expires_at"] = bed.Expiry + 1;

        (string Name, SecretKey From, byte[] Body)[] cases =
        [
            ("tampered attribute (T3)", peer, Request(tampered.ToJsonString())),
            ("expires_at + 1 (T2)", peer, Request(expiresPlusOne.ToJsonString())),
            ("wrong root (T10)", peer, Request(wrongRoot.SignProducer(peer.PublicKey, bed.Expiry, attrs))),
            ("expired: expires_at = now (T12)", peer, Request(bed.Root.SignProducer(peer.PublicKey, now, attrs))),
            ("expired: now - 1 (T12)", peer, Request(bed.Root.SignProducer(peer.PublicKey, now - 1, attrs))),
            ("copied credential from another key (T16)", thief, Request(good)),
            ("consumer credential (T21)", peer, Request(bed.Root.SignPolicy(peer.PublicKey, bed.Expiry, attrs).ToWireJson() is var b ? Encoding.UTF8.GetString(b) : string.Empty)),
            ("invalid JSON (T19)", peer, "{\"credential_json\":"u8.ToArray()),
            ("invalid UTF-8 (T19)", peer, [0x7b, 0xff, 0x7d]),
            ("trailing bytes (T19)", peer, [.. Request(good), .. "x"u8.ToArray()]),
            ("credential_json as object (T19)", peer, Encoding.UTF8.GetBytes("{\"credential_json\":" + Encoding.UTF8.GetString(good.ToWireJson()) + "}")),
            ("empty body (T19)", peer, []),
            ("oversize body (T18)", peer, new byte[(64 * 1024) + 1]),
            ("aster.iid_provider without a verifier (T23)", peer, Request(bed.Root.SignProducer(peer.PublicKey, bed.Expiry, new Dictionary<string, string> { ["aster.iid_provider"] = "aws" }))),
        ];

        foreach ((string name, SecretKey from, byte[] body) in cases)
        {
            string reply = await MeshTestbed.AdmitRawAsync(from, founder, body);
            Assert.True(reply == Rejection, $"{name}: {reply}");
        }

        Assert.Equal([founder.Hex], node.Members);

        // T12 boundary: expires one second from now is accepted.
        string accepted = await MeshTestbed.AdmitRawAsync(peer, founder, Request(bed.Root.SignProducer(peer.PublicKey, now + 1, attrs)));
        Assert.StartsWith("{\"accepted\":true,", accepted, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admission_T30_DenylistedEndpointWithValidCredential_Rejected()
    {
        await using MeshTestbed bed = new();
        TestProducer founder = await bed.CreateAsync("a");
        MeshNode node = await MeshTestbed.StartAsync(founder, bed.Options(founder));
        SecretKey evicted = SecretKey.Generate();
        EnrollmentCredential credential = bed.Root.SignProducer(evicted.PublicKey, bed.Expiry, new Dictionary<string, string>());
        Assert.StartsWith("{\"accepted\":true,", await MeshTestbed.AdmitRawAsync(evicted, founder, Request(credential)), StringComparison.Ordinal);

        SaltRotationStatement rotation = SaltRotationStatement.Sign(bed.Root, 2, (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds(), RandomSalt(), [evicted.PublicKey.ToString()]);
        Assert.True(await node.ApplySaltRotationAsync(rotation));

        Assert.Equal(Rejection, await MeshTestbed.AdmitRawAsync(evicted, founder, Request(credential)));
        Assert.DoesNotContain(evicted.PublicKey.ToString(), node.Members);
        Assert.Contains(evicted.PublicKey.ToString(), node.Denylist);

        // Another producer admitted after the rotation gets the new salt and the statement (without the salt) to check it.
        SecretKey late = SecretKey.Generate();
        string reply = await MeshTestbed.AdmitRawAsync(late, founder, Request(bed.Root.SignProducer(late.PublicKey, bed.Expiry, new Dictionary<string, string>())));
        ProducerAdmissionResponse response = ProducerAdmissionResponse.Parse(Encoding.UTF8.GetBytes(reply));
        Assert.Equal(Convert.ToHexStringLower(rotation.Salt!), response.Salt);
        Assert.NotNull(response.SaltRotationJson);
        Assert.DoesNotContain(response.Salt, response.SaltRotationJson, StringComparison.Ordinal);
        Assert.True(SaltRotationStatement.Parse(Encoding.UTF8.GetBytes(response.SaltRotationJson!), Convert.FromHexString(response.Salt)).IsAcceptable(bed.Root.PublicKey, 1, TimeProvider.System));
    }

    [Fact]
    public async Task Admission_T20_RequestNeverFinished_NoReplyAndStreamReset()
    {
        await using MeshTestbed bed = new();
        TestProducer founder = await bed.CreateAsync("a");
        MeshOptions options = bed.Options(founder);
        options.Limits.AdmissionRequestTimeout = TimeSpan.FromMilliseconds(300);
        await MeshTestbed.StartAsync(founder, options);

        SecretKey peer = SecretKey.Generate();
        await using AsterEndpoint client = await AsterEndpoint.BindAsync(new AsterEndpointOptions { SecretKey = peer });
        AsterConnection connection = await client.ConnectAsync(founder.Address, AsterAlpns.ProducerAdmission).DefaultTimeout();
        await using QuicRpcConnection rpc = new(connection);
        IRpcStream stream = await rpc.OpenStreamAsync().DefaultTimeout();
        await stream.Output.WriteAsync("{\"credential_json\":"u8.ToArray());
        await stream.Output.FlushAsync();

        // No FIN: the server gives up after its request timeout; no reply byte arrives, only a reset or the close.
        long received = 0;
        try
        {
            System.IO.Pipelines.ReadResult result = await stream.Input.ReadAsync().AsTask().DefaultTimeout();
            received = result.Buffer.Length;
        }
        catch (IOException)
        {
            // The stream reset or the connection close: both mean "no reply".
        }

        Assert.Equal(0, received);
        await MeshTestbed.WaitUntilAsync(() => rpc.Closed.IsCancellationRequested, "the server closed the connection");
        await stream.DisposeAsync();
    }

    [Fact]
    public async Task Admission_MoreThanConcurrencyLimit_ClosedBusyNotDenied()
    {
        await using MeshTestbed bed = new();
        TestProducer founder = await bed.CreateAsync("a");
        MeshOptions options = bed.Options(founder);
        options.Limits.MaxConcurrentAdmissions = 1;
        await MeshTestbed.StartAsync(founder, options);

        // The first exchange holds the only slot (no FIN yet); the second connection is closed with reason "busy".
        await using AsterEndpoint holder = await AsterEndpoint.BindAsync(new AsterEndpointOptions { SecretKey = SecretKey.Generate() });
        await using QuicRpcConnection held = new(await holder.ConnectAsync(founder.Address, AsterAlpns.ProducerAdmission).DefaultTimeout());
        IRpcStream open = await held.OpenStreamAsync().DefaultTimeout();
        await open.Output.WriteAsync("{"u8.ToArray());
        await MeshTestbed.WaitUntilAsync(() => founder.Host!.Accepted == 1, "the first exchange was accepted");

        await using AsterEndpoint second = await AsterEndpoint.BindAsync(new AsterEndpointOptions { SecretKey = SecretKey.Generate() });
        AsterConnection busy = await second.ConnectAsync(founder.Address, AsterAlpns.ProducerAdmission).DefaultTimeout();
        await MeshTestbed.WaitUntilAsync(() => busy.Ended.IsCompleted, "the busy connection closed");
        Assert.Equal("busy", busy.CloseError?.ReasonPhrase);
        await open.DisposeAsync();
    }

    private static byte[] RandomSalt() => System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
}
