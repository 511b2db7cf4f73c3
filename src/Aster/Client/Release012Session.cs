using System.Buffers;
using System.Runtime.CompilerServices;
using Aster.Codec;
using Aster.Framing;
using Aster.Internal;
using Aster.Protocol;
using Aster.Protocol.Json;
using Aster.Transport;

namespace Aster.Client;

/// <summary>
/// The client side of one session in the release 0.1.2 session protocol (wire-protocol.md 20.5): a stream opened by a
/// JSON header with an empty method, then per call a CALL frame, the requests (client-stream and bidi input ended by an
/// OK TRAILER) and the answers (a unary or client-stream success is one DATA frame without a trailer). Calls take turns;
/// a cancelled call sends CANCEL and drains to the server's trailer so the session stays usable. FIN closes it.
/// </summary>
internal sealed class Release012Session : IAsyncDisposable
{
    private readonly ClientStream _stream;
    private readonly AsterClientOptions _options;
    private readonly SemaphoreSlim _turn = new(1, 1);
    private bool _broken;

    private Release012Session(ClientStream stream, AsterClientOptions options)
    {
        _stream = stream;
        _options = options;
    }

    /// <summary>Opens the session stream: a 0.1.2 header with an empty method for <paramref name="header"/>'s service.</summary>
    public static async ValueTask<Release012Session> OpenAsync(IRpcConnection connection, StreamHeader header, AsterClientOptions options, CancellationToken cancellationToken)
    {
        IRpcStream stream = await connection.OpenStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new PooledBufferWriter();
        ProtocolJson.WriteHeader(buffer, header with { Method = "", CallIdText = Guid.NewGuid().ToString("D"), DeadlineEpochMs = 0, MetadataKeys = [], MetadataValues = [] });
        FrameWriter.Write(stream.Output, FrameFlags.Header, buffer.WrittenSpan, options.MaxFrameLength);
        await stream.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return new Release012Session(new ClientStream(stream, options.MaxFrameLength), options);
    }

