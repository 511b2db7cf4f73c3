using System.Net;
using System.Net.Sockets;
using Aster.Net.Identity;
using Aster.Net.Quic;

namespace Aster.Client.Network;

/// <summary>
/// Dials QUIC connections from one endpoint: tries the peer's direct addresses of the endpoint's address family in
/// order, each within its share of the connect timeout. Failures become UNAVAILABLE with what was tried.
/// </summary>
internal sealed class Dialer(AsterEndpoint endpoint, TimeSpan connectTimeout)
{
    /// <summary>The endpoint dialling.</summary>
    public AsterEndpoint Endpoint => endpoint;

    /// <summary>Connects to <paramref name="target"/> on <paramref name="alpn"/>.</summary>
    /// <exception cref="RpcException">UNAVAILABLE: no address, or every address failed or timed out.</exception>
    public async Task<AsterConnection> DialAsync(EndpointAddr target, string alpn, CancellationToken cancellationToken)
    {
        AddressFamily family = endpoint.LocalEndPoint.AddressFamily;
        IPEndPoint[] candidates = [.. target.DirectAddresses.Where(a => a.AddressFamily == family)];
        if (candidates.Length == 0)
        {
            string why = target.DirectAddresses.Count == 0
                ? $"no addressing information for {target.Id}: use an aster1 address or a NodeAddr with direct addresses (discovery is not available yet)"
                : $"{target.Id} has no {(family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4")} direct address to dial from {endpoint.LocalEndPoint}";
            throw new RpcException(StatusCode.Unavailable, why);
        }

        TimeSpan perAttempt = TimeSpan.FromTicks(Math.Max(connectTimeout.Ticks / candidates.Length, Math.Min(connectTimeout.Ticks, TimeSpan.FromSeconds(2).Ticks)));
        Exception? last = null;
        foreach (IPEndPoint candidate in candidates)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(perAttempt);
            try
            {
                return await endpoint.ConnectAsync(new EndpointAddr(target.Id, null, [candidate]), alpn, limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                last = new TimeoutException($"no handshake with {candidate} within {perAttempt.TotalSeconds:0.#} s", ex);
            }
            catch (TransportException ex)
            {
                last = ex;
            }
        }

        throw new RpcException(StatusCode.Unavailable, $"cannot connect to {target.Id} ({alpn}) at {string.Join(", ", candidates.Select(c => c.ToString()))}: {last!.Message}", last);
    }
}
