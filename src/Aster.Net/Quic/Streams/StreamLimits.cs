namespace Aster.Net.Quic.Streams;

/// <summary>
/// Streams of one type that the local endpoint opens: ids are allocated in order (RFC 9000, section 2.1) within the
/// peer's MAX_STREAMS, and STREAMS_BLOCKED is sent once per limit value when an open has to wait.
/// </summary>
internal sealed class LocalStreamLimit
{
    private long _blockedReportedLimit = -1;

    /// <summary>Initializes a new instance of the <see cref="LocalStreamLimit"/> class.</summary>
    /// <param name="isClient">Whether the local endpoint is the client.</param>
    /// <param name="bidirectional">Whether these are bidirectional streams.</param>
    /// <param name="peerMaxStreams">The peer's initial_max_streams for this directionality.</param>
    public LocalStreamLimit(bool isClient, bool bidirectional, long peerMaxStreams)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(peerMaxStreams);
        Type = StreamId.TypeFor(isClient, bidirectional);
        MaxStreams = Math.Min(peerMaxStreams, StreamId.MaxStreamCount);
    }

    /// <summary>Gets the stream type allocated.</summary>
    public StreamType Type { get; }

    /// <summary>Gets the peer's current MAX_STREAMS.</summary>
    public long MaxStreams { get; private set; }

    /// <summary>Gets the number of streams opened so far.</summary>
    public long OpenedCount { get; private set; }

    /// <summary>Gets a value indicating whether another stream may be opened now.</summary>
    public bool CanOpen => OpenedCount < MaxStreams;

    /// <summary>Allocates the next stream id if the peer's limit allows it.</summary>
    /// <param name="streamId">The new stream id.</param>
    /// <returns><see langword="false"/> if the limit is reached (queue the open and send STREAMS_BLOCKED).</returns>
    public bool TryOpen(out long streamId)
    {
        if (!CanOpen)
        {
            streamId = -1;
            return false;
        }

        streamId = StreamId.Make(Type, OpenedCount);
        OpenedCount++;
        return true;
    }

    /// <summary>Applies a MAX_STREAMS frame; the limit never decreases.</summary>
    /// <param name="maxStreams">The new limit.</param>
    /// <returns><see langword="true"/> if the limit grew.</returns>
    /// <exception cref="QuicStreamStateException">FRAME_ENCODING_ERROR: a count above 2^60.</exception>
    public bool OnMaxStreams(long maxStreams)
    {
        if (maxStreams > StreamId.MaxStreamCount)
        {
            throw new QuicStreamStateException(QuicTransportError.FrameEncodingError, $"MAX_STREAMS {maxStreams} exceeds 2^60.");
        }

        if (maxStreams <= MaxStreams)
        {
            return false;
        }

        MaxStreams = maxStreams;
        return true;
    }

    /// <summary>Tells whether to send STREAMS_BLOCKED: the limit is reached and the frame was not yet sent for it.</summary>
    /// <param name="limit">The limit to report.</param>
    /// <returns><see langword="true"/> if the frame should be sent now.</returns>
    public bool TryTakeStreamsBlocked(out long limit)
    {
        limit = MaxStreams;
        if (!CanOpen && _blockedReportedLimit != MaxStreams)
        {
            _blockedReportedLimit = MaxStreams;
            return true;
        }

        return false;
    }

    /// <summary>Checks that a frame from the peer names one of our streams that exists (RFC 9000, section 19.8 and others).</summary>
    /// <param name="streamId">A locally initiated stream id of this type.</param>
    /// <exception cref="QuicStreamStateException">STREAM_STATE_ERROR: the stream was never opened.</exception>
    public void ValidatePeerReference(long streamId)
    {
        if (StreamId.IndexOf(streamId) >= OpenedCount)
        {
            throw QuicStreamStateException.StreamState($"The peer referred to stream {streamId}, which we have not opened.");
        }
    }
}

