using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Threading.Channels;
using Aster.Net.Identity;
using Aster.Transport;

namespace Aster.Trust.Mesh;

/// <summary>The frame kinds of our gossip link (docs/mesh.md).</summary>
internal enum MeshFrameKind : byte
{
    /// <summary>The sender's topic, credential and known member addresses.</summary>
    Hello = 1,

    /// <summary>A signed <see cref="ProducerMessage"/> envelope (trust.md 9.5).</summary>
    Message = 2,

    /// <summary>A root-signed salt rotation statement with its salt (trust.md 9.8), only ever sent to remaining members.</summary>
    Rotation = 3,
}

/// <summary>One received frame.</summary>
internal readonly record struct MeshFrame(MeshFrameKind Kind, byte[] Body);

/// <summary>A peer broke the link protocol.</summary>
internal sealed class MeshLinkException(string message) : IOException(message);

/// <summary>
/// One gossip link to another member: a QUIC connection on <see cref="MeshAlpns.Gossip"/> with one bidirectional
/// stream carrying frames <c>[kind u8][length u32 BE][body]</c> in both directions. Sending goes through a bounded
/// queue (a full queue drops the frame); the body of every frame is at most 64 KiB.
/// </summary>
internal sealed class MeshLink : IAsyncDisposable
{
    /// <summary>The largest frame body.</summary>
    public const int MaxBody = 64 * 1024;

    private const int HeaderLength = 5;
    private readonly IRpcStream _stream;
    private readonly Channel<byte[]> _outgoing;
    private readonly CancellationTokenSource _stop = new();
    private Task _stopping = Task.CompletedTask;
    private Task _closing = Task.CompletedTask;
    private long _dropped;
    private int _closed;

    public MeshLink(IRpcConnection connection, IRpcStream stream, EndpointId peer, bool outbound, int queueCapacity)
    {
        Connection = connection;
        _stream = stream;
        Peer = peer;
        PeerHex = peer.ToString();
        Outbound = outbound;
        _outgoing = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(queueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    public IRpcConnection Connection { get; }

    public EndpointId Peer { get; }

    public string PeerHex { get; }

    /// <summary>True when this node dialed the link (and owns the connection).</summary>
    public bool Outbound { get; }

    /// <summary>The topic the peer last announced in a hello; null before its first hello.</summary>
    public byte[]? PeerTopic { get; set; }

    /// <summary>Frames dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Queues a frame; false (and counted) when the queue is full or the link is closing.</summary>
    public bool TrySend(MeshFrameKind kind, ReadOnlySpan<byte> body)
    {
        if (body.Length > MaxBody)
        {
            throw new ArgumentException("A mesh frame body is at most 64 KiB.", nameof(body));
        }

        byte[] frame = new byte[HeaderLength + body.Length];
        frame[0] = (byte)kind;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)body.Length);
        body.CopyTo(frame.AsSpan(HeaderLength));
        if (_outgoing.Writer.TryWrite(frame))
        {
            return true;
        }

        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>Reads the next frame; null at the end of the stream.</summary>
    /// <exception cref="MeshLinkException">An unknown kind or an oversize frame.</exception>
    public async ValueTask<MeshFrame?> ReadFrameAsync(CancellationToken cancellationToken)
    {
        PipeReader input = _stream.Input;
        while (true)
        {
            ReadResult result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (TryParse(ref buffer, out MeshFrame frame))
            {
                input.AdvanceTo(buffer.Start);
                return frame;
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                input.AdvanceTo(buffer.End);
                return buffer.IsEmpty ? null : throw new MeshLinkException("the link ended inside a frame");
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>
    /// Runs the link until it ends: sends queued frames and hands every received frame to <paramref name="onFrame"/>.
    /// </summary>
    public async Task RunAsync(Func<MeshLink, MeshFrame, ValueTask> onFrame, CancellationToken cancellationToken)
    {
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token, Connection.Closed);
        Task writer = WriteLoopAsync(linked.Token);
        try
        {
            while (await ReadFrameAsync(linked.Token).ConfigureAwait(false) is MeshFrame frame)
            {
                await onFrame(this, frame).ConfigureAwait(false);
                if (IsClosed)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException or ObjectDisposedException)
        {
            // The link ended: closed by either side, reset, or a protocol violation (already logged by the caller).
        }
        finally
        {
            _outgoing.Writer.TryComplete();
            await _stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await writer.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException or ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>
    /// Stops sending: the queued frames go out followed by FIN, and the peer, having read everything, closes the link.
    /// Waits for that close at most <paramref name="wait"/>.
    /// </summary>
    public async ValueTask DrainAsync(TimeSpan wait, TimeProvider time)
    {
        _outgoing.Writer.TryComplete();
        try
        {
            await Task.Delay(wait, time, Connection.Closed).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The peer closed after reading our FIN.
        }
    }

    /// <summary>
    /// Starts closing the connection with an application code and reason; idempotent. The peer sees the close at
    /// once; the closing period (3 × PTO, seconds when the RTT estimate is large) runs in the background and
    /// <see cref="DisposeAsync"/> waits for it, so a node handling one link never stalls on closing another.
    /// </summary>
    public void Close(long errorCode, string reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        _outgoing.Writer.TryComplete();
        _stopping = _stop.CancelAsync();
        _closing = CloseConnectionAsync(errorCode, reason);
    }

    /// <summary>Closes the link (code 0) if it is still open, waits for the closing period, and releases the stream (and the connection when this node dialed it).</summary>
    public async ValueTask DisposeAsync()
    {
        Close(0, "link closed");
        await _stopping.ConfigureAwait(false);
        await _closing.ConfigureAwait(false);
        try
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
            if (Outbound)
            {
                await Connection.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task CloseConnectionAsync(long errorCode, string reason)
    {
        try
        {
            await Connection.CloseAsync(errorCode, reason).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
        }
    }

    private static bool TryParse(ref ReadOnlySequence<byte> buffer, out MeshFrame frame)
    {
        frame = default;
        if (buffer.Length < HeaderLength)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[HeaderLength];
        buffer.Slice(0, HeaderLength).CopyTo(header);
        if (header[0] is < (byte)MeshFrameKind.Hello or > (byte)MeshFrameKind.Rotation)
        {
            throw new MeshLinkException($"unknown mesh frame kind {header[0]}");
        }

        uint length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > MaxBody)
        {
            throw new MeshLinkException($"mesh frame of {length} bytes exceeds {MaxBody}");
        }

        if (buffer.Length < HeaderLength + length)
        {
            return false;
        }

        frame = new MeshFrame((MeshFrameKind)header[0], buffer.Slice(HeaderLength, length).ToArray());
        buffer = buffer.Slice(HeaderLength + length);
        return true;
    }

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        PipeWriter output = _stream.Output;
        await foreach (byte[] frame in _outgoing.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            FlushResult flushed = await output.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            if (flushed.IsCompleted || flushed.IsCanceled)
            {
                return;
            }
        }

        // The queue was completed (draining): finish our send side so the peer sees the end after the last frame.
        await output.CompleteAsync().ConfigureAwait(false);
    }
}
