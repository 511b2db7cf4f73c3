using System.IO.Pipelines;
using System.Threading.Channels;

namespace Aster.Transport;

/// <summary>
/// Connections in one process, for tests and in-process calls: <see cref="CreatePair(string, int)"/> returns two connected ends.
/// Each stream direction is a <see cref="Pipe"/> with the same backpressure a network stream has (a writer pauses at
/// 64 KiB unread and resumes at 32 KiB). The server end's reads and writes resume on the thread that woke them (the
/// client's flush or read), nested at most <see cref="NestedInlineScheduler.MaxDepth"/> deep, so a request reaches its
/// handler without a thread hop; the client end resumes on the thread pool, as over a network, so the caller's code
/// never runs on the server's stack (and cannot block it).
/// </summary>
public static class InMemoryTransport
{
    /// <summary>Creates a connected pair: what one end opens, the other accepts.</summary>
    /// <param name="alpn">The ALPN both ends report.</param>
    /// <param name="maxConcurrentStreams">How many streams one side may have open at once before <c>OpenStreamAsync</c> waits.</param>
    public static (IRpcConnection Client, IRpcConnection Server) CreatePair(string alpn = "aster/1", int maxConcurrentStreams = 100)
        => CreatePair(new InMemoryTransportOptions { Alpn = alpn, MaxConcurrentStreams = maxConcurrentStreams });

    /// <summary>Creates a connected pair with <paramref name="options"/>: what one end opens, the other accepts.</summary>
    /// <param name="options">The ALPN, the stream limit and the in-process caller's attributes (trust.md 8.2).</param>
    public static (IRpcConnection Client, IRpcConnection Server) CreatePair(InMemoryTransportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Alpn);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrentStreams, 1);
        IReadOnlyDictionary<string, string>? attributes = options.CallerAttributes is null
            ? null
            : new Dictionary<string, string>(options.CallerAttributes, StringComparer.Ordinal).AsReadOnly();
        var shared = new SharedState();
        var client = new InMemoryConnection(options, attributes, shared, remoteId: null, serverEnd: false);
        var server = new InMemoryConnection(options, attributes, shared, options.RemotePeer, serverEnd: true);
        client.Peer = server;
        server.Peer = client;
        return (client, server);
    }

    private sealed class SharedState
    {
        public CancellationTokenSource Closed { get; } = new();

        public long ErrorCode { get; set; }

        public string Reason { get; set; } = string.Empty;
    }

    private sealed class InMemoryConnection : IRpcConnection, IInProcessCaller
    {
        private static readonly PipeOptions _toServer = PipeOptionsFor(reader: NestedInlineScheduler.Instance, writer: PipeScheduler.ThreadPool);
        private static readonly PipeOptions _toClient = PipeOptionsFor(reader: PipeScheduler.ThreadPool, writer: NestedInlineScheduler.Instance);
        private readonly SharedState _shared;
        private readonly Channel<IRpcStream> _incoming = Channel.CreateUnbounded<IRpcStream>(new UnboundedChannelOptions { SingleReader = false });
        private readonly SemaphoreSlim _streamCredit;

        public InMemoryConnection(InMemoryTransportOptions options, IReadOnlyDictionary<string, string>? callerAttributes, SharedState shared, Aster.Net.Identity.EndpointId? remoteId, bool serverEnd)
        {
            IsServerEnd = serverEnd;
            Alpn = options.Alpn;
            RemoteId = remoteId;
            CallerAttributes = callerAttributes;
            EnforceCapabilitiesInProcess = options.EnforceCapabilitiesInProcess;
            _shared = shared;
            _streamCredit = new SemaphoreSlim(options.MaxConcurrentStreams, options.MaxConcurrentStreams);
        }

        public IReadOnlyDictionary<string, string>? CallerAttributes { get; }

        /// <summary>Whether this is the server end, whose pipe continuations run on the waking thread.</summary>
        public bool IsServerEnd { get; }

        public bool EnforceCapabilitiesInProcess { get; }

        public InMemoryConnection Peer { get; set; } = null!;

        public string Alpn { get; }

        public Aster.Net.Identity.EndpointId? RemoteId { get; }

        public CancellationToken Closed => _shared.Closed.Token;

        public async ValueTask<IRpcStream> OpenStreamAsync(CancellationToken cancellationToken = default)
        {
            ThrowIfClosed();
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, Closed);
            try
            {
                await _streamCredit.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                ThrowIfClosed();
                throw;
            }

            var toPeer = new Pipe(IsServerEnd ? _toClient : _toServer);
            var fromPeer = new Pipe(IsServerEnd ? _toServer : _toClient);
            var release = new StreamSlot(_streamCredit);
            var local = new InMemoryStream(fromPeer.Reader, toPeer.Writer, release, this);
            var remote = new InMemoryStream(toPeer.Reader, fromPeer.Writer, release, Peer);
            local.Remote = remote;
            remote.Remote = local;
            if (!Peer._incoming.Writer.TryWrite(remote))
            {
                release.Release();
                ThrowIfClosed();
            }

            return local;
        }

        public async ValueTask<IRpcStream?> AcceptStreamAsync(CancellationToken cancellationToken = default)
        {
            try
            {
                return await _incoming.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ChannelClosedException)
            {
                return null;
            }
        }

        public ValueTask CloseAsync(long errorCode, string reason, CancellationToken cancellationToken = default)
        {
            lock (_shared)
            {
                if (_shared.Closed.IsCancellationRequested)
                {
                    return ValueTask.CompletedTask;
                }

                _shared.ErrorCode = errorCode;
                _shared.Reason = reason;
            }

            _incoming.Writer.TryComplete();
            Peer._incoming.Writer.TryComplete();
            _shared.Closed.Cancel();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => CloseAsync(0, "disposed");

        private static PipeOptions PipeOptionsFor(PipeScheduler reader, PipeScheduler writer)
            => new(readerScheduler: reader, writerScheduler: writer, pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, useSynchronizationContext: false);

        internal void ThrowIfClosed()
        {
            if (_shared.Closed.IsCancellationRequested)
            {
                throw new ConnectionClosedException(_shared.ErrorCode, _shared.Reason);
            }
        }
    }

    /// <summary>
    /// Runs a pipe continuation (a reader woken by a flush, a writer woken by a read) at once on the waking thread, like
    /// <see cref="PipeScheduler.Inline"/>, unless that thread is already running <see cref="MaxDepth"/> of them: then on the
    /// thread pool. The bound keeps a ping-pong of two ends (request, response, next request…) from growing the stack.
    /// Nothing in the framework holds a monitor lock while it flushes, completes or advances a pipe, so the inline run
    /// cannot enter a lock its waker holds; its asynchronous gates complete waiters asynchronously.
    /// </summary>
    internal sealed class NestedInlineScheduler : PipeScheduler
    {
        /// <summary>How many continuations one thread runs nested before handing further ones to the thread pool.</summary>
        public const int MaxDepth = 2;

        [ThreadStatic]
        private static int _depth;

        private NestedInlineScheduler()
        {
        }

        public static NestedInlineScheduler Instance { get; } = new();

        public override void Schedule(Action<object?> action, object? state)
        {
            if (_depth >= MaxDepth)
            {
                ThreadPool.Schedule(action, state); // PipeScheduler.ThreadPool
                return;
            }

            _depth++;
            try
            {
                action(state);
            }
            finally
            {
                _depth--;
            }
        }
    }

    /// <summary>Returns one unit of stream credit when both ends of a stream are done with it.</summary>
    private sealed class StreamSlot
    {
        private readonly SemaphoreSlim _credit;
        private int _ends = 2;

        public StreamSlot(SemaphoreSlim credit)
        {
            _credit = credit;
        }

        public void Release()
        {
            if (Interlocked.Decrement(ref _ends) == 0)
            {
                _credit.Release();
            }
        }
    }

    private sealed class InMemoryStream : IRpcStream
    {
        private readonly StreamSlot _slot;
        private readonly InMemoryConnection _owner;
        private readonly CancellationTokenRegistration _onClose;
        private int _disposed;

        public InMemoryStream(PipeReader input, PipeWriter output, StreamSlot slot, InMemoryConnection owner)
        {
            Input = input;
            Output = output;
            _slot = slot;
            _owner = owner;
            _onClose = owner.Closed.UnsafeRegister(static state => ((InMemoryStream)state!).OnConnectionClosed(), this);
        }

        public InMemoryStream Remote { get; set; } = null!;

        public PipeReader Input { get; }

        public PipeWriter Output { get; }

        public void Abort(long errorCode)
        {
            var reset = new StreamResetException(errorCode);
            Output.Complete(reset);
            Input.Complete();
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            await _onClose.DisposeAsync().ConfigureAwait(false);
            await Output.CompleteAsync().ConfigureAwait(false);
            await Input.CompleteAsync().ConfigureAwait(false);
            _slot.Release();
        }

        private void OnConnectionClosed()
        {
            var closed = new ConnectionClosedException(0, "connection closed");
            Output.Complete(closed);
            Input.CancelPendingRead();
            Remote.Output.Complete(closed);
        }
    }
}

