using System.Buffers;
using System.Runtime.CompilerServices;
using Aster.Net.Quic.Recovery;

namespace Aster.Net.Quic.Streams;

/// <summary>The receiving part of a stream (RFC 9000, section 3.2).</summary>
internal enum ReceiveStreamState
{
    /// <summary>Receiving data; the final size is unknown.</summary>
    Recv = 0,

    /// <summary>The FIN arrived; the final size is known.</summary>
    SizeKnown = 1,

    /// <summary>Every byte up to the final size arrived.</summary>
    DataRecvd = 2,

    /// <summary>The application read everything (terminal).</summary>
    DataRead = 3,

    /// <summary>RESET_STREAM arrived.</summary>
    ResetRecvd = 4,

    /// <summary>The application saw the reset (terminal).</summary>
    ResetRead = 5,
}

/// <summary>
/// The receive buffer, reassembler and receive-side state of one stream: STREAM frame data arrives at any offset, in
/// any order, duplicated or overlapping; the application reads it in order.
/// </summary>
/// <remarks>
/// <para><b>Limits.</b> Data beyond the MAX_STREAM_DATA we advertised is FLOW_CONTROL_ERROR, so no more than one
/// window is ever buffered. A final size that changes, data beyond it, or a final size below data already received is
/// FINAL_SIZE_ERROR. Growth of the highest offset is charged to the connection's
/// <see cref="ConnectionReceiveFlowControl"/>, which raises FLOW_CONTROL_ERROR for MAX_DATA.</para>
/// <para><b>Storage.</b> Each gap filled by a frame is copied once into an array rented from a pool of packet-size
/// arrays shared by all streams; bytes already held are never copied again. <see cref="TryPeek"/> hands out the
/// stored bytes without copying; the memory is valid until <see cref="Advance"/>.</para>
/// <para><b>Window updates.</b> MAX_STREAM_DATA is raised to consumed + window once half a window was consumed since
/// the last update (<see cref="TryTakeMaxStreamDataUpdate"/>); none are sent once the final size is known.</para>
/// <para><b>Threads.</b> The connection inserts; the application reads (one read at a time). One lock guards the state;
/// a reader with nothing to read parks on a reusable <see cref="AsyncSignal"/>.</para>
/// </remarks>
internal sealed class ReceiveStream
{
    private const int ChunkPoolMaxArrayLength = 2048;
    private const int ChunkPoolArraysPerSize = 2048;

    /// <summary>
    /// Arrays for received chunks (one per STREAM frame, packet-sized). Not <see cref="ArrayPool{T}.Shared"/>: the
    /// connection rents on the receive thread and the application returns on another, with up to a window of chunks
    /// (about 900 at 1.25 MB) in between, far beyond what its per-core caches hold, so a bulk transfer allocated an
    /// array per datagram. Bounded: at most <see cref="ChunkPoolArraysPerSize"/> arrays of each size are kept.
    /// </summary>
    private static readonly ArrayPool<byte> _chunkPool = ArrayPool<byte>.Create(ChunkPoolMaxArrayLength, ChunkPoolArraysPerSize);

    private readonly Lock _lock = new();
    // Chunks ordered by offset; those before _chunkHead are consumed and compacted away in batches, so reading in
    // order costs O(1) per chunk however many chunks are buffered.
    private readonly List<Chunk> _chunks = [];
    private int _chunkHead;
    private long _bufferedBytes;
    private readonly RangeSet _received = new();
    private readonly AsyncSignal _reader = new();
    private readonly ConnectionReceiveFlowControl? _connection;
    private long _readOffset;
    private long _highestReceived;
    private long _finalSize = -1;
    private long _maxStreamData;
    private bool _readAborted;
    private long _resetErrorCode;

    /// <summary>Initializes a new instance of the <see cref="ReceiveStream"/> class.</summary>
    /// <param name="window">Our initial_max_stream_data for this stream, kept as the window.</param>
    /// <param name="connection">The connection-level flow control to charge, if any.</param>
    public ReceiveStream(long window, ConnectionReceiveFlowControl? connection = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        Window = window;
        _maxStreamData = window;
        _connection = connection;
    }

    /// <summary>Gets the window.</summary>
    public long Window { get; }

    /// <summary>Gets the state of the receiving part.</summary>
    public ReceiveStreamState State { get; private set; }

    /// <summary>Gets the MAX_STREAM_DATA currently advertised (resend this value if a MAX_STREAM_DATA frame is lost).</summary>
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

    /// <summary>Gets the offset of the next byte the application will read.</summary>
    public long ReadOffset
    {
        get
        {
            lock (_lock)
            {
                return _readOffset;
            }
        }
    }