    /// <summary>A unary call: CALL, one DATA; the answer is one DATA (or an error TRAILER).</summary>
    public async ValueTask<TResponse> UnaryAsync<TRequest, TResponse>(StreamHeader call, IMessageCodec<TRequest> requestCodec, TRequest request, IMessageCodec<TResponse> responseCodec, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        using CancellationTokenSource token = CallToken(timeout, cancellationToken);
        try
        {
            await WriteCallAsync(call, token.Token).ConfigureAwait(false);
            await WriteMessageAsync(requestCodec, request, token.Token).ConfigureAwait(false);
            return await ReadSingleAsync(responseCodec, token.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            throw await AbandonAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>A client-streaming call: CALL, DATA*, TRAILER(OK); the answer is one DATA (or an error TRAILER).</summary>
    public async ValueTask<TResponse> ClientStreamingAsync<TRequest, TResponse>(StreamHeader call, IMessageCodec<TRequest> requestCodec, IAsyncEnumerable<TRequest> requests, IMessageCodec<TResponse> responseCodec, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        using CancellationTokenSource token = CallToken(timeout, cancellationToken);
        try
        {
            await WriteCallAsync(call, token.Token).ConfigureAwait(false);
            await SendAllAsync(requestCodec, requests, token.Token).ConfigureAwait(false);
            return await ReadSingleAsync(responseCodec, token.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            throw await AbandonAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>
    /// A server-streaming call (<paramref name="requests"/> null: CALL, one DATA) or a bidi call (CALL, DATA*,
    /// TRAILER(OK), sent while reading); the answers are DATA* and a TRAILER.
    /// </summary>
    public async IAsyncEnumerable<TResponse> StreamingAsync<TRequest, TResponse>(StreamHeader call, IMessageCodec<TRequest> requestCodec, TRequest? request, IAsyncEnumerable<TRequest>? requests, IMessageCodec<TResponse> responseCodec, TimeSpan? timeout, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        using CancellationTokenSource token = CallToken(timeout, cancellationToken);
        Task sending = Task.CompletedTask;
        bool finished = false;
        try
        {
            await WriteCallAsync(call, token.Token).ConfigureAwait(false);
            if (requests is null)
            {
                await WriteMessageAsync(requestCodec, request!, token.Token).ConfigureAwait(false);
            }
            else
            {
                sending = SendAllAsync(requestCodec, requests, token.Token);
            }

            while (true)
            {
                bool hasItem;
                TResponse item;
                try
                {
                    (hasItem, item) = await ReadNextAsync(responseCodec, token.Token).ConfigureAwait(false);
                }
                catch (RpcException)
                {
                    finished = true; // an error trailer ended the call, or the stream broke
                    throw;
                }

                if (!hasItem)
                {
                    break;
                }

                yield return item;
            }

            finished = true;
            await sending.ConfigureAwait(false);
        }
        finally
        {
            if (!finished && !_broken)
            {
                // Abandoned by the caller, cancelled, timed out or failed: stop the server's side and resynchronise.
                await token.CancelAsync().ConfigureAwait(false);
                await sending.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                _ = await AbandonAsync(cancellationToken).ConfigureAwait(false);
            }

            _turn.Release();
        }
    }

    /// <summary>Finishes the session stream (FIN); the server disposes the session instance.</summary>
    public async ValueTask DisposeAsync()
    {
        await _turn.WaitAsync().ConfigureAwait(false);
        try
        {
            _broken = true;
            await _stream.Stream.Output.CompleteAsync().ConfigureAwait(false);
            await _stream.Stream.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _turn.Release();
        }
    }

    private static CancellationTokenSource CallToken(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var token = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } limit)
        {
            token.CancelAfter(limit);
        }

        return token;
    }

    private async ValueTask EnterAsync(CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_broken)
        {
            _turn.Release();
            throw new RpcException(StatusCode.Unavailable, "the 0.1.2 session stream has ended");
        }
    }

    private async ValueTask WriteCallAsync(StreamHeader call, CancellationToken cancellationToken)
    {
        using var buffer = new PooledBufferWriter();
        ProtocolJson.WriteCallHeader(buffer, call);
        FrameWriter.Write(_stream.Stream.Output, FrameFlags.Call, buffer.WrittenSpan, _options.MaxFrameLength);
        await _stream.Stream.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask WriteMessageAsync<T>(IMessageCodec<T> codec, T message, CancellationToken cancellationToken)
    {
        using var buffer = new PooledBufferWriter();
        codec.Encode(message, buffer);
        FrameWriter.WriteData(_stream.Stream.Output, FrameFlags.None, buffer.WrittenSpan, _options.EnableCompression, _options.MaxFrameLength);
        await _stream.Stream.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every request, then the OK TRAILER that ends a client-stream or bidi input in this protocol.</summary>
    private async Task SendAllAsync<T>(IMessageCodec<T> codec, IAsyncEnumerable<T> requests, CancellationToken cancellationToken)
    {
        await foreach (T request in requests.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            await WriteMessageAsync(codec, request, cancellationToken).ConfigureAwait(false);
        }

        using var buffer = new PooledBufferWriter();
        ProtocolJson.WriteStatus(buffer, RpcStatus.Ok);
        FrameWriter.Write(_stream.Stream.Output, FrameFlags.Trailer, buffer.WrittenSpan, _options.MaxFrameLength);
        await _stream.Stream.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<T> ReadSingleAsync<T>(IMessageCodec<T> codec, CancellationToken cancellationToken)
    {
        (bool hasItem, T item) = await ReadNextAsync(codec, cancellationToken).ConfigureAwait(false);
        return hasItem ? item : throw new RpcException(StatusCode.Internal, "protocol error: OK trailer without a response");
    }

    /// <summary>The next DATA frame decoded, or false at an OK trailer; an error trailer throws its status.</summary>
    private async ValueTask<(bool HasItem, T Item)> ReadNextAsync<T>(IMessageCodec<T> codec, CancellationToken cancellationToken)
    {
        Frame? next;
        try
        {
            next = await _stream.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or FrameFormatException or InvalidOperationException)
        {
            _broken = true;
            throw new RpcException(StatusCode.Unavailable, $"0.1.2 session stream failed: {ex.Message}", ex);
        }

        if (next is not { } frame)
        {
            _broken = true;
            throw new RpcException(StatusCode.Unavailable, "the server ended the 0.1.2 session stream");
        }

        if ((frame.Flags & FrameFlags.Trailer) != 0)
        {
            RpcStatus status = ProtocolJson.ReadStatus(frame.Payload.IsSingleSegment ? frame.Payload.FirstSpan : frame.Payload.ToArray());
            return status.Code == StatusCode.OK ? (false, default!) : throw new RpcException(status);
        }

        if ((frame.Flags & (FrameFlags.Header | FrameFlags.Call | FrameFlags.Cancel)) != 0)
        {
            _broken = true;
            throw new RpcException(StatusCode.Internal, $"protocol error: unexpected frame with flags 0x{(byte)frame.Flags:x2}");
        }

        return (true, ClientCall.DecodeResponse(codec, frame, _options.MaxFrameLength));
    }

    /// <summary>After a cancelled call: CANCEL, then skip to the server's trailer (20.5); no trailer in time breaks the session.</summary>
    private async ValueTask<Exception> AbandonAsync(CancellationToken userToken)
    {
        try
        {
            FrameWriter.WriteEmpty(_stream.Stream.Output, FrameFlags.Cancel);
            await _stream.Stream.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            using var drain = new CancellationTokenSource(_options.CancelDrainTimeout, _options.TimeProvider);
            bool settled = false;
            while (!settled && await _stream.Reader.ReadAsync(drain.Token).ConfigureAwait(false) is { } frame)
            {
                settled = (frame.Flags & FrameFlags.Trailer) != 0;
            }

            _broken |= !settled;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or FrameFormatException or InvalidOperationException)
        {
            _broken = true;
            _stream.Stream.Abort(0);
        }

        return userToken.IsCancellationRequested
            ? new OperationCanceledException(userToken)
            : new RpcException(StatusCode.DeadlineExceeded, "deadline exceeded");
    }
}
