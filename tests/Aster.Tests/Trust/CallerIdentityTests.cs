using Aster.Client;
using Aster.Contracts;
using Aster.Interceptors;
using Aster.Net.Identity;
using Aster.Protocol;
using Aster.Server;
using Aster.Testing;
using Aster.Tests.Rpc;
using Aster.Transport;
using Aster.Trust;

namespace Aster.Tests.Trust;

/// <summary>
/// Gates 2 and 3 on a running server over the in-memory transport: <see cref="CallContext"/> carries the caller's
/// identity and admission snapshot (trust.md 8.1), the capability interceptor refuses before the request is decoded
/// (7.5), an expired admission ends new calls with UNAUTHENTICATED (7.1, T27), and in-process calls follow 8.2.
/// </summary>
public sealed class CallerIdentityTests : IDisposable
{
    private static readonly EndpointId _peer = EndpointId.FromBytes(Enumerable.Repeat((byte)4, 32).ToArray());
    private static readonly ClientMethod<HelloRequest, HelloResponse> _status = new("Ops", 1, "status", MethodPattern.Unary);
    private static readonly ClientMethod<HelloRequest, HelloResponse> _restart = new("Ops", 1, "restart", MethodPattern.Unary);
    private static readonly ClientMethod<HelloRequest, HelloResponse> _logs = new("Ops", 1, "logs", MethodPattern.ServerStream);
    private static readonly ClientMethod<HelloRequest, HelloResponse> _audit = new("Ops", 1, "audit", MethodPattern.Unary);
    private static readonly ClientMethod<HelloRequest, HelloResponse> _open = new("Open", 1, "ping", MethodPattern.Unary);
    private static readonly ClientMethod<ProbeRequest, HelloResponse> _probe = new("Ops", 1, "probe", MethodPattern.Unary);
    private readonly RootKey _root = RootKey.FromSeed(Enumerable.Repeat((byte)1, 32).ToArray());
    private readonly ManualTimeProvider _clock = new();
    private readonly List<CallContext> _seen = [];

    public void Dispose() => _root.Dispose();

    private ServiceDefinition Ops(CapabilityRequirement? serviceRequirement = null)
    {
        ServiceDefinitionBuilder<object> builder = ServiceDefinition.CreateShared("Ops", 1, new object());
        if (serviceRequirement is not null)
        {
            builder.RequireCapability(serviceRequirement);
        }

        return builder
            .AddUnary<HelloRequest, HelloResponse>("status", (_, r, c) => Answer(c), new MethodOptions { Requires = CapabilityRequirement.Role("ops.status"), Idempotent = true })
            .AddUnary<HelloRequest, HelloResponse>("restart", (_, r, c) => Answer(c), new MethodOptions { Requires = CapabilityRequirement.Role("ops.admin") })
            .AddServerStreaming<HelloRequest, HelloResponse>("logs", (_, r, c) => Stream(c), new MethodOptions { Requires = CapabilityRequirement.AnyOf("ops.logs", "ops.admin") })
            .AddUnary<HelloRequest, HelloResponse>("audit", (_, r, c) => Answer(c), new MethodOptions { Requires = CapabilityRequirement.AllOf("ops.status", "ops.logs") })
            .AddUnary<ProbeRequest, HelloResponse>("probe", (_, r, c) => Answer(c), new MethodOptions { Requires = CapabilityRequirement.Role("ops.admin") })
            .Build();
    }

    private static ServiceDefinition Open()
        => ServiceDefinition.CreateShared("Open", 1, new object())
            .AddUnary<HelloRequest, HelloResponse>("ping", (_, _, c) => ValueTask.FromResult(new HelloResponse(c.Attributes.GetValueOrDefault("aster.role", "-"))))
            .Build();

    private ValueTask<HelloResponse> Answer(CallContext context)
    {
        lock (_seen)
        {
            _seen.Add(context);
        }

        Assert.Same(context, CallContext.Current);
        return ValueTask.FromResult(new HelloResponse("ok"));
    }

    private async IAsyncEnumerable<HelloResponse> Stream(CallContext context)
    {
        await Answer(context);
        yield return new HelloResponse("line");
    }

    private TrustAuthority Authority(bool consumersOpen = false) => new(new TrustAuthorityOptions
    {
        RootPublicKey = _root.PublicKey.ToArray(),
        AllowAllConsumers = consumersOpen,
        TimeProvider = _clock,
    });

