using System.Net;
using Aster.Net.Identity;
using Microsoft.Extensions.Logging;

namespace Aster.Net.Quic;

/// <summary>Settings of an <see cref="AsterEndpoint"/>.</summary>
public sealed class AsterEndpointOptions
{
    /// <summary>Gets or sets the endpoint's identity. Required.</summary>
    public SecretKey? SecretKey { get; set; }

    /// <summary>Gets or sets the local UDP address to bind; 127.0.0.1:0 by default (use <see cref="IPAddress.IPv6Loopback"/> for IPv6).</summary>
    public IPEndPoint BindAddress { get; set; } = new(IPAddress.Loopback, 0);

    /// <summary>Gets the ALPN protocols accepted from dialing peers. Empty: the endpoint only dials.</summary>
    public IList<string> Alpns { get; } = [];

    /// <summary>Gets or sets the idle timeout advertised and enforced (30 s by default).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the keep-alive interval (5 s by default; zero disables).</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets how many bidirectional streams a peer may open at once (100 by default).</summary>
    public int MaxInboundBidirectionalStreams { get; set; } = 100;

    /// <summary>Gets or sets how many unidirectional streams a peer may open at once (100 by default).</summary>
    public int MaxInboundUnidirectionalStreams { get; set; } = 100;

    /// <summary>Gets or sets how many accepted connections may wait for <see cref="AsterEndpoint.AcceptAsync"/> (64 by default).</summary>
    public int AcceptBacklog { get; set; } = 64;

    /// <summary>Gets or sets how many connections (dialed and accepted, including handshakes) the endpoint keeps at
    /// once; Initials from new peers beyond it are dropped (1024 by default).</summary>
    public int MaxConnections { get; set; } = 1024;

    /// <summary>
    /// Gets or sets a value indicating whether to use UDP segmentation offload (Linux only): full-size datagrams leave in
    /// batches the kernel segments (GSO, one system call for up to 64 datagrams), and datagrams arrive coalesced (GRO,
    /// one receive for up to 64 KiB; through libc <c>recvmsg</c>, as the managed socket API drops the segment size). On
    /// by default; the endpoint falls back to one datagram per call where the OS or device does not support it.
    /// </summary>
    public bool SegmentationOffload { get; set; } = true;

    /// <summary>Gets or sets the logger factory; none by default.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
