using System.Buffers;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Aster.Codec;
using Aster.Internal;
using Microsoft.Extensions.Logging;

namespace Aster.Server;

/// <summary>
/// The state of one call on a server stream. The stream's frame loop feeds it requests, the end of requests and
/// cancellation; the call runs its handler through the interceptors and writes exactly one trailer.
/// </summary>
/// <remarks>
/// Ownership: the stream processor creates the call and its <see cref="ServerCallScope.Cancellation"/> source; the call
/// owns both from then on. Its handler time limit is an entry on the server's <see cref="DeadlineScheduler"/> (the call is
/// its own list node) and its link to the connection's closing is one registration; when the trailer is written (or the
/// call abandoned) the entry and the registration are removed and the source is disposed.
/// </remarks>
internal abstract class ServerCall : DeadlineEntry
{
    private readonly ServerCallScope _scope;
    private TaskCompletionSource? _completion;
    private int _finished;
    private int _completed;
    private StatusCode? _cancelStatus;
    private CancellationTokenRegistration _closing;

    protected ServerCall(in ServerCallScope scope)
    {
        _scope = scope;
    }

    /// <summary>Completes when the trailer has been written (or the call was abandoned); made only when someone waits.</summary>
    public Task Completion
    {
        get
        {
            if (Volatile.Read(ref _completed) != 0)
            {
                return Task.CompletedTask;
            }

            var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            TaskCompletionSource completion = Interlocked.CompareExchange(ref _completion, created, null) ?? created;
            if (Volatile.Read(ref _completed) != 0)
            {
                completion.TrySetResult(); // Complete ran before it could see the source
            }

            return completion.Task;
        }
    }

    /// <summary>True once the call has its trailer.</summary>
    public bool IsFinished => Volatile.Read(ref _finished) != 0;

    protected ref readonly ServerCallScope Scope => ref _scope;

    protected CallContext Context => _scope.Context;

    /// <summary>
    /// Starts the handler time limit and links the call to <paramref name="closing"/> (the connection closing or the
    /// server stopping); both are released when the call completes.
    /// </summary>
    public void StartTimeLimit(TimeSpan limit, CancellationToken closing)
    {
        _scope.Runtime.Deadlines.Schedule(this, limit);
        _closing = closing.UnsafeRegister(static state => ((ServerCall)state!).Cancel(), this);
    }

    /// <summary>The handler time limit passed (a timer thread of the server's deadline scheduler).</summary>
    protected internal override void OnExpired() => OnDeadline();

    /// <summary>Called once the header is validated: streaming-request calls start their handler here (D6).</summary>
    public virtual void Start()
    {
    }

    /// <summary>One request data frame arrived.</summary>
    public abstract ValueTask OnRequestAsync(ReadOnlySequence<byte> payload);

    /// <summary>The request side ended (END_STREAM, FIN or an OK client trailer).</summary>
    public abstract void OnRequestEnd();

    /// <summary>
    /// The client sent CANCEL: cancel the handler and answer CANCELLED with <paramref name="message"/> (section 13; the
    /// 0.1.2 session protocol says <c>cancelled</c>). False when the call already had its answer, so wrote nothing.
    /// </summary>
    public bool CancelByClient(string message = "cancelled by client")
    {
        _cancelStatus ??= StatusCode.Cancelled;
        if (Interlocked.Exchange(ref _finished, 1) != 0)
        {
            Cancel();
            return false;
        }

        Cancel(); // after claiming the trailer, so the handler's own cancellation cannot answer first
        _ = WriteFinishAsync(new RpcStatus(StatusCode.Cancelled, message, []), null);
        return true;
    }

    /// <summary>The stream was reset or the connection lost: cancel the handler and write nothing more.</summary>
    public void Abandon()
    {
        _cancelStatus ??= StatusCode.Cancelled;
        if (Interlocked.Exchange(ref _finished, 1) == 0)
        {
            _scope.Runtime.OnCallFinished(Context, StatusCode.Cancelled);
            Cancel();
            Complete();
            return;
        }

        Cancel();
    }

