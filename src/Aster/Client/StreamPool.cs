using Aster.Framing;
using Aster.Transport;

namespace Aster.Client;

/// <summary>A stream a client may reuse for successive unary calls, with its frame reader (leftover bytes carry over).</summary>
internal sealed class ClientStream
{
    public ClientStream(IRpcStream stream, int maxFrameLength)
    {
        Stream = stream;
        Reader = new FrameStreamReader(stream.Input, maxFrameLength);
    }

    public IRpcStream Stream { get; }

    public FrameStreamReader Reader { get; }
}

/// <summary>
/// Pooled streams of one connection for unary calls (wire-protocol.md 3.2): at most <c>capacity</c> streams in use or
/// idle; idle streams are reused newest first; waiters are served first come, first served and give up after a timeout.
/// </summary>
internal sealed class StreamPool
{
    /// <summary>The reference clients' shared pool size (wire-protocol.md 3.2).</summary>
    public const int ReferenceSharedCapacity = 8;

    /// <summary>The automatic shared pool size for a peer that allows <see cref="LargePeerStreamLimit"/> streams or more.</summary>
    public const int LargePeerSharedCapacity = 64;

    /// <summary>The peer stream limit from which the automatic size is <see cref="LargePeerSharedCapacity"/> (iroh's default).</summary>
    public const int LargePeerStreamLimit = 100;

    private readonly IRpcConnection _connection;
    private readonly int _capacity;
    private readonly int _maxFrameLength;
    private readonly Stack<ClientStream> _idle = new();
    private readonly LinkedList<TaskCompletionSource<ClientStream?>> _waiters = new();
    private int _count;

    public StreamPool(IRpcConnection connection, int capacity, int maxFrameLength)
    {
        _connection = connection;
        _capacity = capacity;
        _maxFrameLength = maxFrameLength;
    }

    /// <summary>Gets the most streams this pool holds, in use or idle.</summary>
    public int Capacity => _capacity;

    /// <summary>
    /// The shared pool's capacity: <paramref name="configured"/>, or automatically 64 for a peer allowing at least 100
    /// concurrent streams and 8 otherwise (or when the transport does not say); never above the peer's limit
    /// (wire-protocol.md 3.3) and never below 1.
    /// </summary>
    public static int SharedCapacity(int? configured, int? peerStreamLimit)
    {
        if (configured is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(configured), configured, "The shared stream pool needs at least one stream.");
        }

        int size = configured ?? (peerStreamLimit >= LargePeerStreamLimit ? LargePeerSharedCapacity : ReferenceSharedCapacity);
        return peerStreamLimit is { } limit ? Math.Max(1, Math.Min(size, limit)) : size;
    }

    /// <summary>Takes an idle stream, opens a new one, or waits for one to be returned.</summary>
    /// <exception cref="RpcException">UNAVAILABLE <c>stream acquire failed: …</c>.</exception>
    public async ValueTask<ClientStream> AcquireAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        TaskCompletionSource<ClientStream?>? waiter = null;
        LinkedListNode<TaskCompletionSource<ClientStream?>>? node = null;
        lock (_idle)
        {
            if (_idle.TryPop(out ClientStream? idle))
            {
                return idle;
            }

            if (_count < _capacity)
            {
                _count++;
            }
            else
            {
                waiter = new TaskCompletionSource<ClientStream?>(TaskCreationOptions.RunContinuationsAsynchronously);
                node = _waiters.AddLast(waiter);
            }
        }

        if (waiter is not null)
        {
            ClientStream? handed;
            try
            {
                handed = await waiter.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                if (!RemoveWaiter(node!))
                {
                    // A stream was handed over just as the wait ran out: keep it.
                    return await TakeHandedAsync(await waiter.Task.ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                }

                throw new RpcException(StatusCode.Unavailable, "stream acquire failed: timeout");
            }
            catch (OperationCanceledException)
            {
                if (!RemoveWaiter(node!))
                {
                    Return(await waiter.Task.ConfigureAwait(false));
                }

                throw;
            }

            return await TakeHandedAsync(handed, cancellationToken).ConfigureAwait(false);
        }

        return await OpenAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Returns a stream whose call ended with a trailer; it is reused.</summary>
    public void Return(ClientStream? stream)
    {
        TaskCompletionSource<ClientStream?>? waiter;
        lock (_idle)
        {
            waiter = TakeWaiter();
            if (waiter is null)
            {
                if (stream is null)
                {
                    _count--;
                }
                else
                {
                    _idle.Push(stream);
                }

                return;
            }
        }

        waiter.TrySetResult(stream);
    }

    /// <summary>Drops a stream after an error, cancellation or protocol surprise; its slot becomes free.</summary>
    public void Discard(ClientStream stream)
    {
        stream.Stream.Abort(0);
        _ = stream.Stream.DisposeAsync().AsTask();
        Return(null);
    }

    private async ValueTask<ClientStream> TakeHandedAsync(ClientStream? handed, CancellationToken cancellationToken)
        => handed ?? await OpenAsync(cancellationToken).ConfigureAwait(false);

    private async ValueTask<ClientStream> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            IRpcStream stream = await _connection.OpenStreamAsync(cancellationToken).ConfigureAwait(false);
            return new ClientStream(stream, _maxFrameLength);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Return(null);
            throw new RpcException(StatusCode.Unavailable, $"stream acquire failed: {ex.Message}", ex);
        }
        catch (OperationCanceledException)
        {
            Return(null);
            throw;
        }
    }

    private TaskCompletionSource<ClientStream?>? TakeWaiter()
    {
        LinkedListNode<TaskCompletionSource<ClientStream?>>? first = _waiters.First;
        if (first is null)
        {
            return null;
        }

        _waiters.RemoveFirst();
        return first.Value;
    }

    private bool RemoveWaiter(LinkedListNode<TaskCompletionSource<ClientStream?>> node)
    {
        lock (_idle)
        {
            if (node.List is not null)
            {
                _waiters.Remove(node);
                return true;
            }
        }

        // Already taken by Return, which completes the waiter outside the lock.
        return false;
    }
}
