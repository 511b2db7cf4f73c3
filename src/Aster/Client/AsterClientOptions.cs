using System.Net;
using Aster.Contracts;
using Aster.Codec;
using Aster.Net.Identity;
using Aster.Net.Quic;
using Aster.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aster.Client;

/// <summary>Options of an <see cref="AsterClient"/>.</summary>
public sealed class AsterClientOptions
{
    /// <summary>The payload codecs. Required.</summary>
    public ICodecProvider? Codecs { get; set; }

    /// <summary>The serialization mode of calls that do not choose one. Defaults to XLANG.</summary>
    public SerializationMode DefaultSerializationMode { get; set; } = SerializationMode.Xlang;

    /// <summary>
    /// The most pooled streams for shared unary calls, always within the peer's advertised stream limit. Null (the
    /// default) sizes the pool from that limit: 64 when the peer allows at least 100 concurrent bidirectional streams
    /// (iroh and Aster servers do), leaving at least 36 for session pools and streaming calls; otherwise the reference
    /// clients' 8 (wire-protocol.md 3.2). The pool opens streams only as concurrent calls need them. Set 8 to behave
    /// exactly as the reference clients do. See docs/networking.md, "Stream pool".
    /// </summary>
    public int? SharedStreamPoolSize { get; set; }

    /// <summary>How long a unary call waits for a pooled stream. Defaults to 5 s.</summary>
    public TimeSpan StreamAcquireTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a cancelled call drains the stream for its trailer. Defaults to 1 s.</summary>
    public TimeSpan CancelDrainTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The largest frame Length accepted or sent. Defaults to 16 MiB.</summary>
    public int MaxFrameLength { get; set; } = Framing.Frame.MaxLength;

    /// <summary>
    /// Whether request data frames over 4096 bytes are sent zstd-compressed (in both serialization modes) when that
    /// shrinks them. Defaults to true; turn it off for a server that cannot decompress. Compressed responses are
    /// accepted either way (wire-protocol.md 4.5, D7).
    /// </summary>
    public bool EnableCompression { get; set; } = true;

    /// <summary>
    /// The wire dialect spoken to this target. <see cref="WireDialect.Current"/> (the default) for current peers;
    /// <see cref="WireDialect.Release012"/> for a release 0.1.2 server that rejects current headers (the 0.1.2 Python
    /// server): JSON mode whatever <see cref="DefaultSerializationMode"/> says, 0.1.2 headers (a UUID call id, an
    /// absolute deadline), one stream per call, requests ended by FIN instead of END_STREAM (wire-protocol.md 20.7).
    /// Session-scoped services are not yet supported in that dialect.
    /// </summary>
    public WireDialect WireDialect { get; set; } = WireDialect.Current;

    /// <summary>
    /// The client's identity for <see cref="AsterClient.ConnectAsync(string, AsterClientOptions, CancellationToken)"/>.
    /// Null (the default) generates an ephemeral key. A credential bound to an endpoint needs that endpoint's key.
    /// The client does not dispose a key given here.
    /// </summary>
    public SecretKey? SecretKey { get; set; }

    /// <summary>
    /// The consumer credential document (trust.md 3.8.1) presented in admission, as JSON text. Null (the default) lets
    /// the identity pickup supply one (see <see cref="IdentityFile"/>); empty presents none (an open-gate server admits that).
    /// </summary>
    public string? CredentialJson { get; set; }

    /// <summary>The cloud-identity token sent in admission (trust.md 11), or empty. Defaults to empty.</summary>
    public string IidToken { get; set; } = string.Empty;

    /// <summary>
    /// An endpoint to dial from, shared with other clients and not disposed by this one. Null (the default): the client
    /// binds its own on <see cref="BindAddress"/>.
    /// </summary>
    public AsterEndpoint? Endpoint { get; set; }

