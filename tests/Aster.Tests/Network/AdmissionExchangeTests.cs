using System.Text;
using System.Text.Json;
using Aster.Client;
using Aster.Net.Identity;
using Aster.Net.Quic;
using Aster.Server;
using Aster.Testing;
using Aster.Tests.Rpc;
using Aster.Transport;
using Aster.Trust;

namespace Aster.Tests.Network;

/// <summary>
/// Consumer admission over real QUIC on loopback (wire-protocol.md §17, trust.md 4.1, 4.2, 4.5): the recorded
/// reference exchanges replayed against our server and our client, and hostile requests.
/// </summary>
[Collection(NetworkTestGroup.Name)]
public sealed class AdmissionExchangeTests
{
    private static readonly string[] _summaryKeys = ["name", "version", "contract_id", "channels", "pattern", "serialization_modes"];

    [VectorTheory]
    [InlineData("admission.hello.v012")]
    [InlineData("admission.mission-control.v012")]
    [InlineData("admission.hello.current")]
    [InlineData("admission.mission-control.current")]
    public async Task ReferenceRequest_OurServer_AnswersWithTheReferenceShape(string id)
    {
        (byte[] request, byte[] recorded) = Load(id);
        using JsonDocument theirs = JsonDocument.Parse(recorded);
        string recordedNamespace = theirs.RootElement.GetProperty("registry_namespace").GetString()!;
        await using AsterServer server = await NetworkServers.StartAsync(ServicesFor(id), o => o.RegistryNamespace = recordedNamespace);
        await using RawPeer peer = await RawPeer.StartAsync();

        byte[] reply = await peer.AdmissionAsync(server.EndpointAddr, request);

        using JsonDocument ours = JsonDocument.Parse(reply);
        // Top level: the same keys in the same order, and the same values where they do not name the node.
        Assert.Equal(Keys(theirs.RootElement), Keys(ours.RootElement));
        Assert.True(ours.RootElement.GetProperty("admitted").GetBoolean());
        Assert.Equal(JsonValueKind.Object, ours.RootElement.GetProperty("attributes").ValueKind);
        Assert.Empty(ours.RootElement.GetProperty("attributes").EnumerateObject());
        Assert.Equal("", ours.RootElement.GetProperty("reason").GetString());
        Assert.Equal(server.Admission.RootPublicKeyHex, ours.RootElement.GetProperty("root_pubkey").GetString());
        Assert.Equal(recordedNamespace, ours.RootElement.GetProperty("registry_namespace").GetString());
        Assert.False(ours.RootElement.TryGetProperty("gossip_topic", out _));

        JsonElement[] ourServices = [.. ours.RootElement.GetProperty("services").EnumerateArray()];
        JsonElement[] theirServices = [.. theirs.RootElement.GetProperty("services").EnumerateArray()];
        Assert.Equal(theirServices.Length, ourServices.Length);
        for (int i = 0; i < ourServices.Length; i++)
        {
            // Our summary keys follow wire-protocol.md §17 (the Python order); the TypeScript peer orders them
            // differently and adds "methods", which readers ignore.
            Assert.Equal(_summaryKeys, Keys(ourServices[i]));
            Assert.Equal(Keys(theirServices[i]).Where(k => k != "methods").Order(), _summaryKeys.Order());
            foreach (string key in (string[])["name", "version", "pattern"])
            {
                Assert.Equal(theirServices[i].GetProperty(key).GetRawText(), ourServices[i].GetProperty(key).GetRawText());
            }

            Assert.Matches("^[0-9a-f]{64}$", ourServices[i].GetProperty("contract_id").GetString());
            string rpc = ourServices[i].GetProperty("channels").GetProperty("rpc").GetString()!;
            Assert.Equal(server.EndpointAddr, EndpointAddr.ParseNodeAddrText(Encoding.UTF8.GetString(Convert.FromBase64String(rpc))));
            if (id.EndsWith(".v012", StringComparison.Ordinal))
            {
                // A JSON-only server advertises what the 0.1.2 peer did.
                Assert.Equal(theirServices[i].GetProperty("serialization_modes").GetRawText(), ourServices[i].GetProperty("serialization_modes").GetRawText());
            }
        }
    }

