using System.Buffers;
using System.Runtime.CompilerServices;
using Aster.Net.Quic.Recovery;

namespace Aster.Net.Quic.Streams;

/// <summary>The sending part of a stream (RFC 9000, section 3.1).</summary>
internal enum SendStreamState
{
    /// <summary>Nothing sent yet.</summary>
    Ready = 0,

    /// <summary>Sending data.</summary>
    Send = 1,

    /// <summary>All data and the FIN were sent; waiting for acknowledgements.</summary>
    DataSent = 2,

    /// <summary>All data and the FIN were acknowledged (terminal).</summary>
    DataRecvd = 3,

    /// <summary>RESET_STREAM was sent.</summary>
    ResetSent = 4,

    /// <summary>RESET_STREAM was acknowledged (terminal).</summary>
    ResetRecvd = 5,
}

/// <summary>A piece of stream data to put in a STREAM frame.</summary>
/// <param name="Offset">The stream offset.</param>
/// <param name="Length">The byte count (may be zero for a FIN alone).</param>
/// <param name="Fin">Whether the frame carries the FIN bit.</param>
/// <param name="IsRetransmission">Whether the bytes were sent before (they do not consume flow-control credit again).</param>
internal readonly record struct StreamChunk(long Offset, int Length, bool Fin, bool IsRetransmission);

/// <summary>
/// The send buffer and send-side state of one stream: application writes are buffered (bounded, with backpressure
/// hysteresis), handed out as <see cref="StreamChunk"/>s within the peer's MAX_STREAM_DATA, freed when acknowledged and
/// retransmitted (lowest first, before new data) when lost.
/// </summary>
/// <remarks>
/// <para><b>Backpressure.</b> At most <see cref="HighWaterMark"/> unacknowledged bytes are buffered. A writer that
/// finds the buffer full parks on a reusable <see cref="AsyncSignal"/> and is released when acknowledgements bring the
/// buffer down to <see cref="LowWaterMark"/> (half the high-water mark by default), as System.IO.Pipelines does, so it
/// does not wake for every acknowledged packet. One write at a time; a second concurrent write throws.</para>
/// <para><b>Threads.</b> The application writes from its own thread; the connection calls the other members. One lock
/// guards all state.</para>
/// <para><b>Memory.</b> Data lives in 16 KiB segments rented from <see cref="ArrayPool{T}.Shared"/> and returned when
/// every byte in them is acknowledged, or on reset.</para>
/// </remarks>
internal sealed class SendStream
{
    /// <summary>The default high-water mark: 1 MiB of unacknowledged data per stream.</summary>
    public const int DefaultHighWaterMark = 1 << 20;

    private const int SegmentShift = 14;
    private const int SegmentSize = 1 << SegmentShift;

    private readonly Lock _lock = new();
    private readonly RangeSet _acked = new();
    private readonly RangeSet _lost = new();
    private readonly AsyncSignal _writer = new();
    private byte[]?[] _segments = new byte[]?[4];
    private int _segmentHead;
    private int _segmentCount;
    private long _firstSegment;
    private long _ackedOffset;
    private long _writeOffset;
    private long _sendOffset;
    private long _maxStreamData;
    private long _finalSize = -1;
    private bool _finSent;
    private bool _finLost;
    private bool _finAcked;
    private long _blockedReportedLimit = -1;
    private Exception? _abortException;

