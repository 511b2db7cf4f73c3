using Aster.Transport;

namespace Aster.Server;

/// <summary>
/// Serves one additional ALPN on a networked server's endpoint, next to <c>aster/1</c> and consumer admission: the
/// producer mesh uses it for <c>aster.producer_admission</c> and its gossip. Gate 0 has already allowed the peer when
/// <see cref="HandleConnectionAsync"/> runs.
/// </summary>
public interface IAlpnHandler
{
    /// <summary>The ALPN this handler serves.</summary>
    string Alpn { get; }

    /// <summary>Serves one inbound connection on <see cref="Alpn"/> until it closes or <paramref name="cancellationToken"/> fires.</summary>
    /// <param name="connection">The connection; <see cref="IRpcConnection.RemoteId"/> is the authenticated peer.</param>
    /// <param name="cancellationToken">Fires when the server stops.</param>
    /// <returns>A task that completes when the handler is done with the connection.</returns>
    Task HandleConnectionAsync(IRpcConnection connection, CancellationToken cancellationToken);
}
