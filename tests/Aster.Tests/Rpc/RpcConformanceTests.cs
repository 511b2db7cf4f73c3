using Aster.Contracts;
using System.Runtime.CompilerServices;
using Aster.Client;
using Aster.Protocol;
using Aster.Server;
using Aster.Testing;
using Aster.Transport;

namespace Aster.Tests.Rpc;

/// <summary>
/// The gRPC interop cases, in Aster terms, plus sessions and limits. A subclass supplies the connection, so the same
/// suite runs over the in-memory transport now and over QUIC later.
/// </summary>
public abstract class RpcConformanceTests : IAsyncLifetime
{
    private static readonly ClientMethod<Empty, Empty> _emptyCall = new("TestService", 1, "empty_call", MethodPattern.Unary);
    private static readonly ClientMethod<SimpleRequest, SimpleResponse> _unaryCall = new("TestService", 1, "unary_call", MethodPattern.Unary);
    private static readonly ClientMethod<Payload, AggregatedSize> _streamingInput = new("TestService", 1, "streaming_input_call", MethodPattern.ClientStream);
    private static readonly ClientMethod<StreamingOutputRequest, Payload> _streamingOutput = new("TestService", 1, "streaming_output_call", MethodPattern.ServerStream);
    private static readonly ClientMethod<StreamingOutputRequest, Payload> _fullDuplex = new("TestService", 1, "full_duplex_call", MethodPattern.BidiStream);
    private static readonly ClientMethod<Empty, CounterReply> _increment = new("Counter", 1, "increment", MethodPattern.Unary);

    private readonly TestService _service = new();
    private readonly List<int> _disposedSessions = [];
    private AsterServer? _server;
    private Task? _serving;

    protected AsterClient Client { get; private set; } = null!;

    /// <summary>Server limits for this run (small ones so limit tests stay fast).</summary>
    protected static RpcLimits TestLimits() => TestService.ConformanceLimits();

    /// <summary>Creates a connected (client end, server end) pair for the in-process server.</summary>
    protected abstract Task<(IRpcConnection Client, IRpcConnection Server)> ConnectAsync();

    public async Task InitializeAsync() => Client = await StartAsync();

    public async Task DisposeAsync()
    {
        await Client.DisposeAsync();
        if (_server is not null)
        {
            await _server.DisposeAsync();
            await _serving!.DefaultTimeout();
        }

        await DisposeTransportAsync();
    }

    /// <summary>Starts the server under test and returns a client of it; by default an in-process server over <see cref="ConnectAsync"/>.</summary>
    protected virtual async Task<AsterClient> StartAsync()
    {
        var options = new AsterServerOptions { Codecs = JsonTestCodecProvider.Instance, Limits = TestLimits() };
        _server = new AsterServer([TestService.Definition(_service), TestService.CounterDefinition(_disposedSessions)], options);
        (IRpcConnection client, IRpcConnection server) = await ConnectAsync();
        _serving = _server.ServeConnectionAsync(server);
        return new AsterClient(client, new AsterClientOptions { Codecs = JsonTestCodecProvider.Instance, DefaultSerializationMode = SerializationMode.Json, MaxFrameLength = 1024 * 1024 });
    }

    /// <summary>Whether the server saw the last call's cancellation (its handler's token fired).</summary>
    protected virtual Task<bool> ServerSawCancellationAsync() => _service.LastCallCancelled.Task.DefaultTimeout();

    /// <summary>The sessions the server disposed once the client's connection has closed.</summary>
    protected virtual async Task<IReadOnlyList<int>> SessionsDisposedAfterCloseAsync()
    {
        await _serving!.DefaultTimeout();
        lock (_disposedSessions)
        {
            return [.. _disposedSessions];
        }
    }

    /// <summary>Releases what <see cref="ConnectAsync"/> created beyond the two connections.</summary>
    protected virtual Task DisposeTransportAsync() => Task.CompletedTask;

    [Fact]
    public async Task EmptyUnary_ReturnsEmpty()
    {
        Empty response = await Client.UnaryAsync(_emptyCall, new Empty()).DefaultTimeout();
        Assert.NotNull(response);
    }

    [Fact]
    public async Task LargeUnary_NearFrameLimit_RoundTrips()
    {
        // base64 in JSON: 700,000 bytes become about 933 KB, close to the 1 MiB test frame limit.
        SimpleResponse response = await Client.UnaryAsync(_unaryCall, new SimpleRequest(ResponseSize: 700_000, Body: new byte[700_000])).DefaultTimeout();
        Assert.Equal(700_000, response.Body.Length);
    }