    [VectorTheory]
    [InlineData("admission.hello.v012")]
    [InlineData("admission.mission-control.current")]
    public async Task OurClient_SendsTheReferenceRequest_AndReadsTheReferenceResponse(string id)
    {
        (byte[] expectedRequest, byte[] recordedResponse) = Load(id);
        await using RawPeer fake = await RawPeer.StartAsync(AsterAlpns.ConsumerAdmission, AsterAlpns.Rpc);
        var received = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        Task serving = ServeRecordedAdmissionAsync(fake.Endpoint, recordedResponse, received, stop.Token);

        await using (AsterClient client = await AsterClient.ConnectAsync(fake.Endpoint.Address.ToString(), new AsterClientOptions { Codecs = JsonTestCodecProvider.Instance }).TimeoutAfter(RawPeer.Limit))
        {
            Assert.Equal(Hex.Encode(expectedRequest), Hex.Encode(await received.Task.TimeoutAfter(RawPeer.Limit)));
            using JsonDocument recorded = JsonDocument.Parse(recordedResponse);
            Assert.Equal(
                recorded.RootElement.GetProperty("services").EnumerateArray().Select(s => (s.GetProperty("name").GetString(), s.GetProperty("contract_id").GetString(), s.GetProperty("pattern").GetString())),
                client.Services.Select(s => ((string?)s.Name, (string?)s.ContractId, (string?)s.Pattern)));

            // trust.md 4.2 client step 5: the namespace (and the topic, absent here) are kept for later use.
            AdmissionResult admission = client.Admission!;
            Assert.Equal(recorded.RootElement.GetProperty("registry_namespace").GetString(), admission.RegistryNamespace);
            Assert.Null(admission.GossipTopic);
            Assert.Equal("", admission.RootPublicKey);
            Assert.True(admission.OpenGate);
            Assert.Same(client.Services, admission.Services);
        }

        await stop.CancelAsync();
        await serving.TimeoutAfter(RawPeer.Limit);
    }

    [Fact]
    public async Task OversizeRequest_GetsTheUniformDenial()
    {
        await using AsterServer server = await NetworkServers.StartAsync([ReferenceServices.Hello()]);
        await using RawPeer peer = await RawPeer.StartAsync();

        byte[] reply = await peer.AdmissionAsync(server.EndpointAddr, Encoding.UTF8.GetBytes("{\"credential_json\":\"" + new string('a', 70_000) + "\",\"iid_token\":\"\"}"));

        Assert.Equal(UniformDenial(server), Encoding.UTF8.GetString(reply));
    }

    [Fact]
    public async Task GarbageRequests_GetTheUniformDenial_AndTheServerKeepsAdmitting()
    {
        await using AsterServer server = await NetworkServers.StartAsync([ReferenceServices.Hello()]);
        await using RawPeer peer = await RawPeer.StartAsync();
        var random = new Random(7);
        var garbage = new List<byte[]> { Array.Empty<byte>(), "[]"u8.ToArray(), "null"u8.ToArray(), "{}"u8.ToArray(), "{\"credential_json\":{}}"u8.ToArray(), new byte[] { 0xff, 0xfe, 0x7b }, "{\"credential_json\":\"\""u8.ToArray() };
        for (int i = 0; i < 4; i++)
        {
            byte[] bytes = new byte[random.Next(1, 600)];
            random.NextBytes(bytes);
            garbage.Add(bytes);
        }

        foreach (byte[] request in garbage)
        {
            Assert.Equal(UniformDenial(server), Encoding.UTF8.GetString(await peer.AdmissionAsync(server.EndpointAddr, request)));
        }

        using JsonDocument admitted = JsonDocument.Parse(await peer.AdmissionAsync(server.EndpointAddr, new ConsumerAdmissionRequest("", "").ToJson()));
        Assert.True(admitted.RootElement.GetProperty("admitted").GetBoolean());
    }