/// <summary>
/// Streams of one type that the peer opens: ids beyond our MAX_STREAMS are STREAM_LIMIT_ERROR, a frame for stream n
/// implicitly opens every lower stream of the type (RFC 9000, section 3.2), and the limit is raised as streams close
/// so that <see cref="Concurrency"/> streams can be open at once.
/// </summary>
internal sealed class RemoteStreamLimit
{
    /// <summary>Initializes a new instance of the <see cref="RemoteStreamLimit"/> class.</summary>
    /// <param name="type">The stream type (initiated by the peer).</param>
    /// <param name="concurrency">Our initial_max_streams, kept as the number of concurrently open peer streams.</param>
    public RemoteStreamLimit(StreamType type, long concurrency)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(concurrency);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(concurrency, StreamId.MaxStreamCount);
        Type = type;
        Concurrency = concurrency;
        MaxStreams = concurrency;
    }

    /// <summary>Gets the stream type.</summary>
    public StreamType Type { get; }

    /// <summary>Gets the number of peer streams allowed open at once.</summary>
    public long Concurrency { get; }

    /// <summary>Gets the MAX_STREAMS currently advertised (resend this value if a MAX_STREAMS frame is lost).</summary>
    public long MaxStreams { get; private set; }

    /// <summary>Gets the number of streams the peer has opened (explicitly or implicitly).</summary>
    public long OpenedCount { get; private set; }

    /// <summary>Gets the number of peer streams closed and released.</summary>
    public long ClosedCount { get; private set; }

    /// <summary>
    /// Accounts for a frame naming a peer-initiated stream. Returns how many streams it opens: every id from
    /// <paramref name="firstNewStreamId"/> up to <paramref name="streamId"/> in steps of 4.
    /// </summary>
    /// <param name="streamId">The stream id in the frame (of this type).</param>
    /// <param name="firstNewStreamId">The first stream id newly opened.</param>
    /// <returns>The number of streams newly opened; 0 if the stream was already opened (it may be closed since).</returns>
    /// <exception cref="QuicStreamStateException">STREAM_LIMIT_ERROR: the id is beyond our MAX_STREAMS.</exception>
    public long OnPeerStream(long streamId, out long firstNewStreamId)
    {
        long index = StreamId.IndexOf(streamId);
        firstNewStreamId = StreamId.Make(Type, OpenedCount);
        if (index >= MaxStreams)
        {
            throw QuicStreamStateException.StreamLimit($"The peer opened stream {streamId}; our MAX_STREAMS for {Type} is {MaxStreams}.");
        }

        if (index < OpenedCount)
        {
            return 0;
        }

        long opened = index - OpenedCount + 1;
        OpenedCount = index + 1;
        return opened;
    }

    /// <summary>
    /// Records that a peer stream is finished in both directions and released by the application (or discarded).
    /// </summary>
    public void OnStreamClosed()
    {
        if (ClosedCount < OpenedCount)
        {
            ClosedCount++;
        }
    }

    /// <summary>
    /// Raises MAX_STREAMS to closed + concurrency when the raise is at least half the concurrency, or when the peer has
    /// used more than half of its remaining credit (transport.md, section 7.4).
    /// </summary>
    /// <param name="maxStreams">The value to send in MAX_STREAMS.</param>
    /// <returns><see langword="true"/> if a MAX_STREAMS frame should be sent now.</returns>
    public bool TryTakeMaxStreamsUpdate(out long maxStreams)
    {
        if (UpdateDue(out long desired))
        {
            MaxStreams = desired;
            maxStreams = desired;
            return true;
        }

        maxStreams = MaxStreams;
        return false;
    }

    /// <summary>Gets a value indicating whether <see cref="TryTakeMaxStreamsUpdate"/> would raise the limit now, so the
    /// connection sends a packet for it instead of waiting for other data to carry it.</summary>
    public bool HasMaxStreamsUpdate => UpdateDue(out _);

    private bool UpdateDue(out long desired)
    {
        desired = Math.Min(ClosedCount + Concurrency, StreamId.MaxStreamCount);
        long half = Math.Max(1, Concurrency / 2);
        return desired > MaxStreams && (desired - MaxStreams >= half || MaxStreams - OpenedCount < half);
    }
}

/// <summary>Checks that a stream frame from the peer fits the stream's direction (RFC 9000, sections 19.4 to 19.13).</summary>
internal static class StreamFrameRules
{
    /// <summary>
    /// For STREAM, RESET_STREAM and STREAM_DATA_BLOCKED: the stream must have a receiving part here, and the id must be
    /// below 2^62.
    /// </summary>
    /// <param name="streamId">The stream id.</param>
    /// <param name="isClient">Whether the local endpoint is the client.</param>
    /// <exception cref="QuicStreamStateException">STREAM_STATE_ERROR: a send-only stream of ours.</exception>
    public static void ValidateReceivingFrame(long streamId, bool isClient)
    {
        ValidateId(streamId);
        if (!StreamId.HasReceivePart(streamId, isClient))
        {
            throw QuicStreamStateException.StreamState($"Stream {streamId} is send-only here; the peer cannot send on it.");
        }
    }

    /// <summary>For MAX_STREAM_DATA and STOP_SENDING: the stream must have a sending part here.</summary>
    /// <param name="streamId">The stream id.</param>
    /// <param name="isClient">Whether the local endpoint is the client.</param>
    /// <exception cref="QuicStreamStateException">STREAM_STATE_ERROR: a receive-only stream.</exception>
    public static void ValidateSendingFrame(long streamId, bool isClient)
    {
        ValidateId(streamId);
        if (!StreamId.HasSendPart(streamId, isClient))
        {
            throw QuicStreamStateException.StreamState($"Stream {streamId} is receive-only here; the peer cannot control its sending.");
        }
    }

    private static void ValidateId(long streamId)
    {
        if (streamId < 0 || streamId > StreamId.MaxVarInt)
        {
            throw new QuicStreamStateException(QuicTransportError.FrameEncodingError, $"Stream id {streamId} is out of range.");
        }
    }
}
