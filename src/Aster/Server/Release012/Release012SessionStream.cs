using System.Buffers;
using Aster.Contracts;
using Aster.Framing;
using Aster.Protocol;
using Aster.Protocol.Json;
using Aster.Trust;
using Microsoft.Extensions.Logging;

namespace Aster.Server.Release012;

/// <summary>
/// The server side of one session stream of the release 0.1.2 session protocol (wire-protocol.md 20.5). A 0.1.2 header
/// with an empty method on a session-scoped service opened the stream and made one service instance for it; then every
/// call starts with a CALL frame carrying a CallHeader (method, call id, absolute deadline, metadata). Calls run one at
/// a time through the same checks as any other call (admission, metadata limits, gate 3, deadline and handler time
/// limit, interceptors). A successful unary or client-stream call answers one DATA frame and no trailer; server-stream
/// and bidi calls end with a trailer; errors are trailers. Client-stream and bidi input ends with an OK TRAILER.
/// The client's FIN closes the session: the server FINs and releases the instance, as it does when the connection ends.
/// </summary>
/// <remarks>
/// The owning <see cref="ServerStreamProcessor"/> keeps reading the stream (so CANCEL is seen during a call), applies
/// the framing rules and hands every frame here. <see cref="OnFrameAsync"/> returning false ends the stream: the
/// processor finishes the send side and stops reading.
/// </remarks>
internal sealed class Release012SessionStream : IAsyncDisposable
{
    private readonly ServerStreamProcessor _processor;
    private readonly StreamHeader _open;
    private readonly ServiceDefinition _service;
    private readonly object _instance;
    private ServerCall? _call;
    private MethodPattern _pattern;
    private bool _requestOpen;
    private int _released;

    private Release012SessionStream(ServerStreamProcessor processor, StreamHeader open, ServiceDefinition service, object instance)
    {
        _processor = processor;
        _open = open;
        _service = service;
        _instance = instance;
    }

    /// <summary>The call in progress (no answer yet), if any.</summary>
    public ServerCall? ActiveCall => _call is { IsFinished: false } call ? call : null;

    private ILogger Logger => _processor.Runtime.Logger;

    /// <summary>
    /// Opens a session stream for <paramref name="open"/> (already validated: service, mode, metadata): counts it against
    /// the live-session limit and creates the instance. Returns the refusal when that fails.
    /// </summary>
    public static RpcStatus? TryOpen(ServerStreamProcessor processor, StreamHeader open, ServiceDefinition service, out Release012SessionStream? session)
    {
        session = null;
        SessionTable sessions = processor.Connection.Sessions;
        if (sessions.TryOpenStreamSession() is { } full)
        {
            return full;
        }

        object instance;
        try
        {
            // The protocol has no session id: the instance sees 0 and lives as long as this stream.
            instance = service.InstanceFactory(new SessionContext(0, service.Name));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            sessions.CloseStreamSession();
            ServerLog.HandlerFailed(processor.Runtime.Logger, service.Name, "", ex);
            return new RpcStatus(StatusCode.Internal, "the session instance could not be created", []);
        }

        processor.Output.SingleResponseWithoutTrailer = true;
        session = new Release012SessionStream(processor, open, service, instance);
        return null;
    }

    /// <summary>Handles one frame of the session stream; false ends the stream.</summary>
    public async ValueTask<bool> OnFrameAsync(Frame frame)
    {
        FrameFlags flags = frame.Flags & ~FrameFlags.Reserved;
        if ((flags & FrameFlags.Cancel) != 0)
        {
            await OnCancelAsync().ConfigureAwait(false);
            return true;
        }

        if ((flags & FrameFlags.Call) != 0)
        {
            return await OnCallAsync(frame.Payload).ConfigureAwait(false);
        }

        if (!_requestOpen || (flags & FrameFlags.Header) != 0)
        {
            return await EndAsync(new RpcStatus(StatusCode.FailedPrecondition, "Expected CALL frame", [])).ConfigureAwait(false);
        }

        if ((flags & FrameFlags.Trailer) != 0)
        {
            // The end of client-stream or bidi input; non-OK fails the call (row 29). A refused call has no call object.
            if (_call is { IsFinished: false } call)
            {
                await _processor.OnClientTrailerAsync(call, frame.Payload).ConfigureAwait(false);
            }

            EndRequests();
            return true;
        }

        bool end = (flags & FrameFlags.EndStream) != 0;
        if (!(end && frame.Payload.IsEmpty) && _call is { IsFinished: false } receiver)
        {
            await _processor.DeliverRequestAsync(receiver, frame).ConfigureAwait(false);
        }

        if (end || _pattern is MethodPattern.Unary or MethodPattern.ServerStream)
        {
            EndRequests(); // unary and server-stream calls take exactly one DATA frame
        }

        return true;
    }

    /// <summary>The client finished its send side: the current call ends its input and is awaited; the processor FINs.</summary>
    public async ValueTask OnFinAsync()
    {
        if (_requestOpen)
        {
            EndRequests();
        }

        if (_call is { } call)
        {
            await call.Completion.ConfigureAwait(false);
        }
    }

    /// <summary>The stream was reset or the connection lost: cancel the call in progress, write nothing more.</summary>
    public void Abandon() => _call?.Abandon();