    private void Admit(TrustAuthority authority, string roles, long expiresAt = 0)
        => authority.Peers.Record(new PeerAdmission(_peer, "ops-shell", new Dictionary<string, string> { ["aster.role"] = roles, ["team"] = "sre" }, _clock.GetUtcNow().ToUnixTimeSeconds(), expiresAt, AdmissionPath.ConsumerAdmission));

    private static async Task<RpcException> DeniedAsync<TRequest>(Harness harness, ClientMethod<TRequest, HelloResponse> method, TRequest request)
        => await Assert.ThrowsAsync<RpcException>(() => harness.Client.UnaryAsync(method, request).AsTask().DefaultTimeout());

    [Fact]
    public async Task RemoteCall_AdmittedRole_SeesPeerAttributesAndMethodFacts()
    {
        using TrustAuthority authority = Authority();
        Admit(authority, "ops.status");
        await using Harness harness = Harness.Remote(authority, Ops(), Open());

        Assert.Equal("ok", (await harness.Client.UnaryAsync(_status, new HelloRequest("x")).DefaultTimeout()).Message);

        CallContext context = Assert.Single(_seen);
        Assert.Equal(_peer, context.Peer);
        Assert.False(context.IsInProcess);
        Assert.Equal("ops.status", context.Attributes["aster.role"]);
        Assert.Equal("sre", context.Attributes["team"]);
        Assert.Equal("ops-shell", context.PeerHandle);
        Assert.Equal(AdmissionPath.ConsumerAdmission, context.AdmissionPath);
        Assert.Equal(MethodPattern.Unary, context.Pattern);
        Assert.False(context.IsStreaming);
        Assert.True(context.Idempotent);
        Assert.Null(CallContext.Current);
    }

    [Fact]
    public async Task RemoteCall_T28_MethodNeedsAnotherRole_PermissionDeniedWithReferenceMessage()
    {
        using TrustAuthority authority = Authority();
        Admit(authority, "ops.status");
        await using Harness harness = Harness.Remote(authority, Ops(), Open());

        RpcException denied = await DeniedAsync(harness, _restart, new HelloRequest("x"));

        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Equal("capability check failed for method 'Ops.restart'", denied.Status.Message);
        Assert.Empty(_seen);
    }

    [Fact]
    public async Task RemoteCall_AnyOfAndAllOf_EvaluatedPerMethod()
    {
        using TrustAuthority authority = Authority();
        Admit(authority, " ops.status , ,ops.logs");
        await using Harness harness = Harness.Remote(authority, Ops(), Open());

        Assert.Equal("ok", (await harness.Client.UnaryAsync(_audit, new HelloRequest("x")).DefaultTimeout()).Message); // ALL_OF, T29
        List<HelloResponse> lines = await harness.Client.ServerStreamingAsync(_logs, new HelloRequest("x")).CollectAsync();
        Assert.Equal("line", Assert.Single(lines).Message); // ANY_OF
        Assert.True(_seen[1].IsStreaming);
        Assert.Equal(MethodPattern.ServerStream, _seen[1].Pattern);

        Admit(authority, "ops.status");
        Assert.Equal(StatusCode.PermissionDenied, (await DeniedAsync(harness, _audit, new HelloRequest("x"))).StatusCode); // ALL_OF missing one
        Admit(authority, "ops.status,OPS.LOGS");
        RpcException anyOf = await Assert.ThrowsAsync<RpcException>(() => harness.Client.ServerStreamingAsync(_logs, new HelloRequest("x")).CollectAsync());
        Assert.Equal(StatusCode.PermissionDenied, anyOf.StatusCode); // ANY_OF, case-sensitive: no overlap
    }

    [Fact]
    public async Task RemoteCall_ServiceAndMethodRequirements_BothMustPass()
    {
        using TrustAuthority authority = Authority();
        Admit(authority, "ops.status");
        await using Harness harness = Harness.Remote(authority, Ops(CapabilityRequirement.Role("staff")), Open());

        RpcException service = await DeniedAsync(harness, _status, new HelloRequest("x"));
        Assert.Equal("capability check failed for service 'Ops'", service.Status.Message);

        Admit(authority, "staff");
        RpcException method = await DeniedAsync(harness, _status, new HelloRequest("x"));
        Assert.Equal("capability check failed for method 'Ops.status'", method.Status.Message);

        Admit(authority, "staff,ops.status");
        Assert.Equal("ok", (await harness.Client.UnaryAsync(_status, new HelloRequest("x")).DefaultTimeout()).Message);
    }

