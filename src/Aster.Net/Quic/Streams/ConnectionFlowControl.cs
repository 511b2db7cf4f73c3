namespace Aster.Net.Quic.Streams;

/// <summary>
/// Connection-level flow control on the receive side (RFC 9000, section 4.1): the sum over streams of the highest
/// offset received (or final size of a reset) must stay within the MAX_DATA we advertised, and MAX_DATA is raised to
/// consumed + window once the application has consumed half a window since the last update. Thread-safe: streams
/// report consumption from application threads.
/// </summary>
internal sealed class ConnectionReceiveFlowControl
{
    private readonly Lock _lock = new();
    private long _maxData;
    private long _received;
    private long _consumed;

    /// <summary>Initializes a new instance of the <see cref="ConnectionReceiveFlowControl"/> class.</summary>
    /// <param name="window">The window: our initial_max_data, kept as the distance between consumed bytes and the limit.</param>
    public ConnectionReceiveFlowControl(long window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        Window = window;
        _maxData = window;
    }

    /// <summary>Gets the window size.</summary>
    public long Window { get; }

    /// <summary>Gets the MAX_DATA currently advertised (resend this value if a MAX_DATA frame is lost).</summary>
    public long MaxData
    {
        get
        {
            lock (_lock)
            {
                return _maxData;
            }
        }
    }

    /// <summary>Gets the flow-control bytes received (sum of the streams' highest offsets).</summary>
    public long Received
    {
        get
        {
            lock (_lock)
            {
                return _received;
            }
        }
    }

    /// <summary>Gets the bytes consumed by the application (or discarded).</summary>
    public long Consumed
    {
        get
        {
            lock (_lock)
            {
                return _consumed;
            }
        }
    }

    /// <summary>Gets a value indicating whether a MAX_DATA update is due.</summary>
    public bool ShouldSendMaxData
    {
        get
        {
            lock (_lock)
            {
                return UpdateDue;
            }
        }
    }

    private bool UpdateDue => _consumed + Window - _maxData >= Window / 2;

    /// <summary>Counts newly received bytes (growth of a stream's highest offset).</summary>
    /// <param name="bytes">The growth.</param>
    /// <exception cref="QuicStreamStateException">FLOW_CONTROL_ERROR: beyond the advertised MAX_DATA.</exception>
    public void OnReceived(long bytes)
    {
        lock (_lock)
        {
            if (bytes > _maxData - _received)
            {
                throw QuicStreamStateException.FlowControl($"The peer sent {_received + bytes} bytes on the connection; MAX_DATA was {_maxData}.");
            }

            _received += bytes;
        }
    }

    /// <summary>Counts bytes consumed by the application or discarded.</summary>
    /// <param name="bytes">The byte count.</param>
    public void OnConsumed(long bytes)
    {
        lock (_lock)
        {
            _consumed += bytes;
        }
    }

    /// <summary>Raises MAX_DATA to consumed + window if half a window was consumed since the last update.</summary>
    /// <param name="maxData">The value to send in MAX_DATA.</param>
    /// <returns><see langword="true"/> if a MAX_DATA frame should be sent now.</returns>
    public bool TryTakeMaxDataUpdate(out long maxData)
    {
        lock (_lock)
        {
            if (UpdateDue && _consumed + Window > _maxData)
            {
                _maxData = _consumed + Window;
                maxData = _maxData;
                return true;
            }

            maxData = _maxData;
            return false;
        }
    }
}

/// <summary>
/// Connection-level flow control on the send side: new stream bytes never exceed the peer's MAX_DATA, and
/// DATA_BLOCKED is sent once per limit value. Used by the connection's sending loop only (not thread-safe).
/// </summary>
internal sealed class ConnectionSendFlowControl
{
    private long _blockedReportedLimit = -1;

    /// <summary>Initializes a new instance of the <see cref="ConnectionSendFlowControl"/> class.</summary>
    /// <param name="peerMaxData">The peer's initial_max_data.</param>
    public ConnectionSendFlowControl(long peerMaxData)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(peerMaxData);
        MaxData = peerMaxData;
    }

    /// <summary>Gets the peer's current MAX_DATA.</summary>
    public long MaxData { get; private set; }

    /// <summary>Gets the new stream bytes sent so far.</summary>
    public long Sent { get; private set; }

    /// <summary>Gets the credit left.</summary>
    public long Available => MaxData - Sent;

    /// <summary>Charges new stream bytes sent.</summary>
    /// <param name="bytes">The byte count.</param>
    /// <exception cref="InvalidOperationException">The credit would be exceeded (a bug in the caller).</exception>
    public void OnSent(long bytes)
    {
        if (bytes > Available)
        {
            throw new InvalidOperationException("Connection flow-control credit exceeded.");
        }

        Sent += bytes;
    }

    /// <summary>Applies a MAX_DATA frame; the limit never decreases.</summary>
    /// <param name="maxData">The new limit.</param>
    /// <returns><see langword="true"/> if the limit grew.</returns>
    public bool OnMaxData(long maxData)
    {
        if (maxData <= MaxData)
        {
            return false;
        }

        MaxData = maxData;
        return true;
    }

    /// <summary>
    /// Tells whether to send DATA_BLOCKED. Call it when a stream has new data to send: the frame is due when no
    /// credit is left and it was not yet sent for this limit value.
    /// </summary>
    /// <param name="limit">The limit to report.</param>
    /// <returns><see langword="true"/> if the frame should be sent now.</returns>
    public bool TryTakeDataBlocked(out long limit)
    {
        limit = MaxData;
        if (Available <= 0 && _blockedReportedLimit != MaxData)
        {
            _blockedReportedLimit = MaxData;
            return true;
        }

        return false;
    }
}
