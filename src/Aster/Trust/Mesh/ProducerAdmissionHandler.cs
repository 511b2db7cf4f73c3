using Aster.Net.Identity;
using Aster.Server;
using Aster.Transport;

namespace Aster.Trust.Mesh;

/// <summary>
/// Serves <c>aster.producer_admission</c> (trust.md 4.1 and 4.3) for a <see cref="MeshNode"/>: reads one raw JSON
/// request to FIN (at most 64 KiB, within the request timeout), answers the salt and member list or the uniform
/// rejection, then waits for the client to close (at most the linger time) and closes with code 0. The credential must
/// name the authenticated QUIC peer of this connection. A request not finished in time gets no reply: the stream is
/// reset and the connection closed.
/// </summary>
public sealed class ProducerAdmissionHandler : IAlpnHandler
{
    private readonly MeshNode _node;

    internal ProducerAdmissionHandler(MeshNode node) => _node = node;

    /// <inheritdoc/>
    public string Alpn => AsterAlpns.ProducerAdmission;

    /// <inheritdoc/>
    public async Task HandleConnectionAsync(IRpcConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.RemoteId is not EndpointId peer)
        {
            await connection.CloseAsync(0, string.Empty, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        if (!_node.TryEnterAdmission())
        {
            MeshLog.AdmissionBusy(_node.Logger, peer.ToString());
            await connection.CloseAsync(0, "busy", CancellationToken.None).ConfigureAwait(false);
            return;
        }

        try
        {
            await ServeAsync(connection, peer, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _node.ExitAdmission();
        }
    }

    private async Task ServeAsync(IRpcConnection connection, EndpointId peer, CancellationToken cancellationToken)
    {
        MeshLimits limits = _node.Limits;
        TimeProvider time = _node.Time;
        using CancellationTokenSource handlerTimeout = new(limits.AdmissionHandlerTimeout, time);
        using CancellationTokenSource handler = CancellationTokenSource.CreateLinkedTokenSource(handlerTimeout.Token, cancellationToken);
        IRpcStream? stream = null;
        try
        {
            byte[]? body;
            using (CancellationTokenSource requestTimeout = new(limits.AdmissionRequestTimeout, time))
            using (CancellationTokenSource request = CancellationTokenSource.CreateLinkedTokenSource(requestTimeout.Token, handler.Token))
            {
                stream = await connection.AcceptStreamAsync(request.Token).ConfigureAwait(false);
                if (stream is null)
                {
                    return;
                }

                body = await AdmissionExchange.ReadToEndAsync(stream.Input, AdmissionExchange.MaxPayload, request.Token).ConfigureAwait(false);
            }

            byte[] response = _node.DecideAdmission(peer, body);
            await AdmissionExchange.WriteAndFinishAsync(stream.Output, response, handler.Token).ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
            stream = null;
            using CancellationTokenSource linger = CancellationTokenSource.CreateLinkedTokenSource(connection.Closed, handler.Token);
            try
            {
                await Task.Delay(limits.AdmissionLinger, time, linger.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The client closed (the normal end) or the handler's time is up.
            }

            await connection.CloseAsync(0, string.Empty, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
        {
            MeshLog.AdmissionTimedOut(_node.Logger, peer.ToString());
            stream?.Abort(0);
            await connection.CloseAsync(0, "admission timeout", CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}

/// <summary>
/// Serves our gossip ALPN <see cref="MeshAlpns.Gossip"/> for a <see cref="MeshNode"/>: a member (or a producer whose
/// hello carries a credential for the authenticated peer) that names the current topic gets a link; anyone else, and
/// every denylisted endpoint, is closed with 403 <c>not admitted</c>.
/// </summary>
public sealed class MeshGossipHandler : IAlpnHandler
{
    private readonly MeshNode _node;

    internal MeshGossipHandler(MeshNode node) => _node = node;

    /// <inheritdoc/>
    public string Alpn => MeshAlpns.Gossip;

    /// <inheritdoc/>
    public Task HandleConnectionAsync(IRpcConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return _node.ServeLinkAsync(connection, cancellationToken);
    }
}
