using Aster.Internal;
using Aster.Net.Identity;
using Aster.Net.Quic;
using Aster.Transport;
using Aster.Trust;

namespace Aster.Client.Network;

/// <summary>
/// The client side of <c>aster.consumer_admission</c> (trust.md 4.2 steps 3–4, wire-protocol.md §17): one connection of
/// its own, one stream, the request with FIN, the response read to FIN, then a normal close.
/// </summary>
internal static class ConsumerAdmissionClient
{
    /// <summary>Runs the exchange and checks the answer.</summary>
    /// <param name="dialer">Dials the admission connection.</param>
    /// <param name="target">The node to admit to.</param>
    /// <param name="request">The request to send.</param>
    /// <param name="credentialRootHex">The root key the sent credential names (hex), or null when none was sent.</param>
    /// <param name="timeout">How long the response may take.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>The admitted response.</returns>
    /// <exception cref="AdmissionException">Denied, busy, too slow, malformed, or the server trusts another root.</exception>
    /// <exception cref="RpcException">UNAVAILABLE: the node could not be reached.</exception>
    public static async Task<ConsumerAdmissionResponse> RunAsync(
        Dialer dialer, EndpointAddr target, ConsumerAdmissionRequest request, string? credentialRootHex, TimeSpan timeout, CancellationToken cancellationToken)
    {
        AsterConnection connection = await dialer.DialAsync(target, AsterAlpns.ConsumerAdmission, cancellationToken).ConfigureAwait(false);
        byte[] body;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await using AsterStream stream = await connection.OpenBidirectionalStreamAsync(limit.Token).ConfigureAwait(false);
            await stream.WriteAsync(request.ToJson(), completeWrites: true, limit.Token).ConfigureAwait(false);
            body = await ReadToEndAsync(stream, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AdmissionException(AdmissionFailure.Unavailable, $"admission unavailable: no response from {target.Id} within {timeout.TotalSeconds:0.#} s");
        }
        catch (IOException ex)
        {
            throw Refused(connection.CloseError ?? ex as TransportException, target.Id, ex);
        }
        finally
        {
            // Not awaiting the closing period (3 × PTO): after the first handshake of a process the RTT estimate
            // still holds JIT time, and waiting made the first connect seconds long. The endpoint finishes it.
            connection.Close(0, "normal close");
        }

        ConsumerAdmissionResponse response;
        try
        {
            response = ConsumerAdmissionResponse.Parse(body);
        }
        catch (TrustFormatException ex)
        {
            throw new AdmissionException(AdmissionFailure.Malformed, $"malformed admission response from {target.Id}: {ex.Message}", ex);
        }

        if (!response.Admitted)
        {
            throw new AdmissionException(AdmissionFailure.Denied,
                $"admission denied by {target.Id} (no reason is sent; usual causes: wrong root, expired credential, credential for another endpoint, one-time token already used, or no credential for a gated server)");
        }

        // trust.md 4.2 step 4 [ours]: the reference client does not check this.
        if (credentialRootHex is not null && response.RootPublicKey.Length != 0 && response.RootPublicKey.Any(c => c != '0')
            && !string.Equals(response.RootPublicKey, credentialRootHex, StringComparison.OrdinalIgnoreCase))
        {
            throw new AdmissionException(AdmissionFailure.DifferentRoot,
                $"producer trusts a different root: {target.Id} answered root {response.RootPublicKey}, the credential names {credentialRootHex}");
        }

        return response;
    }

    private static AdmissionException Refused(TransportException? closed, EndpointId target, IOException error)
        => closed is { IsApplicationError: true, ReasonPhrase: "busy" }
            ? new AdmissionException(AdmissionFailure.Unavailable, $"admission unavailable: {target} is busy, try again later", error)
            : closed is { IsApplicationError: true, ErrorCode: 403 }
                ? new AdmissionException(AdmissionFailure.Denied, $"admission denied: {target} refused the connection (not admitted)", error)
                : new AdmissionException(AdmissionFailure.Unavailable, $"admission unavailable: {error.Message}", error);

    private static async Task<byte[]> ReadToEndAsync(AsterStream stream, CancellationToken cancellationToken)
        => await BoundedStreamReader.ReadToEndAsync(stream, TrustJson.MaxDocumentSize, cancellationToken).ConfigureAwait(false)
            ?? throw new AdmissionException(AdmissionFailure.Malformed, $"admission response larger than {TrustJson.MaxDocumentSize} bytes");
}
