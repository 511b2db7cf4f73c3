using System.Net;
using Aster.Codec;
using Aster.Net.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aster.Server;

/// <summary>Options of an <see cref="AsterServer"/>.</summary>
public sealed class AsterServerOptions
{
    /// <summary>The payload codecs. Required.</summary>
    public ICodecProvider? Codecs { get; set; }

    /// <summary>Limits enforced on every call (wire-protocol.md, section 15).</summary>
    public RpcLimits Limits { get; set; } = new();

    /// <summary>The longest any handler may run; a deadline can only shorten it. Defaults to 300 s.</summary>
    public TimeSpan MaxHandlerTimeout { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>
    /// How long a stream may sit inside a partly received frame without a new byte before it is reset and its call
    /// cancelled (wire-protocol.md 4.4 and 19.1 row 7). Defaults to 30 s; <see cref="Timeout.InfiniteTimeSpan"/> turns it off.
    /// </summary>
    public TimeSpan PartialFrameTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When true, an unhandled handler exception's message is sent as the INTERNAL status message. Defaults to false:
    /// the peer sees a generic message and the exception is logged locally.
    /// </summary>
    public bool IncludeExceptionDetails { get; set; }

    /// <summary>
    /// Whether XLANG response data frames over 4096 bytes are sent zstd-compressed when that shrinks them. Defaults to
    /// true; turn it off when clients cannot decompress. JSON-mode responses are never compressed, and compressed
    /// input is accepted either way (wire-protocol.md 4.5, D7).
    /// </summary>
    public bool EnableCompression { get; set; } = true;

    /// <summary>Server interceptors, outermost first.</summary>
    public IList<IServerInterceptor> Interceptors { get; } = [];

    /// <summary>
    /// The node's trust decisions (gates 0 and 1 and the admission records gate 3 reads). Null on a server that only
    /// serves connections handed to <see cref="AsterServer.ServeConnectionAsync"/>: calls then carry no peer attributes.
    /// A networked server without one runs in dev mode (trust.md 10).
    /// </summary>
    public Aster.Trust.IAdmissionAuthority? Admission { get; set; }

    /// <summary>Extra ALPNs a networked server serves (besides <c>aster/1</c>, consumer admission and the mesh's).</summary>
    public IList<IAlpnHandler> AlpnHandlers { get; } = [];

    /// <summary>
    /// The producer mesh this server takes part in (trust.md 9; <c>allow_all_producers = false</c>), or null (the
    /// default) for none. The networked server starts a <see cref="Aster.Trust.Mesh.MeshNode"/> on its own endpoint
    /// and key once bound (its <see cref="Aster.Trust.Mesh.MeshOptions.SecretKey"/> and
    /// <see cref="Aster.Trust.Mesh.MeshOptions.Endpoint"/> are the server's; empty advertised addresses become the
    /// server's addresses; admission records go to the authority's peer store), serves producer admission and the
    /// mesh gossip, plugs membership into gate 0 rule 5, and sends DEPART when it stops. Requires
    /// <see cref="Admission"/> to be a <see cref="Aster.Trust.TrustAuthority"/> with producers gated.
    /// </summary>
    public Aster.Trust.Mesh.MeshOptions? Mesh { get; set; }

    /// <summary>
    /// The node's identity for <see cref="AsterServer.StartAsync"/>: its public key is the endpoint id in
    /// <see cref="AsterServer.Address"/>. Null (the default) generates an ephemeral key per run. The server does not
    /// dispose a key given here.
    /// </summary>
    public SecretKey? SecretKey { get; set; }

    /// <summary>
    /// The UDP addresses a networked server binds, one socket each (IPv4 and IPv6 addresses may be mixed). Empty (the
    /// default) binds <c>127.0.0.1:0</c>, which only this machine can reach: bind <c>0.0.0.0:port</c> (and
    /// <c>[::]:port</c>) to serve other machines; the address then lists every interface address.
    /// </summary>
    public IList<IPEndPoint> BindAddresses { get; } = [];

    /// <summary>The QUIC idle timeout of every connection. Defaults to 30 s.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a graceful shutdown lets calls in flight finish before it closes the connections (code 0,
    /// <c>server closed</c>) and cancels what remains. Defaults to 10 s (config-and-cli.md 15).
    /// </summary>
    public TimeSpan ShutdownGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The <c>registry_namespace</c> every admitted consumer is told (trust.md 4.2, registry.md): the 64-hex id of the
    /// registry namespace that holds this deployment's manifests and leases, or empty (the default) when there is none.
    /// This implementation has no iroh-docs registry yet (registry.md stage R3), so only deployments that share a
    /// registry store by other means set it; reference clients skip registry work for an empty value.
    /// </summary>
    public string RegistryNamespace { get; set; } = string.Empty;

    /// <summary>Limits and timeouts of the consumer admission exchange and of gate 0 (trust.md 4.1, 7.1).</summary>
    public AdmissionLimits AdmissionLimits { get; set; } = new();

    /// <summary>The logger factory. Defaults to <see cref="NullLoggerFactory"/>.</summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>The clock. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// The <c>.aster-identity</c> file the server takes what <see cref="SecretKey"/> and <see cref="Admission"/> leave
    /// unset from when it is constructed (config-and-cli.md 4 and 6.3; docs/configuration.md, "Identity pickup"): null
    /// (the default) looks at <c>ASTER_IDENTITY_FILE</c>, else <c>./.aster-identity</c> if it exists; an empty string
    /// turns the identity file off; a path names the file, and a missing one is a <see cref="Configuration.ConfigurationException"/>.
    /// The <c>ASTER_*</c> variables (<c>ASTER_SECRET_KEY</c>, <c>ASTER_ROOT_PUBKEY</c>, the gates, …) are read either way.
    /// </summary>
    public string? IdentityFile { get; set; }

    /// <summary>
    /// The identity entry to serve as (the product documents' <c>peer="billing-producer"</c>); null (the default)
    /// selects the file's first <c>producer</c> entry, and none when it has none.
    /// </summary>
    public string? PeerName { get; set; }

    /// <summary>Where the identity pickup reads the environment and looks for <c>./.aster-identity</c>; null is the process's (tests set it).</summary>
    internal Configuration.IdentitySources? IdentitySources { get; set; }

    /// <summary>A copy sharing every value and collection, for the identity pickup to fill without touching the caller's options.</summary>
    internal AsterServerOptions ShallowCopy() => (AsterServerOptions)MemberwiseClone();
}

/// <summary>Limits on what one call may carry (wire-protocol.md, section 15). All are configurable.</summary>
public sealed class RpcLimits
{
    /// <summary>The largest frame Length (flag byte plus payload). Defaults to 16 MiB.</summary>
    public int MaxFrameLength { get; set; } = Framing.Frame.MaxLength;

