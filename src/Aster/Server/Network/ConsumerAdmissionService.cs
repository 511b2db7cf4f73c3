using Aster.Internal;
using Aster.Net.Identity;
using Aster.Net.Quic;
using Aster.Trust;
using Microsoft.Extensions.Logging;

namespace Aster.Server.Network;

/// <summary>
/// Serves <c>aster.consumer_admission</c> (trust.md 4.1, 4.2 and 4.5; wire-protocol.md §17): one unframed JSON request
/// read to its FIN, the authority's decision, one JSON response with FIN (with the configured <c>registry_namespace</c>,
/// and <c>gossip_topic</c> for the root-key holder only), then a close with code 0 once the response
/// is acknowledged, the client has closed, or the linger time has passed. Every failure the peer could learn from
/// gives the same uniform denial; a request that does not arrive in time gets no reply at all.
/// </summary>
internal sealed class ConsumerAdmissionService : IDisposable
{
    private readonly IAdmissionAuthority _authority;
    private readonly Func<IReadOnlyList<ServiceSummary>> _services;
    private readonly string _registryNamespace;
    private readonly AdmissionLimits _limits;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _slots;

    public ConsumerAdmissionService(IAdmissionAuthority authority, Func<IReadOnlyList<ServiceSummary>> services, string registryNamespace, AdmissionLimits limits, ILogger logger)
    {
        _authority = authority;
        _services = services;
        _registryNamespace = registryNamespace;
        _limits = limits;
        _logger = logger;
        _slots = new SemaphoreSlim(Math.Max(1, limits.MaxConcurrent));
    }

    public void Dispose() => _slots.Dispose();

    /// <summary>Runs one admission connection to its end; never throws.</summary>
    public async Task HandleAsync(AsterConnection connection, CancellationToken stopping)
    {
        EndpointId peer = connection.RemoteId;
        if (!_slots.Wait(0, CancellationToken.None))
        {
            ServerLog.AdmissionBusy(_logger, peer, _limits.MaxConcurrent);
            await connection.CloseAsync(0, "busy", CancellationToken.None).ConfigureAwait(false);
            return;
        }

        try
        {
            await ExchangeAsync(connection, peer, stopping).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException or OperationCanceledException)
        {
            // The connection or the server went away mid-exchange: nothing more to send.
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task ExchangeAsync(AsterConnection connection, EndpointId peer, CancellationToken stopping)
    {
        AsterStream? stream = null;
        byte[]? body;
        using (var requestTimeout = CancellationTokenSource.CreateLinkedTokenSource(stopping))
        {
            requestTimeout.CancelAfter(_limits.RequestTimeout);
            try
            {
                stream = await connection.AcceptBidirectionalStreamAsync(requestTimeout.Token).ConfigureAwait(false);
                body = await ReadRequestAsync(stream, requestTimeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
                // Too slow, reset by the peer, or the connection went away: no reply (trust.md 4.5).
                if (_logger.IsEnabled(LogLevel.Information))
                {
                    ServerLog.AdmissionAbandoned(_logger, peer, ex is OperationCanceledException ? "request not complete in time" : ex.Message);
                }

                stream?.Abort(StreamAbortDirection.Both, 0);
                await connection.CloseAsync(0, string.Empty, CancellationToken.None).ConfigureAwait(false);
                return;
            }
        }

        await using (stream!.ConfigureAwait(false))
        {
            ConsumerAdmissionResponse response = await DecideAsync(peer, body, stopping).ConfigureAwait(false);
            try
            {
                await stream.WriteAsync(response.ToJson(), completeWrites: true, stopping).ConfigureAwait(false);
                using var linger = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                linger.CancelAfter(_limits.ResponseLinger);
                await Task.WhenAny(stream.WritesClosed, connection.Ended).WaitAsync(linger.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
            {
                // The client went away or never acknowledged: close anyway.
            }
        }

        await connection.CloseAsync(0, string.Empty, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Reads to FIN; null when the request is larger than the limit (answered with the uniform denial).</summary>
    private async Task<byte[]?> ReadRequestAsync(AsterStream stream, CancellationToken cancellationToken)
    {
        byte[]? body = await BoundedStreamReader.ReadToEndAsync(stream, _limits.MaxRequestBytes, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            stream.Abort(StreamAbortDirection.Read, 0);
        }

        return body;
    }

    private async Task<ConsumerAdmissionResponse> DecideAsync(EndpointId peer, byte[]? body, CancellationToken stopping)
    {
        string root = _authority.RootPublicKeyHex;
        if (body is null)
        {
            ServerLog.AdmissionDenied(_logger, peer, "request larger than the limit");
            return ConsumerAdmissionResponse.Denied(root);
        }

        ConsumerAdmissionRequest request;
        try
        {
            request = ConsumerAdmissionRequest.Parse(body);
        }
        catch (TrustFormatException ex)
        {
            if (_logger.IsEnabled(LogLevel.Information))
            {
                ServerLog.AdmissionDenied(_logger, peer, ex.Message);
            }

            return ConsumerAdmissionResponse.Denied(root);
        }

        ConsumerAdmissionDecision decision;
        using (var handlerTimeout = CancellationTokenSource.CreateLinkedTokenSource(stopping))
        {
            handlerTimeout.CancelAfter(_limits.HandlerTimeout);
            try
            {
                decision = await _authority.AdmitConsumerAsync(peer, request, handlerTimeout.Token).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Fail closed: any failure of the authority is the uniform denial.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                ServerLog.AdmissionFailed(_logger, peer, ex);
                return ConsumerAdmissionResponse.Denied(root);
            }
        }

        if (!decision.Admitted)
        {
            ServerLog.AdmissionDenied(_logger, peer, "the authority refused the credential");
            return ConsumerAdmissionResponse.Denied(root);
        }

        ServerLog.ConsumerAdmitted(_logger, peer);
        return new ConsumerAdmissionResponse(true, decision.Attributes, _services(), _registryNamespace, root, GossipTopicFor(peer));
    }

    /// <summary><c>gossip_topic</c> (trust.md 4.2): only for the root-key holder's shell; an authority that fails gives none.</summary>
    private string? GossipTopicFor(EndpointId peer)
    {
        try
        {
            return _authority.GossipTopicFor(peer);
        }
#pragma warning disable CA1031 // The topic is optional: without it the admission still stands.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            ServerLog.AdmissionFailed(_logger, peer, ex);
            return null;
        }
    }
}
