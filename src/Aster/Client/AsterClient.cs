using Aster.Contracts;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Aster.Client.Dynamic;
using Aster.Codec;
using Aster.Configuration;
using Aster.Diagnostics;
using Aster.Client.Network;
using Aster.Internal;
using Aster.Net.Identity;
using Aster.Protocol;
using Aster.Transport;

namespace Aster.Client;

/// <summary>
/// Calls Aster services over one connection: unary calls share a pool of streams (a session's calls have a pool of
/// one), streaming calls get a stream of their own. Thread-safe.
/// </summary>
public sealed class AsterClient : IAsyncDisposable
{
    private readonly IClientConnector _connector;
    private readonly IClientInterceptor[] _interceptors;
    private int _callId;
    private int _sessionId;
    private readonly ConcurrentDictionary<int, Task<Release012Session>> _release012Sessions = new();

    /// <summary>Creates a client over an established connection.</summary>
    /// <exception cref="ArgumentException">No codecs configured.</exception>
    public AsterClient(IRpcConnection connection, AsterClientOptions options)
        : this(new FixedConnector(new ClientLink(connection ?? throw new ArgumentNullException(nameof(connection)), options ?? throw new ArgumentNullException(nameof(options)))), options)
    {
    }

    private AsterClient(IClientConnector connector, AsterClientOptions options)
    {
        Options = options;
        Codecs = new DynamicCodecs(options.Codecs ?? throw new ArgumentException("AsterClientOptions.Codecs is required.", nameof(options)));
        _connector = connector;
        _interceptors = [.. options.Interceptors];
        Deadlines = new DeadlineScheduler(options.TimeProvider);
    }

    /// <summary>
    /// The services the server advertised in consumer admission (name, version, contract id, pattern, serialization
    /// modes and the <c>rpc</c> channel). Empty for a client made over a given connection, which runs no admission.
    /// </summary>
    public IReadOnlyList<Trust.ServiceSummary> Services => _connector.Services;

    /// <summary>
    /// What the latest consumer admission told this client (trust.md 4.2): services, <c>registry_namespace</c>,
    /// <c>gossip_topic</c> (root-key holder only) and the server's root key. Null for a client made over a given
    /// connection, which runs no admission.
    /// </summary>
    public AdmissionResult? Admission => (_connector as NetworkConnector)?.Admission;

    /// <summary>
    /// Connects to the node at <paramref name="address"/> (an <c>aster1…</c> address, or any form
    /// <see cref="EndpointAddr.Parse"/> accepts): runs consumer admission with
    /// <see cref="AsterClientOptions.CredentialJson"/> (or none), keeps the advertised <see cref="Services"/>, and
    /// opens <c>aster/1</c> connections as calls need them. A connection that dies fails its calls in flight with
    /// UNAVAILABLE; the next call dials again and re-runs admission. A node key or credential the options leave unset
    /// is first taken from <c>ASTER_SECRET_KEY</c>, <c>ASTER_ENROLLMENT_CREDENTIAL</c> and the <c>.aster-identity</c>
    /// file (<see cref="AsterClientOptions.IdentityFile"/>, <see cref="AsterClientOptions.PeerName"/>); the options
    /// object itself is not modified.
    /// </summary>
    /// <param name="address">The server's address.</param>
    /// <param name="options">Codecs, identity, credential and limits.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <returns>The connected client; dispose it to close its connections (and its endpoint, unless shared).</returns>
    /// <exception cref="AddressFormatException">The address is malformed.</exception>
    /// <exception cref="ConfigurationException">The identity file or an <c>ASTER_*</c> variable is invalid, or the chosen entry is bound to another endpoint than the node key.</exception>
    /// <exception cref="AdmissionException">Admission was denied, unavailable or inconsistent.</exception>
    /// <exception cref="RpcException">UNAVAILABLE: the node could not be reached.</exception>
    public static Task<AsterClient> ConnectAsync(string address, AsterClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        return ConnectAsync(EndpointAddr.Parse(address), options, cancellationToken);
    }

