using Aster.Contracts;
using Aster.Net.Identity;
using Aster.Protocol;
using Aster.Server;
using Aster.Trust;

namespace Aster;

/// <summary>
/// What a server handler (and a server interceptor) knows about the call it serves: the method, the caller's
/// authenticated identity and admission attributes (trust.md 8.1), the metadata, the deadline, the session and a
/// cancellation token that fires on CANCEL, reset, deadline or connection loss.
/// </summary>
public sealed class CallContext
{
    private static readonly AsyncLocal<CallContext?> _current = new();
    private static readonly IReadOnlyDictionary<string, string> _noAttributes = new Dictionary<string, string>();
    private readonly TimeProvider _time;
    private readonly PeerAdmission? _admission;
    private readonly IReadOnlyDictionary<string, string>? _inProcessAttributes;
    private readonly int _callId;
    private string? _callIdText;
    private Dictionary<string, object?>? _items;

    internal CallContext(StreamHeader header, DateTimeOffset? deadline, TimeProvider time, CallerInfo caller, PeerAdmission? admission, ServiceDefinition service, ServerMethod method, CancellationToken cancellationToken)
    {
        Peer = caller.Peer;
        _admission = admission;
        _inProcessAttributes = caller.InProcessAttributes;
        EnforceCapabilitiesInProcess = caller.EnforceCapabilitiesInProcess;
        ServiceDefinition = service;
        ServerMethod = method;
        Service = header.Service;
        Method = header.Method;
        Version = header.Version;
        _callIdText = header.CallIdText;
        _callId = header.CallId;
        SessionId = header.SessionId;
        SerializationMode = header.SerializationMode;
        Deadline = deadline;
        CancellationToken = cancellationToken;
        _time = time;
        int count = header.MetadataKeys.Count;
        if (count == 0)
        {
            Metadata = [];
        }
        else
        {
            var metadata = new KeyValuePair<string, string>[count];
            for (int i = 0; i < metadata.Length; i++)
            {
                metadata[i] = new(header.MetadataKeys[i], header.MetadataValues[i]);
            }

            Metadata = metadata;
        }
    }

    /// <summary>The context of the call executing on this asynchronous flow, or null outside a server call.</summary>
    public static CallContext? Current
    {
        get => _current.Value;
        internal set => _current.Value = value;
    }

    /// <summary>The caller's authenticated endpoint id; null for an in-process call.</summary>
    public EndpointId? Peer { get; }

    /// <summary>True for a call over the in-process transport: gates 0 and 1 did not apply (trust.md 8.2).</summary>
    public bool IsInProcess => Peer is null;

    /// <summary>
    /// The caller's admission attributes exactly as signed, as they were when the call started. Empty when the peer was
    /// never admitted, was auto-admitted through an open gate, or (unless the in-process transport was given a caller
    /// attribute map) for an in-process call.
    /// </summary>
    public IReadOnlyDictionary<string, string> Attributes => _admission?.Attributes ?? _inProcessAttributes ?? _noAttributes;

    /// <summary>The <c>aster.name</c> of the caller's admission, or empty.</summary>
    public string PeerHandle => _admission?.Handle ?? string.Empty;

    /// <summary>How the caller was admitted: <see cref="Trust.AdmissionPath.InProcess"/> for in-process calls, None when not admitted.</summary>
    public AdmissionPath AdmissionPath => Peer is null ? AdmissionPath.InProcess : _admission?.Path ?? AdmissionPath.None;

    /// <summary>The method's call pattern.</summary>
    public MethodPattern Pattern => ServerMethod.Kind;

    /// <summary>True unless the method is unary.</summary>
    public bool IsStreaming => ServerMethod.Kind != MethodPattern.Unary;

    /// <summary>True when the method is declared safe to retry.</summary>
    public bool Idempotent => ServerMethod.Options.Idempotent;

    /// <summary>For in-process calls: evaluate gate 3 against <see cref="Attributes"/> instead of trusting the caller.</summary>
    internal bool EnforceCapabilitiesInProcess { get; }

    internal ServiceDefinition ServiceDefinition { get; }

    internal ServerMethod ServerMethod { get; }

    /// <summary>The service's wire name.</summary>
    public string Service { get; }

    /// <summary>The method's wire name as the caller sent it.</summary>
    public string Method { get; }

    /// <summary>The service version the caller asked for.</summary>
    public int Version { get; }

    /// <summary>The caller's call id, for logs ("0" when the caller sent none).</summary>
    public string CallId => _callIdText ??= _callId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The session id, 0 for a shared call.</summary>
    public int SessionId { get; }

    /// <summary>The payload codec of the call.</summary>
    public SerializationMode SerializationMode { get; }

    /// <summary>The request metadata in the caller's order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Metadata { get; }

    /// <summary>When the call must finish, or null when it has no deadline (the handler time limit still applies).</summary>
    public DateTimeOffset? Deadline { get; }

    /// <summary>The time left until <see cref="Deadline"/>, or null without a deadline.</summary>
    public TimeSpan? RemainingTime => Deadline is { } deadline ? deadline - _time.GetUtcNow() : null;

    /// <summary>Cancelled when the caller cancels, the deadline or handler time limit passes, or the connection closes.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>State that interceptors and handlers share for this call (created on first use).</summary>
    public IDictionary<string, object?> Items => _items ??= new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>When the server started the call (<see cref="System.Diagnostics.Stopwatch"/> ticks), for the duration metric.</summary>
    internal long StartedTimestamp { get; set; }

    /// <summary>The server span of the call, when tracing is on.</summary>
    internal System.Diagnostics.Activity? Activity { get; set; }

    /// <summary>The value of metadata key <paramref name="key"/>; the last one wins when the key repeats.</summary>
    public string? GetMetadata(string key)
    {
        for (int i = Metadata.Count - 1; i >= 0; i--)
        {
            if (string.Equals(Metadata[i].Key, key, StringComparison.Ordinal))
            {
                return Metadata[i].Value;
            }
        }

        return null;
    }
}