    [Fact]
    public async Task DevMode_CredentialPresented_IsDenied()
    {
        await using AsterServer server = await NetworkServers.StartAsync([ReferenceServices.Hello()]);
        await using RawPeer peer = await RawPeer.StartAsync();
        Assert.True(server.IsDevMode);

        byte[] reply = await peer.AdmissionAsync(server.EndpointAddr, new ConsumerAdmissionRequest("{\"root_pubkey\":\"00\"}", "").ToJson());

        Assert.Equal(UniformDenial(server), Encoding.UTF8.GetString(reply));
    }

    [Fact]
    public async Task SlowRequest_IsAbandonedWithoutReply()
    {
        await using AsterServer server = await NetworkServers.StartAsync([ReferenceServices.Hello()], o => o.AdmissionLimits.RequestTimeout = TimeSpan.FromMilliseconds(300));
        await using RawPeer peer = await RawPeer.StartAsync();
        await using AsterConnection connection = await peer.ConnectAsync(server.EndpointAddr, AsterAlpns.ConsumerAdmission);
        await using AsterStream stream = await connection.OpenBidirectionalStreamAsync();
        await stream.WriteAsync("{\"credential_json\""u8.ToArray(), completeWrites: false);

        byte[] reply;
        try
        {
            reply = await RawPeer.ReadToEndAsync(stream).TimeoutAfter(RawPeer.Limit);
        }
        catch (IOException)
        {
            reply = [];
        }

        Assert.Empty(reply);
        await connection.Ended.TimeoutAfter(RawPeer.Limit);
    }

    [Fact]
    public async Task SixtyFifthConcurrentAdmission_IsClosedBusy()
    {
        const int limit = 64;
        int entered = 0;
        var allEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var authority = new TestAuthority
        {
            Admit = async (_, _, ct) =>
            {
                if (Interlocked.Increment(ref entered) == limit)
                {
                    allEntered.TrySetResult();
                }

                await release.Task.WaitAsync(ct);
                return new ConsumerAdmissionDecision(true, new Dictionary<string, string>());
            },
        };
        await using AsterServer server = await NetworkServers.StartAsync([ReferenceServices.Hello()], o => o.Admission = authority);
        await using RawPeer peer = await RawPeer.StartAsync();
        byte[] request = new ConsumerAdmissionRequest("", "").ToJson();

        Task<byte[]>[] holders = [.. Enumerable.Range(0, limit).Select(_ => peer.AdmissionAsync(server.EndpointAddr, request))];
        await allEntered.Task.TimeoutAfter(TimeSpan.FromSeconds(60));
        AsterConnection extra = await peer.ConnectAsync(server.EndpointAddr, AsterAlpns.ConsumerAdmission);
        await extra.Ended.TimeoutAfter(RawPeer.Limit);
        release.TrySetResult();
        byte[][] replies = await Task.WhenAll(holders).TimeoutAfter(TimeSpan.FromSeconds(60));

        Assert.Equal(0UL, extra.CloseError!.ErrorCode);
        Assert.Equal("busy", extra.CloseError.ReasonPhrase);
        Assert.All(replies, r => Assert.True(JsonDocument.Parse(r).RootElement.GetProperty("admitted").GetBoolean()));
        await extra.DisposeAsync();
    }

    [Fact]
    public async Task Client_DeniedAdmission_ThrowsAdmissionDenied()
    {
        var authority = new TestAuthority { Admit = (_, _, _) => ValueTask.FromResult(ConsumerAdmissionDecision.Denied) };
        await using AsterServer server = await NetworkServers.StartAsync([ReferenceServices.Hello()], o => o.Admission = authority);

        AdmissionException ex = await Assert.ThrowsAsync<AdmissionException>(() => AsterClient.ConnectAsync(server.Address, ClientOptions()).TimeoutAfter(RawPeer.Limit));

        Assert.Equal(AdmissionFailure.Denied, ex.Failure);
    }