    /// <summary>
    /// The most bytes a COMPRESSED payload (request or header) may decompress to; past it the call fails with
    /// RESOURCE_EXHAUSTED. Defaults to 16 MiB (wire-protocol.md 4.5).
    /// </summary>
    public int MaxDecompressedLength { get; set; } = 16 * 1024 * 1024;

    /// <summary>The most metadata entries per call. Defaults to 64.</summary>
    public int MaxMetadataEntries { get; set; } = 64;

    /// <summary>The most UTF-8 bytes of metadata keys and values per call. Defaults to 8192.</summary>
    public int MaxMetadataBytes { get; set; } = 8192;

    /// <summary>The longest metadata key in characters. Defaults to 256.</summary>
    public int MaxMetadataKeyLength { get; set; } = 256;

    /// <summary>The longest metadata value in characters. Defaults to 4096.</summary>
    public int MaxMetadataValueLength { get; set; } = 4096;

    /// <summary>The most items a client stream may send in one call. Defaults to 100,000.</summary>
    public int MaxClientStreamItems { get; set; } = 100_000;

    /// <summary>The most live sessions per connection. Defaults to 1024.</summary>
    public int MaxSessionsPerConnection { get; set; } = 1024;

    /// <summary>The longest status message sent; longer ones are truncated. Defaults to 4096 characters.</summary>
    public int MaxStatusMessageLength { get; set; } = 4096;

    /// <summary>The most status detail entries sent; more are dropped. Defaults to 32.</summary>
    public int MaxStatusDetails { get; set; } = 32;
}

/// <summary>Limits and timeouts of the admission exchange and of gate 0 (trust.md 4.1 and 7.1). All are configurable.</summary>
public sealed class AdmissionLimits
{
    /// <summary>The largest admission request read. Defaults to 64 KiB; a larger one gets the uniform denial.</summary>
    public int MaxRequestBytes { get; set; } = 64 * 1024;

    /// <summary>How long the client has to send the whole request (FIN). Defaults to 10 s; then the stream is reset.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the admission decision may take. Defaults to 30 s; then the uniform denial is sent.</summary>
    public TimeSpan HandlerTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the server waits for the response to be acknowledged or the client to close. Defaults to 5 s.</summary>
    public TimeSpan ResponseLinger { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The most admission exchanges at once; beyond it connections are closed with 0 <c>busy</c>. Defaults to 64.</summary>
    public int MaxConcurrent { get; set; } = 64;

    /// <summary>How long a gate 0 decision may take; no answer in time is a denial. Defaults to 5 s.</summary>
    public TimeSpan Gate0Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often open connections (every ALPN except the admission ALPNs) are checked against the authority; those whose
    /// peer no longer qualifies (admission expired or removed, producer evicted from the mesh) are closed with 403
    /// <c>admission expired</c> (trust.md 7.1). Defaults to 60 s; <see cref="Timeout.InfiniteTimeSpan"/> turns it off.
    /// Runs on <see cref="AsterServerOptions.TimeProvider"/>.
    /// </summary>
    public TimeSpan ExpirySweepInterval { get; set; } = TimeSpan.FromSeconds(60);
}