    /// <summary>Gets the highest offset received (the flow-control credit the peer consumed).</summary>
    public long HighestReceived
    {
        get
        {
            lock (_lock)
            {
                return _highestReceived;
            }
        }
    }

    /// <summary>Gets the final size, or −1 while unknown.</summary>
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

    /// <summary>Gets the bytes held in the buffer (received, not yet read).</summary>
    public long BufferedBytes
    {
        get
        {
            lock (_lock)
            {
                return _bufferedBytes;
            }
        }
    }

    /// <summary>
    /// Gets a value indicating whether the receiving part is finished: everything was read, the reset was seen or
    /// received, or reads were aborted and the peer's final size reached. With the sending part finished too, the
    /// stream can be released (and, for a peer stream, counted by <see cref="RemoteStreamLimit.OnStreamClosed"/>).
    /// </summary>
    public bool IsFinished
    {
        get
        {
            lock (_lock)
            {
                return State is ReceiveStreamState.DataRead or ReceiveStreamState.ResetRecvd or ReceiveStreamState.ResetRead
                    || (_readAborted && _finalSize >= 0 && _highestReceived == _finalSize);
            }
        }
    }

    /// <summary>Gets a value indicating whether a MAX_STREAM_DATA update is due.</summary>
    public bool ShouldSendMaxStreamData
    {
        get
        {
            lock (_lock)
            {
                return UpdateDue;
            }
        }
    }

    private bool UpdateDue => _finalSize < 0 && !_readAborted && State == ReceiveStreamState.Recv
        && _readOffset + Window - _maxStreamData >= Window / 2;

    /// <summary>Processes a STREAM frame.</summary>
    /// <param name="offset">The frame's offset.</param>
    /// <param name="data">Its data (copied; the caller may reuse the packet buffer).</param>
    /// <param name="fin">Whether the FIN bit was set.</param>
    /// <returns>The growth of the highest received offset, already charged to the connection flow control.</returns>
    /// <exception cref="QuicStreamStateException">FLOW_CONTROL_ERROR or FINAL_SIZE_ERROR.</exception>
    public long OnStreamFrame(long offset, ReadOnlySpan<byte> data, bool fin)
    {
        lock (_lock)
        {
            if (offset < 0 || offset > StreamId.MaxVarInt - data.Length)
            {
                throw QuicStreamStateException.FlowControl($"Stream data at offset {offset} + {data.Length} exceeds 2^62 − 1.");
            }

            long end = offset + data.Length;
            long delta = CheckSizeAndCharge(end, fin);
            if (fin && _finalSize < 0)
            {
                _finalSize = end;
                if (State == ReceiveStreamState.Recv)
                {
                    State = ReceiveStreamState.SizeKnown;
                }
            }

            if (State is ReceiveStreamState.ResetRecvd or ReceiveStreamState.ResetRead)
            {
                return delta;
            }

            if (_readAborted)
            {
                // Nothing is delivered any more: everything received counts as consumed at once.
                long skipped = _highestReceived - _readOffset;
                _readOffset = _highestReceived;
                _connection?.OnConsumed(skipped);
                return delta;
            }

            long start = Math.Max(offset, _readOffset);
            if (start < end)
            {
                StoreGaps(start, end, data[(int)(start - offset)..]);
            }

            if (State == ReceiveStreamState.SizeKnown && _received.ContainsRange((ulong)_readOffset, (ulong)_finalSize))
            {
                State = ReceiveStreamState.DataRecvd;
            }

            if (HasReadableData || AtEnd)
            {
                _reader.Signal();
            }

            return delta;
        }
    }

    /// <summary>Processes a RESET_STREAM frame.</summary>
    /// <param name="finalSize">The final size it carries.</param>
    /// <param name="applicationErrorCode">Its application error code.</param>
    /// <returns>The growth of the highest received offset, already charged to the connection flow control.</returns>
    /// <exception cref="QuicStreamStateException">FLOW_CONTROL_ERROR or FINAL_SIZE_ERROR.</exception>
    public long OnResetStream(long finalSize, long applicationErrorCode)
    {
        lock (_lock)
        {
            if (finalSize < 0 || finalSize > StreamId.MaxVarInt)
            {
                throw QuicStreamStateException.FlowControl($"Final size {finalSize} is out of range.");
            }

            long delta = CheckSizeAndCharge(finalSize, fin: true);
            _finalSize = finalSize;
            if (State is ReceiveStreamState.DataRead or ReceiveStreamState.ResetRecvd or ReceiveStreamState.ResetRead)
            {
                return delta;
            }

            State = ReceiveStreamState.ResetRecvd;
            _resetErrorCode = applicationErrorCode;

            // Unread bytes will never be consumed: return their connection credit.
            _connection?.OnConsumed(finalSize - _readOffset);
            _readOffset = finalSize;
            ReleaseChunks();
            _reader.Fail(ResetException());
            return delta;
        }
    }