    [Fact]
    public async Task RemoteCall_Denied_RequestBodyNeverDecoded()
    {
        using TrustAuthority authority = Authority();
        Admit(authority, "ops.status");
        await using Harness harness = Harness.Remote(authority, Ops(), Open());
        var request = new ProbeRequest { Value = "x" };
        int before = ProbeRequest.Assignments;

        RpcException denied = await DeniedAsync(harness, _probe, request);

        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Equal(before, ProbeRequest.Assignments); // the server never deserialized (which assigns Value)
    }

    [Fact]
    public async Task RemoteCall_T27_AdmissionExpiresOnOpenConnection_NextCallUnauthenticated()
    {
        using TrustAuthority authority = Authority();
        Admit(authority, "ops.status", expiresAt: _clock.GetUtcNow().ToUnixTimeSeconds() + 60);
        await using Harness harness = Harness.Remote(authority, Ops(), Open());
        Assert.Equal("ops.status", (await harness.Client.UnaryAsync(_open, new HelloRequest("x")).DefaultTimeout()).Message);

        _clock.Advance(TimeSpan.FromSeconds(60));
        RpcException expired = await DeniedAsync(harness, _open, new HelloRequest("x"));

        Assert.Equal(StatusCode.Unauthenticated, expired.StatusCode);
        Assert.Equal("admission expired", expired.Status.Message);
    }

    [Fact]
    public async Task RemoteCall_NeverAdmittedWhileGated_Unauthenticated()
    {
        using TrustAuthority authority = Authority();
        await using Harness harness = Harness.Remote(authority, Ops(), Open());
        RpcException refused = await DeniedAsync(harness, _open, new HelloRequest("x"));
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
    }

    [Fact]
    public async Task RemoteCall_OpenGate_UnadmittedPeerCallsUnrestrictedMethodWithEmptyAttributes()
    {
        using TrustAuthority authority = Authority(consumersOpen: true);
        await using Harness harness = Harness.Remote(authority, Ops(), Open());

        Assert.Equal("-", (await harness.Client.UnaryAsync(_open, new HelloRequest("x")).DefaultTimeout()).Message);
        Assert.Equal(StatusCode.PermissionDenied, (await DeniedAsync(harness, _status, new HelloRequest("x"))).StatusCode);
    }

    [Fact]
    public async Task RemoteCall_NoAuthority_PeerKnownAdmissionNone()
    {
        await using Harness harness = Harness.Remote(null, Ops(), Open());
        Assert.Equal(StatusCode.PermissionDenied, (await DeniedAsync(harness, _status, new HelloRequest("x"))).StatusCode);
    }

    [Fact]
    public async Task InProcessCall_PassesGate3ByDefault_WithInProcessIdentity()
    {
        await using Harness harness = Harness.InProcess(new InMemoryTransportOptions(), Ops());

        Assert.Equal("ok", (await harness.Client.UnaryAsync(_restart, new HelloRequest("x")).DefaultTimeout()).Message);

        CallContext context = Assert.Single(_seen);
        Assert.Null(context.Peer);
        Assert.True(context.IsInProcess);
        Assert.Equal(AdmissionPath.InProcess, context.AdmissionPath);
        Assert.Empty(context.Attributes);
        Assert.Equal(string.Empty, context.PeerHandle);
    }

    [Fact]
    public async Task InProcessCall_EnforceCapabilities_EvaluatesGivenAttributes()
    {
        var options = new InMemoryTransportOptions
        {
            CallerAttributes = new Dictionary<string, string> { ["aster.role"] = "ops.status" },
            EnforceCapabilitiesInProcess = true,
        };
        await using Harness harness = Harness.InProcess(options, Ops());

        Assert.Equal("ok", (await harness.Client.UnaryAsync(_status, new HelloRequest("x")).DefaultTimeout()).Message);
        Assert.Equal("ops.status", _seen[0].Attributes["aster.role"]);
        Assert.Equal(StatusCode.PermissionDenied, (await DeniedAsync(harness, _restart, new HelloRequest("x"))).StatusCode);
    }