    [Fact]
    public async Task LargeUnary_ResponseOverFrameLimit_IsResourceExhausted()
    {
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(_unaryCall, new SimpleRequest(ResponseSize: 900_000)).AsTask().DefaultTimeout());
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.NotNull(await Client.UnaryAsync(_emptyCall, new Empty()).DefaultTimeout());
    }

    [Fact]
    public async Task ClientStreaming_SumsPayloadSizes()
    {
        AggregatedSize result = await Client.ClientStreamingAsync(_streamingInput, Items(new Payload(new byte[27182]), new Payload(new byte[8]), new Payload(new byte[1828]), new Payload(new byte[45904]))).DefaultTimeout();
        Assert.Equal(74922, result.AggregatedPayloadSize);
    }

    [Fact]
    public async Task ServerStreaming_ReturnsEachSizeInOrder()
    {
        List<Payload> responses = await Client.ServerStreamingAsync(_streamingOutput, new StreamingOutputRequest([31415, 9, 2653, 58979])).CollectAsync();
        Assert.Equal([31415, 9, 2653, 58979], responses.Select(r => r.Body.Length));
    }

    [Fact]
    public async Task PingPong_AlternatesRequestsAndResponses()
    {
        int[] sizes = [31415, 9, 2653, 58979];
        var requests = System.Threading.Channels.Channel.CreateUnbounded<StreamingOutputRequest>();
        await using IAsyncEnumerator<Payload> responses = Client.DuplexStreamingAsync(_fullDuplex, requests.Reader.ReadAllAsync()).GetAsyncEnumerator();
        foreach (int size in sizes)
        {
            await requests.Writer.WriteAsync(new StreamingOutputRequest([size]));
            Assert.True(await responses.MoveNextAsync().AsTask().DefaultTimeout());
            Assert.Equal(size, responses.Current.Body.Length);
        }

        requests.Writer.Complete();
        Assert.False(await responses.MoveNextAsync().AsTask().DefaultTimeout());
    }

    [Fact]
    public async Task EmptyStream_DuplexWithNoRequests_EndsWithNoResponses()
    {
        List<Payload> responses = await Client.DuplexStreamingAsync(_fullDuplex, Items<StreamingOutputRequest>()).CollectAsync();
        Assert.Empty(responses);
    }

    [Fact]
    public async Task CancelAfterBegin_ClientStreaming_ThrowsCancelledAndServerSeesIt()
    {
        using var cts = new CancellationTokenSource();
        var gate = new TaskCompletionSource();
        Task<AggregatedSize> call = Client.ClientStreamingAsync(_streamingInput, WaitThen(gate.Task), cancellationToken: cts.Token).AsTask();
        await Task.Delay(50);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.DefaultTimeout());
        Assert.True(await ServerSawCancellationAsync());
        gate.TrySetResult();
    }

    [Fact]
    public async Task CancelAfterFirstResponse_Duplex_ThrowsCancelledAndServerSeesIt()
    {
        using var cts = new CancellationTokenSource();
        var requests = System.Threading.Channels.Channel.CreateUnbounded<StreamingOutputRequest>();
        await requests.Writer.WriteAsync(new StreamingOutputRequest([31415]));
        IAsyncEnumerator<Payload> responses = Client.DuplexStreamingAsync(_fullDuplex, requests.Reader.ReadAllAsync(), cancellationToken: cts.Token).GetAsyncEnumerator();
        Assert.True(await responses.MoveNextAsync().AsTask().DefaultTimeout());
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => responses.MoveNextAsync().AsTask().DefaultTimeout());
        await responses.DisposeAsync();
        Assert.True(await ServerSawCancellationAsync());
        Assert.NotNull(await Client.UnaryAsync(_emptyCall, new Empty()).DefaultTimeout());
    }

    [Fact]
    public async Task TimeoutOnSleepingServer_IsDeadlineExceeded()
    {
        var options = new CallOptions { Timeout = TimeSpan.FromMilliseconds(100) };
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(_unaryCall, new SimpleRequest(SleepMs: 10_000), options).AsTask().DefaultTimeout());
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.True(await ServerSawCancellationAsync());
    }

    [Fact]
    public async Task ZeroTimeout_FailsLocallyWithDeadlineExceeded()
    {
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(_emptyCall, new Empty(), new CallOptions { Timeout = TimeSpan.Zero }).AsTask().DefaultTimeout());
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
    }

    [Fact]
    public async Task StatusCodeAndMessage_FromHandler_ReachClient()
    {
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(_unaryCall, new SimpleRequest(StatusCode: 2, StatusMessage: "test status message")).AsTask().DefaultTimeout());
        Assert.Equal(StatusCode.Unknown, ex.StatusCode);
        Assert.Equal("test status message", ex.Status.Message);
    }

    [Fact]
    public async Task SpecialStatusMessage_Unicode_SurvivesTheWire()
    {
        const string message = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n";
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(_unaryCall, new SimpleRequest(StatusCode: 2, StatusMessage: message)).AsTask().DefaultTimeout());
        Assert.Equal(message, ex.Status.Message);
    }

    [Fact]
    public async Task UnimplementedMethod_IsUnimplemented()
    {
        var method = new ClientMethod<Empty, Empty>("TestService", 1, "unimplemented_call", MethodPattern.Unary);
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(method, new Empty()).AsTask().DefaultTimeout());
        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
        Assert.Equal("Method 'TestService.unimplemented_call' not implemented", ex.Status.Message);
    }

    [Fact]
    public async Task UnimplementedService_IsUnimplemented()
    {
        var method = new ClientMethod<Empty, Empty>("UnimplementedService", 1, "unimplemented_call", MethodPattern.Unary);
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(method, new Empty()).AsTask().DefaultTimeout());
        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
        Assert.Equal("Service 'UnimplementedService' v1 not found", ex.Status.Message);
    }

    [Fact]
    public async Task UnknownVersion_OtherThanOne_IsUnimplemented()
    {
        var method = new ClientMethod<Empty, Empty>("TestService", 2, "empty_call", MethodPattern.Unary);
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(method, new Empty()).AsTask().DefaultTimeout());
        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
    }

    [Fact]
    public async Task MethodName_InCamelCase_FindsSnakeCaseMethod()
    {
        var method = new ClientMethod<Empty, Empty>("TestService", 1, "emptyCall", MethodPattern.Unary);
        Assert.NotNull(await Client.UnaryAsync(method, new Empty()).DefaultTimeout());
    }

    [Fact]
    public async Task CustomMetadata_ReachesHandlerInOrderLastWins()
    {
        var options = new CallOptions().WithMetadata(new("x-grpc-test-echo-initial", "first"), new("x-grpc-test-echo-initial", "test_initial_metadata_value"));
        SimpleResponse response = await Client.UnaryAsync(_unaryCall, new SimpleRequest(EchoMetadataKey: "x-grpc-test-echo-initial"), options).DefaultTimeout();
        Assert.Equal("test_initial_metadata_value", response.Metadata);
    }

    [Fact]
    public async Task Metadata_OverEntryLimit_IsResourceExhausted()
    {
        var metadata = Enumerable.Range(0, 65).Select(i => new KeyValuePair<string, string>($"k{i}", "v")).ToArray();
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(_emptyCall, new Empty(), new CallOptions { Metadata = metadata }).AsTask().DefaultTimeout());
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.NotNull(await Client.UnaryAsync(_emptyCall, new Empty()).DefaultTimeout());
    }

    [Fact]
    public async Task Metadata_OverByteLimit_IsResourceExhausted()
    {
        var metadata = Enumerable.Range(0, 3).Select(i => new KeyValuePair<string, string>($"k{i}", new string('v', 4000))).ToArray();
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(_emptyCall, new Empty(), new CallOptions { Metadata = metadata }).AsTask().DefaultTimeout());
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task ClientStreaming_OverItemLimit_IsResourceExhausted()
    {
        IAsyncEnumerable<Payload> many = Items(Enumerable.Range(0, 51).Select(_ => new Payload([1])).ToArray());
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => Client.ClientStreamingAsync(_streamingInput, many).AsTask().DefaultTimeout());
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.NotNull(await Client.UnaryAsync(_emptyCall, new Empty()).DefaultTimeout());
    }

    [Fact]
    public async Task ManyConcurrentUnaryCalls_AllSucceedThroughThePool()
    {
        Task<SimpleResponse>[] calls = Enumerable.Range(0, 64).Select(i => Client.UnaryAsync(_unaryCall, new SimpleRequest(ResponseSize: i)).AsTask()).ToArray();
        SimpleResponse[] responses = await Task.WhenAll(calls).DefaultTimeout();
        Assert.Equal(Enumerable.Range(0, 64), responses.Select(r => r.Body.Length));
    }

    [Fact]
    public async Task Session_CallsShareOneInstancePerSession()
    {
        int first = Client.NewSessionId(), second = Client.NewSessionId();
        CounterReply a1 = await Client.UnaryAsync(_increment, new Empty(), new CallOptions().WithSession(first)).DefaultTimeout();
        CounterReply a2 = await Client.UnaryAsync(_increment, new Empty(), new CallOptions().WithSession(first)).DefaultTimeout();
        CounterReply b1 = await Client.UnaryAsync(_increment, new Empty(), new CallOptions().WithSession(second)).DefaultTimeout();
        Assert.Equal((1, first), (a1.Count, a1.SessionId));
        Assert.Equal((2, first), (a2.Count, a2.SessionId));
        Assert.Equal((1, second), (b1.Count, b1.SessionId));
    }

    [Fact]
    public async Task Session_SharedServiceWithSessionId_IsFailedPrecondition()
    {
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(_emptyCall, new Empty(), new CallOptions().WithSession(Client.NewSessionId())).AsTask().DefaultTimeout());
        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
    }

    [Fact]
    public async Task Session_ScopedServiceWithoutSessionId_IsFailedPrecondition()
    {
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(_increment, new Empty()).AsTask().DefaultTimeout());
        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
    }

    [Fact]
    public async Task Session_ReusedLowerId_IsNotFound()
    {
        await Client.UnaryAsync(_increment, new Empty(), new CallOptions().WithSession(5)).DefaultTimeout();
        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(_increment, new Empty(), new CallOptions().WithSession(3)).AsTask().DefaultTimeout());
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Equal("session 3 was previously opened", ex.Status.Message);
    }

    [Fact]
    public async Task Session_OverLiveLimit_IsResourceExhausted()
    {
        for (int i = 1; i <= 4; i++)
        {
            await Client.UnaryAsync(_increment, new Empty(), new CallOptions().WithSession(i)).DefaultTimeout();
        }

        RpcException ex = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync(_increment, new Empty(), new CallOptions().WithSession(5)).AsTask().DefaultTimeout());
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task Session_InstancesDisposedWhenConnectionCloses()
    {
        int id = Client.NewSessionId();
        await Client.UnaryAsync(_increment, new Empty(), new CallOptions().WithSession(id)).DefaultTimeout();
        await Client.DisposeAsync();
        Assert.Equal([id], await SessionsDisposedAfterCloseAsync());
    }

    private static async IAsyncEnumerable<T> Items<T>(params T[] items)
    {
        foreach (T item in items)
        {
            await Task.Yield();
            yield return item;
        }
    }

    private static async IAsyncEnumerable<Payload> WaitThen(Task gate, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        yield return new Payload([1]);
        await gate.WaitAsync(cancellationToken);
    }
}

