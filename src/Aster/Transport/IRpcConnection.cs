namespace Aster.Transport;

/// <summary>
/// An authenticated connection to one peer on one ALPN, carrying bidirectional streams. The RPC runtime runs over this
/// abstraction; <see cref="InMemoryTransport"/> implements it in process and the QUIC transport implements it over UDP.
/// </summary>
public interface IRpcConnection : IAsyncDisposable
{
    /// <summary>The ALPN the connection was established for (for example <c>aster/1</c>).</summary>
    string Alpn { get; }

    /// <summary>
    /// The authenticated identity of the peer (its Ed25519 public key), or null for an in-process connection, whose
    /// calls skip gates 0 and 1 (trust.md 8.2).
    /// </summary>
    Aster.Net.Identity.EndpointId? RemoteId { get; }

    /// <summary>Cancelled when the connection closes, from either side.</summary>
    CancellationToken Closed { get; }

    /// <summary>
    /// How many bidirectional streams the peer lets this side have open at once, or null when the transport does not
    /// say. Clients size their stream pools within it (wire-protocol.md 3.3).
    /// </summary>
    int? PeerStreamLimit => null;

    /// <summary>Opens a new bidirectional stream.</summary>
    /// <exception cref="ConnectionClosedException">The connection is closed.</exception>
    ValueTask<IRpcStream> OpenStreamAsync(CancellationToken cancellationToken = default);

    /// <summary>Waits for the peer's next bidirectional stream; null once the connection has closed.</summary>
    ValueTask<IRpcStream?> AcceptStreamAsync(CancellationToken cancellationToken = default);

    /// <summary>Closes the connection with an application error code and reason; idempotent.</summary>
    ValueTask CloseAsync(long errorCode, string reason, CancellationToken cancellationToken = default);
}

/// <summary>
/// One bidirectional stream as a pair of pipes. Completing <see cref="Output"/> finishes the send side (FIN);
/// completing it with an exception resets it. A reset by the peer surfaces as <see cref="StreamResetException"/> from
/// <see cref="Input"/>; a peer that stops reading makes flushes of <see cref="Output"/> report completion.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "It is a transport stream (a QUIC stream), not a System.IO.Stream.")]
public interface IRpcStream : IAsyncDisposable
{
    /// <summary>The bytes the peer sends.</summary>
    System.IO.Pipelines.PipeReader Input { get; }

    /// <summary>The bytes we send.</summary>
    System.IO.Pipelines.PipeWriter Output { get; }

    /// <summary>Abandons both directions with an application error code (RESET_STREAM and STOP_SENDING).</summary>
    void Abort(long errorCode);
}

/// <summary>The peer reset its send side of a stream.</summary>
public sealed class StreamResetException : IOException
{
    /// <summary>Creates the exception.</summary>
    public StreamResetException(long errorCode)
        : base($"The peer reset the stream with code {errorCode}.")
    {
        ErrorCode = errorCode;
    }

    /// <summary>The application error code of the reset.</summary>
    public long ErrorCode { get; }
}

/// <summary>The connection is closed.</summary>
public sealed class ConnectionClosedException : IOException
{
    /// <summary>Creates the exception.</summary>
    public ConnectionClosedException(long errorCode, string reason)
        : base(reason.Length == 0 ? $"The connection is closed (code {errorCode})." : $"The connection is closed (code {errorCode}): {reason}")
    {
        ErrorCode = errorCode;
        Reason = reason;
    }

    /// <summary>The application error code the connection closed with.</summary>
    public long ErrorCode { get; }

    /// <summary>The reason text the connection closed with.</summary>
    public string Reason { get; }
}