    /// <summary>Initializes a new instance of the <see cref="SendStream"/> class.</summary>
    /// <param name="peerMaxStreamData">The peer's initial MAX_STREAM_DATA for this stream.</param>
    /// <param name="highWaterMark">The most unacknowledged bytes buffered.</param>
    /// <param name="lowWaterMark">The buffered size at which a parked writer resumes; half the high-water mark by default.</param>
    public SendStream(long peerMaxStreamData, int highWaterMark = DefaultHighWaterMark, int lowWaterMark = -1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(peerMaxStreamData);
        ArgumentOutOfRangeException.ThrowIfLessThan(highWaterMark, 1);
        if (lowWaterMark < 0)
        {
            lowWaterMark = highWaterMark / 2;
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(lowWaterMark, highWaterMark);
        _maxStreamData = peerMaxStreamData;
        HighWaterMark = highWaterMark;
        LowWaterMark = lowWaterMark;
    }

    /// <summary>Gets the most unacknowledged bytes buffered.</summary>
    public int HighWaterMark { get; }

    /// <summary>Gets the buffered size at which a parked writer resumes.</summary>
    public int LowWaterMark { get; }

    /// <summary>Gets the state of the sending part.</summary>
    public SendStreamState State { get; private set; }

    /// <summary>Gets a value indicating whether the sending part is finished: all data acknowledged, or the reset acknowledged.</summary>
    public bool IsFinished => State is SendStreamState.DataRecvd or SendStreamState.ResetRecvd;

    /// <summary>Gets the bytes written and not yet acknowledged.</summary>
    public long BufferedBytes
    {
        get
        {
            lock (_lock)
            {
                return _writeOffset - _ackedOffset;
            }
        }
    }

    /// <summary>Gets how many pooled segments the stream holds (they return to the pool as data is acknowledged).</summary>
    public int HeldSegments
    {
        get
        {
            lock (_lock)
            {
                return _segmentCount;
            }
        }
    }

    /// <summary>Gets the total bytes written by the application.</summary>
    public long WrittenBytes
    {
        get
        {
            lock (_lock)
            {
                return _writeOffset;
            }
        }
    }

    /// <summary>Gets the highest offset sent so far (the flow-control credit consumed, and the final size of a reset).</summary>
    public long SentOffset
    {
        get
        {
            lock (_lock)
            {
                return _sendOffset;
            }
        }
    }

    /// <summary>Gets the peer's current MAX_STREAM_DATA.</summary>
    public long MaxStreamData
    {
        get
        {
            lock (_lock)
            {
                return _maxStreamData;
            }
        }
    }

    /// <summary>Gets the final size once the application completed its writes, or −1.</summary>
    public long FinalSize
    {
        get
        {
            lock (_lock)
            {
                return _finalSize;
            }
        }
    }

    /// <summary>Gets a value indicating whether lost data, new data within the peer's limit, or a FIN is waiting to be sent.</summary>
    public bool HasDataToSend
    {
        get
        {
            lock (_lock)
            {
                return IsActive && (!_lost.IsEmpty || Math.Min(_maxStreamData, _writeOffset) > _sendOffset || FinPending);
            }
        }
    }

    /// <summary>Gets a value indicating whether unsent data is held back by the peer's MAX_STREAM_DATA.</summary>
    public bool IsFlowControlBlocked
    {
        get
        {
            lock (_lock)
            {
                return IsActive && _writeOffset > _sendOffset && _sendOffset >= _maxStreamData;
            }
        }
    }

    private bool IsActive => State is SendStreamState.Ready or SendStreamState.Send or SendStreamState.DataSent;

    private bool FinPending => _finalSize >= 0 && _sendOffset == _finalSize && (!_finSent || _finLost);

    /// <summary>Appends as much of <paramref name="data"/> as the buffer budget allows, without waiting.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>The number of bytes accepted.</returns>
    /// <exception cref="InvalidOperationException">Writes were completed.</exception>
    /// <exception cref="QuicStreamAbortedException">The stream was reset.</exception>
    public int TryWrite(ReadOnlySpan<byte> data)
    {
        int n;
        lock (_lock)
        {
            ThrowIfNotWritable();
            n = AppendCore(data);
        }

        DataAvailable?.Invoke();
        return n;
    }

    /// <summary>Gets or sets a callback run (outside the lock) after the application buffered data or completed
    /// its writes, so that the connection can schedule sending.</summary>
    public Action? DataAvailable { get; set; }

    /// <summary>
    /// Writes all of <paramref name="data"/>, waiting while the buffer is at its high-water mark, and optionally
    /// completes the writes (the last STREAM frame then carries the FIN).
    /// </summary>
    /// <param name="data">The bytes.</param>
    /// <param name="completeWrites">Whether this is the last write.</param>
    /// <param name="cancellationToken">Cancels a wait for buffer space; bytes already accepted stay buffered.</param>
    /// <returns>A task that completes when every byte is buffered.</returns>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))] // a write that waits allocates no state machine box
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, bool completeWrites = false, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            ValueTask wait;
            lock (_lock)
            {
                ThrowIfNotWritable();
                int n = AppendCore(data.Span);
                data = data[n..];
                if (data.IsEmpty)
                {
                    if (completeWrites)
                    {
                        _finalSize = _writeOffset;
                    }

                    break;
                }

                cancellationToken.ThrowIfCancellationRequested();
                wait = _writer.WaitAsync(cancellationToken);
            }

            DataAvailable?.Invoke();
            await wait.ConfigureAwait(false);
        }