    [Fact]
    public async Task ExplicitCapabilityInterceptor_RunsFirstEvenWhenListedLast()
    {
        var order = new List<string>();
        await using Harness harness = Harness.InProcess(
            new InMemoryTransportOptions { EnforceCapabilitiesInProcess = true },
            Ops(),
            new RecordingInterceptor(order),
            CapabilityInterceptor.Instance);

        Assert.Equal(StatusCode.PermissionDenied, (await DeniedAsync(harness, _restart, new HelloRequest("x"))).StatusCode);
        Assert.Empty(order); // refused before any other interceptor ran
        Assert.Equal(StatusCode.PermissionDenied, (await DeniedAsync(harness, _status, new HelloRequest("x"))).StatusCode);
        Assert.Empty(order);
    }

    [Fact]
    public void Definition_EmptyRequirement_IsDefinitionError()
    {
        Assert.Throws<ArgumentException>(() => ServiceDefinition.CreateShared("Bad", 1, new object())
            .RequireCapability(new CapabilityRequirement(CapabilityKind.AnyOf, []))
            .AddUnary<HelloRequest, HelloResponse>("x", (_, _, _) => ValueTask.FromResult(new HelloResponse("")))
            .Build());
        Assert.Throws<ArgumentException>(() => ServiceDefinition.CreateShared("Bad", 1, new object())
            .AddUnary<HelloRequest, HelloResponse>("x", (_, _, _) => ValueTask.FromResult(new HelloResponse("")), new MethodOptions { Requires = new(CapabilityKind.Role, [""]) })
            .Build());
    }

    [Fact]
    public void ServiceBinder_AttributeRequirements_ReachTheDefinition()
    {
        ServiceDefinition definition = ServiceBinder.FromInstance(new EnumRoles());
        Assert.Equal(CapabilityKind.Role, definition.Requires!.Kind);
        Assert.Equal(["Admin"], definition.Requires.Roles);
        Assert.Equal(["ops.status", "Admin"], Assert.Single(definition.Methods).Options.Requires!.Roles);
    }

    private sealed class EnumRoles : Contracts.AttributeTests.IEnumRoles
    {
        public ValueTask<Contracts.Mirrors.Echo.EchoResponse> EchoAsync(Contracts.Mirrors.Echo.EchoRequest request) => throw new NotSupportedException();
    }

    private sealed class RecordingInterceptor(List<string> order) : IServerInterceptor
    {
        public ValueTask InvokeAsync(CallContext context, Func<CallContext, ValueTask> continuation)
        {
            order.Add("recording");
            return continuation(context);
        }
    }

    /// <summary>A server and client over the in-memory transport; the server end may report a remote peer.</summary>
    private sealed class Harness : IAsyncDisposable
    {
        private AsterServer _server = null!;
        private Task _serving = null!;

        public AsterClient Client { get; private set; } = null!;

        public static Harness Remote(IAdmissionAuthority? authority, params ServiceDefinition[] services)
        {
            (IRpcConnection client, IRpcConnection server) = InMemoryTransport.CreatePair(new InMemoryTransportOptions { RemotePeer = _peer });
            return Start(client, server, authority, services, []);
        }

        public static Harness InProcess(InMemoryTransportOptions options, ServiceDefinition service, params IServerInterceptor[] interceptors)
        {
            (IRpcConnection client, IRpcConnection server) = InMemoryTransport.CreatePair(options);
            return Start(client, server, null, [service], interceptors);
        }

        private static Harness Start(IRpcConnection client, IRpcConnection server, IAdmissionAuthority? authority, ServiceDefinition[] services, IServerInterceptor[] interceptors)
        {
            var options = new AsterServerOptions { Codecs = JsonTestCodecProvider.Instance, Admission = authority };
            foreach (IServerInterceptor interceptor in interceptors)
            {
                options.Interceptors.Add(interceptor);
            }

            var harness = new Harness { _server = new AsterServer(services, options) };
            harness._serving = harness._server.ServeConnectionAsync(server);
            harness.Client = new AsterClient(client, new AsterClientOptions { Codecs = JsonTestCodecProvider.Instance, DefaultSerializationMode = SerializationMode.Json });
            return harness;
        }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await _server.DisposeAsync();
            await _serving.DefaultTimeout();
        }
    }
}

/// <summary>A request whose deserialization is observable: every assignment of <see cref="Value"/> is counted.</summary>
public sealed class ProbeRequest
{
    private static int _assignments;
    private string _value = string.Empty;

    public static int Assignments => Volatile.Read(ref _assignments);

    public string Value
    {
        get => _value;
        set
        {
            Interlocked.Increment(ref _assignments);
            _value = value;
        }
    }
}