    /// <summary>Returns the next in-order bytes without copying them.</summary>
    /// <param name="data">The bytes; valid until <see cref="Advance"/>.</param>
    /// <returns><see langword="false"/> if no in-order byte is buffered.</returns>
    /// <exception cref="QuicStreamAbortedException">The peer reset the stream.</exception>
    public bool TryPeek(out ReadOnlyMemory<byte> data)
    {
        lock (_lock)
        {
            ThrowIfReset();
            if (HasReadableData)
            {
                Chunk c = _chunks[_chunkHead];
                data = new ReadOnlyMemory<byte>(c.Array, c.Start, c.Length);
                return true;
            }

            data = default;
            return false;
        }
    }

    /// <summary>Consumes bytes returned by <see cref="TryPeek"/>.</summary>
    /// <param name="count">The byte count, at most what was peeked.</param>
    public void Advance(int count)
    {
        lock (_lock)
        {
            if (count < 0 || count > (HasReadableData ? _chunks[_chunkHead].Length : 0))
            {
                throw new ArgumentOutOfRangeException(nameof(count));
            }

            ConsumeFirst(count);
        }
    }

    /// <summary>Copies in-order bytes into <paramref name="destination"/> without waiting.</summary>
    /// <param name="destination">The destination.</param>
    /// <returns>The bytes copied; 0 if none is available now (see <see cref="IsCompleted"/> for the end of the stream).</returns>
    /// <exception cref="QuicStreamAbortedException">The peer reset the stream.</exception>
    public int Read(Span<byte> destination)
    {
        lock (_lock)
        {
            ThrowIfReset();
            return ReadCore(destination);
        }
    }

    /// <summary>Gets a value indicating whether the application has read every byte up to the final size (never after a reset or an aborted read).</summary>
    public bool IsCompleted
    {
        get
        {
            lock (_lock)
            {
                return State == ReceiveStreamState.DataRead
                    || (AtEnd && !_readAborted && State is not (ReceiveStreamState.ResetRecvd or ReceiveStreamState.ResetRead));
            }
        }
    }

    /// <summary>Reads in-order bytes, waiting until some arrive; 0 means the end of the stream.</summary>
    /// <param name="destination">The destination.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The bytes read.</returns>
    /// <exception cref="QuicStreamAbortedException">The peer reset the stream.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // a read that waits allocates no state machine box
    public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            ValueTask wait;
            lock (_lock)
            {
                ThrowIfReset();
                int n = ReadCore(destination.Span);
                if (n > 0 || destination.IsEmpty)
                {
                    return n;
                }

                if (AtEnd)
                {
                    State = ReceiveStreamState.DataRead;
                    return 0;
                }

                cancellationToken.ThrowIfCancellationRequested();
                wait = _reader.WaitAsync(cancellationToken);
            }

            await wait.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stops reading (the application sends STOP_SENDING): buffered and future data is discarded and its connection
    /// credit returned at once.
    /// </summary>
    public void AbortRead()
    {
        lock (_lock)
        {
            if (_readAborted)
            {
                return;
            }

            _readAborted = true;
            _connection?.OnConsumed(_highestReceived - _readOffset);
            _readOffset = _highestReceived;
            ReleaseChunks();
            _reader.Fail(new QuicStreamAbortedException(0, "Reads on this stream were aborted."));
        }
    }

    /// <summary>Fails a parked or later reader with <paramref name="exception"/> (the connection is gone).</summary>
    /// <param name="exception">The exception the reader observes.</param>
    public void Abort(Exception exception)
    {
        lock (_lock)
        {
            _reader.Fail(exception);
        }
    }

    /// <summary>Raises MAX_STREAM_DATA to consumed + window if half a window was consumed since the last update.</summary>
    /// <param name="maxStreamData">The value to send.</param>
    /// <returns><see langword="true"/> if a MAX_STREAM_DATA frame should be sent now.</returns>
    public bool TryTakeMaxStreamDataUpdate(out long maxStreamData)
    {
        lock (_lock)
        {
            if (UpdateDue)
            {
                _maxStreamData = _readOffset + Window;
                maxStreamData = _maxStreamData;
                return true;
            }

            maxStreamData = _maxStreamData;
            return false;
        }
    }

    /// <summary>Raises the advertised limit directly (never lowers it); used by <see cref="CryptoReceiveBuffer"/>.</summary>
    /// <param name="maxStreamData">The new limit.</param>
    internal void RaiseLimit(long maxStreamData)
    {
        lock (_lock)
        {
            _maxStreamData = Math.Max(_maxStreamData, maxStreamData);
        }
    }

