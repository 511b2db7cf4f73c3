using System.Buffers;
using System.Runtime.CompilerServices;
using Aster.Codec;
using Aster.Framing;
using Aster.Internal;
using Aster.Protocol;

namespace Aster.Client;

/// <summary>
/// One call in progress on a client stream: writes the header and requests, reads responses up to the trailer, and on
/// cancellation or a deadline sends CANCEL, drains briefly and drops the stream (wire-protocol.md, section 13).
/// </summary>
/// <remarks>
/// Ownership: the call owns its <see cref="CallDeadline"/> (only when it has a timeout; otherwise the caller's token is
/// used as is) and, until it is returned or dropped, its stream. The write gate exists only once a streaming write or a
/// cancellation needs it: the header and first request are written before the call is shared.
/// </remarks>
internal sealed class ClientCall : IAsyncDisposable
{
    private readonly ClientStream _stream;
    private readonly StreamPool? _pool;
    private readonly IProtocolCodec _protocol;
    private readonly AsterClientOptions _options;
    private readonly CallDeadline? _deadline;
    private readonly CancellationToken _userToken;
    private readonly bool _endWithFin;
    private SemaphoreSlim? _writeGate;
    private bool _sendClosed;
    private bool _trailerSeen;
    private int _disposed;

    private ClientCall(ClientStream stream, StreamPool? pool, IProtocolCodec protocol, AsterClientOptions options, CallDeadline? deadline, CancellationToken userToken)
    {
        _stream = stream;
        _pool = pool;
        _protocol = protocol;
        _options = options;
        _deadline = deadline;
        _userToken = userToken;
        _endWithFin = options.WireDialect == WireDialect.Release012;
    }

    /// <summary>Cancelled by the caller's token or the deadline.</summary>
    public CancellationToken Token => _deadline?.Token ?? _userToken;

    private SemaphoreSlim WriteGate
    {
        get
        {
            if (Volatile.Read(ref _writeGate) is { } gate)
            {
                return gate;
            }

            var created = new SemaphoreSlim(1, 1);
            return Interlocked.CompareExchange(ref _writeGate, created, null) ?? created;
        }
    }

