using System.Security.Cryptography;
using System.Threading.Channels;
using Aster.Net.Identity;
using Aster.Net.Quic.ConnectionIds;
using Aster.Net.Quic.Frames;
using Aster.Net.Quic.Packets;
using Aster.Net.Quic.Parameters;
using Aster.Net.Quic.Protection;
using Aster.Net.Quic.Recovery;
using Aster.Net.Quic.Streams;
using Aster.Net.Tls;
using Microsoft.Extensions.Logging;

namespace Aster.Net.Quic.Connection;

/// <summary>Settings of one <see cref="QuicConnectionCore"/>.</summary>
internal sealed class QuicConnectionOptions
{
    public required SecretKey SecretKey { get; init; }

    public required IReadOnlyList<string> Alpns { get; init; }

    /// <summary>Gets the identity a client dials (mandatory for clients).</summary>
    public EndpointId? ExpectedServer { get; init; }

    public long IdleTimeoutMs { get; init; } = 30_000;

    public long KeepAliveUs { get; init; } = 5_000_000;

    public ulong MaxStreamsBidi { get; init; } = 100;

    public ulong MaxStreamsUni { get; init; } = 100;

    public ILogger? Logger { get; init; }
}

/// <summary>The state of a connection.</summary>
internal enum QuicConnectionState
{
    Handshaking,
    Connected,
    Closing,
    Draining,
    Closed,
}

/// <summary>
/// One QUIC connection (both roles): packet spaces, TLS, recovery, streams and closing. Not tied to sockets: feed it
/// datagrams with <see cref="ReceiveDatagram"/>, pull datagrams with <see cref="WriteDatagram"/>, call
/// <see cref="HandleTimeout"/> at <see cref="NextTimeoutUs"/>. One lock guards all of it.
/// </summary>
internal sealed class QuicConnectionCore : IDisposable
{
    public const int LocalCidLength = 8;
    public const int MaxDatagramSize = 1200;

    /// <summary>The largest datagram this core writes (after path-MTU discovery); size send buffers for it.</summary>
    public const int MaxDatagramBuffer = 1500;

    /// <summary>Where a short-header packet's number starts: after the first byte and our connection id.</summary>
    private const int ShortHeaderPacketNumberOffset = 1 + LocalCidLength;

    /// <summary>The shortest short-header datagram that holds a header-protection sample.</summary>
    private const int ShortHeaderSampleEnd = ShortHeaderPacketNumberOffset + QuicConstants.MaxPacketNumberLength + QuicConstants.HeaderProtectionSampleLength;
    private const int InitialIdx = 0;
    private const int HandshakeIdx = 1;
    private const int AppIdx = 2;

    /// <summary>A 1-RTT packet with at most this much room left after its frames is padded to full size.</summary>
    private const int FullPacketSlack = 32;

    /// <summary>The most frame lists kept for reuse (a window of packets in flight).</summary>
    private const int MaxPooledFrameLists = 4096;

    /// <summary>Frame lists that grew beyond this many entries are left to the collector.</summary>
    private const int MaxPooledFrameCapacity = 64;

    private readonly Lock _lock = new();
    private readonly QuicConnectionOptions _options;
    private readonly TlsHandshake _tls;
    private readonly SpaceState[] _spaces = new SpaceState[3];
    private readonly LossRecovery _recovery;
    private readonly IdleTimer _idle;
    private readonly AntiAmplificationLimit _amplification = new();
    private readonly Pacer _pacer = new(Pacer.DefaultMaxBurstPackets, Pacer.DefaultBurstIntervalUs);
    private long _pacingResumeUs = long.MaxValue;
    private readonly QuicTransportParameters _localParameters;
    private readonly byte[] _originalDestinationCid;
    private readonly Dictionary<long, QuicStreamCore> _streams = [];
    private readonly List<QuicStreamCore> _sendOrder = [];
    private readonly ConnectionReceiveFlowControl _receiveFlow;
    private readonly RemoteStreamLimit _remoteBidi;
    private readonly RemoteStreamLimit _remoteUni;
    private readonly Channel<QuicStreamCore> _acceptBidi = Channel.CreateUnbounded<QuicStreamCore>();
    private readonly Channel<QuicStreamCore> _acceptUni = Channel.CreateUnbounded<QuicStreamCore>();
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<SentPacket> _ackedScratch = [];
    private readonly List<SentPacket> _lostScratch = [];
    private readonly ValueRange[] _rangeScratch = new ValueRange[AckManager.DefaultMaxRanges];
    private readonly AckRange[] _ackScratch = new AckRange[AckManager.DefaultMaxRanges];
    private readonly byte[] _dataScratch = new byte[MaxDatagramBuffer];
    private readonly Stack<List<SentFrame>> _framePool = new();
    private readonly HeaderProtectionBatch _headerBatch = new();
    private TaskCompletionSource _streamsAvailable = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly byte[] _resetKey;
    private readonly Queue<ulong> _newConnectionIdsPending = new();
    private readonly byte[] _packetDestination = new byte[QuicConstants.MaxConnectionIdLength];
    private int _packetDestinationLength;
    private ConnectionIdManager? _cids;
    private bool _connectionIdsIssued;
    private byte[] _remoteCid;
    private bool _remoteCidSet;
    private OneRttKeySet? _oneRtt;
    private int _finalKeyUpdatesInitiated;
    private int _finalKeyUpdatesAnswered;
    private PathMtuDiscovery? _mtu;
    private QuicTransportParameters? _peerParameters;
    private ConnectionSendFlowControl _sendFlow = new(0);
    private LocalStreamLimit? _localBidi;
    private LocalStreamLimit? _localUni;
    private bool _handshakeDonePending;
    private bool _handshakeConfirmed;
    private bool _pingPending;
    private bool _resendMaxData;
    private bool _resendMaxStreamsBidi;
    private bool _resendMaxStreamsUni;
    private byte[]? _pathResponse;
    private int _sendCursor;

    // Counters for AsterConnectionStatistics, read under the lock. The driver's own (turns, datagrams sent, send calls)
    // change outside the lock, so they are Interlocked; the others change under it.
    private long _driverTurns;
    private long _datagramsReceived;
    private long _acksSent;
    private long _acksReceived;
    private long _datagramsSent;
    private long _sendCalls;
    private long _packetsSent;
    private long _ackOnlyPacketsSent;
    private long _stopsByCongestionWindow;
    private long _stopsByPacing;
    private long _stopsByConnectionFlowControl;
    private long _stopsByStreamFlowControl;

    // Closing.
    private QuicConnectionState _state = QuicConnectionState.Handshaking;
    private bool _closeSendPending;
    private ulong _closeCode;
    private ulong _closeFrameType;
    private bool _closeIsApplication;
    private string _closeReason = string.Empty;
    private long _closeDeadlineUs = long.MaxValue;
    private TransportException? _error;

    private QuicConnectionCore(
        bool isClient, QuicConnectionOptions options, byte[] localCid, byte[] remoteCid, byte[] originalDestinationCid, long nowUs)
    {
        IsClient = isClient;
        _options = options;
        LocalCid = localCid;
        _remoteCid = remoteCid;
        _remoteCidSet = !isClient;
        _originalDestinationCid = originalDestinationCid;
        for (int i = 0; i < 3; i++)
        {
            _spaces[i] = new SpaceState((PacketNumberSpace)i);
        }

        InitialSecrets.CreateKeys(originalDestinationCid, !isClient, out var read, out var write);
        _spaces[InitialIdx].Read = read;
        _spaces[InitialIdx].Write = write;

        // CUBIC (RFC 9438) as iroh/noq use by default, paced at 1.25 × cwnd / srtt (transport.md 7.2).
        _recovery = new LossRecovery(!isClient, new CubicCongestionController(MaxDatagramSize), new RttEstimator());
        _idle = new IdleTimer(options.IdleTimeoutMs * 1000, options.KeepAliveUs, nowUs);
        _localParameters = QuicTransportParameters.CreateDefault(localCid, !isClient, isClient ? default : originalDestinationCid);
        _resetKey = StatelessReset.DeriveResetKey(options.SecretKey.ToBytes());
        if (!isClient)
        {
            // Only servers advertise a token for the handshake id (RFC 9000, section 18.2); later ids carry theirs in
            // NEW_CONNECTION_ID. Tokens come from a key derived from the identity, so a restarted endpoint can reset.
            byte[] token = new byte[QuicConstants.StatelessResetTokenLength];
            StatelessReset.ComputeToken(_resetKey, localCid, token);
            _localParameters.StatelessResetToken = token;
        }

        _localParameters.MaxIdleTimeout = (ulong)options.IdleTimeoutMs;
        _localParameters.InitialMaxStreamsBidi = options.MaxStreamsBidi;
        _localParameters.InitialMaxStreamsUni = options.MaxStreamsUni;
        _receiveFlow = new ConnectionReceiveFlowControl((long)_localParameters.InitialMaxData);
        _remoteBidi = new RemoteStreamLimit(StreamId.TypeFor(!isClient, true), (long)options.MaxStreamsBidi);
        _remoteUni = new RemoteStreamLimit(StreamId.TypeFor(!isClient, false), (long)options.MaxStreamsUni);

        var tlsOptions = new TlsHandshakeOptions
        {
            IsClient = isClient,
            Seed = options.SecretKey.ToBytes(),
            Alpns = options.Alpns,
            TransportParameters = _localParameters.Encode(),
            Logger = options.Logger,
        };
        if (isClient)
        {
            EndpointId expected = options.ExpectedServer ?? throw new ArgumentException("A client needs the expected server identity.", nameof(options));
            tlsOptions.ExpectedServerKey = expected.ToArray();
            tlsOptions.ServerName = expected.ToTlsServerName();
        }

        _tls = TlsHandshake.Create(tlsOptions);
    }

    public bool IsClient { get; }

    /// <summary>Gets the connection's logger, if any.</summary>
    public ILogger? Logger => _options.Logger;

    public byte[] LocalCid { get; }

    public QuicConnectionState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>Gets the peer's identity once the handshake authenticated it.</summary>
    public EndpointId? RemoteId { get; private set; }

