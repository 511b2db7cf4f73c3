using System.Text;
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
/// The trust gates end to end over real QUIC on loopback, with <see cref="TrustAuthority"/> as the server's authority:
/// credentials signed by a root key admit a consumer, gate 3 follows its role, an unenrolled endpoint cannot open
/// <c>aster/1</c>, a one-time token stays used across a server restart, and dev mode stays open.
/// </summary>
[Collection(NetworkTestGroup.Name)]
public sealed class TrustEndToEndTests : IDisposable
{
    private static readonly ClientMethod<HelloRequest, HelloResponse> _whoAmI = new("Ops", 1, "whoAmI", MethodPattern.Unary);
    private static readonly ClientMethod<HelloRequest, HelloResponse> _restart = new("Ops", 1, "restart", MethodPattern.Unary);
    private static readonly ClientMethod<HelloRequest, HelloResponse> _ping = new("Ops", 1, "ping", MethodPattern.Unary);
    private readonly RootKey _root = RootKey.Generate();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "aster-e2e-trust-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        _root.Dispose();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, true);
        }
    }

    private static ServiceDefinition Ops()
        => ServiceDefinition.CreateShared("Ops", 1, new object())
            .AddUnary<HelloRequest, HelloResponse>("whoAmI", (_, _, c) => ValueTask.FromResult(new HelloResponse($"{c.Peer}|{c.Attributes.GetValueOrDefault("aster.role")}|{c.PeerHandle}|{c.AdmissionPath}")), new MethodOptions { Requires = CapabilityRequirement.Role("ops.status") })
            .AddUnary<HelloRequest, HelloResponse>("restart", (_, _, _) => ValueTask.FromResult(new HelloResponse("restarted")), new MethodOptions { Requires = CapabilityRequirement.Role("ops.admin") })
            .AddUnary<HelloRequest, HelloResponse>("ping", (_, _, c) => ValueTask.FromResult(new HelloResponse(c.AdmissionPath.ToString())))
            .Build();

    private TrustAuthorityOptions Gated() => new() { RootPublicKey = _root.PublicKey.ToArray(), NonceStore = new InMemoryNonceStore() };

    private static AsterClientOptions ClientOptions(SecretKey key, ConsumerEnrollmentCredential? credential)
    {
        var options = new AsterClientOptions { Codecs = JsonTestCodecProvider.Instance, DefaultSerializationMode = SerializationMode.Json, SecretKey = key };
        if (credential is not null)
        {
            options.CredentialJson = Encoding.UTF8.GetString(credential.ToWireJson());
        }

        return options;
    }

    private static Task<AsterClient> ConnectAsync(AsterServer server, SecretKey key, ConsumerEnrollmentCredential? credential)
        => AsterClient.ConnectAsync(server.EndpointAddr, ClientOptions(key, credential)).TimeoutAfter(RawPeer.Limit);

    [Fact]
    public async Task EnrolledConsumer_CallsWhatItsRoleAllows_PermissionDeniedOtherwise()
    {
        using TrustAuthority authority = new(Gated());
        await using AsterServer server = await NetworkServers.StartAsync([Ops()], o => o.Admission = authority);
        using SecretKey key = SecretKey.Generate();
        ConsumerEnrollmentCredential credential = _root.SignPolicy(key.PublicKey, (ulong)DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(), new Dictionary<string, string> { ["aster.role"] = "ops.status", ["aster.name"] = "laptop" });

        await using AsterClient client = await ConnectAsync(server, key, credential);
        HelloResponse me = await client.UnaryAsync(_whoAmI, new HelloRequest("x")).AsTask().TimeoutAfter(RawPeer.Limit);
        RpcException denied = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(_restart, new HelloRequest("x")).AsTask().TimeoutAfter(RawPeer.Limit));

        Assert.Equal($"{key.PublicKey}|ops.status|laptop|ConsumerAdmission", me.Message);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Equal("capability check failed for method 'Ops.restart'", denied.Status.Message);
        Assert.False(server.IsDevMode);
    }

    [Fact]
    public async Task UnenrolledEndpoint_CannotOpenRpc_AndIsDeniedAdmission()
    {
        using TrustAuthority authority = new(Gated());
        await using AsterServer server = await NetworkServers.StartAsync([Ops()], o => o.Admission = authority);
        await using RawPeer peer = await RawPeer.StartAsync();

        AsterConnection connection = await peer.ConnectAsync(server.EndpointAddr, AsterAlpns.Rpc);
        await connection.Ended.TimeoutAfter(RawPeer.Limit);
        Assert.True(connection.CloseError!.IsApplicationError);
        Assert.Equal(403UL, connection.CloseError.ErrorCode);
        Assert.Equal("not admitted", connection.CloseError.ReasonPhrase);
        await connection.DisposeAsync();

        using SecretKey stranger = SecretKey.Generate();
        AdmissionException noCredential = await Assert.ThrowsAsync<AdmissionException>(() => ConnectAsync(server, stranger, null));
        Assert.Equal(AdmissionFailure.Denied, noCredential.Failure);

        using RootKey otherDeployment = RootKey.Generate();
        ConsumerEnrollmentCredential foreign = otherDeployment.SignPolicy(stranger.PublicKey, (ulong)DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(), new Dictionary<string, string> { ["aster.role"] = "ops.admin" });
        AdmissionException wrongRoot = await Assert.ThrowsAsync<AdmissionException>(() => ConnectAsync(server, stranger, foreign));
        Assert.Equal(AdmissionFailure.Denied, wrongRoot.Failure); // the uniform denial: the server says nothing more
        Assert.Null(authority.FindAdmission(stranger.PublicKey));
    }

    [Fact]
    public async Task OneTimeToken_StaysUsedAcrossServerRestart_ItsConsumerStaysAdmitted()
    {
        using SecretKey serverKey = SecretKey.Generate();
        using SecretKey first = SecretKey.Generate();
        using SecretKey second = SecretKey.Generate();
        ConsumerEnrollmentCredential ott = _root.SignOneTimeToken(null, (ulong)DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(), new Dictionary<string, string> { ["aster.role"] = "ops.status" });

        using (TrustAuthority before = TrustAuthority.OpenDurable(Gated(), _dir))
        {
            await using AsterServer server = await NetworkServers.StartAsync([Ops()], o =>
            {
                o.Admission = before;
                o.SecretKey = serverKey;
            });
            await using AsterClient client = await ConnectAsync(server, first, ott);
            Assert.StartsWith(first.PublicKey.ToString(), (await client.UnaryAsync(_whoAmI, new HelloRequest("x")).AsTask().TimeoutAfter(RawPeer.Limit)).Message, StringComparison.Ordinal);
        }

        using TrustAuthority after = TrustAuthority.OpenDurable(Gated(), _dir);
        await using AsterServer restarted = await NetworkServers.StartAsync([Ops()], o =>
        {
            o.Admission = after;
            o.SecretKey = serverKey;
        });

        AdmissionException replay = await Assert.ThrowsAsync<AdmissionException>(() => ConnectAsync(restarted, second, ott));
        Assert.Equal(AdmissionFailure.Denied, replay.Failure);
        await using AsterClient again = await ConnectAsync(restarted, first, ott);
        Assert.Equal("ConsumerAdmission", (await again.UnaryAsync(_ping, new HelloRequest("x")).AsTask().TimeoutAfter(RawPeer.Limit)).Message);
    }

    [Fact]
    public async Task DevMode_StaysOpen_ButRequirementsStillApply()
    {
        await using AsterServer server = await NetworkServers.StartAsync([Ops()]);
        using SecretKey key = SecretKey.Generate();

        await using AsterClient client = await ConnectAsync(server, key, null);

        Assert.True(server.IsDevMode);
        Assert.IsType<TrustAuthority>(server.Admission);
        Assert.Equal("OpenGate", (await client.UnaryAsync(_ping, new HelloRequest("x")).AsTask().TimeoutAfter(RawPeer.Limit)).Message);
        RpcException denied = await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(_whoAmI, new HelloRequest("x")).AsTask().TimeoutAfter(RawPeer.Limit));
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
    }
}