/// <summary>Settings of an in-process connection pair.</summary>
public sealed class InMemoryTransportOptions
{
    /// <summary>The ALPN both ends report. Defaults to <c>aster/1</c>.</summary>
    public string Alpn { get; set; } = "aster/1";

    /// <summary>How many streams one side may have open at once before <c>OpenStreamAsync</c> waits. Defaults to 100.</summary>
    public int MaxConcurrentStreams { get; set; } = 100;

    /// <summary>
    /// Attributes the server sees as the in-process caller's <see cref="CallContext.Attributes"/> (for tests of
    /// interceptors and gate 3); null for none.
    /// </summary>
    public IReadOnlyDictionary<string, string>? CallerAttributes { get; set; }

    /// <summary>
    /// When true, gate 3 evaluates in-process calls against <see cref="CallerAttributes"/> exactly as for a remote
    /// caller. Defaults to false: in-process callers are trusted (trust.md 8.2).
    /// </summary>
    public bool EnforceCapabilitiesInProcess { get; set; }

    /// <summary>
    /// When set, the server end reports this id as its authenticated peer, as a network connection would, so its calls
    /// are remote calls: the admission authority's records and gate 3 apply to them. For tests and benchmarks of the
    /// gates; null (the default) makes the calls in-process.
    /// </summary>
    public Aster.Net.Identity.EndpointId? RemotePeer { get; set; }
}

/// <summary>A connection that carries in-process calls and says what gate 3 should make of their caller.</summary>
internal interface IInProcessCaller
{
    /// <summary>The caller's attributes, or null for none.</summary>
    IReadOnlyDictionary<string, string>? CallerAttributes { get; }

    /// <summary>Whether gate 3 evaluates these calls.</summary>
    bool EnforceCapabilitiesInProcess { get; }
}