    /// <summary>
    /// Where the client's own endpoint binds. Null (the default): port 0 on the wildcard address of the server's first
    /// direct address family, so loopback and other machines are both reachable.
    /// </summary>
    public IPEndPoint? BindAddress { get; set; }

    /// <summary>How long a QUIC handshake may take. Defaults to 10 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the admission response may take (trust.md 4.1). Defaults to 30 s.</summary>
    public TimeSpan AdmissionTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The QUIC idle timeout of the client's own endpoint: a server that vanished without closing is noticed after it.
    /// Defaults to 30 s.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Client interceptors, outermost first.</summary>
    public IList<IClientInterceptor> Interceptors { get; } = [];

    /// <summary>The logger factory. Defaults to <see cref="NullLoggerFactory"/>.</summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>The clock. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// The <c>.aster-identity</c> file a networked client takes what <see cref="SecretKey"/> and
    /// <see cref="CredentialJson"/> leave unset from when it connects (config-and-cli.md 4.2 and 6.3): null (the default)
    /// looks at <c>ASTER_IDENTITY_FILE</c>, else <c>./.aster-identity</c> if it exists; an empty string turns the
    /// identity file off; a path names the file, and a missing one is a <see cref="Configuration.ConfigurationException"/>.
    /// <c>ASTER_SECRET_KEY</c> and <c>ASTER_ENROLLMENT_CREDENTIAL</c> are read either way. Nothing is picked up when
    /// <see cref="Endpoint"/> is set (the shared endpoint carries the identity).
    /// </summary>
    public string? IdentityFile { get; set; }

    /// <summary>
    /// The identity entry whose credential is presented; null (the default) selects the file's first <c>consumer</c>
    /// entry, and none when it has none.
    /// </summary>
    public string? PeerName { get; set; }

    /// <summary>Where the identity pickup reads the environment and looks for <c>./.aster-identity</c>; null is the process's (tests set it).</summary>
    internal Configuration.IdentitySources? IdentitySources { get; set; }

    /// <summary>A copy sharing every value and collection, for the identity pickup to fill without touching the caller's options.</summary>
    internal AsterClientOptions ShallowCopy() => (AsterClientOptions)MemberwiseClone();
}

/// <summary>
/// Asynchronous middleware around every call a client makes. For unary and client-streaming calls
/// <c>continuation</c> completes with the response; for server-streaming and bidirectional calls it completes once the
/// call has started (its header sent), and the responses are read afterwards.
/// </summary>
public interface IClientInterceptor
{
    /// <summary>Runs around one call (or one attempt, inside a retrying interceptor).</summary>
    ValueTask InvokeAsync(ClientCallContext context, Func<ClientCallContext, ValueTask> continuation);
}

/// <summary>What a client interceptor sees of a call.</summary>
public sealed class ClientCallContext
{
    internal ClientCallContext(string service, int version, string method, MethodPattern kind, bool idempotent, CallOptions options, CancellationToken cancellationToken)
    {
        Idempotent = idempotent;
        Service = service;
        Version = version;
        Method = method;
        Kind = kind;
        Options = options;
        Metadata = options.Metadata is { } metadata ? [.. metadata] : [];
        CancellationToken = cancellationToken;
    }

    /// <summary>The service's wire name.</summary>
    public string Service { get; }

    /// <summary>The service version.</summary>
    public int Version { get; }

    /// <summary>The method's wire name.</summary>
    public string Method { get; }

    /// <summary>The call pattern.</summary>
    public MethodPattern Kind { get; }

    /// <summary>True when the method is declared idempotent (and so may be retried).</summary>
    public bool Idempotent { get; }

    /// <summary>The call's options; an interceptor may replace them (for example to set a timeout).</summary>
    public CallOptions Options { get; set; }

    /// <summary>The request metadata to send; interceptors may add entries.</summary>
    public List<KeyValuePair<string, string>> Metadata { get; }

    /// <summary>The caller's cancellation token.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>How many attempts ran before this one (0 on the first).</summary>
    public int Attempt { get; internal set; }
}