    /// <summary>Connects to the node at <paramref name="address"/>; see <see cref="ConnectAsync(string, AsterClientOptions, CancellationToken)"/>.</summary>
    /// <param name="address">The server's endpoint id and direct addresses.</param>
    /// <param name="options">Codecs, identity, credential and limits.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <returns>The connected client.</returns>
    /// <exception cref="ConfigurationException">The identity file or an <c>ASTER_*</c> variable is invalid, or the chosen entry is bound to another endpoint than the node key.</exception>
    /// <exception cref="AdmissionException">Admission was denied, unavailable or inconsistent.</exception>
    /// <exception cref="RpcException">UNAVAILABLE: the node could not be reached.</exception>
    public static async Task<AsterClient> ConnectAsync(EndpointAddr address, AsterClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(options);
        _ = options.Codecs ?? throw new ArgumentException("AsterClientOptions.Codecs is required.", nameof(options));
        PickedIdentity? picked = PickedIdentity.ForClient(options, out AsterClientOptions effective);
        NetworkConnector connector;
        try
        {
            connector = await NetworkConnector.ConnectAsync(address, effective, picked, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            picked?.Dispose();
            throw;
        }

        return new AsterClient(connector, effective);
    }

    internal AsterClientOptions Options { get; }

    /// <summary>The deadlines of this client's calls, on one timer.</summary>
    internal DeadlineScheduler Deadlines { get; }

    /// <summary>The configured codecs, plus the dynamic client's JSON values and value trees.</summary>
    internal ICodecProvider Codecs { get; }

    /// <summary>The XLANG forms of StreamHeader and RpcStatus; null when the codecs offer no XLANG mode.</summary>
    internal IProtocolCodec? XlangProtocol => (Options.Codecs as ForyCodecProvider)?.XlangProtocol;

    /// <summary>Allocates a new session id on this connection (1, 2, 3, …); pass it in <see cref="CallOptions.SessionId"/>.</summary>
    public int NewSessionId() => Interlocked.Increment(ref _sessionId);

    /// <summary>Makes a unary call.</summary>
    public ValueTask<TResponse> UnaryAsync<TRequest, TResponse>(ClientMethod<TRequest, TResponse> method, TRequest request, CallOptions options = default, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (_interceptors.Length == 0 && !AsterDiagnostics.ActivitySource.HasListeners() && !AsterDiagnostics.ClientCallDuration.Enabled)
        {
            // Nothing wraps the call: no call context, no closure, no span, no duration to record.
            return UnaryCallAsync<TRequest, TResponse>(method.Service, method.Version, method.Name, request, options, options.Metadata, cancellationToken);
        }

        return UnaryInterceptedAsync(method, request, options, cancellationToken);
    }

    private async ValueTask<TResponse> UnaryInterceptedAsync<TRequest, TResponse>(ClientMethod<TRequest, TResponse> method, TRequest request, CallOptions options, CancellationToken cancellationToken)
    {
        TResponse response = default!;
        await InvokeAsync(method.Service, method.Version, method.Name, MethodPattern.Unary, method.Idempotent, options, async context =>
        {
            response = await UnaryCallAsync<TRequest, TResponse>(context.Service, context.Version, context.Method, request, context.Options, context.Metadata, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return response;
    }

    /// <summary>One unary call on a pooled stream: header and request in one flush, then the response and the trailer.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<TResponse> UnaryCallAsync<TRequest, TResponse>(
        string service,
        int version,
        string name,
        TRequest request,
        CallOptions options,
        IReadOnlyList<KeyValuePair<string, string>>? metadata,
        CancellationToken cancellationToken)
    {
        SerializationMode mode = ModeOf(service, options);
        if (IsRelease012Session(options))
        {
            Release012Session session = await Release012SessionAsync(service, version, name, options, metadata, cancellationToken).ConfigureAwait(false);
            return await session.UnaryAsync(Header(service, version, name, options, metadata, mode), Codecs.GetCodec<TRequest>(mode), request, Codecs.GetCodec<TResponse>(mode), CheckedTimeout(options), cancellationToken).ConfigureAwait(false);
        }

        ClientLink link = await _connector.GetLinkAsync(service, cancellationToken).ConfigureAwait(false);
        ClientCall call;
        using (PooledBufferWriter payload = Encode(Codecs.GetCodec<TRequest>(mode), request))
        {
            StreamPool? pool = Options.WireDialect == WireDialect.Release012 ? null : link.PoolFor(options.SessionId); // 0.1.2: one stream per call
            call = await ClientCall.StartAsync(this, link.Connection, Header(service, version, name, options, metadata, mode), CheckedTimeout(options), pool, payload.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }

        await using ClientCall started = call;
        return await started.ReadSingleAsync(Codecs.GetCodec<TResponse>(mode)).ConfigureAwait(false);
    }

    /// <summary>Makes a server-streaming call; the responses arrive as they are read.</summary>
    public async IAsyncEnumerable<TResponse> ServerStreamingAsync<TRequest, TResponse>(ClientMethod<TRequest, TResponse> method, TRequest request, CallOptions options = default, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        ClientCall? call = null;
        SerializationMode mode = default;
        IAsyncEnumerable<TResponse>? sessionCall = null;
        await InvokeAsync(method.Service, method.Version, method.Name, MethodPattern.ServerStream, method.Idempotent, options, async context =>
        {
            mode = ModeOf(context.Service, context.Options);
            if (IsRelease012Session(context.Options))
            {
                Release012Session session = await Release012SessionAsync(context, cancellationToken).ConfigureAwait(false);
                sessionCall = session.StreamingAsync(Header(context, mode), Codecs.GetCodec<TRequest>(mode), request, null, Codecs.GetCodec<TResponse>(mode), CheckedTimeout(context.Options), cancellationToken);
                return;
            }

            ClientLink link = await _connector.GetLinkAsync(context.Service, cancellationToken).ConfigureAwait(false);
            using PooledBufferWriter payload = Encode(Codecs.GetCodec<TRequest>(mode), request);
            call = await ClientCall.StartAsync(this, link.Connection, Header(context, mode), CheckedTimeout(context.Options), pool: null, payload.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);

        if (sessionCall is not null)
        {
            await foreach (TResponse item in sessionCall.ConfigureAwait(false))
            {
                yield return item;
            }

            yield break;
        }

        ClientCall started = call!;
        await using (started.ConfigureAwait(false))
        {
            IMessageCodec<TResponse> codec = Codecs.GetCodec<TResponse>(mode);
            while (true)
            {
                (bool hasItem, TResponse item) = await started.ReadAsync(codec).ConfigureAwait(false);
                if (!hasItem)
                {
                    yield break;
                }

                yield return item;
            }
        }
    }

    /// <summary>Makes a client-streaming call: sends every item of <paramref name="requests"/>, then reads the response.</summary>
    public async ValueTask<TResponse> ClientStreamingAsync<TRequest, TResponse>(ClientMethod<TRequest, TResponse> method, IAsyncEnumerable<TRequest> requests, CallOptions options = default, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(requests);
        TResponse response = default!;
        await InvokeAsync(method.Service, method.Version, method.Name, MethodPattern.ClientStream, method.Idempotent, options, async context =>
        {
            SerializationMode mode = ModeOf(context.Service, context.Options);
            if (IsRelease012Session(context.Options))
            {
                Release012Session session = await Release012SessionAsync(context, cancellationToken).ConfigureAwait(false);
                response = await session.ClientStreamingAsync(Header(context, mode), Codecs.GetCodec<TRequest>(mode), requests, Codecs.GetCodec<TResponse>(mode), CheckedTimeout(context.Options), cancellationToken).ConfigureAwait(false);
                return;
            }

            ClientLink link = await _connector.GetLinkAsync(context.Service, cancellationToken).ConfigureAwait(false);
            await using ClientCall call = await ClientCall.StartAsync(this, link.Connection, Header(context, mode), CheckedTimeout(context.Options), pool: null, firstRequest: null, cancellationToken).ConfigureAwait(false);
            using var sending = CancellationTokenSource.CreateLinkedTokenSource(call.Token);
            Task send = SendAllAsync(call, Codecs.GetCodec<TRequest>(mode), requests, sending.Token);
            try
            {
                response = await call.ReadSingleAsync(Codecs.GetCodec<TResponse>(mode)).ConfigureAwait(false);
            }
            finally
            {
                await sending.CancelAsync().ConfigureAwait(false);
                await ObserveSendAsync(send).ConfigureAwait(false);
            }

            await RethrowSendFailureAsync(send).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return response;
    }

    /// <summary>Makes a bidirectional-streaming call: sends <paramref name="requests"/> while the responses are read.</summary>
    public async IAsyncEnumerable<TResponse> DuplexStreamingAsync<TRequest, TResponse>(ClientMethod<TRequest, TResponse> method, IAsyncEnumerable<TRequest> requests, CallOptions options = default, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(requests);
        ClientCall? call = null;
        SerializationMode mode = default;
        IAsyncEnumerable<TResponse>? sessionCall = null;
        await InvokeAsync(method.Service, method.Version, method.Name, MethodPattern.BidiStream, method.Idempotent, options, async context =>
        {
            mode = ModeOf(context.Service, context.Options);
            if (IsRelease012Session(context.Options))
            {
                Release012Session session = await Release012SessionAsync(context, cancellationToken).ConfigureAwait(false);
                sessionCall = session.StreamingAsync(Header(context, mode), Codecs.GetCodec<TRequest>(mode), default, requests, Codecs.GetCodec<TResponse>(mode), CheckedTimeout(context.Options), cancellationToken);
                return;
            }

            ClientLink link = await _connector.GetLinkAsync(context.Service, cancellationToken).ConfigureAwait(false);
            call = await ClientCall.StartAsync(this, link.Connection, Header(context, mode), CheckedTimeout(context.Options), pool: null, firstRequest: null, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);

        if (sessionCall is not null)
        {
            await foreach (TResponse item in sessionCall.ConfigureAwait(false))
            {
                yield return item;
            }

            yield break;
        }

        ClientCall started = call!;
        await using (started.ConfigureAwait(false))
        {
            using var sending = CancellationTokenSource.CreateLinkedTokenSource(started.Token);
            Task send = SendAllAsync(started, Codecs.GetCodec<TRequest>(mode), requests, sending.Token);
            try
            {
                IMessageCodec<TResponse> codec = Codecs.GetCodec<TResponse>(mode);
                while (true)
                {
                    (bool hasItem, TResponse item) = await started.ReadAsync(codec).ConfigureAwait(false);
                    if (!hasItem)
                    {
                        break;
                    }

                    yield return item;
                }
            }
            finally
            {
                await sending.CancelAsync().ConfigureAwait(false);
                await ObserveSendAsync(send).ConfigureAwait(false);
            }

            await RethrowSendFailureAsync(send).ConfigureAwait(false);
        }
    }

    /// <summary>Finishes the 0.1.2 session streams, then closes the connections (and the endpoint the client owns).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (Task<Release012Session> opening in _release012Sessions.Values)
        {
            if (opening.IsCompletedSuccessfully)
            {
                await opening.Result.DisposeAsync().ConfigureAwait(false);
            }
        }

        Deadlines.Dispose();
        await _connector.DisposeAsync().ConfigureAwait(false);
    }

    private bool IsRelease012Session(in CallOptions options) => Options.WireDialect == WireDialect.Release012 && options.SessionId != 0;

    /// <summary>The session stream of the call's session id (20.5), opened by its first call.</summary>
    private async ValueTask<Release012Session> Release012SessionAsync(string service, int version, string method, CallOptions options, IReadOnlyList<KeyValuePair<string, string>>? metadata, CancellationToken cancellationToken)
    {
        int id = options.SessionId;
        Task<Release012Session> opening = _release012Sessions.GetOrAdd(id, _ => OpenRelease012SessionAsync(service, Header(service, version, method, options, metadata, SerializationMode.Json)));
        try
        {
            return await opening.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (opening.IsFaulted || opening.IsCanceled)
        {
            _release012Sessions.TryRemove(new KeyValuePair<int, Task<Release012Session>>(id, opening));
            throw;
        }
    }

    private ValueTask<Release012Session> Release012SessionAsync(ClientCallContext context, CancellationToken cancellationToken)
        => Release012SessionAsync(context.Service, context.Version, context.Method, context.Options, context.Metadata, cancellationToken);

    private async Task<Release012Session> OpenRelease012SessionAsync(string service, StreamHeader header)
    {
        ClientLink link = await _connector.GetLinkAsync(service, CancellationToken.None).ConfigureAwait(false);
        return await Release012Session.OpenAsync(link.Connection, header, Options, CancellationToken.None).ConfigureAwait(false);
    }

    internal IProtocolCodec ProtocolFor(SerializationMode mode)
        => mode == SerializationMode.Json
            ? JsonProtocolCodec.Instance
            : XlangProtocol ?? throw new NotSupportedException($"Serialization mode {mode} needs an XLANG protocol codec.");

    private static async Task SendAllAsync<TRequest>(ClientCall call, IMessageCodec<TRequest> codec, IAsyncEnumerable<TRequest> requests, CancellationToken cancellationToken)
    {
        await foreach (TRequest item in requests.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            using PooledBufferWriter payload = Encode(codec, item);
            await call.WriteRequestAsync(payload.WrittenMemory, last: false).ConfigureAwait(false);
        }

        await call.WriteEndAsync().ConfigureAwait(false);
    }

    private static async Task ObserveSendAsync(Task send)
    {
        try
        {
            await send.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            // The stream went away; the read side reports it.
        }
        catch (Exception)
        {
            // The caller's request sequence failed; rethrown after the response side has been settled.
        }
    }

    private static Task RethrowSendFailureAsync(Task send)
        => send.IsFaulted && send.Exception!.InnerException is { } error and not (OperationCanceledException or IOException or InvalidOperationException)
            ? Task.FromException(error)
            : Task.CompletedTask;

    /// <summary>Encodes into a pooled buffer; the caller disposes it once the frame has been written (no copy).</summary>
    private static PooledBufferWriter Encode<T>(IMessageCodec<T> codec, T value)
    {
        var buffer = new PooledBufferWriter();
        try
        {
            codec.Encode(value, buffer);
            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    private static TimeSpan? CheckedTimeout(CallOptions options)
    {
        if (options.Timeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new RpcException(StatusCode.DeadlineExceeded, "deadline exceeded");
        }

        return options.Timeout;
    }

    private SerializationMode ModeOf(string service, in CallOptions options)
        => Options.WireDialect == WireDialect.Release012
            ? SerializationMode.Json
            : options.SerializationMode ?? _connector.PreferredMode(service) ?? Options.DefaultSerializationMode;

    /// <summary>A 0.1.2 header (wire-protocol.md 20.2, 20.7): a new UUID v4 call id and an absolute deadline in Unix milliseconds.</summary>
    private StreamHeader Release012Header(string service, int version, string method, in CallOptions options, string[] keys, string[] values)
    {
        long deadline = options.Timeout is { } timeout
            ? Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds() + (long)Math.Ceiling(timeout.TotalMilliseconds)
            : 0;
        return new StreamHeader
        {
            Dialect = WireDialect.Release012,
            Service = service,
            Method = method,
            Version = version,
            CallIdText = Guid.NewGuid().ToString("D"),
            DeadlineEpochMs = deadline,
            SerializationMode = SerializationMode.Json,
            MetadataKeys = keys,
            MetadataValues = values,
        };
    }

    private StreamHeader Header(ClientCallContext context, SerializationMode mode)
        => Header(context.Service, context.Version, context.Method, context.Options, context.Metadata, mode);

    private StreamHeader Header(string service, int version, string method, in CallOptions options, IReadOnlyList<KeyValuePair<string, string>>? metadata, SerializationMode mode)
    {
        int count = metadata?.Count ?? 0;
        string[] keys = count == 0 ? [] : new string[count];
        string[] values = count == 0 ? [] : new string[count];
        for (int i = 0; i < count; i++)
        {
            keys[i] = metadata![i].Key;
            values[i] = metadata[i].Value;
        }

        if (Options.WireDialect == WireDialect.Release012)
        {
            return Release012Header(service, version, method, options, keys, values);
        }

        int callId = Interlocked.Increment(ref _callId) & int.MaxValue;
        if (callId == 0)
        {
            callId = Interlocked.Increment(ref _callId) & int.MaxValue;
        }

        short deadline = 0;
        if (options.Timeout is { } timeout)
        {
            deadline = (short)Math.Clamp(Math.Ceiling(timeout.TotalSeconds), 1, short.MaxValue);
        }

        return new StreamHeader
        {
            Service = service,
            Method = method,
            Version = version,
            CallId = callId,
            Deadline = deadline,
            SerializationMode = mode,
            MetadataKeys = keys,
            MetadataValues = values,
            SessionId = options.SessionId,
        };
    }

    private async ValueTask InvokeAsync(string service, int version, string method, MethodPattern kind, bool idempotent, CallOptions options, Func<ClientCallContext, ValueTask> call, CancellationToken cancellationToken)
    {
        var context = new ClientCallContext(service, version, method, kind, idempotent, options, cancellationToken);
        Func<ClientCallContext, ValueTask> next = call;
        for (int i = _interceptors.Length - 1; i >= 0; i--)
        {
            IClientInterceptor interceptor = _interceptors[i];
            Func<ClientCallContext, ValueTask> inner = next;
            next = c => interceptor.InvokeAsync(c, inner);
        }

        long started = Stopwatch.GetTimestamp();
        StatusCode code = StatusCode.OK;
        using Activity? activity = AsterDiagnostics.ActivitySource.HasListeners()
            ? AsterDiagnostics.ActivitySource.StartActivity(service + "/" + method, ActivityKind.Client)
            : null;
        if (activity?.Id is { } traceparent)
        {
            activity.SetTag("rpc.system.name", "aster");
            activity.SetTag("rpc.method", service + "/" + method);
            context.Metadata.Add(new("traceparent", traceparent));
            if (activity.TraceStateString is { Length: > 0 } traceState)
            {
                context.Metadata.Add(new("tracestate", traceState));
            }
        }

        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            code = ex.StatusCode;
            throw;
        }
        catch (OperationCanceledException)
        {
            code = StatusCode.Cancelled;
            throw;
        }
        finally
        {
            activity?.SetTag("rpc.response.status_code", StatusCodeNames.GetName(code));
            activity?.SetStatus(code == StatusCode.OK ? ActivityStatusCode.Ok : ActivityStatusCode.Error);
            if (AsterDiagnostics.ClientCallDuration.Enabled)
            {
                AsterDiagnostics.ClientCallDuration.Record(
                    Stopwatch.GetElapsedTime(started).TotalSeconds,
                    new KeyValuePair<string, object?>("rpc.system.name", "aster"),
                    new KeyValuePair<string, object?>("rpc.method", service + "/" + method),
                    new KeyValuePair<string, object?>("rpc.response.status_code", StatusCodeNames.GetName(code)));
            }
        }
    }
}
