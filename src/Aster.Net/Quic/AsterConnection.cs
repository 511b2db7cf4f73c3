using System.Net;
using Aster.Net.Identity;
using Aster.Net.Quic.Connection;

namespace Aster.Net.Quic;

/// <summary>An authenticated QUIC connection to one peer, carrying one ALPN.</summary>
public sealed class AsterConnection : IAsyncDisposable
{
    private readonly QuicConnectionCore _core;

    internal AsterConnection(QuicConnectionCore core, IPEndPoint remoteEndPoint)
    {
        _core = core;
        RemoteEndPoint = remoteEndPoint;
        RemoteId = core.RemoteId ?? throw new InvalidOperationException("The handshake is not complete.");
        Alpn = core.Alpn ?? string.Empty;
    }

    /// <summary>Gets the connection state machine (tests and diagnostics).</summary>
    internal QuicConnectionCore Core => _core;

    /// <summary>Gets the peer's identity, authenticated by the TLS handshake.</summary>
    public EndpointId RemoteId { get; }

    /// <summary>Gets the negotiated ALPN protocol.</summary>
    public string Alpn { get; }

    /// <summary>Gets the peer's UDP address.</summary>
    public IPEndPoint RemoteEndPoint { get; }

    /// <summary>
    /// Gets a task that completes when the connection is closed and its closing or draining period (3 × PTO,
    /// RFC 9000, section 10.2) is over.
    /// </summary>
    public Task Completion => _core.Closed;

    /// <summary>
    /// Gets a task that completes as soon as the connection can no longer carry data: closed by either side, by an
    /// error or the idle timeout, or reset by the peer. It does not wait for the closing period (see <see cref="Completion"/>).
    /// </summary>
    public Task Ended => _core.Ended;

    /// <summary>Gets the error that closed the connection, if it is closed.</summary>
    public TransportException? CloseError => _core.Error;

    /// <summary>
    /// Gets how many bidirectional streams the peer lets this side have open at once (its
    /// <c>initial_max_streams_bidi</c>; it raises the cumulative limit as streams end). iroh and Aster servers say 100.
    /// </summary>
    public long PeerBidirectionalStreamLimit => _core.PeerBidirectionalStreamLimit;

    /// <summary>Gets a snapshot of the connection's transport counters.</summary>
    /// <returns>The counters.</returns>
    public AsterConnectionStatistics GetStatistics() => _core.GetStatistics();

    /// <summary>
    /// Starts a 1-RTT key update now, if one may start (the handshake is confirmed, our last update was
    /// acknowledged). Updates also happen on their own; this is a hook for tests and diagnostics.
    /// </summary>
    /// <returns><see langword="true"/> if an update started.</returns>
    public bool ForceKeyUpdate() => _core.ForceKeyUpdate();

    /// <summary>Opens a bidirectional stream, waiting while the peer's stream limit is reached.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The stream.</returns>
    public async ValueTask<AsterStream> OpenBidirectionalStreamAsync(CancellationToken cancellationToken = default) =>
        new(await _core.OpenStreamAsync(true, cancellationToken).ConfigureAwait(false));

    /// <summary>Opens a unidirectional (send-only) stream.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The stream.</returns>
    public async ValueTask<AsterStream> OpenUnidirectionalStreamAsync(CancellationToken cancellationToken = default) =>
        new(await _core.OpenStreamAsync(false, cancellationToken).ConfigureAwait(false));

    /// <summary>Accepts the next bidirectional stream the peer opened.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The stream.</returns>
    public async ValueTask<AsterStream> AcceptBidirectionalStreamAsync(CancellationToken cancellationToken = default) =>
        new(await _core.AcceptStreamAsync(true, cancellationToken).ConfigureAwait(false));

    /// <summary>Accepts the next unidirectional (receive-only) stream the peer opened.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The stream.</returns>
    public async ValueTask<AsterStream> AcceptUnidirectionalStreamAsync(CancellationToken cancellationToken = default) =>
        new(await _core.AcceptStreamAsync(false, cancellationToken).ConfigureAwait(false));

    /// <summary>Closes the connection with an application error code and reason, and waits until it is closed.</summary>
    /// <param name="errorCode">The application error code.</param>
    /// <param name="reason">The reason phrase.</param>
    /// <param name="cancellationToken">Cancels the wait (the close still happens).</param>
    /// <returns>A task that completes when the closing period is over.</returns>
    public async ValueTask CloseAsync(long errorCode, string? reason = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(errorCode);
        _core.Close((ulong)errorCode, reason ?? string.Empty, QuicClock.NowUs);
        await _core.Closed.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts closing the connection with an application error code and reason, without waiting for the closing
    /// period: CONNECTION_CLOSE goes out at once, and the endpoint keeps answering the peer for the 3 × PTO of
    /// RFC 9000, section 10.2 in the background. <see cref="Completion"/> completes when that period is over.
    /// </summary>
    /// <param name="errorCode">The application error code.</param>
    /// <param name="reason">The reason phrase.</param>
    /// <remarks>Use it where nothing depends on the end of the closing period (a connection used for one exchange):
    /// with a large RTT estimate, such as the first handshake of a process whose code is still being compiled,
    /// 3 × PTO lasts seconds.</remarks>
    public void Close(long errorCode, string? reason = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(errorCode);
        _core.Close((ulong)errorCode, reason ?? string.Empty, QuicClock.NowUs);
    }

    /// <summary>Closes the connection with code 0 if it is still open.</summary>
    /// <returns>A task that completes when the connection is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        _core.Close(0, string.Empty, QuicClock.NowUs);
        await _core.Closed.ConfigureAwait(false);
    }
}