    /// <summary>Gets the current path MTU (UDP payload bytes) this connection sends up to.</summary>
    public int PathMtu => _mtu?.CurrentMtu ?? MaxDatagramSize;

    /// <summary>Gets the negotiated ALPN.</summary>
    public string? Alpn { get; private set; }

    /// <summary>Gets a task that completes when the handshake is complete, or faults when it fails.</summary>
    public Task Connected => _connected.Task;

    /// <summary>Gets a task that completes when the connection is closed (after closing or draining).</summary>
    public Task Closed => _closed.Task;

    /// <summary>Gets a task that completes as soon as the connection stops being usable: when it enters closing, draining or closed.</summary>
    public Task Ended => _ended.Task;

    /// <summary>Gets the error that closed the connection, if any.</summary>
    public TransportException? Error => _error;

    /// <summary>Gets or sets the callback run when we issue a new connection id (route it to this connection). Runs under the lock.</summary>
    public Action<byte[]>? ConnectionIdIssued { get; set; }

    /// <summary>Gets or sets the callback run when the peer retired one of our connection ids. Runs under the lock.</summary>
    public Action<byte[]>? ConnectionIdRetired { get; set; }

    /// <summary>Gets the number of connection ids we issued that are still active (1 until the handshake is confirmed).</summary>
    public int ActiveLocalConnectionIds
    {
        get
        {
            lock (_lock)
            {
                return _cids?.LocalIds.Count ?? 1;
            }
        }
    }

    /// <summary>Gets the peer's connection ids we hold.</summary>
    public int ActiveRemoteConnectionIds
    {
        get
        {
            lock (_lock)
            {
                return _cids?.RemoteIds.Count ?? 1;
            }
        }
    }

    /// <summary>Gets or sets the callback run when the application made something to send (write, close, read credit).</summary>
    public Action? Wake { get; set; }

    /// <summary>Gets a value indicating whether the calling thread holds the connection's lock (inside a callback of the core).</summary>
    public bool IsLockHeldByCurrentThread => _lock.IsHeldByCurrentThread;

    /// <summary>Gets a value indicating whether ack-eliciting packets of ours are unacknowledged (bytes in flight).</summary>
    public bool HasBytesInFlight
    {
        get
        {
            lock (_lock)
            {
                return _recovery.CongestionController.BytesInFlight > 0;
            }
        }
    }

    public static QuicConnectionCore CreateClient(QuicConnectionOptions options, long nowUs)
    {
        byte[] local = RandomNumberGenerator.GetBytes(LocalCidLength);
        byte[] odcid = RandomNumberGenerator.GetBytes(8);
        var core = new QuicConnectionCore(true, options, local, odcid, odcid, nowUs);
        lock (core._lock)
        {
            core.RunTls(() => core._tls.Start(), nowUs);
        }

        return core;
    }

    /// <summary>Creates the server side for a client Initial (header fields of that packet).</summary>
    public static QuicConnectionCore CreateServer(QuicConnectionOptions options, ReadOnlySpan<byte> clientDestinationCid, ReadOnlySpan<byte> clientSourceCid, long nowUs)
    {
        byte[] local = RandomNumberGenerator.GetBytes(LocalCidLength);
        return new QuicConnectionCore(false, options, local, clientSourceCid.ToArray(), clientDestinationCid.ToArray(), nowUs);
    }

    /// <summary>Releases keys and the TLS state.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            // Keep the counters readable after the keys are gone.
            _finalKeyUpdatesInitiated = _oneRtt?.KeyUpdatesInitiated ?? 0;
            _finalKeyUpdatesAnswered = _oneRtt?.KeyUpdatesAnswered ?? 0;
            _oneRtt?.Dispose();
            _oneRtt = null;
            foreach (SpaceState space in _spaces)
            {
                space.Read?.Dispose();
                space.Write?.Dispose();
                space.Read = null;
                space.Write = null;
            }