public sealed class InMemoryRpcConformanceTests : RpcConformanceTests
{
    protected override Task<(IRpcConnection Client, IRpcConnection Server)> ConnectAsync()
        => Task.FromResult(InMemoryTransport.CreatePair());
}

/// <summary>The same suite over our QUIC stack on real UDP sockets on loopback.</summary>
public sealed class QuicRpcConformanceTests : RpcConformanceTests
{
    private Aster.Net.Quic.AsterEndpoint? _serverEndpoint;
    private Aster.Net.Quic.AsterEndpoint? _clientEndpoint;

    protected override async Task<(IRpcConnection Client, IRpcConnection Server)> ConnectAsync()
    {
        _serverEndpoint = await Aster.Net.Quic.AsterEndpoint.BindAsync(new Aster.Net.Quic.AsterEndpointOptions { SecretKey = Aster.Net.Identity.SecretKey.Generate(), Alpns = { "aster/1" } });
        _clientEndpoint = await Aster.Net.Quic.AsterEndpoint.BindAsync(new Aster.Net.Quic.AsterEndpointOptions { SecretKey = Aster.Net.Identity.SecretKey.Generate() });
        Task<Aster.Net.Quic.AsterConnection> accept = _serverEndpoint.AcceptAsync().AsTask();
        Aster.Net.Quic.AsterConnection client = await _clientEndpoint.ConnectAsync(_serverEndpoint.Address, "aster/1").AsTask().DefaultTimeout();
        Aster.Net.Quic.AsterConnection server = await accept.DefaultTimeout();
        return (new QuicRpcConnection(client), new QuicRpcConnection(server));
    }

    protected override async Task DisposeTransportAsync()
    {
        if (_clientEndpoint is not null)
        {
            await _clientEndpoint.DisposeAsync();
        }

        if (_serverEndpoint is not null)
        {
            await _serverEndpoint.DisposeAsync();
        }
    }
}
