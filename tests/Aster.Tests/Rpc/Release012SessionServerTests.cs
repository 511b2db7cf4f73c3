using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Aster.Client;
using Aster.Contracts;
using Aster.Framing;
using Aster.Protocol;
using Aster.Server;
using Aster.Testing;
using Aster.Transport;
using Aster.Trust;

namespace Aster.Tests.Rpc;

public sealed record TallyRequest(int Amount);

public sealed record TallyReply(int Total, string Note = "");

/// <summary>
/// Our server speaking the release 0.1.2 session protocol (wire-protocol.md 20.5) over the in-memory transport: raw
/// frames for the exact shapes and every ugly case, and our own 0.1.2 client for round trips. The captured TypeScript
/// exchanges are replayed in <see cref="WireReplayTestsBase"/> (in memory and over real QUIC).
/// </summary>
public sealed class Release012SessionServerTests : IAsyncLifetime
{
    private static readonly ClientMethod<TallyRequest, TallyReply> _add = new("Tally", 1, "add", MethodPattern.Unary);
    private static readonly ClientMethod<TallyRequest, TallyReply> _count = new("Tally", 1, "count", MethodPattern.ServerStream);
    private static readonly ClientMethod<TallyRequest, TallyReply> _sum = new("Tally", 1, "sum", MethodPattern.ClientStream);
    private static readonly ClientMethod<TallyRequest, TallyReply> _echo = new("Tally", 1, "echo", MethodPattern.BidiStream);
    private static readonly ClientMethod<TallyRequest, TallyReply> _wait = new("Tally", 1, "wait", MethodPattern.Unary);
    private readonly Tracker _tracker = new();
    private AsterServer? _server;
    private Task _serving = Task.CompletedTask;
    private IRpcConnection? _client;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.CloseAsync(0, "done");
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        await _serving.DefaultTimeout();
    }

    [Fact]
    public async Task Unary_AnswersOneDataFrame_WithoutTrailer_OnOneInstance()
    {
        await using RawStream stream = await OpenAsync("Tally");
        await CallAsync(stream, "add", """{"amount":2}""");
        await ExpectAsync(stream, FrameFlags.None, """{"total":2,"note":""}""");
        await CallAsync(stream, "add", """{"amount":3}""");
        await ExpectAsync(stream, FrameFlags.None, """{"total":5,"note":""}""");
        await ExpectEndAfterFinAsync(stream);
        Assert.Equal(1, _tracker.Created);
    }

    [Fact]
    public async Task ServerStream_AnswersData_ThenOkTrailer()
    {
        await using RawStream stream = await OpenAsync("Tally");
        await CallAsync(stream, "count", """{"amount":3}""");
        await ExpectAsync(stream, FrameFlags.None, """{"total":1,"note":""}""");
        await ExpectAsync(stream, FrameFlags.None, """{"total":2,"note":""}""");
        await ExpectAsync(stream, FrameFlags.None, """{"total":3,"note":""}""");
        await ExpectStatusAsync(stream, StatusCode.OK, "");
        await ExpectEndAfterFinAsync(stream);
    }

    [Fact]
    public async Task ClientStream_InputEndsWithOkTrailer_AnswerIsOneDataWithoutTrailer()
    {
        await using RawStream stream = await OpenAsync("Tally");
        await CallAsync(stream, "sum");
        await DataAsync(stream, """{"amount":4}""");
        await DataAsync(stream, """{"amount":5}""");
        await stream.WriteFrameAsync(FrameFlags.Trailer, Utf8("""{"code":0,"message":"","detailKeys":[],"detailValues":[]}"""));
        await ExpectAsync(stream, FrameFlags.None, """{"total":9,"note":""}""");
        await CallAsync(stream, "add", """{"amount":1}""");
        await ExpectAsync(stream, FrameFlags.None, """{"total":10,"note":""}""");
        await ExpectEndAfterFinAsync(stream);
    }

    [Fact]
    public async Task Bidi_AnswersData_ThenOkTrailer()
    {
        await using RawStream stream = await OpenAsync("Tally");
        await CallAsync(stream, "echo");
        await DataAsync(stream, """{"amount":1}""");
        await ExpectAsync(stream, FrameFlags.None, """{"total":1,"note":""}""");
        await DataAsync(stream, """{"amount":2}""");
        await ExpectAsync(stream, FrameFlags.None, """{"total":3,"note":""}""");
        await stream.WriteFrameAsync(FrameFlags.Trailer, Utf8("""{"code":0,"message":"","detailKeys":[],"detailValues":[]}"""));
        await ExpectStatusAsync(stream, StatusCode.OK, "");
        await ExpectEndAfterFinAsync(stream);
    }

    [Fact]
    public async Task HandlerError_IsATrailer_AndTheSessionGoesOn()
    {
        await using RawStream stream = await OpenAsync("Tally");
        await CallAsync(stream, "add", """{"amount":-1}""");
        await ExpectStatusAsync(stream, StatusCode.InvalidArgument, "negative amount");
        await CallAsync(stream, "add", """{"amount":7}""");
        await ExpectAsync(stream, FrameFlags.None, """{"total":7,"note":""}""");
        await ExpectEndAfterFinAsync(stream);
    }

    [Fact]
    public async Task CancelDuringCall_CancelsTheHandler_AnswersCancelled_AndTheSessionStaysOpen()
    {
        await using RawStream stream = await OpenAsync("Tally");
        await CallAsync(stream, "wait", """{"amount":0}""");
        await _tracker.WaitStarted.Task.DefaultTimeout();
        await stream.WriteFrameAsync(FrameFlags.Cancel, []);
        await ExpectStatusAsync(stream, StatusCode.Cancelled, "cancelled");
        await _tracker.WaitCancelled.Task.DefaultTimeout();
        await CallAsync(stream, "add", """{"amount":1}""");
        await ExpectAsync(stream, FrameFlags.None, """{"total":1,"note":""}""");
        await ExpectEndAfterFinAsync(stream);
    }

    [Fact]
    public async Task CancelWithNoCall_IsAcknowledgedWithCancelled()
    {
        await using RawStream stream = await OpenAsync("Tally");
        await stream.WriteFrameAsync(FrameFlags.Cancel, []);
        await ExpectStatusAsync(stream, StatusCode.Cancelled, "cancelled");
        await CallAsync(stream, "add", """{"amount":1}""");
        await ExpectAsync(stream, FrameFlags.None, """{"total":1,"note":""}""");
        await ExpectEndAfterFinAsync(stream);
    }

    [Fact]
    public async Task DataWhereCallExpected_ExpectedCallFrame_ThenTheStreamEnds()
    {
        await using RawStream stream = await OpenAsync("Tally");
        await DataAsync(stream, """{"amount":1}""");
        await ExpectStatusAsync(stream, StatusCode.FailedPrecondition, "Expected CALL frame");
        await ExpectServerEndAsync(stream);
        await AssertConnectionStillServesAsync();
    }

    [Fact]
    public async Task CallDuringActiveCall_EndsTheActiveCall_ThenRunsTheNewOne()
    {
        await using RawStream stream = await OpenAsync("Tally");
        await CallAsync(stream, "wait", """{"amount":0}""");
        await _tracker.WaitStarted.Task.DefaultTimeout();
        await CallAsync(stream, "add", """{"amount":4}""");
        await ExpectStatusAsync(stream, StatusCode.FailedPrecondition, "CALL received during active call");
        await ExpectAsync(stream, FrameFlags.None, """{"total":4,"note":""}""");
        await _tracker.WaitCancelled.Task.DefaultTimeout();
        await ExpectEndAfterFinAsync(stream);
    }

    [Fact]
    public async Task UnknownMethod_MethodNotFound_ThenTheStreamEnds()
    {
        await using RawStream stream = await OpenAsync("Tally");
        await CallAsync(stream, "nope", """{"amount":1}""");
        await ExpectStatusAsync(stream, StatusCode.Unimplemented, "Method not found: nope");
        await ExpectServerEndAsync(stream);
        await WaitForAsync(() => _tracker.Disposed == 1);
    }

    [Fact]
    public async Task MalformedCallHeader_InvalidArgument_ThenTheStreamEnds()
    {
        await using RawStream stream = await OpenAsync("Tally");
        await stream.WriteFrameAsync(FrameFlags.Call, Utf8("[1,2]"));
        (FrameFlags _, byte[] trailer) = Assert.NotNull(await stream.ReadFrameAsync());
        Assert.Equal(StatusCode.InvalidArgument, Status(trailer).Code);
        Assert.StartsWith("malformed CallHeader: ", Status(trailer).Message, StringComparison.Ordinal);
        await ExpectServerEndAsync(stream);
    }

    [Fact]
    public async Task OpenOnSharedService_FailedPrecondition_Verbatim()
    {
        Start();
        await using RawStream stream = await RawStream.OpenAsync(_client!);
        await stream.WriteFrameAsync(FrameFlags.Header, Utf8(Header("Plain", "")));
        await ExpectStatusAsync(stream, StatusCode.FailedPrecondition, "'Plain' is shared: send a method name instead of opening a session stream (method='')");
        await stream.FinishAsync();
        Assert.True((await stream.ReadToEndAsync()).Ended);
    }

    [Fact]
    public async Task MethodOnSessionScopedService_FailedPrecondition_Verbatim()
    {
        Start();
        await using RawStream stream = await RawStream.OpenAsync(_client!);
        await stream.WriteFrameAsync(FrameFlags.Header, Utf8(Header("Tally", "add")));
        await DataAsync(stream, """{"amount":1}""");
        await ExpectStatusAsync(stream, StatusCode.FailedPrecondition, "'Tally' is session-scoped: open a session stream (method='') instead of calling 'add' directly");
        await stream.FinishAsync();
        Assert.True((await stream.ReadToEndAsync()).Ended);
        Assert.Equal(0, _tracker.Created);
    }

    [Fact]
    public async Task Fin_ServerFinishes_AndDisposesTheAsyncDisposableInstance()
    {
        await using RawStream stream = await OpenAsync("Tally");
        await CallAsync(stream, "add", """{"amount":1}""");
        await ExpectAsync(stream, FrameFlags.None, """{"total":1,"note":""}""");
        Assert.Equal(0, _tracker.Disposed);
        await ExpectEndAfterFinAsync(stream);
        await WaitForAsync(() => _tracker.Disposed == 1);
    }

    [Fact]
    public async Task Fin_DisposesTheDisposableInstance()
    {
        await using RawStream stream = await OpenAsync("Counter");
        await CallAsync(stream, "next", """{"amount":1}""");
        await ExpectAsync(stream, FrameFlags.None, """{"total":1,"note":""}""");
        await ExpectEndAfterFinAsync(stream);
        await WaitForAsync(() => _tracker.PlainDisposed == 1);
    }

    [Fact]
    public async Task ConnectionLoss_DisposesTheInstance_AndCancelsTheCall()
    {
        await using RawStream stream = await OpenAsync("Tally");
        await CallAsync(stream, "wait", """{"amount":0}""");
        await _tracker.WaitStarted.Task.DefaultTimeout();
        await _client!.CloseAsync(0, "gone");
        await _tracker.WaitCancelled.Task.DefaultTimeout();
        await WaitForAsync(() => _tracker.Disposed == 1);
    }

    [Fact]
    public async Task DeadlineInThePast_DeadlineExceeded_RequestDiscarded_SessionGoesOn()
    {
        await using RawStream stream = await OpenAsync("Tally");
        await CallAsync(stream, "add", """{"amount":1}""", deadlineEpochMs: 1);
        await ExpectStatusAsync(stream, StatusCode.DeadlineExceeded, "deadline exceeded");
        await CallAsync(stream, "add", """{"amount":2}""");
        await ExpectAsync(stream, FrameFlags.None, """{"total":2,"note":""}""");
        await ExpectEndAfterFinAsync(stream);
    }

    [Fact]
    public async Task DeadlineReachedDuringCall_DeadlineExceeded_HandlerCancelled()
    {
        await using RawStream stream = await OpenAsync("Tally");
        await CallAsync(stream, "wait", """{"amount":0}""", deadlineEpochMs: DateTimeOffset.UtcNow.AddMilliseconds(300).ToUnixTimeMilliseconds());
        await ExpectStatusAsync(stream, StatusCode.DeadlineExceeded, "deadline exceeded");
        await _tracker.WaitCancelled.Task.DefaultTimeout();
        await ExpectEndAfterFinAsync(stream);
    }

    [Fact]
    public async Task MetadataAndCallId_ArePerCall()
    {
        await using RawStream stream = await OpenAsync("Tally");
        await stream.WriteFrameAsync(FrameFlags.Call, Utf8("""{"method":"note","callId":"first","deadlineEpochMs":0,"metadataKeys":["who"],"metadataValues":["ann"]}"""));
        await DataAsync(stream, """{"amount":0}""");
        await ExpectAsync(stream, FrameFlags.None, """{"total":0,"note":"ann@first"}""");
        await stream.WriteFrameAsync(FrameFlags.Call, Utf8("""{"method":"note","callId":"second","deadlineEpochMs":0,"metadataKeys":["who"],"metadataValues":["bob"]}"""));
        await DataAsync(stream, """{"amount":0}""");
        await ExpectAsync(stream, FrameFlags.None, """{"total":0,"note":"bob@second"}""");
        await ExpectEndAfterFinAsync(stream);
    }

    [Fact]
    public async Task MetadataOverTheLimit_ResourceExhausted_ForThatCallOnly()
    {
        await using RawStream stream = await OpenAsync("Tally");
        string keys = string.Join(',', Enumerable.Range(0, 65).Select(i => $"\"k{i}\""));
        await stream.WriteFrameAsync(FrameFlags.Call, Utf8($$"""{"method":"add","callId":"x","deadlineEpochMs":0,"metadataKeys":[{{keys}}],"metadataValues":[{{keys}}]}"""));
        await DataAsync(stream, """{"amount":1}""");
        (FrameFlags _, byte[] trailer) = Assert.NotNull(await stream.ReadFrameAsync());
        Assert.Equal(StatusCode.ResourceExhausted, Status(trailer).Code);
        await CallAsync(stream, "add", """{"amount":1}""");
        await ExpectAsync(stream, FrameFlags.None, """{"total":1,"note":""}""");
        await ExpectEndAfterFinAsync(stream);
    }

    [Fact]
    public async Task Gate3_MethodTheRoleDoesNotAllow_IsRefusedInTheSession()
    {
        Start(new InMemoryTransportOptions { CallerAttributes = new Dictionary<string, string> { ["aster.role"] = "viewer" }, EnforceCapabilitiesInProcess = true });
        await using RawStream stream = await RawStream.OpenAsync(_client!);
        await stream.WriteFrameAsync(FrameFlags.Header, Utf8(Header("Tally", "")));
        await CallAsync(stream, "admin", """{"amount":1}""");
        (FrameFlags flags, byte[] trailer) = Assert.NotNull(await stream.ReadFrameAsync());
        Assert.Equal(FrameFlags.Trailer, flags);
        Assert.Equal(StatusCode.PermissionDenied, Status(trailer).Code);
        Assert.Equal(0, _tracker.AdminCalls);
        await CallAsync(stream, "add", """{"amount":1}""");
        await ExpectAsync(stream, FrameFlags.None, """{"total":1,"note":""}""");
        await ExpectEndAfterFinAsync(stream);
    }

    [Fact]
    public async Task Gate3_AllowedRole_ReachesTheMethod()
    {
        Start(new InMemoryTransportOptions { CallerAttributes = new Dictionary<string, string> { ["aster.role"] = "admin" }, EnforceCapabilitiesInProcess = true });
        await using RawStream stream = await RawStream.OpenAsync(_client!);
        await stream.WriteFrameAsync(FrameFlags.Header, Utf8(Header("Tally", "")));
        await CallAsync(stream, "admin", """{"amount":1}""");
        await ExpectAsync(stream, FrameFlags.None, """{"total":1,"note":"admin"}""");
        Assert.Equal(1, _tracker.AdminCalls);
        await ExpectEndAfterFinAsync(stream);
    }

    [Fact]
    public async Task Interceptors_RunForEverySessionCall()
    {
        var seen = new List<string>();
        Start(interceptor: new Recording(seen));
        await using RawStream stream = await RawStream.OpenAsync(_client!);
        await stream.WriteFrameAsync(FrameFlags.Header, Utf8(Header("Tally", "")));
        await CallAsync(stream, "add", """{"amount":1}""");
        await ExpectAsync(stream, FrameFlags.None, """{"total":1,"note":""}""");
        await CallAsync(stream, "count", """{"amount":1}""");
        await ExpectAsync(stream, FrameFlags.None, """{"total":1,"note":""}""");
        await ExpectStatusAsync(stream, StatusCode.OK, "");
        await ExpectEndAfterFinAsync(stream);
        lock (seen)
        {
            Assert.Equal(["Tally/add", "Tally/count"], seen);
        }
    }

    [Fact]
    public async Task SessionLimit_CountsSessionStreams()
    {
        Start(configure: o => o.Limits.MaxSessionsPerConnection = 1);
        await using RawStream first = await RawStream.OpenAsync(_client!);
        await first.WriteFrameAsync(FrameFlags.Header, Utf8(Header("Tally", "")));
        await CallAsync(first, "add", """{"amount":1}""");
        await ExpectAsync(first, FrameFlags.None, """{"total":1,"note":""}""");

        await using RawStream second = await RawStream.OpenAsync(_client!);
        await second.WriteFrameAsync(FrameFlags.Header, Utf8(Header("Tally", "")));
        await ExpectStatusAsync(second, StatusCode.ResourceExhausted, "too many live sessions on this connection (limit 1)");
        await ExpectServerEndAsync(second);
        Assert.Equal(1, _tracker.Created);

        await ExpectEndAfterFinAsync(first);
        await WaitForAsync(() => _tracker.Disposed == 1);
        await using RawStream third = await RawStream.OpenAsync(_client!);
        await third.WriteFrameAsync(FrameFlags.Header, Utf8(Header("Tally", "")));
        await CallAsync(third, "add", """{"amount":5}""");
        await ExpectAsync(third, FrameFlags.None, """{"total":5,"note":""}""");
        await ExpectEndAfterFinAsync(third);
    }

    [Fact]
    public async Task CSharpClient_AllFourPatterns_InOneSession()
    {
        Start();
        await using (var client = new AsterClient(_client!, new AsterClientOptions { Codecs = JsonTestCodecProvider.Instance, WireDialect = WireDialect.Release012 }))
        {
            var session = new CallOptions { SessionId = client.NewSessionId() };
            Assert.Equal(2, (await client.UnaryAsync(_add, new TallyRequest(2), session).DefaultTimeout()).Total);
            int[] counted = await Collect(client.ServerStreamingAsync(_count, new TallyRequest(3), session));
            Assert.Equal([1, 2, 3], counted);
            Assert.Equal(12, (await client.ClientStreamingAsync(_sum, Items(4, 6), session).DefaultTimeout()).Total);
            int[] echoed = await Collect(client.DuplexStreamingAsync(_echo, Items(1, 2), session));
            Assert.Equal([13, 15], echoed);
            Assert.Equal(16, (await client.UnaryAsync(_add, new TallyRequest(1), session).DefaultTimeout()).Total);
            Assert.Equal(1, _tracker.Created);

            var other = new CallOptions { SessionId = client.NewSessionId() };
            Assert.Equal(1, (await client.UnaryAsync(_add, new TallyRequest(1), other).DefaultTimeout()).Total);
            Assert.Equal(2, _tracker.Created);
        }

        await WaitForAsync(() => _tracker.Disposed == 2); // the client's dispose FINs both session streams
    }

    [Fact]
    public async Task CSharpClient_ErrorAndCancellation_LeaveTheSessionUsable()
    {
        Start();
        await using var client = new AsterClient(_client!, new AsterClientOptions { Codecs = JsonTestCodecProvider.Instance, WireDialect = WireDialect.Release012 });
        var session = new CallOptions { SessionId = client.NewSessionId() };
        RpcException error = await Assert.ThrowsAsync<RpcException>(async () => await client.UnaryAsync(_add, new TallyRequest(-1), session).AsTask().DefaultTimeout());
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);

        using (var cancel = new CancellationTokenSource())
        {
            Task<TallyReply> waiting = client.UnaryAsync(_wait, new TallyRequest(0), session, cancel.Token).AsTask();
            await _tracker.WaitStarted.Task.DefaultTimeout();
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.DefaultTimeout());
        }

        await _tracker.WaitCancelled.Task.DefaultTimeout();
        Assert.Equal(3, (await client.UnaryAsync(_add, new TallyRequest(3), session).DefaultTimeout()).Total);
    }

    private async Task<RawStream> OpenAsync(string service)
    {
        Start();
        RawStream stream = await RawStream.OpenAsync(_client!);
        await stream.WriteFrameAsync(FrameFlags.Header, Utf8(Header(service, "")));
        return stream;
    }

    private void Start(InMemoryTransportOptions? transport = null, IServerInterceptor? interceptor = null, Action<AsterServerOptions>? configure = null)
    {
        var options = new AsterServerOptions { Codecs = JsonTestCodecProvider.Instance };
        if (interceptor is not null)
        {
            options.Interceptors.Add(interceptor);
        }

        configure?.Invoke(options);
        _server = new AsterServer([Tally(_tracker), Counter(_tracker), Plain()], options);
        (IRpcConnection client, IRpcConnection server) = InMemoryTransport.CreatePair(transport ?? new InMemoryTransportOptions());
        _serving = _server.ServeConnectionAsync(server);
        _client = client;
    }

    /// <summary>After a failed session stream the connection still serves a plain call on a new stream.</summary>
    private async Task AssertConnectionStillServesAsync()
    {
        await using RawStream stream = await RawStream.OpenAsync(_client!);
        await stream.WriteFrameAsync(FrameFlags.Header, Utf8(Header("Plain", "ping")));
        await DataAsync(stream, """{"amount":9}""");
        await ExpectAsync(stream, FrameFlags.None, """{"total":9,"note":"pong"}""");
        await ExpectStatusAsync(stream, StatusCode.OK, "");
    }

    internal static string Header(string service, string method)
        => $$"""{"service":"{{service}}","method":"{{method}}","version":1,"callId":"{{Guid.NewGuid():D}}","deadlineEpochMs":0,"serializationMode":3,"metadataKeys":[],"metadataValues":[]}""";

    private static async Task CallAsync(RawStream stream, string method, string? request = null, long deadlineEpochMs = 0)
    {
        await stream.WriteFrameAsync(FrameFlags.Call, Utf8($$"""{"method":"{{method}}","callId":"{{Guid.NewGuid():D}}","deadlineEpochMs":{{deadlineEpochMs}},"metadataKeys":[],"metadataValues":[]}"""));
        if (request is not null)
        {
            await DataAsync(stream, request);
        }
    }

    private static Task DataAsync(RawStream stream, string json) => stream.WriteFrameAsync(FrameFlags.None, Utf8(json));

    private static async Task ExpectAsync(RawStream stream, FrameFlags flags, string json)
    {
        (FrameFlags actualFlags, byte[] payload) = Assert.NotNull(await stream.ReadFrameAsync());
        Assert.Equal(flags, actualFlags);
        Assert.Equal(json, Encoding.UTF8.GetString(payload));
    }

    private static async Task ExpectStatusAsync(RawStream stream, StatusCode code, string message)
    {
        (FrameFlags flags, byte[] payload) = Assert.NotNull(await stream.ReadFrameAsync());
        Assert.Equal(FrameFlags.Trailer, flags);
        Assert.Equal((code, message), Status(payload));
    }

    /// <summary>The client FINs; the server answers with nothing more and FINs too.</summary>
    private static async Task ExpectEndAfterFinAsync(RawStream stream)
    {
        await stream.FinishAsync();
        await ExpectServerEndAsync(stream);
    }

    private static async Task ExpectServerEndAsync(RawStream stream)
    {
        (List<(FrameFlags Flags, byte[] Payload)> rest, bool ended) = await stream.ReadToEndAsync();
        Assert.True(ended, "the server must end the session stream");
        Assert.Empty(rest);
    }

    private static (StatusCode Code, string Message) Status(byte[] payload)
    {
        using JsonDocument doc = JsonDocument.Parse(payload);
        return ((StatusCode)doc.RootElement.GetProperty("code").GetInt32(), doc.RootElement.GetProperty("message").GetString()!);
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Aster.Testing.TaskExtensions.DefaultTimeoutSpan);
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    private static async Task<int[]> Collect(IAsyncEnumerable<TallyReply> replies)
    {
        var totals = new List<int>();
        using var timeout = new CancellationTokenSource(Aster.Testing.TaskExtensions.DefaultTimeoutSpan);
        await foreach (TallyReply reply in replies.WithCancellation(timeout.Token))
        {
            totals.Add(reply.Total);
        }

        return [.. totals];
    }

    private static async IAsyncEnumerable<TallyRequest> Items(params int[] amounts)
    {
        foreach (int amount in amounts)
        {
            await Task.Yield();
            yield return new TallyRequest(amount);
        }
    }

    /// <summary>The session-scoped test service: a running total per session, all four patterns, and probes.</summary>
    internal static ServiceDefinition Tally(Tracker tracker)
        => ServiceDefinition.CreateSessionScoped("Tally", 1, _ => tracker.NewTally())
            .AddUnary<TallyRequest, TallyReply>("add", (t, r, _) => r.Amount < 0 ? throw new RpcException(StatusCode.InvalidArgument, "negative amount") : ValueTask.FromResult(new TallyReply(t.Add(r.Amount))))
            .AddServerStreaming<TallyRequest, TallyReply>("count", (_, r, _) => CountTo(r.Amount))
            .AddClientStreaming<TallyRequest, TallyReply>("sum", async (t, items, _) =>
            {
                await foreach (TallyRequest item in items)
                {
                    t.Add(item.Amount);
                }

                return new TallyReply(t.Total);
            })
            .AddDuplexStreaming<TallyRequest, TallyReply>("echo", (t, items, c) => Running(t, items, c.CancellationToken))
            .AddUnary<TallyRequest, TallyReply>("wait", async (_, _, c) =>
            {
                tracker.WaitStarted.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, c.CancellationToken);
                }
                catch (OperationCanceledException)
                {
                    tracker.WaitCancelled.TrySetResult();
                    throw;
                }

                return new TallyReply(0);
            })
            .AddUnary<TallyRequest, TallyReply>("note", (_, _, c) => ValueTask.FromResult(new TallyReply(0, $"{c.GetMetadata("who")}@{c.CallId}")))
            .AddUnary<TallyRequest, TallyReply>("admin", (t, r, _) =>
            {
                tracker.OnAdminCall();
                return ValueTask.FromResult(new TallyReply(t.Add(r.Amount), "admin"));
            }, new MethodOptions { Requires = new CapabilityRequirement(CapabilityKind.Role, ["admin"]) })
            .Build();

    /// <summary>A session-scoped service whose instance is only <see cref="IDisposable"/>.</summary>
    private static ServiceDefinition Counter(Tracker tracker)
        => ServiceDefinition.CreateSessionScoped("Counter", 1, _ => new PlainCounter(tracker))
            .AddUnary<TallyRequest, TallyReply>("next", (c, r, _) => ValueTask.FromResult(new TallyReply(c.Next(r.Amount))))
            .Build();

    internal static ServiceDefinition Plain()
        => ServiceDefinition.CreateShared("Plain", 1, new object())
            .AddUnary<TallyRequest, TallyReply>("ping", (_, r, _) => ValueTask.FromResult(new TallyReply(r.Amount, "pong")))
            .Build();

    private static async IAsyncEnumerable<TallyReply> CountTo(int n)
    {
        for (int i = 1; i <= n; i++)
        {
            await Task.Yield();
            yield return new TallyReply(i);
        }
    }

    private static async IAsyncEnumerable<TallyReply> Running(TallyInstance tally, IAsyncEnumerable<TallyRequest> items, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (TallyRequest item in items.WithCancellation(cancellationToken))
        {
            yield return new TallyReply(tally.Add(item.Amount));
        }
    }

    /// <summary>What the test services report back to the tests.</summary>
    internal sealed class Tracker
    {
        private int _created;
        private int _disposed;
        private int _plainDisposed;
        private int _adminCalls;

        public TaskCompletionSource WaitStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource WaitCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Created => Volatile.Read(ref _created);

        public int Disposed => Volatile.Read(ref _disposed);

        public int PlainDisposed => Volatile.Read(ref _plainDisposed);

        public int AdminCalls => Volatile.Read(ref _adminCalls);

        public TallyInstance NewTally()
        {
            Interlocked.Increment(ref _created);
            return new TallyInstance(this);
        }

        public void OnDisposed() => Interlocked.Increment(ref _disposed);

        public void OnPlainDisposed() => Interlocked.Increment(ref _plainDisposed);

        public void OnAdminCall() => Interlocked.Increment(ref _adminCalls);
    }

    internal sealed class TallyInstance(Tracker tracker) : IAsyncDisposable
    {
        private int _total;

        public int Total => Volatile.Read(ref _total);

        public int Add(int amount) => Interlocked.Add(ref _total, amount);

        public ValueTask DisposeAsync()
        {
            tracker.OnDisposed();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class PlainCounter(Tracker tracker) : IDisposable
    {
        private int _value;

        public int Next(int amount) => _value += amount;

        public void Dispose() => tracker.OnPlainDisposed();
    }

    private sealed class Recording(List<string> seen) : IServerInterceptor
    {
        public ValueTask InvokeAsync(CallContext context, Func<CallContext, ValueTask> continuation)
        {
            lock (seen)
            {
                seen.Add(context.Service + "/" + context.Method);
            }

            return continuation(context);
        }
    }
}
