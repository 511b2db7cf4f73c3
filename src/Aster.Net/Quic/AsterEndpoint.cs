using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading.Channels;
using Aster.Net.Identity;
using Aster.Net.Quic.Connection;
using Aster.Net.Quic.Packets;
using Aster.Net.Quic.Protection;
using Microsoft.Extensions.Logging;

namespace Aster.Net.Quic;

/// <summary>
/// A QUIC endpoint: one identity and one UDP socket, which both dials (<see cref="ConnectAsync"/>) and accepts
/// (<see cref="AcceptAsync"/>) connections authenticated by Ed25519 raw public keys.
/// </summary>
public sealed class AsterEndpoint : IAsyncDisposable
{
    /// <summary>The receive buffer: any UDP datagram, or a coalesced GRO buffer (at most 64 KiB).</summary>
    private const int ReceiveBufferLength = 65536;

    private readonly Socket _socket;
    private readonly UdpSender _sender;
    private readonly UdpGroReceiver? _gro;
    private readonly SecretKey _secretKey;
    private readonly AsterEndpointOptions _options;
    private readonly ILogger? _logger;
    private readonly ConcurrentDictionary<string, QuicConnectionDriver> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, QuicConnectionDriver>.AlternateLookup<ReadOnlySpan<char>> _routesBySpan;
    private readonly IPEndPoint _anyEndPoint;
    private readonly Channel<AsterConnection> _accepted;
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _receiveLoop;
    private readonly ConcurrentDictionary<QuicConnectionDriver, Task> _drivers = new();
    private readonly byte[] _resetKey;
    private readonly StatelessReplyLimiter _replyLimiter = new();
    private int _disposed;