        DataAvailable?.Invoke();
    }

    /// <summary>Marks the end of the data: the FIN goes with the last byte (or alone if everything was sent).</summary>
    public void CompleteWrites()
    {
        lock (_lock)
        {
            if (_finalSize < 0 && IsActive)
            {
                _finalSize = _writeOffset;
            }
        }

        DataAvailable?.Invoke();
    }

    /// <summary>
    /// Takes the next chunk to send and marks it sent: lost data first (lowest offset first), then new data within
    /// the peer's MAX_STREAM_DATA and the connection credit, then a FIN alone.
    /// </summary>
    /// <param name="maxLength">The most bytes that fit in the frame.</param>
    /// <param name="connectionCredit">The connection-level credit left (MAX_DATA); it limits only new data.</param>
    /// <param name="chunk">The chunk; copy its bytes with <see cref="CopyTo"/> before acknowledgements are processed.</param>
    /// <returns><see langword="false"/> if there is nothing to send.</returns>
    public bool TryTakeNextChunk(int maxLength, long connectionCredit, out StreamChunk chunk)
    {
        lock (_lock)
        {
            chunk = default;
            if (!IsActive || maxLength < 0)
            {
                return false;
            }

            if (!_lost.IsEmpty && maxLength > 0)
            {
                ValueRange r = _lost[0];
                int length = (int)Math.Min((long)r.Length, maxLength);
                long start = (long)r.Start;
                _lost.Remove(r.Start, r.Start + (ulong)length);
                bool fin = _finLost && start + length == _finalSize;
                if (fin)
                {
                    _finLost = false;
                }

                chunk = new StreamChunk(start, length, fin, IsRetransmission: true);
                return true;
            }

            long available = Math.Min(_maxStreamData, _writeOffset) - _sendOffset;
            int fresh = (int)Math.Max(0, Math.Min(Math.Min(available, connectionCredit), maxLength));
            bool finNow = _finalSize >= 0 && _sendOffset + fresh == _finalSize && (!_finSent || _finLost);
            if (fresh == 0 && !finNow)
            {
                return false;
            }

            chunk = new StreamChunk(_sendOffset, fresh, finNow, IsRetransmission: fresh == 0 && _finSent);
            _sendOffset += fresh;
            if (finNow)
            {
                _finSent = true;
                _finLost = false;
            }

            State = _finSent && _sendOffset == _finalSize ? SendStreamState.DataSent : SendStreamState.Send;
            return true;
        }
    }

    /// <summary>Copies buffered bytes (sent and not yet acknowledged) into a packet.</summary>
    /// <param name="offset">The stream offset of the first byte.</param>
    /// <param name="destination">Where to copy; its length is the byte count.</param>
    public void CopyTo(long offset, Span<byte> destination)
    {
        lock (_lock)
        {
            if (offset < _ackedOffset || offset + destination.Length > _writeOffset)
            {
                throw new ArgumentOutOfRangeException(nameof(offset), "The range is not buffered.");
            }

            while (!destination.IsEmpty)
            {
                long segment = offset >> SegmentShift;
                int within = (int)(offset & (SegmentSize - 1));
                byte[] bytes = SegmentAt(segment);
                int n = Math.Min(destination.Length, SegmentSize - within);
                bytes.AsSpan(within, n).CopyTo(destination);
                destination = destination[n..];
                offset += n;
            }
        }
    }

    /// <summary>Records that a STREAM frame was acknowledged: its bytes are freed once every byte below them is too.</summary>
    /// <param name="offset">The frame's offset.</param>
    /// <param name="length">Its length.</param>
    /// <param name="fin">Whether it carried the FIN.</param>
    public void OnAcked(long offset, int length, bool fin)
    {
        lock (_lock)
        {
            if (!IsActive)
            {
                return;
            }

            if (fin)
            {
                _finAcked = true;
                _finLost = false;
            }

            if (length > 0)
            {
                _acked.Add((ulong)offset, (ulong)(offset + length));
                _lost.Remove((ulong)offset, (ulong)(offset + length));
            }

            while (!_acked.IsEmpty && (long)_acked.Min <= _ackedOffset)
            {
                _ackedOffset = Math.Max(_ackedOffset, (long)_acked.PopMin().End);
            }

            FreeAcknowledgedSegments();
            if (_finAcked && _ackedOffset == _finalSize)
            {
                State = SendStreamState.DataRecvd;
                // Everything is acknowledged: the last, partly filled segment goes back to the pool too. Without
                // this every completed stream dropped one 16 KiB rented segment, and the pool allocated anew.
                ReleaseBuffers();
            }

            if (_writeOffset - _ackedOffset <= LowWaterMark)
            {
                _writer.Signal();
            }
        }
    }

    /// <summary>Records that a STREAM frame was lost: the bytes not acknowledged since are queued for retransmission.</summary>
    /// <param name="offset">The frame's offset.</param>
    /// <param name="length">Its length.</param>
    /// <param name="fin">Whether it carried the FIN.</param>
    public void OnLost(long offset, int length, bool fin)
    {
        lock (_lock)
        {
            if (!IsActive)
            {
                return;
            }

            if (fin && !_finAcked)
            {
                _finLost = true;
            }

            long start = Math.Max(offset, _ackedOffset);
            long end = offset + length;
            if (start >= end)
            {
                return;
            }

            _lost.Add((ulong)start, (ulong)end);
            ulong cursor = (ulong)start;
            while (_acked.TryGetFirstRangeEndingAbove(cursor, out ValueRange r) && r.Start < (ulong)end)
            {
                _lost.Remove(r.Start, r.End);
                cursor = r.End;
            }
        }
    }

    /// <summary>Applies a MAX_STREAM_DATA frame (or the initial transport parameter); the limit never decreases.</summary>
    /// <param name="maxStreamData">The new limit.</param>
    /// <returns><see langword="true"/> if the limit grew.</returns>
    public bool OnMaxStreamData(long maxStreamData)
    {
        lock (_lock)
        {
            if (maxStreamData <= _maxStreamData)
            {
                return false;
            }

            _maxStreamData = maxStreamData;
            return true;
        }
    }

    /// <summary>
    /// Tells whether to send STREAM_DATA_BLOCKED: data is held back by the peer's limit, and the frame was not yet sent
    /// for this limit value (once per value, RFC 9000, section 4.1).
    /// </summary>
    /// <param name="limit">The limit to report.</param>
    /// <returns><see langword="true"/> if the frame should be sent now.</returns>
    public bool TryTakeStreamDataBlocked(out long limit)
    {
        lock (_lock)
        {
            limit = _maxStreamData;
            if (IsActive && _writeOffset > _sendOffset && _sendOffset >= _maxStreamData && _blockedReportedLimit != _maxStreamData)
            {
                _blockedReportedLimit = _maxStreamData;
                return true;
            }

            return false;
        }
    }

    /// <summary>
    /// Abandons sending (the application aborted, or the peer sent STOP_SENDING): frees the buffer, fails a parked
    /// writer, and returns the final size to put in RESET_STREAM.
    /// </summary>
    /// <param name="applicationErrorCode">The error code for RESET_STREAM and for the writer's exception.</param>
    /// <param name="finalSize">The final size: the highest offset sent.</param>
    /// <returns><see langword="false"/> if the stream is already reset or fully acknowledged (send no RESET_STREAM).</returns>
    public bool Reset(long applicationErrorCode, out long finalSize)
    {
        lock (_lock)
        {
            finalSize = _sendOffset;
            if (!IsActive)
            {
                return false;
            }

            State = SendStreamState.ResetSent;
            _abortException = new QuicStreamAbortedException(applicationErrorCode, $"The stream's writes were aborted with error code {applicationErrorCode}.");
            ReleaseBuffers();
            _writer.Fail(_abortException);
            return true;
        }
    }

    /// <summary>Records that our RESET_STREAM was acknowledged.</summary>
    public void OnResetAcked()
    {
        lock (_lock)
        {
            if (State == SendStreamState.ResetSent)
            {
                State = SendStreamState.ResetRecvd;
            }
        }
    }

    /// <summary>Returns every buffer to the pool (the connection is gone). The stream is unusable afterwards.</summary>
    /// <param name="exception">The exception a parked writer observes.</param>
    public void Abort(Exception exception)
    {
        lock (_lock)
        {
            _abortException ??= exception;
            if (IsActive)
            {
                State = SendStreamState.ResetRecvd;
            }

            ReleaseBuffers();
            _writer.Fail(exception);
        }
    }

    private void ThrowIfNotWritable()
    {
        if (_abortException is not null)
        {
            throw _abortException;
        }

        if (_finalSize >= 0 || !IsActive)
        {
            throw new InvalidOperationException("Writes on this stream were completed.");
        }
    }

    private int AppendCore(ReadOnlySpan<byte> data)
    {
        long room = HighWaterMark - (_writeOffset - _ackedOffset);
        int total = (int)Math.Max(0, Math.Min(room, data.Length));
        data = data[..total];
        while (!data.IsEmpty)
        {
            long segment = _writeOffset >> SegmentShift;
            if (_segmentCount == 0)
            {
                _firstSegment = segment;
            }

            if (segment >= _firstSegment + _segmentCount)
            {
                PushSegment(ArrayPool<byte>.Shared.Rent(SegmentSize));
            }

            int within = (int)(_writeOffset & (SegmentSize - 1));
            int n = Math.Min(data.Length, SegmentSize - within);
            data[..n].CopyTo(SegmentAt(segment).AsSpan(within));
            data = data[n..];
            _writeOffset += n;
        }

        return total;
    }

    private byte[] SegmentAt(long segment)
        => _segments[(_segmentHead + (int)(segment - _firstSegment)) & (_segments.Length - 1)]!;

    private void PushSegment(byte[] segment)
    {
        if (_segmentCount == _segments.Length)
        {
            var bigger = new byte[]?[_segments.Length * 2];
            for (int i = 0; i < _segmentCount; i++)
            {
                bigger[i] = _segments[(_segmentHead + i) & (_segments.Length - 1)];
            }

            _segments = bigger;
            _segmentHead = 0;
        }

        _segments[(_segmentHead + _segmentCount) & (_segments.Length - 1)] = segment;
        _segmentCount++;
    }

    private void FreeAcknowledgedSegments()
    {
        long firstNeeded = _ackedOffset >> SegmentShift;
        while (_segmentCount > 0 && _firstSegment < firstNeeded)
        {
            ArrayPool<byte>.Shared.Return(_segments[_segmentHead]!);
            _segments[_segmentHead] = null;
            _segmentHead = (_segmentHead + 1) & (_segments.Length - 1);
            _segmentCount--;
            _firstSegment++;
        }
    }

    private void ReleaseBuffers()
    {
        while (_segmentCount > 0)
        {
            ArrayPool<byte>.Shared.Return(_segments[_segmentHead]!);
            _segments[_segmentHead] = null;
            _segmentHead = (_segmentHead + 1) & (_segments.Length - 1);
            _segmentCount--;
        }

        _lost.Clear();
        _acked.Clear();
    }
}
