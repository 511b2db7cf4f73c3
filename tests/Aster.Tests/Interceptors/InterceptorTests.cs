using Aster.Contracts;
using Aster.Client;
using Aster.Interceptors;
using Aster.Protocol;
using Aster.Server;
using Aster.Testing;
using Aster.Tests.Rpc;
using Aster.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aster.Tests.Interceptors;

public sealed class InterceptorTests
{
    private static readonly ClientMethod<HelloRequest, HelloResponse> _sayHello = new("Hello", 1, "sayHello", MethodPattern.Unary);
    private static readonly ClientMethod<HelloRequest, HelloResponse> _flaky = new("Flaky", 1, "call", MethodPattern.Unary);
    private static readonly ClientMethod<HelloRequest, HelloResponse> _flakyIdempotent = new("Flaky", 1, "call", MethodPattern.Unary, Idempotent: true);

    [Fact]
    public async Task Auth_ServerRefusesMissingOrWrongToken_AcceptsRightOne()
    {
        await using var pair = await Pair.StartAsync(server => server.Interceptors.Add(AuthInterceptor.ForServer("s3cret")));
        RpcException missing = await Assert.ThrowsAsync<RpcException>(() => pair.Client.UnaryAsync(_sayHello, new HelloRequest("a")).AsTask().DefaultTimeout());
        Assert.Equal(StatusCode.Unauthenticated, missing.StatusCode);

        var wrong = new CallOptions().WithMetadata(new KeyValuePair<string, string>("authorization", "Bearer nope"));
        RpcException bad = await Assert.ThrowsAsync<RpcException>(() => pair.Client.UnaryAsync(_sayHello, new HelloRequest("a"), wrong).AsTask().DefaultTimeout());
        Assert.Equal(StatusCode.Unauthenticated, bad.StatusCode);

        await using var authorized = await Pair.StartAsync(server => server.Interceptors.Add(AuthInterceptor.ForServer("s3cret")), client => client.Interceptors.Add(AuthInterceptor.ForClient(() => "s3cret")));
        Assert.Equal("Hello, a!", (await authorized.Client.UnaryAsync(_sayHello, new HelloRequest("a")).DefaultTimeout()).Message);
    }

