using System.Runtime.CompilerServices;
using Aster.Net.Quic.Connection;
using Aster.Net.Quic.Streams;

namespace Aster.Net.Quic;

/// <summary>A QUIC stream: bidirectional, or one direction of a unidirectional stream.</summary>
public sealed class AsterStream : Stream
{
    private readonly QuicStreamCore _core;
    private int _disposed;

    internal AsterStream(QuicStreamCore core)
    {
        _core = core;
    }

    /// <summary>Gets the QUIC stream id.</summary>
    public long Id => _core.Id;

    /// <inheritdoc/>
    public override bool CanRead => _core.Receive is not null;

    /// <inheritdoc/>
    public override bool CanWrite => _core.Send is not null;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <summary>Gets a task that completes when the peer's data was read to its end, or faults when the read side was
    /// reset, stopped or the connection failed.</summary>
    public Task ReadsClosed => _core.ReadsClosed.Task;

    /// <summary>Gets a task that completes when the peer acknowledged all written data and the FIN, or faults when the
    /// write side was aborted or the connection failed.</summary>
    public Task WritesClosed => _core.WritesClosed.Task;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ReceiveStream receive = _core.Receive ?? throw new InvalidOperationException("This stream cannot be read.");
        try
        {
            int n = await receive.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            bool ended = n == 0 && !buffer.IsEmpty;
            _core.Connection.OnApplicationRead(_core, ended);
            if (ended)
            {
                _core.ReadsClosed.TrySetResult();
            }

            return n;
        }
        catch (QuicStreamAbortedException ex)
        {
            throw new TransportException(TransportErrorReason.StreamAborted, (ulong)ex.ApplicationErrorCode, ex.Message);
        }
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        WriteAsync(buffer, false, cancellationToken);

    /// <summary>Writes <paramref name="buffer"/> and optionally completes the writes (FIN with the last byte).</summary>
    /// <param name="buffer">The bytes.</param>
    /// <param name="completeWrites">Whether this is the last write.</param>
    /// <param name="cancellationToken">Cancels a wait for buffer space.</param>
    /// <returns>A task that completes when the bytes are buffered.</returns>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, bool completeWrites, CancellationToken cancellationToken = default)
    {
        SendStream send = _core.Send ?? throw new InvalidOperationException("This stream cannot be written.");
        try
        {
            await send.WriteAsync(buffer, completeWrites, cancellationToken).ConfigureAwait(false);
        }
        catch (QuicStreamAbortedException ex)
        {
            throw new TransportException(TransportErrorReason.StreamAborted, (ulong)ex.ApplicationErrorCode, ex.Message);
        }
    }

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), false, cancellationToken).AsTask();

    /// <summary>Marks the end of the data written (sends FIN).</summary>
    public void CompleteWrites() => (_core.Send ?? throw new InvalidOperationException("This stream cannot be written.")).CompleteWrites();

    /// <summary>Aborts the given directions with an application error code (RESET_STREAM / STOP_SENDING).</summary>
    /// <param name="direction">Which directions.</param>
    /// <param name="errorCode">The application error code.</param>
    public void Abort(StreamAbortDirection direction, long errorCode) =>
        _core.Connection.AbortStream(_core, (direction & StreamAbortDirection.Write) != 0, (direction & StreamAbortDirection.Read) != 0, errorCode);

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count), false).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            if (_core.Send is { IsFinished: false })
            {
                try
                {
                    _core.Send.CompleteWrites();
                }
                catch (InvalidOperationException)
                {
                    // Already reset or aborted.
                }
            }

            if (_core.Receive is { IsFinished: false })
            {
                _core.Connection.AbortStream(_core, false, true, 0);
            }
        }

        base.Dispose(disposing);
    }
}
