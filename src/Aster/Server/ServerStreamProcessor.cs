using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Aster.Framing;
using Aster.Interceptors;
using Aster.Internal;
using Aster.Protocol;
using Aster.Server.Release012;
using Aster.Transport;
using Aster.Trust;
using Microsoft.Extensions.Logging;

namespace Aster.Server;

/// <summary>
/// Serves one bidirectional stream: reads frames, runs one call at a time (wire-protocol.md, section 3.1) and applies
/// the bad-input rules of section 19.1. It keeps reading while a call runs, so CANCEL is seen.
/// </summary>
internal sealed class ServerStreamProcessor
{
    private static readonly IReadOnlyDictionary<string, string> _emptyAttributes = new Dictionary<string, string>();
    private readonly IRpcStream _stream;
    private readonly ServerConnection _connection;
    private readonly ServerRuntime _runtime;
    private readonly StreamOutput _output;
    private ServerCall? _call;
    private Release012SessionStream? _session;
    private IProtocolCodec _callProtocol = JsonProtocolCodec.Instance;
    private bool _requestOpen;
    private bool _skipping;
    private ITimer? _partialFrameTimer;
    private volatile bool _partialFrameTimedOut;

    public ServerStreamProcessor(IRpcStream stream, ServerConnection connection, ServerRuntime runtime)
    {
        _stream = stream;
        _connection = connection;
        _runtime = runtime;
        _output = new StreamOutput(stream.Output, runtime.Options.Limits);
    }

    private RpcLimits Limits => _runtime.Options.Limits;

    /// <summary>The connection the stream belongs to.</summary>
    internal ServerConnection Connection => _connection;

    /// <summary>The server-wide state.</summary>
    internal ServerRuntime Runtime => _runtime;

    /// <summary>The stream's send side.</summary>
    internal StreamOutput Output => _output;

    /// <summary>The codec of the stream's framework messages (StreamHeader, RpcStatus), chosen by its first header.</summary>
    internal IProtocolCodec Protocol => _callProtocol;

