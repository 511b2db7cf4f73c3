using System.Runtime.CompilerServices;
using Aster.Server;

namespace Aster.Tests.Rpc;

public sealed record Empty;

public sealed record Payload(byte[] Body);

public sealed record SimpleRequest(int ResponseSize = 0, byte[]? Body = null, int SleepMs = 0, int StatusCode = 0, string? StatusMessage = null, string? EchoMetadataKey = null);

public sealed record SimpleResponse(byte[] Body, string? Metadata = null);

public sealed record StreamingOutputRequest(int[] ResponseSizes, int IntervalMs = 0);

public sealed record AggregatedSize(int AggregatedPayloadSize);

public sealed record CounterReply(int Count, int SessionId);

/// <summary>The gRPC interop "TestService", in Aster terms, plus a session-scoped counter.</summary>
internal sealed class TestService
{
    public static readonly TestService Instance = new();

    public TaskCompletionSource<bool> LastCallCancelled { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static ServiceDefinition Definition(TestService instance)
        => ServiceDefinition.CreateShared("TestService", 1, instance)
            .AddUnary<Empty, Empty>("empty_call", (_, _, _) => ValueTask.FromResult(new Empty()))
            .AddUnary<SimpleRequest, SimpleResponse>("unary_call", static (s, r, c) => s.UnaryCallAsync(r, c))
            .AddClientStreaming<Payload, AggregatedSize>("streaming_input_call", static (s, r, c) => s.StreamingInputCallAsync(r, c))
            .AddServerStreaming<StreamingOutputRequest, Payload>("streaming_output_call", static (_, r, c) => StreamingOutputCallAsync(r, c))
            .AddDuplexStreaming<StreamingOutputRequest, Payload>("full_duplex_call", static (s, r, c) => s.FullDuplexCallAsync(r, c))
            .Build();

    /// <summary>The server limits the conformance suite expects (small, so limit tests stay fast).</summary>
    public static RpcLimits ConformanceLimits() => new() { MaxFrameLength = 1024 * 1024, MaxClientStreamItems = 50, MaxSessionsPerConnection = 4 };

    /// <param name="disposedSessions">Receives the id of each disposed session instance.</param>
    /// <param name="liveSessions">Counts live session instances, when given.</param>
    public static ServiceDefinition CounterDefinition(List<int> disposedSessions, StrongBox<int>? liveSessions = null)
        => ServiceDefinition.CreateSessionScoped("Counter", 1, session => new SessionCounter(session.SessionId, disposedSessions, liveSessions))
            .AddUnary<Empty, CounterReply>("increment", static (s, _, _) => ValueTask.FromResult(s.Increment()))
            .Build();

    public void ResetCancellationProbe() => LastCallCancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async ValueTask<SimpleResponse> UnaryCallAsync(SimpleRequest request, CallContext context)
    {
        if (request.SleepMs > 0)
        {
            try
            {
                await Task.Delay(request.SleepMs, context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                LastCallCancelled.TrySetResult(true);
                throw;
            }
        }

        if (request.StatusCode != 0)
        {
            throw new RpcException((StatusCode)request.StatusCode, request.StatusMessage ?? string.Empty);
        }

        string? metadata = request.EchoMetadataKey is { } key ? context.GetMetadata(key) : null;
        return new SimpleResponse(new byte[request.ResponseSize], metadata);
    }

    private async ValueTask<AggregatedSize> StreamingInputCallAsync(IAsyncEnumerable<Payload> requests, CallContext context)
    {
        int total = 0;
        try
        {
            await foreach (Payload item in requests)
            {
                total += item.Body.Length;
            }
        }
        catch (OperationCanceledException)
        {
            LastCallCancelled.TrySetResult(true);
            throw;
        }

        return new AggregatedSize(total);
    }

    private static async IAsyncEnumerable<Payload> StreamingOutputCallAsync(StreamingOutputRequest request, CallContext context)
    {
        foreach (int size in request.ResponseSizes)
        {
            if (request.IntervalMs > 0)
            {
                await Task.Delay(request.IntervalMs, context.CancellationToken);
            }

            yield return new Payload(new byte[size]);
        }
    }

    private async IAsyncEnumerable<Payload> FullDuplexCallAsync(IAsyncEnumerable<StreamingOutputRequest> requests, CallContext context)
    {
        await using IAsyncEnumerator<StreamingOutputRequest> enumerator = requests.GetAsyncEnumerator(context.CancellationToken);
        while (true)
        {
            bool more;
            try
            {
                more = await enumerator.MoveNextAsync();
            }
            catch (OperationCanceledException)
            {
                LastCallCancelled.TrySetResult(true);
                throw;
            }

            if (!more)
            {
                yield break;
            }

            foreach (int size in enumerator.Current.ResponseSizes)
            {
                yield return new Payload(new byte[size]);
            }
        }
    }

    private sealed class SessionCounter : IDisposable
    {
        private readonly int _sessionId;
        private readonly List<int> _disposed;
        private readonly StrongBox<int>? _live;
        private int _count;

        public SessionCounter(int sessionId, List<int> disposed, StrongBox<int>? live)
        {
            _sessionId = sessionId;
            _disposed = disposed;
            _live = live;
            if (live is not null)
            {
                Interlocked.Increment(ref live.Value);
            }
        }

        public CounterReply Increment() => new(Interlocked.Increment(ref _count), _sessionId);

        public void Dispose()
        {
            lock (_disposed)
            {
                _disposed.Add(_sessionId);
            }

            if (_live is not null)
            {
                Interlocked.Decrement(ref _live.Value);
            }
        }
    }
}