    private bool HasReadableData => _chunkHead < _chunks.Count && _chunks[_chunkHead].Offset == _readOffset;

    private bool AtEnd => _finalSize >= 0 && _readOffset == _finalSize;

    private long CheckSizeAndCharge(long end, bool fin)
    {
        if (_finalSize >= 0)
        {
            if (end > _finalSize || (fin && end != _finalSize))
            {
                throw QuicStreamStateException.FinalSize($"The final size was {_finalSize}; the peer now sent data or a final size of {end}.");
            }
        }
        else if (fin && end < _highestReceived)
        {
            throw QuicStreamStateException.FinalSize($"Final size {end} is below data already received up to {_highestReceived}.");
        }

        if (end > _maxStreamData)
        {
            throw QuicStreamStateException.FlowControl($"Stream data up to offset {end} exceeds MAX_STREAM_DATA {_maxStreamData}.");
        }

        long delta = Math.Max(0, end - _highestReceived);
        if (delta > 0)
        {
            _connection?.OnReceived(delta);
            _highestReceived = end;
        }

        return delta;
    }

    private void StoreGaps(long start, long end, ReadOnlySpan<byte> data)
    {
        // data[0] is the byte at offset start.
        long cursor = start;
        while (cursor < end)
        {
            long gapEnd = end;
            if (_received.TryGetFirstRangeEndingAbove((ulong)cursor, out ValueRange r))
            {
                if ((long)r.Start <= cursor)
                {
                    cursor = (long)r.End;
                    continue;
                }

                gapEnd = Math.Min(end, (long)r.Start);
            }

            int length = (int)(gapEnd - cursor);
            byte[] array = _chunkPool.Rent(length);
            data.Slice((int)(cursor - start), length).CopyTo(array);
            InsertChunk(new Chunk(cursor, array, 0, length));
            cursor = gapEnd;
        }

        _received.Add((ulong)start, (ulong)end);
    }

    private void InsertChunk(Chunk chunk)
    {
        _bufferedBytes += chunk.Length;
        if (_chunkHead == _chunks.Count || _chunks[^1].Offset < chunk.Offset)
        {
            _chunks.Add(chunk);
            return;
        }

        int lo = _chunkHead;
        int hi = _chunks.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_chunks[mid].Offset < chunk.Offset)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        _chunks.Insert(lo, chunk);
    }

    private int ReadCore(Span<byte> destination)
    {
        int total = 0;
        while (!destination.IsEmpty && HasReadableData)
        {
            Chunk c = _chunks[_chunkHead];
            int n = Math.Min(destination.Length, c.Length);
            c.Array.AsSpan(c.Start, n).CopyTo(destination);
            destination = destination[n..];
            total += n;
            ConsumeFirst(n);
        }

        return total;
    }

    private void ConsumeFirst(int count)
    {
        if (count == 0)
        {
            return;
        }

        Chunk c = _chunks[_chunkHead];
        if (count == c.Length)
        {
            _chunkPool.Return(c.Array);
            _chunks[_chunkHead] = default;
            _chunkHead++;
            if (_chunkHead == _chunks.Count)
            {
                _chunks.Clear();
                _chunkHead = 0;
            }
            else if (_chunkHead >= 32 && _chunkHead * 2 >= _chunks.Count)
            {
                _chunks.RemoveRange(0, _chunkHead);
                _chunkHead = 0;
            }
        }
        else
        {
            _chunks[_chunkHead] = new Chunk(c.Offset + count, c.Array, c.Start + count, c.Length - count);
        }

        _bufferedBytes -= count;

        _readOffset += count;
        _received.RemoveBelow((ulong)_readOffset);
        _connection?.OnConsumed(count);
        if (AtEnd && State == ReceiveStreamState.DataRecvd)
        {
            State = ReceiveStreamState.DataRead;
        }
    }

    private void ThrowIfReset()
    {
        if (State == ReceiveStreamState.ResetRecvd)
        {
            State = ReceiveStreamState.ResetRead;
            throw ResetException();
        }

        if (State == ReceiveStreamState.ResetRead)
        {
            throw ResetException();
        }

        if (_readAborted)
        {
            throw new QuicStreamAbortedException(0, "Reads on this stream were aborted.");
        }
    }

    private QuicStreamAbortedException ResetException()
        => new(_resetErrorCode, $"The peer reset the stream with error code {_resetErrorCode}.");

    private void ReleaseChunks()
    {
        for (int i = _chunkHead; i < _chunks.Count; i++)
        {
            _chunkPool.Return(_chunks[i].Array);
        }

        _chunks.Clear();
        _chunkHead = 0;
        _bufferedBytes = 0;
        _received.Clear();
    }

    private readonly record struct Chunk(long Offset, byte[] Array, int Start, int Length);
}