            _tls.Dispose();
        }
    }

    // ------------------------------------------------------------------ receive

    /// <summary>
    /// Processes one received datagram, then tells whether the driver must run now (something is due to be sent, or
    /// the connection left the connected state) and when the next timer is due otherwise.
    /// </summary>
    public bool ProcessDatagram(Span<byte> datagram, long nowUs, out long nextTimeoutUs) =>
        ProcessDatagrams(datagram, Math.Max(1, datagram.Length), nowUs, out nextTimeoutUs);

    /// <summary>
    /// <see cref="ProcessDatagram"/> for the datagrams of one coalesced receive (UDP GRO): <paramref name="datagrams"/>
    /// holds datagrams of <paramref name="segmentSize"/> bytes back to back (the last may be shorter). One lock, one
    /// header-protection cipher call and one answer for the driver cover them all.
    /// </summary>
    public bool ProcessDatagrams(Span<byte> datagrams, int segmentSize, long nowUs, out long nextTimeoutUs)
    {
        lock (_lock)
        {
            ReceiveDatagrams(datagrams, segmentSize, nowUs);
            bool due = _state != QuicConnectionState.Connected;
            for (int i = 0; i < 3 && !due; i++)
            {
                due = WantsToSend(i, nowUs);
            }

            // After WantsToSend, which records when pacing lets held-back data go.
            nextTimeoutUs = NextTimeoutUs;
            return due;
        }
    }

    /// <summary>Processes one received datagram (decrypted in place). Never throws for bad input.</summary>
    public void ReceiveDatagram(Span<byte> datagram, long nowUs) => ReceiveDatagrams(datagram, Math.Max(1, datagram.Length), nowUs);

    /// <summary>
    /// Processes received datagrams of <paramref name="segmentSize"/> bytes laid back to back (the last may be shorter),
    /// each decrypted in place. The header-protection masks of all short-header datagrams are computed first with one
    /// cipher call (the 1-RTT header key is the same in every key phase); each datagram is then processed as if alone,
    /// so a bad one costs only itself. Never throws for bad input.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="segmentSize"/> is not positive.</exception>
    public void ReceiveDatagrams(Span<byte> datagrams, int segmentSize, long nowUs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentSize, 1);
        lock (_lock)
        {
            _headerBatch.Clear();
            if (_oneRtt is not null)
            {
                for (int offset = 0; offset < datagrams.Length && !_headerBatch.IsFull; offset += segmentSize)
                {
                    Span<byte> datagram = datagrams.Slice(offset, Math.Min(segmentSize, datagrams.Length - offset));
                    if ((datagram[0] & QuicConstants.LongHeaderBit) == 0 && datagram.Length >= ShortHeaderSampleEnd)
                    {
                        _headerBatch.Add(datagram, offset, ShortHeaderPacketNumberOffset);
                    }
                }

                _oneRtt.ComputeReadMasks(_headerBatch);
            }

            int masked = 0;
            for (int offset = 0; offset < datagrams.Length; offset += segmentSize)
            {
                ReadOnlySpan<byte> mask = default;
                if (masked < _headerBatch.Count && _headerBatch.LocationOf(masked) == offset)
                {
                    mask = _headerBatch.MaskOf(masked++);
                }

                ReceiveOne(datagrams.Slice(offset, Math.Min(segmentSize, datagrams.Length - offset)), nowUs, mask);
            }

            _headerBatch.Clear();
        }
    }

    /// <summary>Processes one datagram; <paramref name="headerMask"/> (or empty) is the precomputed mask of a short-header datagram.</summary>
    private void ReceiveOne(Span<byte> datagram, long nowUs, ReadOnlySpan<byte> headerMask)
    {
        _datagramsReceived++;
        if (_state is QuicConnectionState.Closed or QuicConnectionState.Draining)
        {
            return;
        }

        if (IsClient && datagram.Length > 4 && (datagram[0] & QuicConstants.LongHeaderBit) != 0 && datagram[1..5].IndexOfAnyExcept((byte)0) < 0)
        {
            OnVersionNegotiation(datagram, nowUs);
            return;
        }

        // The last 16 bytes, kept before decryption works in place: a datagram nothing in which opens may be a stateless reset.
        Span<byte> tail = stackalloc byte[StatelessReset.MinLength];
        bool mayBeReset = datagram.Length >= StatelessReset.MinLength;
        if (mayBeReset)
        {
            datagram[^QuicConstants.StatelessResetTokenLength..].CopyTo(tail[^QuicConstants.StatelessResetTokenLength..]);
        }

        _amplification.OnDatagramReceived(datagram.Length);
        bool anyOpened = false;
        var reader = new QuicDatagramReader(datagram, LocalCidLength);
        while (reader.TryReadNext(out QuicPacketHeader header, out QuicHeaderStatus status))
        {
            if (status != QuicHeaderStatus.Ok)
            {
                break;
            }

            int offset = reader.PacketOffset;
            Span<byte> packet = datagram.Slice(offset, header.PacketLength);
            try
            {
                // The precomputed mask belongs to a short-header packet at the datagram's start.
                anyOpened |= ProcessPacket(header, packet, nowUs, offset == 0 && header.Type == QuicPacketType.OneRtt ? headerMask : default);
            }
            catch (QuicProtocolException ex)
            {
                CloseWithError((ulong)ex.Error, ex.FrameType ?? 0, ex.Message, nowUs);
            }
            catch (QuicStreamStateException ex)
            {
                CloseWithError((ulong)ex.ErrorCode, 0, ex.Message, nowUs);
            }
            catch (TlsAlertException ex)
            {
                ulong code = ex.TransportErrorCode ?? (0x100UL + (ulong)ex.Alert);
                CloseWithError(code, (ulong)QuicFrameType.Crypto, ex.Message, nowUs, handshakeFailure: true);
            }

            if (_state is QuicConnectionState.Draining or QuicConnectionState.Closed)
            {
                break;
            }
        }

        if (!anyOpened && mayBeReset && DetectStatelessReset(tail, nowUs))
        {
            return;
        }

        if (!IsClient)
        {
            _recovery.SetAmplificationLimited(!_amplification.IsAddressValidated && _amplification.Allowance < MaxDatagramSize, nowUs);
        }
    }

    /// <summary>
    /// Checks a datagram the endpoint could not route (or that did not open) against the peer's stateless reset
    /// tokens; on a match the connection drains at once (RFC 9000, section 10.3.1). Constant time per token.
    /// </summary>
    public bool TryDetectStatelessReset(ReadOnlySpan<byte> datagram, long nowUs)
    {
        lock (_lock)
        {
            return DetectStatelessReset(datagram, nowUs);
        }
    }

    private bool DetectStatelessReset(ReadOnlySpan<byte> datagram, long nowUs)
    {
        if (_cids is null || !_cids.IsStatelessReset(datagram))
        {
            return false;
        }

        if (_state is QuicConnectionState.Closing or QuicConnectionState.Draining or QuicConnectionState.Closed)
        {
            // Absorbed: a late reset for a connection that is already ending must not provoke a reset of ours.
            return true;
        }

        if (_options.Logger is { } logger)
        {
            QuicConnectionLog.StatelessResetReceived(logger);
        }

        EnterClosed(new TransportException(TransportErrorReason.StatelessReset, 0, "The peer sent a stateless reset (it lost the connection's state)."), QuicConnectionState.Draining, nowUs);
        return true;
    }

    private void OnVersionNegotiation(ReadOnlySpan<byte> datagram, long nowUs)
    {
        // Ignored once anything else came from the server, or when it lists v1 (RFC 9000, section 6.2).
        if (VersionNegotiationPacket.ShouldAbortConnection(datagram, LocalCid, _originalDestinationCid, _remoteCidSet || _state != QuicConnectionState.Handshaking))
        {
            EnterClosed(
                new TransportException(TransportErrorReason.VersionNegotiationFailed, 0, "The server does not support QUIC version 1 (Version Negotiation)."),
                QuicConnectionState.Closed,
                nowUs);
        }
    }

    /// <summary>Processes one packet; true if it decrypted.</summary>
    private bool ProcessPacket(QuicPacketHeader header, Span<byte> packet, long nowUs, ReadOnlySpan<byte> headerMask)
    {
        int spaceIndex = header.Type switch
        {
            QuicPacketType.Initial => InitialIdx,
            QuicPacketType.Handshake => HandshakeIdx,
            QuicPacketType.OneRtt => AppIdx,
            _ => -1,
        };
        if (spaceIndex < 0)
        {
            return false;
        }

        SpaceState space = _spaces[spaceIndex];
        QuicOpenedPacket opened;
        if (spaceIndex == AppIdx)
        {
            if (_oneRtt is null || _oneRtt.Open(packet, header.PacketNumberOffset, space.LargestReceived, headerMask, out opened) != QuicOpenStatus.Success)
            {
                if (_oneRtt is not null && _oneRtt.IntegrityLimitReached)
                {
                    CloseWithError((ulong)QuicTransportError.AeadLimitReached, 0, "AEAD integrity limit reached.", nowUs);
                }

                return false;
            }
        }
        else
        {
            if (space.Read is null || QuicPacketProtection.Open(space.Read, packet, header.PacketNumberOffset, space.LargestReceived, out opened) != QuicOpenStatus.Success)
            {
                return false;
            }

            if (IsClient && spaceIndex == InitialIdx && !_remoteCidSet)
            {
                _remoteCid = header.SourceConnectionId.ToArray();
                _remoteCidSet = true;
            }
        }

        QuicPacketProtection.CheckReservedBits(opened.FirstByte);
        ulong pn = (ulong)opened.PacketNumber;
        if (space.Ack.IsDuplicate(pn))
        {
            return true;
        }

        space.LargestReceived = Math.Max(space.LargestReceived, opened.PacketNumber);
        _idle.OnPacketReceived(nowUs);
        if (_state == QuicConnectionState.Closing)
        {
            _closeSendPending = true;
            return true;
        }

        _packetDestinationLength = header.DestinationConnectionId.Length;
        header.DestinationConnectionId.CopyTo(_packetDestination);

        var frames = new QuicFrameReader(packet.Slice(opened.HeaderLength, opened.PayloadLength), header.Type, !IsClient);
        while (frames.TryReadNext(out QuicFrame frame))
        {
            ProcessFrame(spaceIndex, frame, nowUs);
            if (_state is QuicConnectionState.Draining or QuicConnectionState.Closed)
            {
                return true;
            }
        }

        space.Ack.OnPacketReceived(pn, frames.IsAckEliciting, nowUs);

        if (!IsClient && spaceIndex == HandshakeIdx)
        {
            _amplification.OnAddressValidated();
            DiscardSpace(InitialIdx, nowUs);
        }

        return true;
    }

    private void ProcessFrame(int spaceIndex, QuicFrame frame, long nowUs)
    {
        switch (frame.Type)
        {
            case QuicFrameType.Padding:
            case QuicFrameType.Ping:
            case QuicFrameType.NewToken:
            case QuicFrameType.PathResponse:
            case QuicFrameType.DataBlocked:
            case QuicFrameType.StreamDataBlocked:
            case QuicFrameType.StreamsBlockedBidi:
            case QuicFrameType.StreamsBlockedUni:
                break;
            case QuicFrameType.NewConnectionId:
                _cids?.OnNewConnectionId(frame.SequenceNumber, frame.RetirePriorTo, frame.ConnectionId, frame.StatelessResetToken);
                if (_cids is not null)
                {
                    _remoteCid = _cids.Current.ConnectionId;
                }

                break;
            case QuicFrameType.RetireConnectionId:
                OnRetireConnectionId(frame.SequenceNumber);
                break;
            case QuicFrameType.Ack:
            case QuicFrameType.AckEcn:
                OnAck(spaceIndex, frame, nowUs);
                break;
            case QuicFrameType.Crypto:
                OnCrypto(spaceIndex, frame, nowUs);
                break;
            case QuicFrameType.Stream:
                OnStreamFrame(frame);
                break;
            case QuicFrameType.ResetStream:
            {
                StreamFrameRules.ValidateReceivingFrame((long)frame.StreamId, IsClient);
                QuicStreamCore? s = GetStreamForPeerFrame((long)frame.StreamId);
                if (s?.Receive is not null)
                {
                    s.Receive.OnResetStream((long)frame.FinalSize, (long)frame.ErrorCode);
                    s.ReadsClosed.TrySetException(new TransportException(TransportErrorReason.StreamAborted, frame.ErrorCode, "The peer reset the stream."));
                    _ = s.ReadsClosed.Task.Exception;
                }

                break;
            }

            case QuicFrameType.StopSending:
            {
                StreamFrameRules.ValidateSendingFrame((long)frame.StreamId, IsClient);
                QuicStreamCore? s = GetStreamForPeerFrame((long)frame.StreamId);
                if (s?.Send is not null && s.Send.Reset((long)frame.ErrorCode, out long stoppedFinalSize))
                {
                    s.ResetFinalSize = stoppedFinalSize;
                    s.PendingReset = (long)frame.ErrorCode;
                    var stopped = new TransportException(TransportErrorReason.StreamAborted, frame.ErrorCode, "The peer stopped reading this stream.");
                    s.Send.Abort(stopped);
                    s.WritesClosed.TrySetException(stopped);
                    _ = s.WritesClosed.Task.Exception;
                }

                break;
            }

            case QuicFrameType.MaxData:
                _sendFlow.OnMaxData((long)Math.Min(frame.Maximum, (ulong)StreamId.MaxVarInt));
                break;
            case QuicFrameType.MaxStreamData:
            {
                StreamFrameRules.ValidateSendingFrame((long)frame.StreamId, IsClient);
                QuicStreamCore? s = GetStreamForPeerFrame((long)frame.StreamId);
                s?.Send?.OnMaxStreamData((long)Math.Min(frame.Maximum, (ulong)StreamId.MaxVarInt));
                break;
            }

            case QuicFrameType.MaxStreamsBidi:
                if (_localBidi?.OnMaxStreams((long)Math.Min(frame.Maximum, (ulong)StreamId.MaxStreamCount + 1)) == true)
                {
                    SignalStreamsAvailable();
                }

                break;
            case QuicFrameType.MaxStreamsUni:
                if (_localUni?.OnMaxStreams((long)Math.Min(frame.Maximum, (ulong)StreamId.MaxStreamCount + 1)) == true)
                {
                    SignalStreamsAvailable();
                }

                break;
            case QuicFrameType.PathChallenge:
                _pathResponse = frame.Data.ToArray();
                break;
            case QuicFrameType.ConnectionClose:
            case QuicFrameType.ApplicationClose:
                OnPeerClose(frame, nowUs);
                break;
            case QuicFrameType.HandshakeDone:
                if (!IsClient)
                {
                    QuicErrors.ThrowProtocolViolation("A client sent HANDSHAKE_DONE.", (ulong)QuicFrameType.HandshakeDone);
                }

                if (!_handshakeConfirmed)
                {
                    _handshakeConfirmed = true;
                    _recovery.OnHandshakeConfirmed(nowUs);
                    DiscardSpace(HandshakeIdx, nowUs);
                }

                break;
            default:
                break;
        }
    }

    private void OnRetireConnectionId(ulong sequenceNumber)
    {
        if (_cids is null)
        {
            return;
        }

        ConnectionIdEntry? retired = _cids.FindLocal(sequenceNumber);
        _cids.OnRetireConnectionId(sequenceNumber, _packetDestination.AsSpan(0, _packetDestinationLength));
        if (retired is not null)
        {
            ConnectionIdRetired?.Invoke(retired.ConnectionId);
            IssueConnectionIds();
        }
    }

    /// <summary>Tops our issued ids up to min(peer limit, 4) (transport.md 3.4); each goes out in NEW_CONNECTION_ID.</summary>
    private void IssueConnectionIds()
    {
        foreach (ConnectionIdEntry entry in _cids!.IssueConnectionIds())
        {
            ConnectionIdIssued?.Invoke(entry.ConnectionId);
            _newConnectionIdsPending.Enqueue(entry.SequenceNumber);
        }
    }

    private void OnAck(int spaceIndex, QuicFrame frame, long nowUs)
    {
        int count = 0;
        foreach (AckRange range in frame.GetAckRanges())
        {
            if (count == _rangeScratch.Length)
            {
                break;
            }

            _rangeScratch[count++] = new ValueRange(range.Smallest, range.Largest + 1);
        }

        int exponent = spaceIndex == AppIdx && _peerParameters is not null ? (int)_peerParameters.AckDelayExponent : 3;
        long ackDelayUs = (long)Math.Min(frame.AckDelay << exponent, (ulong)int.MaxValue);
        _acksReceived++;
        _ackedScratch.Clear();
        _lostScratch.Clear();
        _recovery.OnAckReceived((PacketNumberSpace)spaceIndex, _rangeScratch.AsSpan(0, count), ackDelayUs, nowUs, _ackedScratch, _lostScratch);
        foreach (SentPacket p in _ackedScratch)
        {
            if (spaceIndex == AppIdx)
            {
                _oneRtt?.OnPacketAcknowledged((long)p.PacketNumber);
            }

            if (p.IsMtuProbe && _mtu is not null)
            {
                _mtu.OnProbeAcked(nowUs);
                _recovery.CongestionController.SetMaxDatagramSize(_mtu.CurrentMtu);
            }
            else
            {
                _mtu?.OnPacketAcked(p.SentBytes);
            }

            OnPacketAcked(spaceIndex, p);
        }

        HandleLost(spaceIndex, _lostScratch, nowUs);
    }

    private void HandleLost(int spaceIndex, List<SentPacket> lost, long nowUs)
    {
        int largestLost = 0;
        foreach (SentPacket p in lost)
        {
            if (p.IsMtuProbe)
            {
                _mtu?.OnProbeLost(nowUs);
                continue;
            }

            largestLost = Math.Max(largestLost, p.SentBytes);
            OnPacketLost(spaceIndex, p);
        }

        if (largestLost > 0 && _mtu is not null && _mtu.OnPacketsLost(largestLost, nowUs))
        {
            _recovery.CongestionController.SetMaxDatagramSize(_mtu.CurrentMtu);
        }
    }

    private void OnCrypto(int spaceIndex, QuicFrame frame, long nowUs)
    {
        SpaceState space = _spaces[spaceIndex];
        if (spaceIndex == AppIdx)
        {
            // Post-handshake messages (none expected with raw public keys): ignore the bytes.
            return;
        }

        space.CryptoReceive.OnCryptoFrame((long)frame.Offset, frame.Data);
        EncryptionLevel level = spaceIndex == InitialIdx ? EncryptionLevel.Initial : EncryptionLevel.Handshake;
        while (space.CryptoReceive.TryPeek(out ReadOnlyMemory<byte> data))
        {
            RunTls(() => _tls.ProcessInput(level, data.Span), nowUs);
            space.CryptoReceive.Advance(data.Length);
        }
    }

    private void RunTls(Action action, long nowUs)
    {
        action();
        while (_tls.TryTakeOutput(out EncryptionLevel level, out ReadOnlyMemory<byte> data))
        {
            int index = level == EncryptionLevel.Initial ? InitialIdx : level == EncryptionLevel.Handshake ? HandshakeIdx : AppIdx;
            _spaces[index].CryptoSend.Write(data.Span);
        }

        while (_tls.TryTakeKeys(out TlsTrafficKeys keys))
        {
            if (keys.Level == EncryptionLevel.Handshake)
            {
                PacketProtectionKeys.FromTlsKeys(keys, out var read, out var write);
                _spaces[HandshakeIdx].Read = read;
                _spaces[HandshakeIdx].Write = write;
                _recovery.OnHandshakeKeysAvailable(nowUs);
            }
            else if (keys.Level == EncryptionLevel.Application)
            {
                _oneRtt = new OneRttKeySet(keys.Suite, keys.ReadSecret, keys.WriteSecret);
            }
        }

        if (_peerParameters is null && !_tls.PeerTransportParameters.IsEmpty)
        {
            ApplyPeerParameters(QuicTransportParameters.Decode(_tls.PeerTransportParameters.Span, sentByServer: IsClient));
        }

        if (_state == QuicConnectionState.Handshaking && _tls.IsHandshakeComplete && _oneRtt is not null && !_tls.PeerPublicKey.IsEmpty)
        {
            _state = QuicConnectionState.Connected;
            RemoteId = EndpointId.FromBytes(_tls.PeerPublicKey.Span);
            Alpn = _tls.NegotiatedAlpn;
            if (!IsClient)
            {
                _handshakeConfirmed = true;
                _handshakeDonePending = true;
                _recovery.OnHandshakeConfirmed(nowUs);
                DiscardSpace(HandshakeIdx, nowUs);
            }

            _connected.TrySetResult();
        }
    }

    private void ApplyPeerParameters(QuicTransportParameters p)
    {
        if (IsClient)
        {
            p.ValidateConnectionIds(_remoteCid, sentByServer: true, _originalDestinationCid);
        }
        else
        {
            p.ValidateConnectionIds(_remoteCid, sentByServer: false);
        }

        _peerParameters = p;
        _cids = new ConnectionIdManager(_resetKey, LocalCid, _remoteCid)
        {
            PeerActiveLimit = (int)Math.Min(p.ActiveConnectionIdLimit, 8),
        };
        if (IsClient && p.StatelessResetToken is { } token)
        {
            _cids.SetInitialRemoteResetToken(token);
        }

        _sendFlow = new ConnectionSendFlowControl((long)Math.Min(p.InitialMaxData, (ulong)StreamId.MaxVarInt));
        _localBidi = new LocalStreamLimit(IsClient, true, (long)Math.Min(p.InitialMaxStreamsBidi, (ulong)StreamId.MaxStreamCount));
        _localUni = new LocalStreamLimit(IsClient, false, (long)Math.Min(p.InitialMaxStreamsUni, (ulong)StreamId.MaxStreamCount));
        _idle.SetPeerMaxIdleTimeout((long)Math.Min(p.MaxIdleTimeout, (ulong)int.MaxValue) * 1000);
        _recovery.Rtt.PeerMaxAckDelayUs = (long)p.MaxAckDelay * 1000;
        _mtu = new PathMtuDiscovery((int)Math.Min(p.MaxUdpPayloadSize, 65_527UL));
    }

    private void OnStreamFrame(QuicFrame frame)
    {
        long id = (long)frame.StreamId;
        StreamFrameRules.ValidateReceivingFrame(id, IsClient);
        QuicStreamCore? s = GetStreamForPeerFrame(id);
        if (s?.Receive is null)
        {
            return;
        }

        s.Receive.OnStreamFrame((long)frame.Offset, frame.Data, frame.Fin);
    }

    /// <summary>Finds the stream a peer frame refers to, opening peer streams as needed; null if it is closed.</summary>
    private QuicStreamCore? GetStreamForPeerFrame(long id)
    {
        if (_streams.TryGetValue(id, out QuicStreamCore? existing))
        {
            return existing;
        }

        if (StreamId.IsLocallyInitiated(id, IsClient))
        {
            LocalStreamLimit? limit = StreamId.IsBidirectional(id) ? _localBidi : _localUni;
            if (limit is null)
            {
                QuicErrors.Throw(QuicTransportError.StreamStateError, "Frame for a stream we never opened.");
            }

            limit!.ValidatePeerReference(id);
            return null;
        }

        bool bidi = StreamId.IsBidirectional(id);
        RemoteStreamLimit remote = bidi ? _remoteBidi : _remoteUni;
        long opened = remote.OnPeerStream(id, out long first);
        QuicStreamCore? result = null;
        for (long i = 0; i < opened; i++)
        {
            long newId = first + (4 * i);
            QuicStreamCore s = CreateStream(newId);
            (bidi ? _acceptBidi : _acceptUni).Writer.TryWrite(s);
            if (newId == id)
            {
                result = s;
            }
        }

        return result;
    }

    private void SignalStreamsAvailable()
    {
        TaskCompletionSource waiting = _streamsAvailable;
        _streamsAvailable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        waiting.TrySetResult();
    }

    private QuicStreamCore CreateStream(long id)
    {
        bool local = StreamId.IsLocallyInitiated(id, IsClient);
        bool bidi = StreamId.IsBidirectional(id);
        QuicTransportParameters peer = _peerParameters!;
        SendStream? send = null;
        ReceiveStream? receive = null;
        if (StreamId.HasSendPart(id, IsClient))
        {
            ulong limit = !bidi ? peer.InitialMaxStreamDataUni : local ? peer.InitialMaxStreamDataBidiRemote : peer.InitialMaxStreamDataBidiLocal;
            send = new SendStream((long)Math.Min(limit, (ulong)StreamId.MaxVarInt));
            send.DataAvailable = () => Wake?.Invoke();
        }

        if (StreamId.HasReceivePart(id, IsClient))
        {
            ulong window = !bidi ? _localParameters.InitialMaxStreamDataUni : local ? _localParameters.InitialMaxStreamDataBidiLocal : _localParameters.InitialMaxStreamDataBidiRemote;
            receive = new ReceiveStream((long)window, _receiveFlow);
        }

        var stream = new QuicStreamCore(this, id, send, receive);
        _streams.Add(id, stream);
        _sendOrder.Add(stream);
        return stream;
    }

    private void OnPeerClose(QuicFrame frame, long nowUs)
    {
        bool app = frame.Type == QuicFrameType.ApplicationClose;
        string reason = System.Text.Encoding.UTF8.GetString(frame.ReasonPhrase);
        var error = new TransportException(
            app ? TransportErrorReason.ApplicationClosedByPeer : TransportErrorReason.TransportClosedByPeer,
            frame.ErrorCode,
            $"The peer closed the connection ({(app ? "application" : "transport")} code 0x{frame.ErrorCode:x}): {reason}")
        {
            ReasonPhrase = reason,
        };
        EnterClosed(error, QuicConnectionState.Draining, nowUs);
    }

    // ------------------------------------------------------------------ acked / lost

    private void OnPacketAcked(int spaceIndex, in SentPacket packet)
    {
        if (packet.Payload is not List<SentFrame> frames)
        {
            return;
        }

        foreach (SentFrame f in frames)
        {
            switch (f.Kind)
            {
                case SentFrameKind.Ack:
                    _spaces[spaceIndex].Ack.OnAckFrameAcknowledged((ulong)f.Value);
                    break;
                case SentFrameKind.Crypto:
                    _spaces[spaceIndex].CryptoSend.OnAcked(f.Offset, f.Length);
                    break;
                case SentFrameKind.Stream:
                    if (_streams.TryGetValue(f.StreamId, out QuicStreamCore? s))
                    {
                        s.Send?.OnAcked(f.Offset, f.Length, f.Fin);
                        if (s.Send is { IsFinished: true })
                        {
                            s.WritesClosed.TrySetResult();
                        }
                    }

                    break;
                case SentFrameKind.ResetStream:
                    if (_streams.TryGetValue(f.StreamId, out QuicStreamCore? r))
                    {
                        r.Send?.OnResetAcked();
                    }

                    break;
                default:
                    break;
            }
        }

        ReturnFrames(frames);
    }

    private void OnPacketLost(int spaceIndex, in SentPacket packet)
    {
        if (packet.Payload is not List<SentFrame> frames)
        {
            return;
        }

        foreach (SentFrame f in frames)
        {
            QuicStreamCore? s;
            switch (f.Kind)
            {
                case SentFrameKind.Crypto:
                    _spaces[spaceIndex].CryptoSend.OnLost(f.Offset, f.Length);
                    break;
                case SentFrameKind.Stream:
                    if (_streams.TryGetValue(f.StreamId, out s))
                    {
                        s.Send?.OnLost(f.Offset, f.Length, f.Fin);
                    }

                    break;
                case SentFrameKind.HandshakeDone:
                    _handshakeDonePending = true;
                    break;
                case SentFrameKind.MaxData:
                    _resendMaxData = true;
                    break;
                case SentFrameKind.MaxStreamData:
                    if (_streams.TryGetValue(f.StreamId, out s))
                    {
                        s.ResendMaxStreamData = true;
                    }

                    break;
                case SentFrameKind.MaxStreamsBidi:
                    _resendMaxStreamsBidi = true;
                    break;
                case SentFrameKind.MaxStreamsUni:
                    _resendMaxStreamsUni = true;
                    break;
                case SentFrameKind.ResetStream:
                    if (_streams.TryGetValue(f.StreamId, out s))
                    {
                        s.PendingReset = f.Value;
                    }

                    break;
                case SentFrameKind.StopSending:
                    if (_streams.TryGetValue(f.StreamId, out s))
                    {
                        s.PendingStopSending = f.Value;
                    }

                    break;
                case SentFrameKind.NewConnectionId:
                    _newConnectionIdsPending.Enqueue((ulong)f.Value);
                    break;
                case SentFrameKind.RetireConnectionId:
                    _cids?.RequeueRetirement((ulong)f.Value);
                    break;
                default:
                    break;
            }
        }

        ReturnFrames(frames);
    }

    /// <summary>A frame list for a packet being built, from the pool (no allocation per packet in steady state).</summary>
    private List<SentFrame> RentFrames() => _framePool.TryPop(out List<SentFrame>? frames) ? frames : new List<SentFrame>(4);

    /// <summary>Returns a packet's frame list once the packet is acknowledged, lost or was empty.</summary>
    private void ReturnFrames(List<SentFrame> frames)
    {
        if (_framePool.Count < MaxPooledFrameLists && frames.Capacity <= MaxPooledFrameCapacity)
        {
            frames.Clear();
            _framePool.Push(frames);
        }
    }

    private void DiscardSpace(int index, long nowUs)
    {
        SpaceState space = _spaces[index];
        if (space.Discarded)
        {
            return;
        }

        space.Discarded = true;
        space.Read?.Dispose();
        space.Write?.Dispose();
        space.Read = null;
        space.Write = null;
        _recovery.DiscardSpace((PacketNumberSpace)index, nowUs);
    }

    // ------------------------------------------------------------------ timers

    /// <summary>Gets the next time <see cref="HandleTimeout"/> must run, in microseconds.</summary>
    public long NextTimeoutUs
    {
        get
        {
            lock (_lock)
            {
                if (_state == QuicConnectionState.Closed)
                {
                    return long.MaxValue;
                }

                if (_state is QuicConnectionState.Closing or QuicConnectionState.Draining)
                {
                    return _closeDeadlineUs;
                }

                long next = Math.Min(_recovery.LossDetectionTimerUs, _idle.DeadlineUs(_recovery.PtoUs()));
                if (_state == QuicConnectionState.Connected)
                {
                    next = Math.Min(next, _idle.KeepAliveDueUs());
                }

                next = Math.Min(next, _pacingResumeUs);
                SpaceState app = _spaces[AppIdx];
                if (app.Ack.AckElicitingPending)
                {
                    next = Math.Min(next, app.Ack.AckDeadlineUs);
                }

                return next;
            }
        }
    }

    public void HandleTimeout(long nowUs)
    {
        lock (_lock)
        {
            if (_state is QuicConnectionState.Closing or QuicConnectionState.Draining)
            {
                if (nowUs >= _closeDeadlineUs)
                {
                    _state = QuicConnectionState.Closed;
                    _closed.TrySetResult();
                }

                return;
            }

            if (_state == QuicConnectionState.Closed)
            {
                return;
            }

            if (nowUs >= _idle.DeadlineUs(_recovery.PtoUs()))
            {
                var error = new TransportException(TransportErrorReason.IdleTimeout, 0, "The connection timed out (idle).");
                EnterClosed(error, QuicConnectionState.Closed, nowUs);
                return;
            }

            if (_state == QuicConnectionState.Connected && nowUs >= _idle.KeepAliveDueUs())
            {
                _pingPending = true;
            }

            if (nowUs >= _recovery.LossDetectionTimerUs)
            {
                _lostScratch.Clear();
                LossTimerResult result = _recovery.OnLossDetectionTimeout(nowUs, _lostScratch);
                HandleLost((int)result.Space, _lostScratch, nowUs);
                if (result.Action == LossTimerAction.Probe && result.Space != PacketNumberSpace.ApplicationData)
                {
                    // A handshake probe carries the unacknowledged CRYPTO data again rather than a bare PING, so that
                    // one probe that gets through repairs the flight (RFC 9002, section 6.2.4).
                    _spaces[(int)result.Space].CryptoSend.RequeueUnacknowledged();
                }
            }
        }
    }

    // ------------------------------------------------------------------ closing

    /// <summary>Closes the connection with an application error code (or a transport code when <paramref name="application"/> is false).</summary>
    public void Close(ulong errorCode, string reason, long nowUs, bool application = true)
    {
        lock (_lock)
        {
            if (_state is QuicConnectionState.Closing or QuicConnectionState.Draining or QuicConnectionState.Closed)
            {
                return;
            }

            _closeIsApplication = application;
            _closeCode = errorCode;
            _closeFrameType = 0;
            _closeReason = reason;
            _closeSendPending = true;
            var error = new TransportException(TransportErrorReason.ClosedLocally, errorCode, "The connection was closed locally: " + reason);
            EnterClosed(error, QuicConnectionState.Closing, nowUs);
        }

        Wake?.Invoke();
    }

    /// <summary>Fails everything at once (endpoint disposed).</summary>
    public void Abandon(long nowUs)
    {
        lock (_lock)
        {
            EnterClosed(new TransportException(TransportErrorReason.EndpointClosed, 0, "The endpoint was closed."), QuicConnectionState.Closed, nowUs);
        }
    }

    private void CloseWithError(ulong code, ulong frameType, string message, long nowUs, bool handshakeFailure = false)
    {
        if (_state is QuicConnectionState.Closing or QuicConnectionState.Draining or QuicConnectionState.Closed)
        {
            return;
        }

        if (_options.Logger is { } logger)
        {
            QuicConnectionLog.TransportError(logger, code, message);
        }

        _closeIsApplication = false;
        _closeCode = code;
        _closeFrameType = frameType;
        _closeReason = string.Empty;
        _closeSendPending = true;
        var error = new TransportException(handshakeFailure ? TransportErrorReason.HandshakeFailed : TransportErrorReason.ClosedLocally, code, message);
        EnterClosed(error, QuicConnectionState.Closing, nowUs);
    }

    private void EnterClosed(TransportException error, QuicConnectionState state, long nowUs)
    {
        if (_state is QuicConnectionState.Closed)
        {
            return;
        }

        _error ??= error;
        _state = state;
        _closeDeadlineUs = state == QuicConnectionState.Closed ? nowUs : nowUs + (3 * _recovery.PtoUs());
        _connected.TrySetException(_error);
        _ = _connected.Task.Exception;
        _ended.TrySetResult();
        foreach (QuicStreamCore s in _streams.Values)
        {
            s.Send?.Abort(_error);
            s.Receive?.Abort(_error);
            s.Fail(_error);
        }

        _acceptBidi.Writer.TryComplete(_error);
        _acceptUni.Writer.TryComplete(_error);
        _streamsAvailable.TrySetException(_error);
        _ = _streamsAvailable.Task.Exception;
        if (state == QuicConnectionState.Closed)
        {
            _closed.TrySetResult();
        }
    }

    // ------------------------------------------------------------------ streams (application side)

    public async ValueTask<QuicStreamCore> OpenStreamAsync(bool bidirectional, CancellationToken cancellationToken)
    {
        await _connected.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (_error is not null)
                {
                    throw _error;
                }

                LocalStreamLimit limit = (bidirectional ? _localBidi : _localUni)!;
                if (limit.TryOpen(out long id))
                {
                    return CreateStream(id);
                }

                // Any number of callers may wait here; each MAX_STREAMS wakes them all to race for the new ids.
                wait = _streamsAvailable.Task;
            }

            Wake?.Invoke();
            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask<QuicStreamCore> AcceptStreamAsync(bool bidirectional, CancellationToken cancellationToken)
    {
        try
        {
            return await (bidirectional ? _acceptBidi : _acceptUni).Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw _error ?? new TransportException(TransportErrorReason.ClosedLocally, 0, "The connection is closed.");
        }
    }

    /// <summary>The application aborted a stream direction: queue RESET_STREAM and/or STOP_SENDING.</summary>
    public void AbortStream(QuicStreamCore stream, bool abortWrites, bool abortReads, long errorCode)
    {
        lock (_lock)
        {
            var aborted = new TransportException(TransportErrorReason.StreamAborted, (ulong)errorCode, "The stream was aborted locally.");
            if (abortWrites && stream.Send is not null && stream.Send.Reset(errorCode, out long finalSize))
            {
                stream.ResetFinalSize = finalSize;
                stream.PendingReset = errorCode;
                stream.WritesClosed.TrySetException(aborted);
                _ = stream.WritesClosed.Task.Exception;
            }

            if (abortReads && stream.Receive is not null && !stream.Receive.IsFinished)
            {
                stream.Receive.AbortRead();
                stream.PendingStopSending = errorCode;
                stream.ReadsClosed.TrySetException(aborted);
                _ = stream.ReadsClosed.Task.Exception;
            }
        }

        Wake?.Invoke();
    }

    /// <summary>Switches to the peer's next connection id and retires the current one (RETIRE_CONNECTION_ID); false if none is left.</summary>
    public bool RotateRemoteConnectionId()
    {
        lock (_lock)
        {
            if (_cids is null || _state != QuicConnectionState.Connected || !_cids.TryRotateDestination())
            {
                return false;
            }

            _remoteCid = _cids.Current.ConnectionId;
        }

        Wake?.Invoke();
        return true;
    }

    /// <summary>
    /// The application read from <paramref name="stream"/>: wakes the driver only if the read made a MAX_STREAM_DATA
    /// or MAX_DATA raise due, or reached the end of the stream (it can then be released, which may raise MAX_STREAMS
    /// for the peer). Otherwise the next packet carries nothing new for the read, and waking would cost a hop.
    /// </summary>
    public void OnApplicationRead(QuicStreamCore stream, bool ended)
    {
        if (ended || stream.Receive is { ShouldSendMaxStreamData: true } || _receiveFlow.ShouldSendMaxData)
        {
            Wake?.Invoke();
        }
    }

    /// <summary>Gets the peer's initial_max_streams_bidi: how many bidirectional streams we may have open at once (0 before the handshake).</summary>
    public long PeerBidirectionalStreamLimit
    {
        get
        {
            lock (_lock)
            {
                return (long)Math.Min(_peerParameters?.InitialMaxStreamsBidi ?? 0, (ulong)StreamId.MaxStreamCount);
            }
        }
    }

    /// <summary>Counts one turn of the driver loop (a wake-up by signal or timer); called by the driver only.</summary>
    public void OnDriverTurn() => Interlocked.Increment(ref _driverTurns);

    /// <summary>Records what the driver sent: <paramref name="datagrams"/> datagrams in <paramref name="sendCalls"/> system calls.</summary>
    public void OnDatagramsSent(int datagrams, int sendCalls)
    {
        Interlocked.Add(ref _datagramsSent, datagrams);
        Interlocked.Add(ref _sendCalls, sendCalls);
    }

    /// <summary>Takes a snapshot of the connection's counters.</summary>
    public AsterConnectionStatistics GetStatistics()
    {
        lock (_lock)
        {
            return new AsterConnectionStatistics(
                KeyUpdatesInitiated,
                KeyUpdatesAnswered,
                _recovery.CongestionController.CongestionWindow,
                PathMtu)
            {
                DatagramsSent = Interlocked.Read(ref _datagramsSent),
                SendCalls = Interlocked.Read(ref _sendCalls),
                DatagramsReceived = _datagramsReceived,
                AckFramesSent = _acksSent,
                AckFramesReceived = _acksReceived,
                PacketsSent = _packetsSent,
                AckOnlyPacketsSent = _ackOnlyPacketsSent,
                DriverWakeups = Interlocked.Read(ref _driverTurns),
                SendStopsByCongestionWindow = _stopsByCongestionWindow,
                SendStopsByPacing = _stopsByPacing,
                SendStopsByConnectionFlowControl = _stopsByConnectionFlowControl,
                SendStopsByStreamFlowControl = _stopsByStreamFlowControl,
            };
        }
    }

    /// <summary>Gets how many 1-RTT key updates we started.</summary>
    public int KeyUpdatesInitiated
    {
        get
        {
            lock (_lock)
            {
                return _oneRtt?.KeyUpdatesInitiated ?? _finalKeyUpdatesInitiated;
            }
        }
    }

    /// <summary>Gets how many 1-RTT key updates the peer started and we followed.</summary>
    public int KeyUpdatesAnswered
    {
        get
        {
            lock (_lock)
            {
                return _oneRtt?.KeyUpdatesAnswered ?? _finalKeyUpdatesAnswered;
            }
        }
    }

    /// <summary>
    /// Starts a 1-RTT key update now (RFC 9001, section 6) if one may start: the handshake is confirmed, a packet in
    /// the current phase was acknowledged and no update is in progress. Returns false otherwise.
    /// </summary>
    public bool ForceKeyUpdate()
    {
        lock (_lock)
        {
            if (_state != QuicConnectionState.Connected || !_handshakeConfirmed || _oneRtt is null || !_oneRtt.CanInitiateKeyUpdate)
            {
                return false;
            }

            _oneRtt.InitiateKeyUpdate();
        }

        Wake?.Invoke();
        return true;
    }

    // ------------------------------------------------------------------ send

    /// <summary>Writes the next datagram to send into <paramref name="destination"/>; returns its length, 0 if none.</summary>
    public int WriteDatagram(Span<byte> destination, long nowUs) => WriteDatagrams(destination, 1, nowUs, out _);

    /// <summary>
    /// Writes the next datagram; a path-MTU probe only if <paramref name="probeAllowed"/>, and
    /// <paramref name="wasProbe"/> tells whether it wrote one.
    /// </summary>
    /// <remarks>1-RTT packets are recorded in <see cref="_headerBatch"/> at <paramref name="location"/> (where
    /// <paramref name="destination"/> starts in the batch) plus their offset, for <see cref="ProtectBatchHeaders"/>.</remarks>
    private int WriteNextDatagram(Span<byte> destination, long nowUs, bool probeAllowed, int location, out bool wasProbe)
    {
        lock (_lock)
        {
            wasProbe = false;
            if (_state is QuicConnectionState.Closed or QuicConnectionState.Draining)
            {
                return 0;
            }

            _pacingResumeUs = long.MaxValue;
            Span<byte> full = destination;
            bool pathProbing = _mtu is not null && _handshakeConfirmed && _state == QuicConnectionState.Connected && _oneRtt is not null;
            int limit = Math.Min(destination.Length, pathProbing ? _mtu!.CurrentMtu : MaxDatagramSize);
            if (!IsClient && !_amplification.IsAddressValidated)
            {
                limit = (int)Math.Min(limit, _amplification.Allowance);
                if (limit < 64)
                {
                    return 0;
                }
            }

            destination = destination[..limit];
            if (_state == QuicConnectionState.Closing)
            {
                return WriteClose(destination, nowUs);
            }

            if (probeAllowed && pathProbing && _mtu!.TryGetProbe(nowUs, out int probeSize))
            {
                if (probeSize <= full.Length)
                {
                    wasProbe = true;
                    return WriteMtuProbe(full[..probeSize], nowUs);
                }

                _mtu.OnProbeLost(nowUs);
            }

            SweepStreams();
            Span<bool> wants = stackalloc bool[3];
            int last = -1;
            bool containsInitial = false;
            for (int i = 0; i < 3; i++)
            {
                wants[i] = WantsToSend(i, nowUs);
                if (wants[i])
                {
                    last = i;
                    containsInitial |= i == InitialIdx;
                }
            }

            if (last < 0)
            {
                return 0;
            }

            bool pad = containsInitial && (IsClient || _spaces[InitialIdx].CryptoSend.HasDataToSend);
            if (pad && destination.Length < QuicConstants.MinInitialDatagramSize)
            {
                // A padded Initial does not fit in what the amplification limit still allows: wait for the client.
                _recovery.SetAmplificationLimited(true, nowUs);
                return 0;
            }

            int offset = 0;
            for (int i = 0; i <= last; i++)
            {
                if (!wants[i] || destination.Length - offset < 64)
                {
                    continue;
                }

                int minimum = pad && i == last ? MinInitialRemaining(offset) : 0;
                offset += WritePacket(i, destination[offset..], minimum, nowUs, location + offset);
            }

            if (offset > 0 && !IsClient)
            {
                _amplification.OnDatagramSent(offset);
                if (!_amplification.IsAddressValidated && _amplification.Allowance < MaxDatagramSize)
                {
                    _recovery.SetAmplificationLimited(true, nowUs);
                }
            }

            return offset;
        }
    }

    /// <summary>
    /// Writes up to <paramref name="maxDatagrams"/> datagrams back to back into <paramref name="destination"/> for one
    /// segmented send (GSO): every datagram but the last is exactly <paramref name="segmentSize"/> bytes long. Only
    /// full-size datagrams continue a batch (a shorter one ends it), and a path-MTU probe is always alone: it is
    /// written only as a batch's first datagram and ends that batch. Pacing, congestion and amplification limits
    /// apply to every datagram as with <see cref="WriteDatagram"/>.
    /// </summary>
    /// <param name="destination">Room for the datagrams.</param>
    /// <param name="maxDatagrams">The most datagrams to write (1: same as <see cref="WriteDatagram"/>).</param>
    /// <param name="nowUs">The current time.</param>
    /// <param name="segmentSize">The length of the first datagram, which every datagram but the last shares.</param>
    /// <returns>The total length written, 0 if there is nothing to send.</returns>
    public int WriteDatagrams(Span<byte> destination, int maxDatagrams, long nowUs, out int segmentSize)
    {
        lock (_lock)
        {
            _headerBatch.Clear();
            int first = WriteNextDatagram(destination, nowUs, probeAllowed: true, 0, out bool wasProbe);
            segmentSize = first;
            if (first == 0)
            {
                CountSendStop();
                return 0;
            }

            if (maxDatagrams <= 1 || wasProbe || first < PathMtu)
            {
                ProtectBatchHeaders(destination);
                return first;
            }

            // The lock is reentrant. No probe inside a batch: it would be a segment of another size.
            int offset = first;
            for (int count = 1; count < maxDatagrams && destination.Length - offset >= first; count++)
            {
                int n = WriteNextDatagram(destination.Slice(offset, first), nowUs, probeAllowed: false, offset, out _);
                offset += n;
                if (n < first)
                {
                    break;
                }
            }

            ProtectBatchHeaders(destination);
            return offset;
        }
    }

    /// <summary>
    /// Counts why sending stopped (the driver writes until nothing is left, so once per driver turn) when stream data
    /// is still waiting: the congestion window, pacing, the peer's connection or stream flow-control limit. A stop
    /// with nothing waiting (the application has not written more) is not counted.
    /// </summary>
    private void CountSendStop()
    {
        if (_state != QuicConnectionState.Connected || _oneRtt is null)
        {
            return;
        }

        bool waiting = false;
        bool streamBlocked = false;
        foreach (QuicStreamCore s in _sendOrder)
        {
            if (s.Send is { } send)
            {
                waiting |= send.HasDataToSend;
                streamBlocked |= send.IsFlowControlBlocked;
            }
        }

        if (waiting)
        {
            if (!_recovery.CongestionController.CanSend(MaxDatagramSize))
            {
                _stopsByCongestionWindow++;
            }
            else if (_pacingResumeUs != long.MaxValue)
            {
                _stopsByPacing++;
            }
            else if (_sendFlow.Available <= 0)
            {
                _stopsByConnectionFlowControl++;
            }
        }
        else if (streamBlocked)
        {
            _stopsByStreamFlowControl++;
        }
    }

    /// <summary>Masks the headers of the batch's 1-RTT packets with one cipher call; nothing leaves before this.</summary>
    private void ProtectBatchHeaders(Span<byte> destination)
    {
        if (_headerBatch.Count > 0)
        {
            _oneRtt!.ProtectHeaders(_headerBatch, destination);
        }
    }

    private int WriteMtuProbe(Span<byte> buffer, long nowUs)
    {
        SpaceState space = _spaces[AppIdx];
        long pn = (long)_recovery.NextPacketNumber(space.Space);
        long largestAcked = _recovery.TryGetLargestAcked(space.Space, out ulong la) ? (long)la : -1;
        QuicPacketBuilder builder = QuicPacketBuilder.BeginShort(buffer, _remoteCid, false, pn, QuicPacketNumber.GetEncodedLength(pn, largestAcked));
        var writer = new QuicWriter(builder.Payload);
        QuicFrameWriter.WritePing(ref writer);
        int length = builder.Finish(writer.Position, _oneRtt!, buffer.Length);
        _recovery.OnPacketSent(space.Space, new SentPacket((ulong)pn, nowUs, length, true, true, IsMtuProbe: true));
        _packetsSent++;
        _idle.OnAckElicitingPacketSent(nowUs);
        return length;
    }

    private static int MinInitialRemaining(int offset) => Math.Max(0, QuicConstants.MinInitialDatagramSize - offset);

    private bool HasWriteKeys(int i) => i == AppIdx ? _oneRtt is not null : _spaces[i].Write is not null;

    private bool WantsToSend(int i, long nowUs)
    {
        SpaceState space = _spaces[i];
        if (!HasWriteKeys(i) || space.Discarded)
        {
            return false;
        }

        if (_recovery.ProbesDue(space.Space) > 0)
        {
            return true;
        }

        bool ackNeeded = i == AppIdx ? space.Ack.ShouldSendAck(nowUs) : space.Ack.HasNewPackets && space.Ack.AckElicitingPending;
        if (ackNeeded)
        {
            return true;
        }

        if (!_recovery.CongestionController.CanSend(MaxDatagramSize))
        {
            return false;
        }

        if (space.CryptoSend.HasDataToSend)
        {
            return true;
        }

        if (i != AppIdx || _state != QuicConnectionState.Connected)
        {
            return false;
        }

        return HasAppDataToSend() && PacingAllows(nowUs);
    }

    /// <summary>True if the pacer lets a full-size 1-RTT packet go now; otherwise remembers when it will.</summary>
    private bool PacingAllows(long nowUs)
    {
        ICongestionController cc = _recovery.CongestionController;
        long at = _pacer.GetSendTimeUs(nowUs, cc.MaxDatagramSize, cc.CongestionWindow, _recovery.Rtt.SmoothedRttUs, cc.MaxDatagramSize);
        if (at <= nowUs)
        {
            return true;
        }

        _pacingResumeUs = Math.Min(_pacingResumeUs, at);
        return false;
    }

    private bool HasAppDataToSend()
    {
        if (_newConnectionIdsPending.Count > 0 || (_cids is not null && _handshakeConfirmed && !_connectionIdsIssued) || _handshakeDonePending || _pingPending || _pathResponse is not null || _resendMaxData || _receiveFlow.ShouldSendMaxData
            || _resendMaxStreamsBidi || _resendMaxStreamsUni
            // A due MAX_STREAMS raise is sent on its own: waiting for other data can stall a peer that opens one
            // stream at a time until our delayed ACK (max_ack_delay) carries it.
            || _remoteBidi.HasMaxStreamsUpdate || _remoteUni.HasMaxStreamsUpdate)
        {
            return true;
        }

        long credit = _sendFlow.Available;
        foreach (QuicStreamCore s in _sendOrder)
        {
            if (s.PendingReset >= 0 || s.PendingStopSending >= 0 || s.ResendMaxStreamData)
            {
                return true;
            }

            if (s.Receive is not null && s.Receive.ShouldSendMaxStreamData)
            {
                return true;
            }

            if (s.Send is not null && s.Send.HasDataToSend && (credit > 0 || !s.Send.IsFlowControlBlocked))
            {
                return true;
            }
        }

        return false;
    }

    private void SweepStreams()
    {
        for (int i = _sendOrder.Count - 1; i >= 0; i--)
        {
            QuicStreamCore s = _sendOrder[i];
            if (s.IsFinished && s.PendingReset < 0 && s.PendingStopSending < 0)
            {
                _sendOrder.RemoveAt(i);
                _streams.Remove(s.Id);
                if (!StreamId.IsLocallyInitiated(s.Id, IsClient))
                {
                    (StreamId.IsBidirectional(s.Id) ? _remoteBidi : _remoteUni).OnStreamClosed();
                }
            }
        }
    }

    private int WritePacket(int i, Span<byte> buffer, int minimumLength, long nowUs, int location)
    {
        SpaceState space = _spaces[i];
        long pn = (long)_recovery.NextPacketNumber(space.Space);
        long largestAcked = _recovery.TryGetLargestAcked(space.Space, out ulong la) ? (long)la : -1;
        int pnLength = QuicPacketNumber.GetEncodedLength(pn, largestAcked);
        QuicPacketBuilder builder = i == AppIdx
            ? QuicPacketBuilder.BeginShort(buffer, _remoteCid, false, pn, pnLength)
            : QuicPacketBuilder.BeginLong(buffer, i == InitialIdx ? QuicPacketType.Initial : QuicPacketType.Handshake, _remoteCid, LocalCid, default, pn, pnLength);
        Span<byte> payload = builder.Payload;
        var writer = new QuicWriter(payload);
        List<SentFrame> frames = RentFrames();
        bool ackEliciting = false;

        if (space.Ack.HasReceived && space.Ack.HasNewPackets)
        {
            int n = space.Ack.GetAckRanges(_rangeScratch);
            for (int k = 0; k < n; k++)
            {
                _ackScratch[k] = new AckRange(_rangeScratch[k].Start, _rangeScratch[k].Last);
            }

            ulong delay = i == AppIdx ? space.Ack.EncodedAckDelay(nowUs) : 0;
            ReadOnlySpan<AckRange> ranges = _ackScratch.AsSpan(0, n);
            if (n > 0 && QuicFrameWriter.GetAckLength(delay, ranges) <= writer.Remaining)
            {
                QuicFrameWriter.WriteAck(ref writer, delay, ranges);
                space.Ack.OnAckSent();
                _acksSent++;
                frames.Add(new SentFrame(SentFrameKind.Ack, 0, 0, 0, false, (long)ranges[0].Largest));
                if (i == AppIdx)
                {
                    _oneRtt!.OnAcknowledgmentSent((long)ranges[0].Largest);
                }
            }
        }

        bool probe = _recovery.ProbesDue(space.Space) > 0;
        bool canSendData = probe || (_recovery.CongestionController.CanSend(MaxDatagramSize) && (i != AppIdx || PacingAllows(nowUs)));
        if (canSendData)
        {
            // CRYPTO
            while (writer.Remaining > 16 && space.CryptoSend.HasDataToSend)
            {
                int max = writer.Remaining - 16;
                if (!space.CryptoSend.TryTakeNextRange(max, out long offset, out int length))
                {
                    break;
                }

                Span<byte> data = _dataScratch.AsSpan(0, length);
                space.CryptoSend.CopyTo(offset, data);
                QuicFrameWriter.WriteCrypto(ref writer, (ulong)offset, data);
                frames.Add(new SentFrame(SentFrameKind.Crypto, 0, offset, length, false, 0));
                ackEliciting = true;
            }

            if (i == AppIdx && _state == QuicConnectionState.Connected)
            {
                ackEliciting |= WriteAppFrames(ref writer, frames);
                if (writer.Position > 0 && writer.Remaining <= FullPacketSlack)
                {
                    // Nearly full: pad to the end so that full packets are all the same size and batch into one
                    // segmented send (every segment but the last must be exactly the segment size).
                    QuicFrameWriter.WritePadding(ref writer, writer.Remaining);
                }
            }

            if (probe && !ackEliciting && writer.Remaining > 0)
            {
                QuicFrameWriter.WritePing(ref writer);
                ackEliciting = true;
            }
        }

        if (writer.Position == 0)
        {
            ReturnFrames(frames);
            return 0;
        }

        int length2 = i == AppIdx ? builder.Finish(writer.Position, _oneRtt!, minimumLength, _headerBatch, location) : builder.Finish(writer.Position, space.Write!, minimumLength);
        bool padded = minimumLength > 0;
        object? record = frames;
        if (frames.Count == 0)
        {
            ReturnFrames(frames);
            record = null;
        }

        _recovery.OnPacketSent(space.Space, new SentPacket((ulong)pn, nowUs, length2, ackEliciting, ackEliciting || padded, Payload: record));
        _packetsSent++;
        if (!ackEliciting)
        {
            _ackOnlyPacketsSent++;
        }
        if (ackEliciting)
        {
            _idle.OnAckElicitingPacketSent(nowUs);
            if (i == AppIdx)
            {
                ICongestionController cc = _recovery.CongestionController;
                _pacer.OnPacketSent(nowUs, length2, cc.CongestionWindow, _recovery.Rtt.SmoothedRttUs, cc.MaxDatagramSize);
            }
        }

        if (IsClient && i == HandshakeIdx)
        {
            DiscardSpace(InitialIdx, nowUs);
        }

        if (i == AppIdx && _oneRtt!.KeyUpdateDue && _oneRtt.CanInitiateKeyUpdate)
        {
            _oneRtt.InitiateKeyUpdate();
        }

        return length2;
    }

    private bool WriteAppFrames(ref QuicWriter writer, List<SentFrame> frames)
    {
        bool any = false;
        if (_handshakeDonePending && writer.Remaining >= 1)
        {
            QuicFrameWriter.WriteHandshakeDone(ref writer);
            frames.Add(new SentFrame(SentFrameKind.HandshakeDone, 0, 0, 0, false, 0));
            _handshakeDonePending = false;
            any = true;
        }

        if (_cids is not null && _handshakeConfirmed && !_connectionIdsIssued)
        {
            _connectionIdsIssued = true;
            IssueConnectionIds();
        }

        while (_newConnectionIdsPending.Count > 0 && writer.Remaining >= 64)
        {
            ulong sequence = _newConnectionIdsPending.Dequeue();
            if (_cids!.FindLocal(sequence) is { } entry)
            {
                QuicFrameWriter.WriteNewConnectionId(ref writer, sequence, 0, entry.ConnectionId, entry.StatelessResetToken);
                frames.Add(new SentFrame(SentFrameKind.NewConnectionId, 0, 0, 0, false, (long)sequence));
                any = true;
            }
        }

        while (writer.Remaining >= 9 && _cids is not null && _cids.TryTakeRetirement(out ulong retired))
        {
            QuicFrameWriter.WriteRetireConnectionId(ref writer, retired);
            frames.Add(new SentFrame(SentFrameKind.RetireConnectionId, 0, 0, 0, false, (long)retired));
            any = true;
        }

        if (_pathResponse is not null && writer.Remaining >= 9)
        {
            QuicFrameWriter.WritePathResponse(ref writer, _pathResponse);
            _pathResponse = null;
            any = true;
        }

        if (writer.Remaining >= 9 && (_receiveFlow.TryTakeMaxDataUpdate(out long maxData) | _resendMaxData))
        {
            QuicFrameWriter.WriteMaxData(ref writer, (ulong)_receiveFlow.MaxData);
            frames.Add(new SentFrame(SentFrameKind.MaxData, 0, 0, 0, false, maxData));
            _resendMaxData = false;
            any = true;
        }

        if (writer.Remaining >= 9 && (_remoteBidi.TryTakeMaxStreamsUpdate(out _) | _resendMaxStreamsBidi))
        {
            QuicFrameWriter.WriteMaxStreams(ref writer, true, (ulong)_remoteBidi.MaxStreams);
            frames.Add(new SentFrame(SentFrameKind.MaxStreamsBidi, 0, 0, 0, false, 0));
            _resendMaxStreamsBidi = false;
            any = true;
        }

        if (writer.Remaining >= 9 && (_remoteUni.TryTakeMaxStreamsUpdate(out _) | _resendMaxStreamsUni))
        {
            QuicFrameWriter.WriteMaxStreams(ref writer, false, (ulong)_remoteUni.MaxStreams);
            frames.Add(new SentFrame(SentFrameKind.MaxStreamsUni, 0, 0, 0, false, 0));
            _resendMaxStreamsUni = false;
            any = true;
        }

        foreach (QuicStreamCore s in _sendOrder)
        {
            if (writer.Remaining < 32)
            {
                break;
            }

            if (s.PendingReset >= 0 && s.Send is not null)
            {
                QuicFrameWriter.WriteResetStream(ref writer, (ulong)s.Id, (ulong)s.PendingReset, (ulong)s.ResetFinalSize);
                frames.Add(new SentFrame(SentFrameKind.ResetStream, s.Id, 0, 0, false, s.PendingReset));
                s.PendingReset = -1;
                any = true;
            }

            if (s.PendingStopSending >= 0)
            {
                QuicFrameWriter.WriteStopSending(ref writer, (ulong)s.Id, (ulong)s.PendingStopSending);
                frames.Add(new SentFrame(SentFrameKind.StopSending, s.Id, 0, 0, false, s.PendingStopSending));
                s.PendingStopSending = -1;
                any = true;
            }

            if (s.Receive is not null && (s.Receive.TryTakeMaxStreamDataUpdate(out _) | s.ResendMaxStreamData))
            {
                QuicFrameWriter.WriteMaxStreamData(ref writer, (ulong)s.Id, (ulong)s.Receive.MaxStreamData);
                frames.Add(new SentFrame(SentFrameKind.MaxStreamData, s.Id, 0, 0, false, 0));
                s.ResendMaxStreamData = false;
                any = true;
            }
        }

        // STREAM data, round robin from the cursor.
        int count = _sendOrder.Count;
        for (int k = 0; k < count && writer.Remaining > 32; k++)
        {
            int index = (_sendCursor + k) % count;
            QuicStreamCore s = _sendOrder[index];
            if (s.Send is null || !s.Send.HasDataToSend)
            {
                continue;
            }

            // The frame header is sized for the largest offset this stream can have, so the chunk fills the packet to
            // within a few bytes (padded to full size afterwards).
            int max = writer.Remaining - QuicFrameWriter.GetStreamOverhead((ulong)s.Id, (ulong)Math.Max(1, s.Send.WrittenBytes), writer.Remaining, includeLength: true);
            if (!s.Send.TryTakeNextChunk(max, _sendFlow.Available, out StreamChunk chunk))
            {
                continue;
            }

            // Copied from the stream's buffer straight into the packet.
            QuicFrameWriter.WriteStreamHeader(ref writer, (ulong)s.Id, (ulong)chunk.Offset, chunk.Length, chunk.Fin);
            s.Send.CopyTo(chunk.Offset, writer.Free[..chunk.Length]);
            writer.Advance(chunk.Length);
            if (!chunk.IsRetransmission)
            {
                _sendFlow.OnSent(chunk.Length);
            }

            frames.Add(new SentFrame(SentFrameKind.Stream, s.Id, chunk.Offset, chunk.Length, chunk.Fin, 0));
            any = true;
            _sendCursor = (index + 1) % count;
        }

        if (_pingPending && !any && writer.Remaining > 0)
        {
            QuicFrameWriter.WritePing(ref writer);
            any = true;
        }

        _pingPending = false;
        return any;
    }

    private int WriteClose(Span<byte> destination, long nowUs)
    {
        if (!_closeSendPending)
        {
            return 0;
        }

        _closeSendPending = false;
        int offset = 0;
        byte[] reason = System.Text.Encoding.UTF8.GetBytes(_closeReason);
        for (int i = 0; i < 3; i++)
        {
            if (!HasWriteKeys(i) || _spaces[i].Discarded || destination.Length - offset < 128)
            {
                continue;
            }

            SpaceState space = _spaces[i];
            long pn = (long)_recovery.NextPacketNumber(space.Space);
            QuicPacketBuilder builder = i == AppIdx
                ? QuicPacketBuilder.BeginShort(destination[offset..], _remoteCid, false, pn, 4)
                : QuicPacketBuilder.BeginLong(destination[offset..], i == InitialIdx ? QuicPacketType.Initial : QuicPacketType.Handshake, _remoteCid, LocalCid, default, pn, 4);
            var writer = new QuicWriter(builder.Payload);
            int maxReason = Math.Min(reason.Length, Math.Max(0, writer.Remaining - 32));
            if (i == AppIdx && _closeIsApplication)
            {
                QuicFrameWriter.WriteApplicationClose(ref writer, _closeCode, reason.AsSpan(0, maxReason));
            }
            else if (_closeIsApplication)
            {
                // An application close before 1-RTT keys: APPLICATION_ERROR without details (RFC 9000 10.2.3).
                QuicFrameWriter.WriteConnectionClose(ref writer, (ulong)QuicTransportError.ApplicationError, 0, default);
            }
            else
            {
                QuicFrameWriter.WriteConnectionClose(ref writer, _closeCode, _closeFrameType, i == AppIdx ? reason.AsSpan(0, maxReason) : default);
            }

            int minimum = IsClient && i == InitialIdx ? MinInitialRemaining(offset) : 0;
            int length = i == AppIdx ? builder.Finish(writer.Position, _oneRtt!, minimum) : builder.Finish(writer.Position, space.Write!, minimum);
            _recovery.OnPacketSent(space.Space, new SentPacket((ulong)pn, nowUs, length, false, false));
            offset += length;
        }

        return offset;
    }

    private sealed class SpaceState
    {
        public SpaceState(PacketNumberSpace space)
        {
            Space = space;
            Ack = space == PacketNumberSpace.ApplicationData ? new AckManager(space) : new AckManager(space, 0, AckManager.DefaultMaxRanges, 1);
        }

        public PacketNumberSpace Space { get; }

        public AckManager Ack { get; }

        public PacketProtectionKeys? Read { get; set; }

        public PacketProtectionKeys? Write { get; set; }

        public CryptoSendBuffer CryptoSend { get; } = new();

        public CryptoReceiveBuffer CryptoReceive { get; } = new();

        public long LargestReceived { get; set; } = -1;

        public bool Discarded { get; set; }
    }
}

/// <summary>What kind of frame a sent packet carried (for acknowledgement and loss).</summary>
internal enum SentFrameKind
{
    Ack,
    Crypto,
    Stream,
    HandshakeDone,
    MaxData,
    MaxStreamData,
    MaxStreamsBidi,
    MaxStreamsUni,
    ResetStream,
    StopSending,
    NewConnectionId,
    RetireConnectionId,
}

/// <summary>A frame recorded in <see cref="SentPacket.Payload"/>.</summary>
internal readonly record struct SentFrame(SentFrameKind Kind, long StreamId, long Offset, int Length, bool Fin, long Value);
