using System.IO.Pipelines;
using Aster.Net.Identity;
using Aster.Net.Quic;

namespace Aster.Transport;

/// <summary>The RPC transport over a QUIC <see cref="AsterConnection"/>: each bidirectional QUIC stream is one RPC stream.</summary>
public sealed class QuicRpcConnection : IRpcConnection
{
    private readonly AsterConnection _connection;
    private readonly CancellationTokenSource _closed = new();

    /// <summary>Wraps an established connection.</summary>
    public QuicRpcConnection(AsterConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
        _ = connection.Ended.ContinueWith(static (_, state) => ((CancellationTokenSource)state!).Cancel(), _closed, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <inheritdoc/>
    public EndpointId? RemoteId => _connection.RemoteId;

    /// <inheritdoc/>
    public string Alpn => _connection.Alpn;

    /// <inheritdoc/>
    public CancellationToken Closed => _closed.Token;

    /// <inheritdoc/>
    public int? PeerStreamLimit => (int)Math.Min(_connection.PeerBidirectionalStreamLimit, int.MaxValue);

    /// <inheritdoc/>
    public async ValueTask<IRpcStream> OpenStreamAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return new QuicRpcStream(await _connection.OpenBidirectionalStreamAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (TransportException ex)
        {
            throw new ConnectionClosedException((long)ex.ErrorCode, ex.Message);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<IRpcStream?> AcceptStreamAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return new QuicRpcStream(await _connection.AcceptBidirectionalStreamAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (TransportException)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public ValueTask CloseAsync(long errorCode, string reason, CancellationToken cancellationToken = default)
        => _connection.CloseAsync(errorCode, reason, cancellationToken);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync().ConfigureAwait(false);
        _closed.Dispose();
    }

    /// <summary>
    /// One QUIC stream as pipes: reads come straight from the stream; writes go to it through a
    /// <see cref="QuicStreamWriter"/> whose completion finishes the send side (FIN) or, with an error, resets it.
    /// </summary>
    private sealed class QuicRpcStream : IRpcStream
    {
        private readonly AsterStream _stream;
        private readonly QuicStreamWriter _output;

        public QuicRpcStream(AsterStream stream)
        {
            _stream = stream;
            _output = new QuicStreamWriter(stream);
            Input = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        }

        public PipeReader Input { get; }

        public PipeWriter Output => _output;

        /// <summary>
        /// Abandons the stream. When the send side was already finished gracefully (everything written, FIN requested),
        /// only the receive side is stopped: what was written, such as a last trailer, still reaches the peer, as on the
        /// in-memory transport.
        /// </summary>
        public void Abort(long errorCode)
        {
            if (_output.CompletedGracefully)
            {
                _stream.Abort(StreamAbortDirection.Read, errorCode);
                return;
            }

            _stream.Abort(StreamAbortDirection.Both, errorCode);
            _output.Complete(new StreamResetException(errorCode));
        }

        public async ValueTask DisposeAsync()
        {
            await _output.CompleteAsync().ConfigureAwait(false);
            await Input.CompleteAsync().ConfigureAwait(false);
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }
}
