using System.Buffers;
using System.IO.Pipelines;
using Aster.Net.Quic;

namespace Aster.Transport;

/// <summary>
/// The send side of a QUIC stream as a <see cref="PipeWriter"/>, without a pipe: frames collect in one pooled buffer,
/// and <see cref="FlushAsync"/> hands them to the stream's send buffer on the caller's thread. A pipe with a pump task
/// cost a thread-pool hop per flush (the pump woke, then woke the connection), a <see cref="Pipe"/> and a task per
/// stream; the bytes were copied the same number of times.
/// </summary>
/// <remarks>
/// <para>Completing without an error sends the last bytes with the FIN; with an error, the send side is reset (code
/// 0, or the code of a <see cref="StreamResetException"/>, whose reset the caller already sent). When the peer stops
/// reading or the connection closes, flushes report <see cref="FlushResult.IsCompleted"/> and later bytes are
/// dropped, as a completed pipe reader made them do.</para>
/// <para>One writer at a time, as for any <see cref="PipeWriter"/>. A flush waits only while the stream holds its
/// high-water mark of unacknowledged bytes (1 MiB); the buffer is not touched while a flush is in progress.</para>
/// </remarks>
internal sealed class QuicStreamWriter(AsterStream stream) : PipeWriter
{
    private const int MinimumSegment = 4096;
    private byte[] _buffer = [];
    private int _written;
    private bool _peerGone;
    private int _completed;
    private int _graceful;

    /// <summary>Gets a value indicating whether the writer was completed without an error (a FIN was requested).</summary>
    public bool CompletedGracefully => Volatile.Read(ref _graceful) != 0;

    /// <inheritdoc/>
    public override bool CanGetUnflushedBytes => true;

    /// <inheritdoc/>
    public override long UnflushedBytes => _written;

    /// <inheritdoc/>
    public override void Advance(int bytes)
    {
        ThrowIfCompleted();

        if ((uint)bytes > (uint)(_buffer.Length - _written))
        {
            throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "More bytes than the memory handed out.");
        }

        _written += bytes;
    }

    /// <inheritdoc/>
    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    /// <inheritdoc/>
    public override Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <inheritdoc/>
    public override void CancelPendingFlush()
    {
        // Flushes are not parked on a pipe; a flush waiting for stream buffer space is cancelled by its token.
    }

    /// <inheritdoc/>
    public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfCompleted();

        bool sent = await SendAsync(completeWrites: false, cancellationToken).ConfigureAwait(false);
        return new FlushResult(isCanceled: false, isCompleted: !sent);
    }

    /// <inheritdoc/>
    public override void Complete(Exception? exception = null)
    {
        if (exception is not null || _written == 0)
        {
            CompleteCore(exception);
            return;
        }

        // Bytes are waiting: send them with the FIN. This almost never waits (only at the stream's high-water mark).
        CompleteAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <inheritdoc/>
    public override async ValueTask CompleteAsync(Exception? exception = null)
    {
        if (exception is not null)
        {
            CompleteCore(exception);
            return;
        }

        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return;
        }

        Volatile.Write(ref _graceful, 1);
        await SendAsync(completeWrites: true, CancellationToken.None).ConfigureAwait(false);
        ReturnBuffer();
    }

    private void CompleteCore(Exception? exception)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return;
        }

        if (exception is null)
        {
            Volatile.Write(ref _graceful, 1);
            if (!_peerGone)
            {
                TryFinish(() => stream.CompleteWrites());
            }
        }
        else if (exception is not StreamResetException)
        {
            TryFinish(() => stream.Abort(StreamAbortDirection.Write, 0));
        }

        // The buffer is left to the collector: another thread may be inside a flush that reads it.
        _buffer = [];
        _written = 0;
    }

    /// <summary>Hands the buffered bytes (and the FIN) to the stream; false when the peer no longer takes data.</summary>
    private async ValueTask<bool> SendAsync(bool completeWrites, CancellationToken cancellationToken)
    {
        if (_peerGone)
        {
            _written = 0;
            return false;
        }

        if (_written == 0 && !completeWrites)
        {
            return true;
        }

        try
        {
            await stream.WriteAsync(_buffer.AsMemory(0, _written), completeWrites, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            // The peer stopped reading, the stream was reset or the connection closed.
            _peerGone = true;
            return false;
        }
        finally
        {
            _written = 0;
        }
    }

    private void Ensure(int sizeHint)
    {
        ThrowIfCompleted();

        int needed = _written + Math.Max(sizeHint, 1);
        if (needed <= _buffer.Length)
        {
            return;
        }

        byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(MinimumSegment, _buffer.Length * 2)));
        _buffer.AsSpan(0, _written).CopyTo(bigger);
        ReturnBuffer();
        _buffer = bigger;
    }

    private void ThrowIfCompleted()
    {
        if (Volatile.Read(ref _completed) != 0)
        {
            throw new InvalidOperationException("Writing is not allowed after the writer was completed.");
        }
    }

    private void ReturnBuffer()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = [];
    }

    private static void TryFinish(Action finish)
    {
        try
        {
            finish();
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            // Already reset, finished or gone.
        }
    }
}