    [Fact]
    public async Task RateLimit_BeyondBurst_IsResourceExhaustedUntilTokensRefill()
    {
        var time = new ManualTimeProvider();
        await using var pair = await Pair.StartAsync(server => server.Interceptors.Add(new RateLimitInterceptor(ratePerSecond: 1, burst: 2, timeProvider: time)));
        await pair.Client.UnaryAsync(_sayHello, new HelloRequest("1")).DefaultTimeout();
        await pair.Client.UnaryAsync(_sayHello, new HelloRequest("2")).DefaultTimeout();
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => pair.Client.UnaryAsync(_sayHello, new HelloRequest("3")).AsTask().DefaultTimeout());
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        time.Advance(TimeSpan.FromSeconds(1));
        await pair.Client.UnaryAsync(_sayHello, new HelloRequest("4")).DefaultTimeout();
    }

    [Fact]
    public async Task CircuitBreaker_OpensAfterFailures_ProbesAfterRecoveryTime()
    {
        var time = new ManualTimeProvider();
        var flaky = new FlakyService(failures: 100);
        var breaker = new CircuitBreakerInterceptor(failureThreshold: 3, recoveryTime: TimeSpan.FromSeconds(5), timeProvider: time);
        await using var pair = await Pair.StartAsync(client: client => client.Interceptors.Add(breaker), extra: flaky.Definition());
        for (int i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<RpcException>(() => pair.Client.UnaryAsync(_flaky, new HelloRequest()).AsTask().DefaultTimeout());
        }

        Assert.Equal(CircuitState.Open, breaker.State);
        RpcException open = await Assert.ThrowsAsync<RpcException>(() => pair.Client.UnaryAsync(_flaky, new HelloRequest()).AsTask().DefaultTimeout());
        Assert.Equal("circuit breaker is open", open.Status.Message);
        Assert.Equal(3, flaky.Calls);

        time.Advance(TimeSpan.FromSeconds(5));
        flaky.Failures = 0;
        await pair.Client.UnaryAsync(_flaky, new HelloRequest()).DefaultTimeout();
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(4, flaky.Calls);
    }

    [Fact]
    public async Task Retry_IdempotentMethod_RetriesUntilSuccess()
    {
        var flaky = new FlakyService(failures: 2);
        await using var pair = await Pair.StartAsync(client: client => client.Interceptors.Add(new RetryInterceptor(maxAttempts: 3, initialBackoff: TimeSpan.FromMilliseconds(1))), extra: flaky.Definition());
        HelloResponse response = await pair.Client.UnaryAsync(_flakyIdempotent, new HelloRequest()).DefaultTimeout();
        Assert.Equal("ok after 3", response.Message);
    }

    [Fact]
    public async Task Retry_NonIdempotentMethod_IsNotRetried()
    {
        var flaky = new FlakyService(failures: 1);
        await using var pair = await Pair.StartAsync(client: client => client.Interceptors.Add(new RetryInterceptor(maxAttempts: 3, initialBackoff: TimeSpan.FromMilliseconds(1))), extra: flaky.Definition());
        await Assert.ThrowsAsync<RpcException>(() => pair.Client.UnaryAsync(_flaky, new HelloRequest()).AsTask().DefaultTimeout());
        Assert.Equal(1, flaky.Calls);
    }

    [Fact]
    public void Retry_Backoff_GrowsAndIsCapped()
    {
        var retry = new RetryInterceptor(initialBackoff: TimeSpan.FromMilliseconds(100), maxBackoff: TimeSpan.FromMilliseconds(300), multiplier: 2, jitter: 0);
        Assert.Equal(TimeSpan.FromMilliseconds(100), retry.Backoff(0));
        Assert.Equal(TimeSpan.FromMilliseconds(200), retry.Backoff(1));
        Assert.Equal(TimeSpan.FromMilliseconds(300), retry.Backoff(5));
    }

    [Fact]
    public async Task Metrics_CountsSuccessAndFailureOnBothSides()
    {
        var serverMetrics = new MetricsInterceptor();
        var clientMetrics = new MetricsInterceptor();
        await using var pair = await Pair.StartAsync(server => server.Interceptors.Add(serverMetrics), client => client.Interceptors.Add(clientMetrics), new FlakyService(failures: 1).Definition());
        await Assert.ThrowsAsync<RpcException>(() => pair.Client.UnaryAsync(_flaky, new HelloRequest()).AsTask().DefaultTimeout());
        await pair.Client.UnaryAsync(_flaky, new HelloRequest()).DefaultTimeout();
        Assert.Equal(new CallCounts(2, 1, 1, 0), clientMetrics.Snapshot());
        Assert.Equal(new CallCounts(2, 1, 1, 0), serverMetrics.Snapshot());
    }

    [Fact]
    public async Task Audit_RecordsCallsWithoutMetadataValues()
    {
        // The server writes its audit record as the interceptor unwinds, which can be just after the trailer has
        // reached the client: wait for the record rather than reading the list at once.
        var recorded = new TaskCompletionSource<AuditRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
        int count = 0;
        await using var pair = await Pair.StartAsync(server => server.Interceptors.Add(new AuditInterceptor(NullLogger.Instance, r =>
        {
            Interlocked.Increment(ref count);
            recorded.TrySetResult(r);
        })));
        await pair.Client.UnaryAsync(_sayHello, new HelloRequest("a"), new CallOptions().WithMetadata(new KeyValuePair<string, string>("authorization", "Bearer top-secret"))).DefaultTimeout();
        AuditRecord record = await recorded.Task.DefaultTimeout();
        Assert.Equal(1, Volatile.Read(ref count));
        Assert.Equal(("Hello", "sayHello", StatusCode.OK), (record.Service, record.Method, record.Status));
        Assert.Equal(["authorization"], record.MetadataKeys);
        Assert.DoesNotContain("top-secret", record.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DefaultDeadline_AppliesToCallsWithoutTimeout()
    {
        var sleepy = ServiceDefinition.CreateShared("Sleepy", 1, new object())
            .AddUnary<HelloRequest, HelloResponse>("call", async (_, _, c) =>
            {
                await Task.Delay(Timeout.Infinite, c.CancellationToken);
                return new HelloResponse("never");
            })
            .Build();
        await using var pair = await Pair.StartAsync(client: client => client.Interceptors.Add(new DefaultDeadlineInterceptor(TimeSpan.FromMilliseconds(50))), extra: sleepy);
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => pair.Client.UnaryAsync(new ClientMethod<HelloRequest, HelloResponse>("Sleepy", 1, "call", MethodPattern.Unary), new HelloRequest()).AsTask().DefaultTimeout());
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
    }

    [Fact]
    public async Task ServerInterceptors_RunOutermostFirst_AndSeeTheCall()
    {
        var order = new List<string>();
        await using var pair = await Pair.StartAsync(server =>
        {
            server.Interceptors.Add(new Recording("outer", order));
            server.Interceptors.Add(new Recording("inner", order));
        });
        await pair.Client.UnaryAsync(_sayHello, new HelloRequest("a")).DefaultTimeout();
        Assert.Equal(["outer:Hello/sayHello", "inner:Hello/sayHello", "inner:done", "outer:done"], order);
    }

    private sealed class Recording(string name, List<string> order) : IServerInterceptor
    {
        public async ValueTask InvokeAsync(CallContext context, Func<CallContext, ValueTask> continuation)
        {
            lock (order)
            {
                order.Add($"{name}:{context.Service}/{context.Method}");
            }

            await continuation(context);
            lock (order)
            {
                order.Add($"{name}:done");
            }
        }
    }

    private sealed class FlakyService(int failures)
    {
        private int _calls;

        public int Failures { get; set; } = failures;

        public int Calls => Volatile.Read(ref _calls);

        public ServiceDefinition Definition()
            => ServiceDefinition.CreateShared("Flaky", 1, this)
                .AddUnary<HelloRequest, HelloResponse>("call", static (s, _, _) =>
                {
                    int call = Interlocked.Increment(ref s._calls);
                    return call <= s.Failures
                        ? throw new RpcException(StatusCode.Unavailable, "try again")
                        : ValueTask.FromResult(new HelloResponse($"ok after {call}"));
                })
                .Build();
    }

    private sealed class Pair : IAsyncDisposable
    {
        private AsterServer _server = null!;
        private Task _serving = null!;

        public AsterClient Client { get; private set; } = null!;

        public static Task<Pair> StartAsync(Action<AsterServerOptions>? server = null, Action<AsterClientOptions>? client = null, ServiceDefinition? extra = null)
        {
            var serverOptions = new AsterServerOptions { Codecs = JsonTestCodecProvider.Instance };
            server?.Invoke(serverOptions);
            var clientOptions = new AsterClientOptions { Codecs = JsonTestCodecProvider.Instance, DefaultSerializationMode = SerializationMode.Json };
            client?.Invoke(clientOptions);
            var pair = new Pair();
            pair._server = new AsterServer(extra is null ? [ReferenceServices.Hello()] : [ReferenceServices.Hello(), extra], serverOptions);
            (IRpcConnection clientEnd, IRpcConnection serverEnd) = InMemoryTransport.CreatePair();
            pair._serving = pair._server.ServeConnectionAsync(serverEnd);
            pair.Client = new AsterClient(clientEnd, clientOptions);
            return Task.FromResult(pair);
        }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await _server.DisposeAsync();
            await _serving.DefaultTimeout();
        }
    }
}