    /// <summary>Ends the call with <paramref name="status"/> unless it already has a trailer.</summary>
    public Task FailAsync(RpcStatus status)
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0)
        {
            Cancel();
            return Task.CompletedTask;
        }

        Cancel(); // after claiming the trailer, so the handler's own cancellation cannot answer first
        return WriteFinishAsync(status, null);
    }

    /// <summary>The handler time limit passed: cancel it and answer DEADLINE_EXCEEDED at once.</summary>
    public void OnDeadline()
    {
        _cancelStatus ??= StatusCode.DeadlineExceeded;
        Cancel();
        _ = FinishAsync(new RpcStatus(StatusCode.DeadlineExceeded, "deadline exceeded", []));
    }

    /// <summary>Writes the trailer (after an optional last response frame) once; later calls do nothing.</summary>
    protected Task FinishAsync(RpcStatus status, ReadOnlyMemory<byte>? response = null)
        => Interlocked.Exchange(ref _finished, 1) != 0 ? Task.CompletedTask : WriteFinishAsync(status, response);

    private async Task WriteFinishAsync(RpcStatus status, ReadOnlyMemory<byte>? response)
    {
        try
        {
            await _scope.Output.WriteTrailerAsync(response, status, _scope.Protocol).ConfigureAwait(false);
            _scope.Runtime.OnCallFinished(Context, status.Code);
        }
        finally
        {
            Complete();
        }
    }

    private void Complete()
    {
        Volatile.Write(ref _completed, 1);
        Volatile.Read(ref _completion)?.TrySetResult();
        _scope.Runtime.Deadlines.Cancel(this);
        _closing.Unregister();
        _scope.Cancellation.Dispose();
    }

    /// <summary>The handler itself, called through the interceptors by <see cref="RunAsync"/>.</summary>
    protected abstract ValueTask InvokeAsync(CallContext context);

    /// <summary>Runs the handler through the interceptors and turns whatever it throws into the trailer.</summary>
    protected async Task RunAsync()
    {
        CallContext.Current = Context;
        try
        {
            ServerRuntime runtime = _scope.Runtime;
            if (runtime.HasInterceptors)
            {
                await runtime.Pipeline(InvokeAsync)(Context).ConfigureAwait(false);
            }
            else
            {
                await InvokeAsync(Context).ConfigureAwait(false); // no pipeline delegate without interceptors
            }

            if (!IsFinished)
            {
                await FinishAsync(new RpcStatus(StatusCode.Internal, "the call ended without a response", [])).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            await FinishAsync(StatusFor(ex)).ConfigureAwait(false);
        }
        finally
        {
            Cancel();
        }
    }

    /// <summary>Decodes one request payload, ending the call with the right status when it is malformed.</summary>
    protected bool TryDecode<T>(IMessageCodec<T> codec, in ReadOnlySequence<byte> payload, out T value)
    {
        try
        {
            value = codec.Decode(payload);
            return true;
        }
        catch (ContractViolationException ex)
        {
            _ = FailAsync(new RpcStatus(StatusCode.ContractViolation, ex.Message, ex.Details));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _ = FailAsync(new RpcStatus(StatusCode.InvalidArgument, $"malformed request: {ex.Message}", []));
        }

        value = default!;
        return false;
    }

    /// <summary>Encodes one response into a frame-sized pooled payload, which the caller disposes once it is written.</summary>
    protected PooledBufferWriter Encode<T>(IMessageCodec<T> codec, T value)
    {
        var buffer = new PooledBufferWriter();
        try
        {
            codec.Encode(value, buffer);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            buffer.Dispose();
            throw new RpcException(StatusCode.Internal, "the response could not be encoded", ex);
        }

        if (buffer.WrittenCount + 1 > _scope.Runtime.Options.Limits.MaxFrameLength)
        {
            int size = buffer.WrittenCount + 1;
            buffer.Dispose();
            throw new RpcException(StatusCode.ResourceExhausted, $"response of {size} bytes exceeds the frame limit of {_scope.Runtime.Options.Limits.MaxFrameLength}");
        }

        return buffer;
    }

    /// <summary>Writes the single response and the OK trailer.</summary>
    protected async Task FinishWithResponseAsync<T>(IMessageCodec<T> codec, T value)
    {
        using PooledBufferWriter payload = Encode(codec, value);
        await FinishAsync(RpcStatus.Ok, payload.WrittenMemory).ConfigureAwait(false);
    }

    /// <summary>Writes one streamed response; false when the call is over or the peer stopped reading.</summary>
    protected async ValueTask<bool> WriteStreamedAsync<T>(IMessageCodec<T> codec, T item)
    {
        if (IsFinished)
        {
            return false;
        }

        bool written;
        using (PooledBufferWriter payload = Encode(codec, item))
        {
            written = await _scope.Output.WriteMessageAsync(payload.WrittenMemory, Context.CancellationToken).ConfigureAwait(false);
        }

        if (!written)
        {
            Abandon();
        }

        return written;
    }

    private void Cancel()
    {
        if (Volatile.Read(ref _completed) != 0)
        {
            return; // the source is disposed with the call: nothing left to cancel
        }

        try
        {
            _scope.Cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private RpcStatus StatusFor(Exception exception)
    {
        switch (exception)
        {
            case RpcException rpc:
                return rpc.Status;
            case OperationCanceledException when Context.CancellationToken.IsCancellationRequested:
                return _cancelStatus == StatusCode.DeadlineExceeded
                    ? new RpcStatus(StatusCode.DeadlineExceeded, "deadline exceeded", [])
                    : new RpcStatus(StatusCode.Cancelled, "cancelled", []);
            default:
                ServerLog.HandlerFailed(_scope.Runtime.Logger, Context.Service, Context.Method, exception);
                return new RpcStatus(
                    StatusCode.Internal,
                    _scope.Runtime.Options.IncludeExceptionDetails ? exception.Message : "the handler failed",
                    []);
        }
    }
}

internal sealed class UnaryServerCall<TService, TRequest, TResponse>(in ServerCallScope scope, Func<TService, TRequest, CallContext, ValueTask<TResponse>> handler, object instance)
    : ServerCall(scope)
{
    private readonly IMessageCodec<TRequest> _requestCodec = scope.Codecs.GetCodec<TRequest>(scope.Context.SerializationMode);
    private readonly IMessageCodec<TResponse> _responseCodec = scope.Codecs.GetCodec<TResponse>(scope.Context.SerializationMode);
    private TRequest _request = default!;
    private bool _started;

    public override ValueTask OnRequestAsync(ReadOnlySequence<byte> payload)
    {
        if (_started || IsFinished)
        {
            return ValueTask.CompletedTask; // extra request frames are discarded (row 28)
        }

        _started = true;
        if (TryDecode(_requestCodec, payload, out _request))
        {
            _ = RunAsync();
        }

        return ValueTask.CompletedTask;
    }

    public override void OnRequestEnd()
    {
        if (!_started)
        {
            _started = true;
            _ = FailAsync(new RpcStatus(StatusCode.InvalidArgument, "missing request frame", []));
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    protected override async ValueTask InvokeAsync(CallContext context)
    {
        TResponse response = await handler((TService)instance, _request, context).ConfigureAwait(false);
        await FinishWithResponseAsync(_responseCodec, response).ConfigureAwait(false);
    }
}

internal sealed class ServerStreamingServerCall<TService, TRequest, TResponse>(in ServerCallScope scope, Func<TService, TRequest, CallContext, IAsyncEnumerable<TResponse>> handler, object instance)
    : ServerCall(scope)
{
    private readonly IMessageCodec<TRequest> _requestCodec = scope.Codecs.GetCodec<TRequest>(scope.Context.SerializationMode);
    private readonly IMessageCodec<TResponse> _responseCodec = scope.Codecs.GetCodec<TResponse>(scope.Context.SerializationMode);
    private TRequest _request = default!;
    private bool _started;

    public override ValueTask OnRequestAsync(ReadOnlySequence<byte> payload)
    {
        if (_started || IsFinished)
        {
            return ValueTask.CompletedTask;
        }

        _started = true;
        if (TryDecode(_requestCodec, payload, out _request))
        {
            _ = RunAsync();
        }

        return ValueTask.CompletedTask;
    }

    public override void OnRequestEnd()
    {
        if (!_started)
        {
            _started = true;
            _ = FailAsync(new RpcStatus(StatusCode.InvalidArgument, "missing request frame", []));
        }
    }

    protected override async ValueTask InvokeAsync(CallContext context)
    {
        await foreach (TResponse item in handler((TService)instance, _request, context).WithCancellation(context.CancellationToken).ConfigureAwait(false))
        {
            if (!await WriteStreamedAsync(_responseCodec, item).ConfigureAwait(false))
            {
                return;
            }
        }

        await FinishAsync(RpcStatus.Ok).ConfigureAwait(false);
    }
}

/// <summary>Shared request-side behaviour of client-streaming and bidirectional calls.</summary>
internal abstract class StreamingRequestServerCall<TRequest> : ServerCall
{
    private readonly IMessageCodec<TRequest> _requestCodec;
    private readonly Channel<TRequest> _requests = Channel.CreateBounded<TRequest>(new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true });
    private int _received;

    protected StreamingRequestServerCall(in ServerCallScope scope)
        : base(scope)
    {
        _requestCodec = scope.Codecs.GetCodec<TRequest>(scope.Context.SerializationMode);
    }

    protected IAsyncEnumerable<TRequest> Requests => _requests.Reader.ReadAllAsync(Context.CancellationToken);

    public override async ValueTask OnRequestAsync(ReadOnlySequence<byte> payload)
    {
        if (IsFinished)
        {
            return;
        }

        if (++_received > Scope.Runtime.Options.Limits.MaxClientStreamItems)
        {
            // Fail first: completing the requests first would let the handler answer OK before the trailer is claimed.
            Task failing = FailAsync(new RpcStatus(StatusCode.ResourceExhausted, $"client stream exceeded {Scope.Runtime.Options.Limits.MaxClientStreamItems} items", []));
            _requests.Writer.TryComplete();
            await failing.ConfigureAwait(false);
            return;
        }

        if (!TryDecode(_requestCodec, payload, out TRequest request))
        {
            _requests.Writer.TryComplete();
            return;
        }

        try
        {
            await _requests.Writer.WriteAsync(request, Context.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            // The handler is gone or stopped reading; the frame is discarded.
        }
    }

    public override void OnRequestEnd() => _requests.Writer.TryComplete();
}

internal sealed class ClientStreamingServerCall<TService, TRequest, TResponse>(in ServerCallScope scope, Func<TService, IAsyncEnumerable<TRequest>, CallContext, ValueTask<TResponse>> handler, object instance)
    : StreamingRequestServerCall<TRequest>(scope)
{
    private readonly IMessageCodec<TResponse> _responseCodec = scope.Codecs.GetCodec<TResponse>(scope.Context.SerializationMode);

    public override void Start() => _ = RunAsync();

    protected override async ValueTask InvokeAsync(CallContext context)
    {
        TResponse response = await handler((TService)instance, Requests, context).ConfigureAwait(false);
        await FinishWithResponseAsync(_responseCodec, response).ConfigureAwait(false);
    }
}

internal sealed class DuplexStreamingServerCall<TService, TRequest, TResponse>(in ServerCallScope scope, Func<TService, IAsyncEnumerable<TRequest>, CallContext, IAsyncEnumerable<TResponse>> handler, object instance)
    : StreamingRequestServerCall<TRequest>(scope)
{
    private readonly IMessageCodec<TResponse> _responseCodec = scope.Codecs.GetCodec<TResponse>(scope.Context.SerializationMode);

    public override void Start() => _ = RunAsync();

    protected override async ValueTask InvokeAsync(CallContext context)
    {
        await foreach (TResponse item in handler((TService)instance, Requests, context).WithCancellation(context.CancellationToken).ConfigureAwait(false))
        {
            if (!await WriteStreamedAsync(_responseCodec, item).ConfigureAwait(false))
            {
                return;
            }
        }

        await FinishAsync(RpcStatus.Ok).ConfigureAwait(false);
    }
}