    /// <summary>Releases the session instance (its release hook, <c>DisposeAsync</c> or <c>Dispose</c>) once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        try
        {
            await SessionTable.ReleaseAsync(_service, _instance).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A failing Dispose is logged; the stream is over either way.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            ServerLog.SessionDisposeFailed(Logger, 0, _service.Name, ex);
        }
        finally
        {
            _processor.Connection.Sessions.CloseStreamSession();
        }
    }

    /// <summary>
    /// A CALL frame: ends a call still in progress (FAILED_PRECONDITION), then reads the CallHeader and starts the call
    /// after the same checks as a current-dialect call, or answers the refusal and discards the call's request frames.
    /// </summary>
    private async ValueTask<bool> OnCallAsync(ReadOnlySequence<byte> payload)
    {
        if (ActiveCall is { } active)
        {
            await active.FailAsync(new RpcStatus(StatusCode.FailedPrecondition, "CALL received during active call", [])).ConfigureAwait(false);
        }

        if (_call is { } previous)
        {
            if (_requestOpen)
            {
                previous.OnRequestEnd();
            }

            await previous.Completion.ConfigureAwait(false); // its frames are all written before the next call's
        }

        _call = null;
        _requestOpen = false;
        StreamHeader header;
        try
        {
            header = ReadCallHeader(payload);
        }
        catch (ProtocolFormatException ex)
        {
            return await EndAsync(new RpcStatus(StatusCode.InvalidArgument, $"malformed CallHeader: {ex.Message}", [])).ConfigureAwait(false);
        }

        if (_service.FindMethod(header.Method) is not { } method)
        {
            return await EndAsync(new RpcStatus(StatusCode.Unimplemented, $"Method not found: {header.Method}", [])).ConfigureAwait(false);
        }

        _pattern = method.Kind;
        _requestOpen = true;
        RpcStatus? refusal;
        ServerCall? call = null;
        if (!_processor.TryFindAdmission(out PeerAdmission? admission))
        {
            refusal = new RpcStatus(StatusCode.Unauthenticated, "admission expired", []);
        }
        else
        {
            refusal = _processor.ValidateMetadata(header)
                ?? _processor.CheckCapability(_service, method, admission)
                ?? _processor.TryCreateCall(header, _service, method, admission, _instance, out call);
        }

        if (refusal is not null)
        {
            if (Logger.IsEnabled(LogLevel.Debug))
            {
                ServerLog.CallRefused(Logger, header.Service, header.Method, refusal.Code, refusal.Message);
            }

            await WriteTrailerAsync(refusal).ConfigureAwait(false); // then this call's request frames are discarded
            return true;
        }

        _call = call;
        call!.Start();
        return true;
    }

    /// <summary>
    /// CANCEL: the call in progress is cancelled and answers CANCELLED <c>cancelled</c>; with no call in progress the
    /// same trailer is the acknowledgement (after the last call's frames, so the client can resynchronise on it).
    /// </summary>
    private async ValueTask OnCancelAsync()
    {
        bool open = _requestOpen;
        _requestOpen = false;
        if (_call is { } call)
        {
            if (open)
            {
                call.OnRequestEnd();
            }

            if (call.CancelByClient("cancelled"))
            {
                return;
            }

            await call.Completion.ConfigureAwait(false);
        }

        await WriteTrailerAsync(new RpcStatus(StatusCode.Cancelled, "cancelled", [])).ConfigureAwait(false);
    }

    /// <summary>Answers <paramref name="status"/> (as the trailer of the call in progress, if any) and ends the stream.</summary>
    private async ValueTask<bool> EndAsync(RpcStatus status)
    {
        if (ActiveCall is { } call)
        {
            await call.FailAsync(status).ConfigureAwait(false);
        }
        else
        {
            await WriteTrailerAsync(status).ConfigureAwait(false);
        }

        return false;
    }

    private void EndRequests()
    {
        _requestOpen = false;
        _call?.OnRequestEnd();
    }

    private ValueTask WriteTrailerAsync(RpcStatus status) => _processor.Output.WriteTrailerAsync(null, status, _processor.Protocol);

    /// <summary>
    /// Reads a CALL frame's CallHeader (method, callId, deadlineEpochMs, metadataKeys, metadataValues) in the stream's
    /// codec, JSON or 0.1.2 XLANG, into the header of one call: service, version and mode come from the opening header.
    /// </summary>
    private StreamHeader ReadCallHeader(in ReadOnlySequence<byte> payload)
    {
        StreamHeader call = _processor.Protocol is ICallHeaderReader reader
            ? reader.ReadCallHeader(payload)
            : ProtocolJson.ReadHeader(payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray(), _processor.Runtime.Registry.Names);
        return new StreamHeader
        {
            Service = _open.Service,
            Method = call.Method,
            Version = _open.Version,
            SerializationMode = _open.SerializationMode,
            MetadataKeys = call.MetadataKeys,
            MetadataValues = call.MetadataValues,
            Dialect = WireDialect.Release012,
            CallIdText = call.CallIdText,
            DeadlineEpochMs = call.DeadlineEpochMs,
        };
    }
}