    /// <summary>Acquires a stream (pooled or dedicated) and sends the header, plus the first request when given.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<ClientCall> StartAsync(
        AsterClient client,
        Transport.IRpcConnection connection,
        StreamHeader header,
        TimeSpan? timeout,
        StreamPool? pool,
        ReadOnlyMemory<byte>? firstRequest,
        CancellationToken cancellationToken)
    {
        AsterClientOptions options = client.Options;
        CallDeadline? deadline = timeout is { } t ? new CallDeadline(client.Deadlines, t, cancellationToken) : null;
        IProtocolCodec protocol = client.ProtocolFor(header.SerializationMode);
        ClientStream? stream = null;
        try
        {
            CancellationToken token = deadline?.Token ?? cancellationToken;
            stream = pool is null
                ? new ClientStream(await connection.OpenStreamAsync(token).ConfigureAwait(false), options.MaxFrameLength)
                : await pool.AcquireAsync(options.StreamAcquireTimeout, token).ConfigureAwait(false);
            var call = new ClientCall(stream, pool, protocol, options, deadline, cancellationToken);
            stream = null;
            await call.WriteStartAsync(header, firstRequest).ConfigureAwait(false);
            return call;
        }
        catch (Exception ex)
        {
            if (stream is not null)
            {
                if (pool is null)
                {
                    stream.Stream.Abort(0);
                    await stream.Stream.DisposeAsync().ConfigureAwait(false);
                }
                else
                {
                    pool.Discard(stream);
                }
            }

            Exception translated = Translate(ex, deadline, cancellationToken);
            deadline?.Dispose();
            if (ReferenceEquals(translated, ex))
            {
                throw;
            }

            throw translated;
        }
    }

    /// <summary>Writes one request data frame (with END_STREAM when <paramref name="last"/>).</summary>
    public async ValueTask WriteRequestAsync(ReadOnlyMemory<byte> payload, bool last)
    {
        await WriteGate.WaitAsync(Token).ConfigureAwait(false);
        try
        {
            if (_sendClosed)
            {
                return;
            }

            FrameWriter.WriteData(_stream.Stream.Output, last ? LastRequestFlags : FrameFlags.None, payload.Span, _options.EnableCompression, _options.MaxFrameLength);
            _sendClosed = last;
            await _stream.Stream.Output.FlushAsync(Token).ConfigureAwait(false);
            if (last)
            {
                await FinishIfFinDialectAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _writeGate!.Release();
        }
    }

    /// <summary>Ends the requests with the empty END_STREAM sentinel.</summary>
    public async ValueTask WriteEndAsync()
    {
        await WriteGate.WaitAsync(Token).ConfigureAwait(false);
        try
        {
            if (_sendClosed)
            {
                return;
            }

            _sendClosed = true;
            if (_endWithFin)
            {
                await FinishIfFinDialectAsync().ConfigureAwait(false);
                return;
            }

            FrameWriter.WriteEmpty(_stream.Stream.Output, FrameFlags.EndStream);
            await _stream.Stream.Output.FlushAsync(Token).ConfigureAwait(false);
        }
        finally
        {
            _writeGate!.Release();
        }
    }

    /// <summary>
    /// Reads the next response. Returns false at an OK trailer; throws <see cref="RpcException"/> for an error trailer
    /// or a broken stream, and <see cref="OperationCanceledException"/> when the caller cancelled.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<(bool HasItem, T Item)> ReadAsync<T>(IMessageCodec<T> codec)
    {
        try
        {
            while (true)
            {
                Frame? next = await _stream.Reader.ReadAsync(Token).ConfigureAwait(false);
                if (next is not { } frame)
                {
                    throw new RpcException(StatusCode.Unavailable, "stream ended before trailer");
                }

                FrameFlags flags = frame.Flags & ~FrameFlags.Reserved;
                if ((flags & FrameFlags.RowSchema) != 0)
                {
                    continue;
                }

                if ((flags & FrameFlags.Trailer) != 0)
                {
                    RpcStatus status = ReadStatus(frame.Payload);
                    _trailerSeen = true;
                    if (status.Code != StatusCode.OK)
                    {
                        throw new RpcException(status);
                    }

                    return (false, default!);
                }

                if ((flags & (FrameFlags.Header | FrameFlags.Call | FrameFlags.Cancel)) != 0)
                {
                    throw new RpcException(StatusCode.Internal, $"protocol error: unexpected frame with flags 0x{(byte)flags:x2}");
                }

                return (true, DecodeResponse(codec, frame, _options.MaxFrameLength));
            }
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            Exception translated = Translate(ex, _deadline, _userToken);
            if (ReferenceEquals(translated, ex))
            {
                throw;
            }

            throw translated;
        }
    }

    /// <summary>Decodes a response data frame, decompressing it first when it is COMPRESSED.</summary>
    internal static T DecodeResponse<T>(IMessageCodec<T> codec, in Frame frame, int maxFrameLength)
    {
        if ((frame.Flags & FrameFlags.Compressed) == 0)
        {
            return Decode(codec, frame.Payload);
        }

        using PooledBufferWriter plain = DecompressResponse(frame.Payload, maxFrameLength);
        return Decode(codec, new ReadOnlySequence<byte>(plain.WrittenMemory));
    }

    private static T Decode<T>(IMessageCodec<T> codec, in ReadOnlySequence<byte> payload)
    {
        try
        {
            return codec.Decode(payload);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new RpcException(StatusCode.Internal, $"protocol error: malformed response: {ex.Message}", ex);
        }
    }

    /// <summary>A compressed response: bad zstd is a protocol error (19.2); a response of more than one frame's worth is RESOURCE_EXHAUSTED.</summary>
    private static PooledBufferWriter DecompressResponse(in ReadOnlySequence<byte> payload, int maxFrameLength)
    {
        try
        {
            return CompressedPayload.Decompress(payload, maxFrameLength);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.InvalidArgument)
        {
            throw new RpcException(StatusCode.Internal, $"protocol error: {ex.Status.Message}", ex);
        }
    }

    /// <summary>Reads the single response of a unary or client-streaming call and its trailer.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<T> ReadSingleAsync<T>(IMessageCodec<T> codec)
    {
        (bool hasItem, T item) = await ReadAsync(codec).ConfigureAwait(false);
        if (!hasItem)
        {
            throw new RpcException(StatusCode.Internal, "OK trailer with no response frame");
        }

        // Further data frames before the trailer are ignored (wire-protocol.md 19.2).
        while ((await ReadAsync(codec).ConfigureAwait(false)).HasItem)
        {
        }

        return item;
    }

    /// <summary>Ends the call: returns or finishes the stream after a trailer, otherwise cancels and drops it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_trailerSeen)
        {
            if (_pool is not null)
            {
                _stream.Reader.Release();
                _pool.Return(_stream);
            }
            else
            {
                await _stream.Stream.Output.CompleteAsync().ConfigureAwait(false);
                await _stream.Stream.DisposeAsync().ConfigureAwait(false);
            }
        }
        else
        {
            _ = CancelAndDropAsync();
        }

        _deadline?.Dispose();
    }

    /// <summary>The exception the caller sees for a failure inside a call.</summary>
    public Exception Translate(Exception exception) => Translate(exception, _deadline, _userToken);

    private static Exception Translate(Exception exception, CallDeadline? deadline, CancellationToken userToken)
    {
        switch (exception)
        {
            case RpcException:
                return exception;
            case OperationCanceledException when userToken.IsCancellationRequested:
                return exception is OperationCanceledException oce && oce.CancellationToken == userToken ? exception : new OperationCanceledException(userToken);
            case OperationCanceledException when deadline?.Expired == true:
                return new RpcException(StatusCode.DeadlineExceeded, "deadline exceeded");
            case FrameFormatException or ProtocolFormatException:
                return new RpcException(StatusCode.Internal, $"protocol error: {exception.Message}", exception);
            case IOException or ObjectDisposedException or InvalidOperationException:
                return new RpcException(StatusCode.Unavailable, exception.Message, exception);
            default:
                return exception;
        }
    }

    /// <summary>The header (and first request) in one flush; the call is not shared yet, so no gate is needed.</summary>
    private async ValueTask WriteStartAsync(StreamHeader header, ReadOnlyMemory<byte>? firstRequest)
    {
        Token.ThrowIfCancellationRequested();
        PooledBufferWriter buffer = PooledBufferWriter.RentScratch();
        try
        {
            _protocol.WriteHeader(buffer, header);
            FrameWriter.Write(_stream.Stream.Output, FrameFlags.Header, buffer.WrittenSpan, _options.MaxFrameLength);
        }
        finally
        {
            PooledBufferWriter.ReturnScratch(buffer);
        }

        if (firstRequest is { } request)
        {
            FrameWriter.WriteData(_stream.Stream.Output, LastRequestFlags, request.Span, _options.EnableCompression, _options.MaxFrameLength);
            _sendClosed = true;
        }

        await _stream.Stream.Output.FlushAsync(Token).ConfigureAwait(false);
        if (firstRequest is not null)
        {
            await FinishIfFinDialectAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The flags of the last request frame: END_STREAM, or none in the 0.1.2 dialect, which ends with FIN (20.7).</summary>
    private FrameFlags LastRequestFlags => _endWithFin ? FrameFlags.None : FrameFlags.EndStream;

    /// <summary>In the 0.1.2 dialect, finishes the send side (FIN) after the last request.</summary>
    private async ValueTask FinishIfFinDialectAsync()
    {
        if (_endWithFin)
        {
            await _stream.Stream.Output.CompleteAsync().ConfigureAwait(false);
        }
    }

    private RpcStatus ReadStatus(in ReadOnlySequence<byte> payload)
    {
        // Reference servers sometimes answer a JSON call with an XLANG trailer: sniff the first byte (7.2).
        bool json = payload.IsEmpty || payload.FirstSpan.Length == 0 || payload.FirstSpan[0] == (byte)'{';
        IProtocolCodec codec = json ? JsonProtocolCodec.Instance : _protocol;
        return codec.ReadStatus(payload);
    }

    private async Task CancelAndDropAsync()
    {
        try
        {
            await WriteGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                // Our send side is never finished (FIN) while a call runs, so CANCEL can always be sent.
                FrameWriter.WriteEmpty(_stream.Stream.Output, FrameFlags.Cancel);
                await _stream.Stream.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);

                await _stream.Stream.Output.CompleteAsync().ConfigureAwait(false);
            }
            finally
            {
                _writeGate!.Release();
            }

            using var drain = new CancellationTokenSource(_options.CancelDrainTimeout, _options.TimeProvider);
            while (await _stream.Reader.ReadAsync(drain.Token).ConfigureAwait(false) is { } frame)
            {
                if ((frame.Flags & FrameFlags.Trailer) != 0)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or FrameFormatException or InvalidOperationException)
        {
            // Draining is best effort.
        }
        finally
        {
            _stream.Stream.Abort(0);
            await _stream.Stream.DisposeAsync().ConfigureAwait(false);
            _pool?.Return(null);
        }
    }
}