    [Fact]
    public async Task Client_ServerTrustsAnotherRoot_ThrowsDifferentRoot()
    {
        using RootKey serverRoot = RootKey.Generate();
        using RootKey credentialRoot = RootKey.Generate();
        var authority = new TestAuthority { RootPublicKeyHex = Convert.ToHexStringLower(serverRoot.PublicKey) };
        await using AsterServer server = await NetworkServers.StartAsync([ReferenceServices.Hello()], o => o.Admission = authority);
        AsterClientOptions options = ClientOptions();
        options.CredentialJson = Credential(credentialRoot, endpointId: null);

        AdmissionException ex = await Assert.ThrowsAsync<AdmissionException>(() => AsterClient.ConnectAsync(server.Address, options).TimeoutAfter(RawPeer.Limit));

        Assert.Equal(AdmissionFailure.DifferentRoot, ex.Failure);
        Assert.Contains("producer trusts a different root", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_CredentialBoundToAnotherEndpoint_FailsBeforeDialling()
    {
        using RootKey root = RootKey.Generate();
        using SecretKey other = SecretKey.Generate();
        AsterClientOptions options = ClientOptions();
        options.CredentialJson = Credential(root, other.PublicKey.ToString());
        var nowhere = new EndpointAddr(other.PublicKey, null, [new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 9)]);

        AdmissionException ex = await Assert.ThrowsAsync<AdmissionException>(() => AsterClient.ConnectAsync(nowhere, options).TimeoutAfter(RawPeer.Limit));

        Assert.Equal(AdmissionFailure.CredentialNotForThisEndpoint, ex.Failure);
    }

    [Fact]
    public async Task RootKeyHolder_GetsGossipTopicAfterReason_OtherConsumersDoNot()
    {
        byte[] seed = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        using RootKey root = RootKey.FromSeed(seed);
        using TrustAuthority authority = new(new TrustAuthorityOptions { RootPublicKey = root.PublicKey.ToArray() });
        string ns = new('a', 64);
        await using AsterServer server = await NetworkServers.StartAsync([ReferenceServices.Hello()], o =>
        {
            o.Admission = authority;
            o.RegistryNamespace = ns;
        });
        using SecretKey shellKey = SecretKey.FromBytes(seed);
        using SecretKey otherKey = SecretKey.Generate();
        ulong expires = (ulong)DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        ConsumerEnrollmentCredential shellCredential = root.SignPolicy(shellKey.PublicKey, expires, new Dictionary<string, string> { ["aster.role"] = "ops" });
        ConsumerEnrollmentCredential otherCredential = root.SignPolicy(otherKey.PublicKey, expires, new Dictionary<string, string>());
        string topic = authority.GossipTopicFor(shellKey.PublicKey)!;

        await using RawPeer shell = await RawPeer.StartAsync(shellKey);
        string raw = Encoding.UTF8.GetString(await shell.AdmissionAsync(server.EndpointAddr, new ConsumerAdmissionRequest(Encoding.UTF8.GetString(shellCredential.ToWireJson()), "").ToJson()));
        AsterClientOptions shellOptions = ClientOptions();
        shellOptions.SecretKey = shellKey;
        shellOptions.CredentialJson = Encoding.UTF8.GetString(shellCredential.ToWireJson());
        AsterClientOptions otherOptions = ClientOptions();
        otherOptions.SecretKey = otherKey;
        otherOptions.CredentialJson = Encoding.UTF8.GetString(otherCredential.ToWireJson());
        await using AsterClient shellClient = await AsterClient.ConnectAsync(server.Address, shellOptions).TimeoutAfter(RawPeer.Limit);
        await using AsterClient otherClient = await AsterClient.ConnectAsync(server.Address, otherOptions).TimeoutAfter(RawPeer.Limit);

        Assert.Matches("^[0-9a-f]{64}$", topic);
        Assert.EndsWith($"\"registry_namespace\":\"{ns}\",\"root_pubkey\":\"{authority.RootPublicKeyHex}\",\"reason\":\"\",\"gossip_topic\":\"{topic}\"}}", raw, StringComparison.Ordinal);
        Assert.Equal(topic, shellClient.Admission!.GossipTopic);
        Assert.Equal(ns, shellClient.Admission.RegistryNamespace);
        Assert.False(shellClient.Admission.OpenGate);
        Assert.Equal("ops", shellClient.Admission.Attributes["aster.role"]);
        Assert.Null(otherClient.Admission!.GossipTopic);
        Assert.Equal(ns, otherClient.Admission.RegistryNamespace);
    }

    [Fact]
    public async Task RegistryNamespace_NotHex_ServerRefusesToStart()
    {
        var server = new AsterServer([ReferenceServices.Hello()], new AsterServerOptions { Codecs = JsonTestCodecProvider.Instance, RegistryNamespace = "not-a-namespace" });
        await using (server)
        {
            await Assert.ThrowsAsync<ArgumentException>(() => server.StartAsync().TimeoutAfter(RawPeer.Limit));
        }
    }

    internal static string UniformDenial(AsterServer server)
        => $"{{\"admitted\":false,\"attributes\":{{}},\"services\":[],\"registry_namespace\":\"\",\"root_pubkey\":\"{server.Admission.RootPublicKeyHex}\",\"reason\":\"\"}}";

    private static AsterClientOptions ClientOptions() => new() { Codecs = JsonTestCodecProvider.Instance };

    private static string Credential(RootKey root, string? endpointId)
    {
        // The client only reads the credential's root and binding; the signature is not its business (the server's gate 1 checks it).
        var credential = new ConsumerEnrollmentCredential(ConsumerCredentialType.Policy, root.PublicKey, 4_000_000_000, new Dictionary<string, string>(), endpointId, null, new byte[64]);
        return Encoding.UTF8.GetString(credential.ToWireJson());
    }

    private static async Task ServeRecordedAdmissionAsync(AsterEndpoint endpoint, byte[] response, TaskCompletionSource<byte[]> received, CancellationToken cancellationToken)
    {
        var held = new List<AsterConnection>();
        try
        {
            while (true)
            {
                AsterConnection connection = await endpoint.AcceptAsync(cancellationToken);
                if (connection.Alpn != AsterAlpns.ConsumerAdmission)
                {
                    held.Add(connection);
                    continue;
                }

                await using AsterStream stream = await connection.AcceptBidirectionalStreamAsync(cancellationToken);
                received.TrySetResult(await RawPeer.ReadToEndAsync(stream));
                await stream.WriteAsync(response, completeWrites: true, cancellationToken);
                held.Add(connection);
            }
        }
        catch (OperationCanceledException)
        {
        }

        foreach (AsterConnection connection in held)
        {
            await connection.DisposeAsync();
        }
    }

    private static ServiceDefinition[] ServicesFor(string id)
        => id.Contains("hello", StringComparison.Ordinal)
            ? [ReferenceServices.Hello()]
            : [ReferenceServices.MissionControl(), ReferenceServices.AgentSession()];

    private static string[] Keys(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];

    private static (byte[] Request, byte[] Response) Load(string id)
    {
        using JsonDocument doc = Vectors.Load("wire", "admission.json");
        JsonElement exchange = doc.RootElement.GetProperty("exchanges").EnumerateArray().Single(e => e.GetProperty("id").GetString() == id);
        JsonElement[] messages = [.. exchange.GetProperty("messages").EnumerateArray()];
        return (Hex.Decode(messages.Single(m => m.GetProperty("dir").GetString() == "c2s").GetProperty("hex").GetString()!),
                Hex.Decode(messages.Single(m => m.GetProperty("dir").GetString() == "s2c").GetProperty("hex").GetString()!));
    }
}