    public async Task RunAsync()
    {
        PipeReader input = _stream.Input;
        try
        {
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await input.ReadAsync(_connection.Closing).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException)
                {
                    // Connection closing, or the peer reset its send side: cancel, write nothing more.
                    _call?.Abandon();
                    _session?.Abandon();
                    return;
                }
                finally
                {
                    _partialFrameTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                }

                if (result.IsCanceled && _partialFrameTimedOut)
                {
                    await KillAsync($"no byte for {_runtime.Options.PartialFrameTimeout.TotalSeconds:0.###} s inside a frame").ConfigureAwait(false);
                    return;
                }

                ReadOnlySequence<byte> buffer = result.Buffer;
                bool keepGoing = true;
                try
                {
                    while (keepGoing && FrameReader.TryRead(ref buffer, out Frame frame, Limits.MaxFrameLength))
                    {
                        keepGoing = await OnFrameAsync(frame).ConfigureAwait(false);
                    }
                }
                catch (FrameFormatException ex)
                {
                    if (ex.Error == FrameError.TooLarge)
                    {
                        var status = new RpcStatus(StatusCode.ResourceExhausted, $"frame exceeds the limit of {Limits.MaxFrameLength}", []);
                        await FailOrAnswerAsync(status).ConfigureAwait(false);
                    }

                    await KillAsync(ex.Message).ConfigureAwait(false);
                    return;
                }

                if (!keepGoing)
                {
                    await KillAsync("protocol violation").ConfigureAwait(false);
                    return;
                }

                if (result.IsCompleted)
                {
                    // FIN; a partial frame at the end is discarded (row 6).
                    await OnFinAsync().ConfigureAwait(false);
                    return;
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                if (!buffer.IsEmpty)
                {
                    ArmPartialFrameTimer(input);
                }
            }
        }
        finally
        {
            _partialFrameTimer?.Dispose();
            if (_session is not null)
            {
                await _session.DisposeAsync().ConfigureAwait(false);
            }

            await input.CompleteAsync().ConfigureAwait(false);
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Row 7 of section 19.1: while a frame is partly received, the next read must bring a byte within
    /// <see cref="AsterServerOptions.PartialFrameTimeout"/>, else the stream is reset and the call cancelled. One timer
    /// per stream, created on the first partial frame and re-armed per read.
    /// </summary>
    private void ArmPartialFrameTimer(PipeReader input)
    {
        TimeSpan timeout = _runtime.Options.PartialFrameTimeout;
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        _partialFrameTimer ??= _runtime.Options.TimeProvider.CreateTimer(
            static state =>
            {
                var (processor, reader) = ((ServerStreamProcessor, PipeReader))state!;
                processor._partialFrameTimedOut = true;
                reader.CancelPendingRead();
            },
            (this, input),
            Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
        _partialFrameTimer.Change(timeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Handles one frame; false means the stream must be killed.</summary>
    private async ValueTask<bool> OnFrameAsync(Frame frame)
    {
        FrameFlags flags = frame.Flags & ~FrameFlags.Reserved;
        if ((flags & FrameFlags.RowSchema) != 0)
        {
            return true; // never sent by anyone; skipped (row 10)
        }

        if (_session is not null)
        {
            return await _session.OnFrameAsync(frame).ConfigureAwait(false);
        }

        if (_call is not null && !_requestOpen && _call.IsFinished)
        {
            _call = null;
        }

        if (_skipping)
        {
            if ((flags & FrameFlags.Header) != 0)
            {
                return false; // a header while the previous call's request side is open (row 31)
            }

            _skipping = (flags & FrameFlags.EndStream) == 0;
            return true;
        }

        if (_call is null)
        {
            if ((flags & FrameFlags.Header) != 0)
            {
                return await StartCallAsync(frame).ConfigureAwait(false);
            }

            if (flags == FrameFlags.Cancel)
            {
                return true; // CANCEL where a header is expected: ignored (row 9)
            }

            await _output.WriteTrailerAsync(null, new RpcStatus(StatusCode.Internal, "first frame must have HEADER flag", []), JsonOrProtocol(frame.Payload)).ConfigureAwait(false);
            return false;
        }

        ServerCall call = _call;
        if ((flags & FrameFlags.Cancel) != 0)
        {
            call.CancelByClient();
            return true;
        }

        if (!_requestOpen)
        {
            if ((flags & FrameFlags.Header) != 0)
            {
                await call.Completion.ConfigureAwait(false);
                _call = null;
                return await StartCallAsync(frame).ConfigureAwait(false);
            }

            return true; // anything else after the request side ended is discarded (D11)
        }

        if ((flags & FrameFlags.Header) != 0)
        {
            return false; // row 31
        }

        if ((flags & FrameFlags.Call) != 0)
        {
            await call.FailAsync(new RpcStatus(StatusCode.InvalidArgument, "unexpected CALL frame", [])).ConfigureAwait(false);
            return true;
        }

        if ((flags & FrameFlags.Trailer) != 0)
        {
            await OnClientTrailerAsync(call, frame.Payload).ConfigureAwait(false);
            EndRequests(call);
            return true;
        }

        bool end = (flags & FrameFlags.EndStream) != 0;
        if (!(end && frame.Payload.IsEmpty) && !call.IsFinished)
        {
            await DeliverRequestAsync(call, frame).ConfigureAwait(false);
        }

        if (end)
        {
            EndRequests(call);
        }

        return true;
    }

    /// <summary>Hands one request data frame to <paramref name="call"/>, decompressing it first when it is compressed.</summary>
    internal ValueTask DeliverRequestAsync(ServerCall call, in Frame frame)
        => (frame.Flags & FrameFlags.Compressed) != 0 ? OnCompressedRequestAsync(call, frame.Payload) : call.OnRequestAsync(frame.Payload);

    /// <summary>Decompresses a request (rows 26 and 27) and hands it to the call, which decodes it before returning.</summary>
    private async ValueTask OnCompressedRequestAsync(ServerCall call, ReadOnlySequence<byte> payload)
    {
        PooledBufferWriter plain;
        try
        {
            plain = CompressedPayload.Decompress(payload, Limits.MaxDecompressedLength);
        }
        catch (RpcException ex)
        {
            await call.FailAsync(ex.Status).ConfigureAwait(false);
            return;
        }

        using (plain)
        {
            await call.OnRequestAsync(new ReadOnlySequence<byte>(plain.WrittenMemory)).ConfigureAwait(false);
        }
    }

    private void EndRequests(ServerCall call)
    {
        _requestOpen = false;
        call.OnRequestEnd();
    }

    /// <summary>A client TRAILER during the request phase (row 29): OK ends the requests, another code fails the call.</summary>
    internal async ValueTask OnClientTrailerAsync(ServerCall call, ReadOnlySequence<byte> payload)
    {
        RpcStatus status;
        try
        {
            status = _callProtocol.ReadStatus(payload);
        }
        catch (ProtocolFormatException)
        {
            return; // undecodable: end of requests
        }

        if (status.Code != StatusCode.OK)
        {
            await call.FailAsync(new RpcStatus(StatusCode.Internal, $"client sent non-OK end-of-input trailer (code={(int)status.Code})", [])).ConfigureAwait(false);
        }
    }

    private async ValueTask OnFinAsync()
    {
        if (_session is not null)
        {
            await _session.OnFinAsync().ConfigureAwait(false);
        }
        else if (_call is { } call)
        {
            if (_requestOpen)
            {
                EndRequests(call);
            }

            await call.Completion.ConfigureAwait(false);
        }

        await _output.CompleteAsync().ConfigureAwait(false);
    }

    private async ValueTask KillAsync(string reason)
    {
        ServerLog.StreamKilled(_runtime.Logger, reason);
        _call?.Abandon();
        _session?.Abandon();
        await _output.CompleteAsync().ConfigureAwait(false);
        _stream.Abort(0);
    }

    private async ValueTask FailOrAnswerAsync(RpcStatus status)
    {
        if ((_call ?? _session?.ActiveCall) is { IsFinished: false } call)
        {
            await call.FailAsync(status).ConfigureAwait(false);
        }
        else
        {
            await _output.WriteTrailerAsync(null, status, _callProtocol).ConfigureAwait(false);
        }
    }

    /// <summary>Starts the call a header announces, or refuses it; false when the stream must end (a refused 0.1.2 session).</summary>
    private async ValueTask<bool> StartCallAsync(Frame frame)
    {
        ReadOnlySequence<byte> payload = frame.Payload;
        PooledBufferWriter? plain = null;
        if ((frame.Flags & FrameFlags.Compressed) != 0)
        {
            // Compressed headers are accepted, never sent (row 14, D10).
            try
            {
                plain = CompressedPayload.Decompress(payload, Limits.MaxDecompressedLength);
            }
            catch (RpcException ex)
            {
                _callProtocol = JsonOrProtocol(payload);
                string prefix = ex.Status.Code == StatusCode.InvalidArgument ? "malformed StreamHeader: " : "";
                await RefuseAsync("", "", ex.Status with { Message = prefix + ex.Status.Message }).ConfigureAwait(false);
                return true;
            }

            payload = new ReadOnlySequence<byte>(plain.WrittenMemory);
        }

        using (plain)
        {
            return await StartCallAsync(payload).ConfigureAwait(false);
        }
    }

    private async ValueTask<bool> StartCallAsync(ReadOnlySequence<byte> payload)
    {
        IProtocolCodec protocol = JsonOrProtocol(payload);
        _callProtocol = protocol;
        if (_runtime.Release012Codecs is null && Release012XlangRefusal.IsRelease012Xlang(payload))
        {
            // 20.6: codecs without the 0.1.2 XLANG dialect answer its refusal, then the stream ends.
            await _output.WriteTrailerAsync(null, Release012XlangRefusal.Status, Release012XlangRefusal.Instance).ConfigureAwait(false);
            return false;
        }

        if (payload.IsEmpty)
        {
            await RefuseAsync("", "", new RpcStatus(StatusCode.InvalidArgument, "malformed StreamHeader: empty", [])).ConfigureAwait(false);
            return true;
        }

        StreamHeader header;
        try
        {
            header = protocol.ReadHeader(payload, _runtime.Registry.Names);
        }
        catch (ProtocolFormatException ex)
        {
            await RefuseAsync("", "", new RpcStatus(StatusCode.InvalidArgument, $"malformed StreamHeader: {ex.Message}", [])).ConfigureAwait(false);
            return true;
        }

        _output.CompressData = header.SerializationMode == SerializationMode.Xlang && _runtime.Options.EnableCompression;
        if (header.SerializationMode == SerializationMode.Json)
        {
            _callProtocol = JsonProtocolCodec.Instance;
        }
        else if (header.Dialect == WireDialect.Release012 && _runtime.Release012Codecs is { } legacy)
        {
            _callProtocol = legacy.Protocol; // 20.6: answered in the 0.1.2 XLANG dialect
        }
        else if (_runtime.XlangProtocol is { } xlang)
        {
            _callProtocol = xlang;
        }

        if (!TryFindAdmission(out PeerAdmission? admission))
        {
            await RefuseAsync(header.Service, header.Method, new RpcStatus(StatusCode.Unauthenticated, "admission expired", [])).ConfigureAwait(false);
            return true;
        }

        if (Validate(header, out ServiceDefinition? service, out ServerMethod? method) is { } refusal)
        {
            await RefuseAsync(header.Service, header.Method, refusal).ConfigureAwait(false);
            return true;
        }

        if (method is null)
        {
            // A 0.1.2 session open (method "" on a session-scoped service, 20.5): the stream now carries CALL frames.
            if (Release012SessionStream.TryOpen(this, header, service!, out _session) is { } openRefusal)
            {
                await RefuseAsync(header.Service, header.Method, openRefusal).ConfigureAwait(false);
                return false;
            }

            return true;
        }

        if (CheckCapability(service!, method, admission) is { } denial)
        {
            await RefuseAsync(header.Service, header.Method, denial).ConfigureAwait(false);
            return true;
        }

        if (_connection.Sessions.TryResolve(service!, header.SessionId, out object instance) is { } sessionRefusal)
        {
            await RefuseAsync(header.Service, header.Method, sessionRefusal).ConfigureAwait(false);
            return true;
        }

        if (TryCreateCall(header, service!, method, admission, instance, out ServerCall? call) is { } callRefusal)
        {
            await RefuseAsync(header.Service, header.Method, callRefusal).ConfigureAwait(false);
            return true;
        }

        _call = call;
        _requestOpen = true;
        call!.Start();
        return true;
    }

    /// <summary>Gate 3 for one call (trust.md 7.3): the refusal, or null when the caller may call <paramref name="method"/>.</summary>
    internal RpcStatus? CheckCapability(ServiceDefinition service, ServerMethod method, PeerAdmission? admission)
    {
        CallerInfo caller = _connection.Caller;
        return _runtime.EnforcesCapabilities
            ? CapabilityInterceptor.Check(service, method, caller.Peer is null, caller.EnforceCapabilitiesInProcess, admission?.Attributes ?? caller.InProcessAttributes ?? _emptyAttributes)
            : null;
    }

    /// <summary>
    /// The call's deadline (section 12, or 20.4 in the 0.1.2 dialect) and handler time limit, then the call itself with
    /// its time limit running, not yet started; or the status that refuses it. Used by both dialects and by the CALL
    /// frames of the 0.1.2 session protocol.
    /// </summary>
    internal RpcStatus? TryCreateCall(StreamHeader header, ServiceDefinition service, ServerMethod method, PeerAdmission? admission, object instance, out ServerCall? call)
    {
        call = null;
        TimeProvider time = _runtime.Options.TimeProvider;
        DateTimeOffset? deadline = null;
        TimeSpan? remaining = null;
        if (header.Dialect == WireDialect.Release012 && header.DeadlineEpochMs > 0)
        {
            DateTimeOffset now = time.GetUtcNow();
            deadline = DateTimeOffset.FromUnixTimeMilliseconds(header.DeadlineEpochMs);
            if (deadline <= now)
            {
                return new RpcStatus(StatusCode.DeadlineExceeded, "deadline exceeded", []);
            }

            remaining = deadline.Value - now;
        }
        else if (header.Dialect == WireDialect.Current && header.Deadline > 0)
        {
            // The clock is read only for calls that carry a deadline.
            deadline = time.GetUtcNow().AddSeconds(header.Deadline);
            remaining = TimeSpan.FromSeconds(header.Deadline);
        }

        TimeSpan limit = method.Options.Timeout is { } methodLimit && methodLimit < _runtime.Options.MaxHandlerTimeout ? methodLimit : _runtime.Options.MaxHandlerTimeout;
        if (remaining is { } r && r < limit)
        {
            limit = r;
        }

        // A plain source linked to the connection's closing by one registration (StartTimeLimit): the call owns both.
        var cancellation = new CancellationTokenSource();
        var context = new CallContext(header, deadline, time, _connection.Caller, admission, service, method, cancellation.Token);
        try
        {
            call = method.CreateCall(new ServerCallScope
            {
                Context = context,
                Cancellation = cancellation,
                Output = _output,
                Protocol = _callProtocol,
                Codecs = header.Dialect == WireDialect.Release012 && header.SerializationMode == SerializationMode.Xlang && _runtime.Release012Codecs is { } legacy
                    ? legacy
                    : _runtime.Codecs,
                Runtime = _runtime,
            }, instance);
        }
        catch (NotSupportedException ex)
        {
            cancellation.Dispose();
            return new RpcStatus(StatusCode.InvalidArgument, ex.Message, []);
        }

        call.StartTimeLimit(limit, _connection.Closing);
        _runtime.OnCallStarted(context);
        return null;
    }

    /// <summary>
    /// The caller's live admission, snapshotted at call start (trust.md 8.1). False when consumers are gated and a
    /// network peer has none (any more): the call is refused with UNAUTHENTICATED <c>admission expired</c> (7.1).
    /// Without an admission authority, or for in-process calls, there is nothing to look up.
    /// </summary>
    internal bool TryFindAdmission(out PeerAdmission? admission)
    {
        admission = null;
        if (_connection.Caller.Peer is not { } peer || _runtime.Admission is not { } authority)
        {
            return true;
        }

        try
        {
            admission = authority.FindAdmission(peer);
        }
#pragma warning disable CA1031 // An authority that fails is a missing admission (fail closed).
        catch (Exception)
#pragma warning restore CA1031
        {
            admission = null;
        }

        return admission is not null || !authority.ConsumersGated;
    }

    /// <summary>Section 19 checks, in the specified order, up to the method lookup.</summary>
    private RpcStatus? Validate(StreamHeader header, out ServiceDefinition? service, out ServerMethod? method)
    {
        service = null;
        method = null;
        if (header.Service.Length == 0)
        {
            return new RpcStatus(StatusCode.InvalidArgument, "Missing service name", []);
        }

        service = _runtime.Registry.Find(header.Service, header.Version);
        if (service is null)
        {
            return new RpcStatus(StatusCode.Unimplemented, $"Service '{header.Service}' v{header.Version} not found", []);
        }

        if (header.Dialect == WireDialect.Release012)
        {
            if (header.Method.Length == 0)
            {
                // A session open (20.5): no method; the mode and the metadata are checked here, each CALL's later.
                return service.IsSessionScoped
                    ? ValidateMode(header) ?? ValidateMetadata(header)
                    : new RpcStatus(StatusCode.FailedPrecondition, $"'{header.Service}' is shared: send a method name instead of opening a session stream (method='')", []);
            }

            if (service.IsSessionScoped)
            {
                return new RpcStatus(StatusCode.FailedPrecondition, $"'{header.Service}' is session-scoped: open a session stream (method='') instead of calling '{header.Method}' directly", []);
            }
        }

        method = service.FindMethod(header.Method);
        if (method is null)
        {
            return new RpcStatus(StatusCode.Unimplemented, $"Method '{header.Service}.{header.Method}' not implemented", []);
        }

        return ValidateMode(header) ?? ValidateMetadata(header);
    }

    private RpcStatus? ValidateMode(StreamHeader header)
        => header.SerializationMode is not (SerializationMode.Xlang or SerializationMode.Json) || !_runtime.Codecs.Supports(header.SerializationMode)
            ? new RpcStatus(StatusCode.InvalidArgument, $"Unsupported serialization mode: {(int)header.SerializationMode}", [])
            : null;

    /// <summary>The metadata limits of section 15 (rows 19 and 20).</summary>
    internal RpcStatus? ValidateMetadata(StreamHeader header)
    {
        if (header.MetadataKeys.Count != header.MetadataValues.Count)
        {
            return new RpcStatus(StatusCode.InvalidArgument, $"metadata has {header.MetadataKeys.Count} keys but {header.MetadataValues.Count} values", []);
        }

        if (header.MetadataKeys.Count > Limits.MaxMetadataEntries)
        {
            return new RpcStatus(StatusCode.ResourceExhausted, $"metadata has {header.MetadataKeys.Count} entries (limit {Limits.MaxMetadataEntries})", []);
        }

        long bytes = 0;
        for (int i = 0; i < header.MetadataKeys.Count; i++)
        {
            string key = header.MetadataKeys[i], value = header.MetadataValues[i];
            if (key.Length > Limits.MaxMetadataKeyLength)
            {
                return new RpcStatus(StatusCode.ResourceExhausted, $"metadata key of {key.Length} characters (limit {Limits.MaxMetadataKeyLength})", []);
            }

            if (value.Length > Limits.MaxMetadataValueLength)
            {
                return new RpcStatus(StatusCode.ResourceExhausted, $"metadata value of {value.Length} characters (limit {Limits.MaxMetadataValueLength})", []);
            }

            bytes += Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value);
        }

        return bytes > Limits.MaxMetadataBytes
            ? new RpcStatus(StatusCode.ResourceExhausted, $"metadata of {bytes} bytes (limit {Limits.MaxMetadataBytes})", [])
            : null;
    }

    /// <summary>Answers a call that will not run, then discards its frames until END_STREAM or FIN.</summary>
    private async ValueTask RefuseAsync(string service, string method, RpcStatus status)
    {
        if (_runtime.Logger.IsEnabled(LogLevel.Debug))
        {
            ServerLog.CallRefused(_runtime.Logger, service, method, status.Code, status.Message);
        }

        await _output.WriteTrailerAsync(null, status, _callProtocol).ConfigureAwait(false);
        _skipping = true;
    }

    /// <summary>
    /// The codec a frame's first payload bytes suggest: <c>{</c> means JSON (D2); <c>02 ff 1d</c> the 0.1.2 XLANG dialect
    /// (20.2) when the codecs speak it; anything else XLANG.
    /// </summary>
    private IProtocolCodec JsonOrProtocol(in ReadOnlySequence<byte> payload)
    {
        bool json = !payload.IsEmpty && payload.FirstSpan.Length > 0 && payload.FirstSpan[0] == (byte)'{';
        if (!json && _runtime.Release012Codecs is { } legacy && Release012XlangRefusal.IsRelease012Xlang(payload))
        {
            return legacy.Protocol;
        }

        return json || _runtime.XlangProtocol is null ? JsonProtocolCodec.Instance : _runtime.XlangProtocol;
    }
}
