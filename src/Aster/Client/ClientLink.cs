using System.Collections.Concurrent;
using Aster.Transport;

namespace Aster.Client;

/// <summary>
/// One <c>aster/1</c> connection of a client with its stream pools: the shared pool for unary calls and one pool of
/// one stream per session (wire-protocol.md 3.2). When the connection dies the whole link is replaced, so no pooled
/// stream of a dead connection is ever reused.
/// </summary>
internal sealed class ClientLink
{
    private readonly ConcurrentDictionary<int, StreamPool> _sessionPools = new();
    private readonly Func<bool>? _isClosing;
    private readonly int _maxFrameLength;

    /// <param name="connection">The connection.</param>
    /// <param name="options">Pool size and frame limit.</param>
    /// <param name="isClosing">Reports a close in progress before <see cref="IRpcConnection.Closed"/> fires, or null.</param>
    public ClientLink(IRpcConnection connection, AsterClientOptions options, Func<bool>? isClosing = null)
    {
        Connection = connection;
        _isClosing = isClosing;
        _maxFrameLength = options.MaxFrameLength;
        SharedPool = new StreamPool(connection, StreamPool.SharedCapacity(options.SharedStreamPoolSize, connection.PeerStreamLimit), options.MaxFrameLength);
    }

    public IRpcConnection Connection { get; }

    public StreamPool SharedPool { get; }

    /// <summary>False once the connection is closing or closed.</summary>
    public bool IsAlive => !Connection.Closed.IsCancellationRequested && _isClosing?.Invoke() != true;

    /// <summary>The pool for <paramref name="sessionId"/>: the shared pool for 0, else that session's pool of one.</summary>
    public StreamPool PoolFor(int sessionId)
        => sessionId == 0
            ? SharedPool
            : _sessionPools.GetOrAdd(sessionId, static (_, link) => new StreamPool(link.Connection, 1, link._maxFrameLength), this);
}

/// <summary>Where a client's calls go: the link serving a service, and what admission learned about it.</summary>
internal interface IClientConnector : IAsyncDisposable
{
    /// <summary>The services the server advertised in admission; empty without admission.</summary>
    IReadOnlyList<Trust.ServiceSummary> Services { get; }

    /// <summary>A live link for calls to <paramref name="service"/>, dialling (and re-admitting) when needed.</summary>
    ValueTask<ClientLink> GetLinkAsync(string service, CancellationToken cancellationToken);

    /// <summary>The mode admission implies for <paramref name="service"/> (wire-protocol.md 16.2 rule 4), or null.</summary>
    Protocol.SerializationMode? PreferredMode(string service);
}

/// <summary>A client over one given connection (in memory, or a QUIC connection the caller made): never re-dials.</summary>
internal sealed class FixedConnector(ClientLink link) : IClientConnector
{
    public IReadOnlyList<Trust.ServiceSummary> Services => [];

    public ValueTask<ClientLink> GetLinkAsync(string service, CancellationToken cancellationToken) => ValueTask.FromResult(link);

    public Protocol.SerializationMode? PreferredMode(string service) => null;

    public ValueTask DisposeAsync() => link.Connection.CloseAsync(0, "normal close");
}