    private AsterEndpoint(AsterEndpointOptions options, Socket socket)
    {
        _options = options;
        _secretKey = options.SecretKey!;
        _resetKey = StatelessReset.DeriveResetKey(_secretKey.ToBytes());
        _socket = socket;
        _sender = new UdpSender(socket, options.SegmentationOffload);
        _gro = options.SegmentationOffload ? UdpGroReceiver.TryCreate(socket, ReceiveBufferLength) : null;
        _logger = options.LoggerFactory?.CreateLogger("Aster.Net.Quic.AsterEndpoint");
        _accepted = Channel.CreateBounded<AsterConnection>(new BoundedChannelOptions(Math.Max(1, options.AcceptBacklog))
        {
            FullMode = BoundedChannelFullMode.DropWrite,
        });
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _routesBySpan = _routes.GetAlternateLookup<ReadOnlySpan<char>>();
        _anyEndPoint = new IPEndPoint(LocalEndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        _receiveLoop = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>Gets this endpoint's identity.</summary>
    public EndpointId Id => _secretKey.PublicKey;

    /// <summary>
    /// Gets a value indicating whether full-size datagrams leave in segmented batches (UDP GSO, Linux): requested by
    /// <see cref="AsterEndpointOptions.SegmentationOffload"/>, supported by the kernel and not refused since.
    /// </summary>
    public bool SegmentationOffload => _sender.SegmentationOffload;

    /// <summary>
    /// Gets a value indicating whether datagrams arrive coalesced (UDP GRO, Linux): one receive for up to 64 KiB of
    /// same-size datagrams from one sender. Requested by <see cref="AsterEndpointOptions.SegmentationOffload"/>.
    /// </summary>
    public bool ReceiveOffload => _gro is not null;

    /// <summary>Gets the bound UDP address.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Gets this endpoint's address (id and bound socket address).</summary>
    public EndpointAddr Address => new(Id, null, [LocalEndPoint]);

    /// <summary>Binds a UDP socket and starts receiving.</summary>
    /// <param name="options">The settings; <see cref="AsterEndpointOptions.SecretKey"/> is required.</param>
    /// <param name="cancellationToken">Not used beyond an early check.</param>
    /// <returns>The endpoint.</returns>
    public static ValueTask<AsterEndpoint> BindAsync(AsterEndpointOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.SecretKey is null)
        {
            throw new ArgumentException("A secret key is required.", nameof(options));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var socket = new Socket(options.BindAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.ReceiveBufferSize = 4 * 1024 * 1024;
            socket.SendBufferSize = 4 * 1024 * 1024;
            if (options.BindAddress.AddressFamily == AddressFamily.InterNetwork)
            {
                // Path-MTU probes must not be fragmented.
                socket.DontFragment = true;
            }

            socket.Bind(options.BindAddress);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return ValueTask.FromResult(new AsterEndpoint(options, socket));
    }

    /// <summary>Accepts the next connection whose handshake completed.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The connection.</returns>
    public async ValueTask<AsterConnection> AcceptAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _accepted.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new TransportException(TransportErrorReason.EndpointClosed, 0, "The endpoint is closed.");
        }
    }

    /// <summary>Dials a peer at its first direct address; the TLS handshake enforces its identity.</summary>
    /// <param name="address">The peer's id and direct addresses.</param>
    /// <param name="alpn">The ALPN protocol.</param>
    /// <param name="cancellationToken">Cancels the handshake.</param>
    /// <returns>The connection.</returns>
    public async ValueTask<AsterConnection> ConnectAsync(EndpointAddr address, string alpn, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentException.ThrowIfNullOrEmpty(alpn);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        IPEndPoint remote = address.DirectAddresses.FirstOrDefault(a => a.AddressFamily == LocalEndPoint.AddressFamily)
            ?? throw new ArgumentException("The address has no direct address of this endpoint's address family.", nameof(address));
        var core = QuicConnectionCore.CreateClient(CreateOptions([alpn], address.Id), QuicClock.NowUs);
        QuicConnectionDriver driver = StartDriver(core, remote);
        Register(driver, Convert.ToHexString(core.LocalCid));
        try
        {
            await core.Connected.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            core.Close(0, "cancelled", QuicClock.NowUs);
            throw;
        }

        return new AsterConnection(core, remote);
    }

    /// <summary>Closes every connection and the socket.</summary>
    /// <returns>A task that completes when the loops stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (QuicConnectionDriver driver in _drivers.Keys)
        {
            driver.Core.Close(0, "endpoint closed", QuicClock.NowUs);
            driver.Signal();
        }

        // Give the close packets a moment to leave.
        await Task.Delay(20).ConfigureAwait(false);
        await _cts.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        _accepted.Writer.TryComplete();
        try
        {
            await _receiveLoop.ConfigureAwait(false);
            await Task.WhenAll(_drivers.Values).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        foreach (QuicConnectionDriver driver in _drivers.Keys)
        {
            driver.Core.Dispose();
        }

        _cts.Dispose();
    }

    private QuicConnectionOptions CreateOptions(IReadOnlyList<string> alpns, EndpointId? expected) => new()
    {
        SecretKey = _secretKey,
        Alpns = alpns,
        ExpectedServer = expected,
        IdleTimeoutMs = (long)_options.IdleTimeout.TotalMilliseconds,
        KeepAliveUs = (long)(_options.KeepAliveInterval.TotalMilliseconds * 1000),
        MaxStreamsBidi = (ulong)Math.Max(0, _options.MaxInboundBidirectionalStreams),
        MaxStreamsUni = (ulong)Math.Max(0, _options.MaxInboundUnidirectionalStreams),
        Logger = _logger,
    };

    private QuicConnectionDriver StartDriver(QuicConnectionCore core, IPEndPoint remote)
    {
        var driver = new QuicConnectionDriver(core, _sender, remote);
        core.ConnectionIdIssued = cid => Register(driver, Convert.ToHexString(cid));
        core.ConnectionIdRetired = cid => Unregister(driver, Convert.ToHexString(cid));
        _drivers[driver] = Task.Run(async () =>
        {
            await driver.RunAsync(_cts.Token).ConfigureAwait(false);
            lock (driver.RouteKeys)
            {
                foreach (string key in driver.RouteKeys)
                {
                    _routes.TryRemove(new KeyValuePair<string, QuicConnectionDriver>(key, driver));
                }
            }

            if (_disposed == 0)
            {
                _drivers.TryRemove(driver, out _);
                core.Dispose();
            }
        });
        return driver;
    }

    private void Register(QuicConnectionDriver driver, string key)
    {
        lock (driver.RouteKeys)
        {
            driver.RouteKeys.Add(key);
            _routes[key] = driver;
        }
    }

    private void Unregister(QuicConnectionDriver driver, string key)
    {
        lock (driver.RouteKeys)
        {
            driver.RouteKeys.Remove(key);
            _routes.TryRemove(new KeyValuePair<string, QuicConnectionDriver>(key, driver));
        }
    }

    private async Task ReceiveLoopAsync()
    {
        // Received into one reused SocketAddress: no EndPoint objects per datagram. An IPEndPoint is made only when a
        // datagram does not route to a connection by its destination CID (handshakes).
        var from = new SocketAddress(LocalEndPoint.AddressFamily);
        if (_gro is not null)
        {
            await ReceiveCoalescedLoopAsync(_gro, from).ConfigureAwait(false);
            return;
        }

        byte[] buffer = new byte[ReceiveBufferLength];
        while (!_cts.IsCancellationRequested)
        {
            int? received = await WaitForDatagramAsync(buffer, SocketFlags.None, from).ConfigureAwait(false);
            if (received is null)
            {
                return;
            }

            OnDatagram(buffer.AsSpan(0, received.Value), from);
        }
    }

    /// <summary>
    /// The receive loop with UDP GRO: drains the socket without waiting (one call per coalesced buffer), cuts each buffer
    /// at its segment size, and waits for the next datagram with a one-byte peek that consumes nothing.
    /// </summary>
    private async Task ReceiveCoalescedLoopAsync(UdpGroReceiver gro, SocketAddress from)
    {
        byte[] peek = new byte[1];
        while (!_cts.IsCancellationRequested)
        {
            int received;
            int segmentSize;
            try
            {
                received = gro.TryReceive(from, out segmentSize);
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            if (received < 0)
            {
                // Nothing queued (or an error such as a pending ICMP report, which the peek raises and clears): wait.
                if (await WaitForDatagramAsync(peek, SocketFlags.Peek, from).ConfigureAwait(false) is null)
                {
                    return;
                }

                continue;
            }

            OnCoalesced(gro.Buffer.AsSpan(0, received), segmentSize, from);
        }
    }

    /// <summary>
    /// Routes the datagrams of one coalesced buffer: each run of datagrams for the same connection goes to its driver in
    /// one call (one lock, one header-protection cipher call, at most one wake-up); any other datagram (a handshake, an
    /// unknown id, garbage) is routed alone, and never costs the datagrams around it.
    /// </summary>
    private void OnCoalesced(Span<byte> buffer, int segmentSize, SocketAddress from)
    {
        QuicConnectionDriver? runDriver = null;
        int runStart = 0;
        for (int offset = 0; offset < buffer.Length; offset += segmentSize)
        {
            Span<byte> datagram = buffer.Slice(offset, Math.Min(segmentSize, buffer.Length - offset));
            QuicConnectionDriver? driver = runDriver is not null && SameShortHeaderDestination(buffer[runStart..], datagram)
                ? runDriver
                : FindRoute(datagram);
            if (driver != runDriver && runDriver is not null)
            {
                OnRun(runDriver, buffer[runStart..offset], segmentSize);
                runDriver = null;
            }

            if (driver is null)
            {
                OnDatagram(datagram, from);
                continue;
            }

            if (runDriver is null)
            {
                runDriver = driver;
                runStart = offset;
            }
        }

        if (runDriver is not null)
        {
            OnRun(runDriver, buffer[runStart..], segmentSize);
        }
    }

    /// <summary>Hands a run of datagrams to their connection; whatever it throws is logged (see <see cref="OnDatagram"/>).</summary>
    private void OnRun(QuicConnectionDriver driver, Span<byte> datagrams, int segmentSize)
    {
        try
        {
            driver.Receive(datagrams, segmentSize, QuicClock.NowUs);
        }
#pragma warning disable CA1031 // A malformed datagram must never stop the loop.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (_logger is not null)
            {
                QuicConnectionLog.ReceiveLoopError(_logger, ex);
            }
        }
    }

    /// <summary>
    /// True if <paramref name="datagram"/> is a short-header datagram to the same connection id as the short-header
    /// datagram <paramref name="routed"/>: the common case inside a coalesced buffer, decided without a lookup.
    /// </summary>
    private static bool SameShortHeaderDestination(ReadOnlySpan<byte> routed, ReadOnlySpan<byte> datagram)
    {
        const int end = 1 + QuicConnectionCore.LocalCidLength;
        return datagram.Length > end && routed.Length > end
            && (datagram[0] & (QuicConstants.LongHeaderBit | QuicConstants.FixedBit)) == QuicConstants.FixedBit
            && (routed[0] & (QuicConstants.LongHeaderBit | QuicConstants.FixedBit)) == QuicConstants.FixedBit
            && datagram[1..end].SequenceEqual(routed[1..end]);
    }

    /// <summary>The connection a datagram with a valid header routes to by its destination connection id, or null.</summary>
    private QuicConnectionDriver? FindRoute(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= 1 + QuicConnectionCore.LocalCidLength
        && QuicPacketParser.TryParse(datagram, QuicConnectionCore.LocalCidLength, out QuicPacketHeader header) == QuicHeaderStatus.Ok
            ? FindRouteById(header.DestinationConnectionId)
            : null;

    /// <summary>Looks a destination connection id up by its hex characters on the stack: no string per datagram.</summary>
    private QuicConnectionDriver? FindRouteById(ReadOnlySpan<byte> destinationCid)
    {
        Span<char> key = stackalloc char[2 * QuicConstants.MaxConnectionIdLength];
        return Convert.TryToHexString(destinationCid, key, out int keyLength)
            && _routesBySpan.TryGetValue(key[..keyLength], out QuicConnectionDriver? driver) ? driver : null;
    }

    /// <summary>
    /// Waits for a datagram and receives it into <paramref name="buffer"/> (or, with <see cref="SocketFlags.Peek"/>,
    /// only waits for one). Returns its length; 0 after a socket error such as an ICMP report (connection reset),
    /// which the loops treat as nothing received; null when the endpoint is closing.
    /// </summary>
    private async ValueTask<int?> WaitForDatagramAsync(Memory<byte> buffer, SocketFlags flags, SocketAddress from)
    {
        try
        {
            return await _socket.ReceiveFromAsync(buffer, flags, from, _cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
        catch (SocketException)
        {
            return 0;
        }
    }

    /// <summary>Routes one datagram; whatever it throws is logged, since a malformed datagram must never stop a loop.</summary>
    private void OnDatagram(Span<byte> datagram, SocketAddress from)
    {
        try
        {
            RouteDatagram(datagram, from);
        }
#pragma warning disable CA1031 // A malformed datagram must never stop the loop.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (_logger is not null)
            {
                QuicConnectionLog.ReceiveLoopError(_logger, ex);
            }
        }
    }

    private void RouteDatagram(Span<byte> datagram, SocketAddress from)
    {
        if (datagram.Length < 1 + QuicConnectionCore.LocalCidLength)
        {
            return;
        }

        QuicHeaderStatus status = QuicPacketParser.TryParse(datagram, QuicConnectionCore.LocalCidLength, out QuicPacketHeader header);
        if (status == QuicHeaderStatus.UnsupportedVersion)
        {
            SendVersionNegotiation(datagram.Length, header, (IPEndPoint)_anyEndPoint.Create(from));
            return;
        }

        if (status != QuicHeaderStatus.Ok)
        {
            return;
        }

        QuicConnectionDriver? driver = FindRouteById(header.DestinationConnectionId);
        if (driver is not null)
        {
            driver.Receive(datagram, datagram.Length, QuicClock.NowUs);
            return;
        }

        var remote = (IPEndPoint)_anyEndPoint.Create(from);
        if (_routes.TryGetValue(InitialKey(remote, header.DestinationConnectionId), out driver))
        {
            driver.Core.ReceiveDatagram(datagram, QuicClock.NowUs);
            driver.Signal();
            return;
        }

        if (header.Type == QuicPacketType.OneRtt)
        {
            OnUnknownShortHeader(datagram, header.DestinationConnectionId, remote);
            return;
        }

        if (header.Type != QuicPacketType.Initial || _options.Alpns.Count == 0 || _disposed != 0
            || datagram.Length < QuicConstants.MinInitialDatagramSize || header.DestinationConnectionId.Length < 8
            || _drivers.Count >= _options.MaxConnections)
        {
            return;
        }

        long now = QuicClock.NowUs;
        var core = QuicConnectionCore.CreateServer(CreateOptions([.. _options.Alpns], null), header.DestinationConnectionId, header.SourceConnectionId, now);
        string initialKey = InitialKey(remote, header.DestinationConnectionId);
        QuicConnectionDriver created = StartDriver(core, remote);
        Register(created, Convert.ToHexString(core.LocalCid));
        Register(created, initialKey);
        core.ReceiveDatagram(datagram, now);
        created.Signal();
        _ = AcceptWhenConnectedAsync(core, remote);
    }

    /// <summary>
    /// A short-header datagram for no connection we route: a stateless reset from a peer of ours (transport.md 7.6),
    /// or a packet for a connection we lost (we restarted, or it ended), which we answer with a stateless reset.
    /// </summary>
    private void OnUnknownShortHeader(ReadOnlySpan<byte> datagram, ReadOnlySpan<byte> destinationCid, IPEndPoint remote)
    {
        if (datagram.Length < StatelessReset.MinLength)
        {
            return;
        }

        long now = QuicClock.NowUs;
        foreach (QuicConnectionDriver driver in _drivers.Keys)
        {
            if (driver.Remote.Equals(remote) && driver.Core.TryDetectStatelessReset(datagram, now))
            {
                driver.Signal();
                return;
            }
        }

        // Strictly shorter than the trigger and at least 21 bytes, so two endpoints cannot loop; rate-limited.
        if (datagram.Length <= StatelessReset.MinLength || _disposed != 0 || !_replyLimiter.TryTake(now))
        {
            return;
        }

        Span<byte> token = stackalloc byte[QuicConstants.StatelessResetTokenLength];
        StatelessReset.ComputeToken(_resetKey, destinationCid, token);
        Span<byte> reply = stackalloc byte[StatelessReset.MaxLength];
        int length = StatelessReset.Write(reply, datagram.Length, token);
        if (length > 0)
        {
            SendReply(reply[..length], remote);
            if (_logger is not null)
            {
                QuicConnectionLog.StatelessResetSent(_logger, remote);
            }
        }
    }

    /// <summary>Answers a long-header datagram of another version, if it is at least 1200 bytes (transport.md 3.2).</summary>
    private void SendVersionNegotiation(int datagramLength, QuicPacketHeader header, IPEndPoint remote)
    {
        if (datagramLength < QuicConstants.MinInitialDatagramSize || _disposed != 0 || !_replyLimiter.TryTake(QuicClock.NowUs))
        {
            return;
        }

        Span<byte> random = stackalloc byte[5];
        RandomNumberGenerator.Fill(random);
        uint grease = (BinaryPrimitives.ReadUInt32BigEndian(random[1..]) & 0xf0f0f0f0) | 0x0a0a0a0a;
        ReadOnlySpan<uint> versions = [QuicConstants.Version1, grease];
        Span<byte> reply = stackalloc byte[VersionNegotiationPacket.GetLength(header.SourceConnectionId.Length, header.DestinationConnectionId.Length, versions.Length)];
        int length = VersionNegotiationPacket.Write(reply, random[0], header.SourceConnectionId, header.DestinationConnectionId, versions);
        SendReply(reply[..length], remote);
    }

    /// <summary>Best effort, like any datagram; through the sender, which keeps the socket's segment size right.</summary>
    private void SendReply(ReadOnlySpan<byte> datagram, IPEndPoint remote) => _sender.SendOne(datagram, remote);

    private async Task AcceptWhenConnectedAsync(QuicConnectionCore core, IPEndPoint remote)
    {
        try
        {
            await core.Connected.ConfigureAwait(false);
        }
        catch (TransportException)
        {
            return;
        }

        if (!_accepted.Writer.TryWrite(new AsterConnection(core, remote)))
        {
            core.Close(0x2, "backlog full", QuicClock.NowUs, application: false);
        }
    }

    private static string InitialKey(IPEndPoint remote, ReadOnlySpan<byte> destinationCid) => remote + "/" + Convert.ToHexString(destinationCid);
}
