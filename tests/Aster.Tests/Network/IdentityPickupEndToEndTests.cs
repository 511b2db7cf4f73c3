using Aster.Client;
using Aster.Configuration;
using Aster.Contracts;
using Aster.Configuration.Identity;
using Aster.Net.Identity;
using Aster.Protocol;
using Aster.Server;
using Aster.Testing;
using Aster.Tests.Rpc;
using Aster.Trust;

namespace Aster.Tests.Network;

/// <summary>
/// Issue #9 over real QUIC on loopback: a server and a client built with no key, authority or credential in code pick
/// their <c>.aster-identity</c> files up (the server from its working directory, the client from
/// <c>ASTER_IDENTITY_FILE</c>); the gated server admits the enrolled client and refuses one without the file.
/// </summary>
[Collection(NetworkTestGroup.Name)]
public sealed class IdentityPickupEndToEndTests : IDisposable
{
    private static readonly ClientMethod<HelloRequest, HelloResponse> _whoAmI = new("Ops", 1, "whoAmI", MethodPattern.Unary);
    private readonly string _dir = Directory.CreateTempSubdirectory("aster-pickup-e2e-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task GatedServerAndEnrolledClient_FromTheirIdentityFiles_NoTrustInCode()
    {
        using RootKey root = RootKey.Generate();
        string rootHex = Convert.ToHexStringLower(root.PublicKey);
        string serverDir = Directory.CreateDirectory(Path.Combine(_dir, "server")).FullName;
        EndpointId serverId;
        using (SecretKey node = SecretKey.Generate())
        {
            EnrollmentCredential producer = root.SignProducer(node.PublicKey, 4_000_000_000, new Dictionary<string, string>());
            var entry = new AsterIdentityPeer { Name = "billing-producer", Role = "producer", RootPubkey = rootHex, EndpointId = node.PublicKey.ToString(), ExpiresAt = 4_000_000_000, Signature = Convert.ToHexStringLower(producer.Signature) };
            new AsterIdentityFile(node, [entry]).Write(Path.Combine(serverDir, AsterIdentityFile.DefaultFileName));
            serverId = node.PublicKey;
        }

        string clientFile = Path.Combine(_dir, "client.aster-identity");
        EndpointId clientId;
        using (SecretKey node = SecretKey.Generate())
        {
            var attributes = new Dictionary<string, string> { ["aster.role"] = "ops.status" };
            ConsumerEnrollmentCredential consumer = root.SignPolicy(node.PublicKey, 4_000_000_000, attributes);
            var entry = new AsterIdentityPeer { Name = "laptop", Role = "consumer", RootPubkey = rootHex, EndpointId = node.PublicKey.ToString(), ExpiresAt = 4_000_000_000, Signature = Convert.ToHexStringLower(consumer.Signature), Attributes = new SortedDictionary<string, string>(attributes) };
            new AsterIdentityFile(node, [entry]).Write(clientFile);
            clientId = node.PublicKey;
        }

        var serverEnv = new DictionaryEnvironmentSource([KeyValuePair.Create("ASTER_NONCE_STORE", "memory")]);
        await using AsterServer server = await NetworkServers.StartAsync([Ops()], o => o.IdentitySources = new IdentitySources(serverEnv, serverDir));

        Assert.False(server.IsDevMode);
        Assert.True(server.Admission.ConsumersGated);
        Assert.Equal(serverId, server.EndpointId);

        var clientEnv = new DictionaryEnvironmentSource([KeyValuePair.Create(AsterIdentityFile.EnvironmentVariable, clientFile)]);
        await using (AsterClient client = await AsterClient.ConnectAsync(server.EndpointAddr, ClientOptions(new IdentitySources(clientEnv, _dir))).TimeoutAfter(RawPeer.Limit))
        {
            HelloResponse me = await client.UnaryAsync(_whoAmI, new HelloRequest("x")).AsTask().TimeoutAfter(RawPeer.Limit);
            Assert.Equal($"{clientId}|ops.status", me.Message);
        }

        var noFile = new IdentitySources(new DictionaryEnvironmentSource([]), _dir);
        AdmissionException refused = await Assert.ThrowsAsync<AdmissionException>(() => AsterClient.ConnectAsync(server.EndpointAddr, ClientOptions(noFile)).TimeoutAfter(RawPeer.Limit));
        Assert.Equal(AdmissionFailure.Denied, refused.Failure);
    }

    private static AsterClientOptions ClientOptions(IdentitySources sources)
        => new() { Codecs = JsonTestCodecProvider.Instance, DefaultSerializationMode = SerializationMode.Json, IdentitySources = sources };

    private static ServiceDefinition Ops()
        => ServiceDefinition.CreateShared("Ops", 1, new object())
            .AddUnary<HelloRequest, HelloResponse>("whoAmI", (_, _, c) => ValueTask.FromResult(new HelloResponse($"{c.Peer}|{c.Attributes.GetValueOrDefault("aster.role")}")), new MethodOptions { Requires = CapabilityRequirement.Role("ops.status") })
            .Build();
}
