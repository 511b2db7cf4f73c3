namespace Aster.Net.Quic;

/// <summary>Why a connection or stream operation failed.</summary>
public enum TransportErrorReason
{
    /// <summary>The peer closed the connection with an application error code.</summary>
    ApplicationClosedByPeer,

    /// <summary>The peer closed the connection with a transport error code.</summary>
    TransportClosedByPeer,

    /// <summary>We closed the connection (the application did, or we found a protocol error).</summary>
    ClosedLocally,

    /// <summary>The TLS handshake failed (wrong identity, no common ALPN, bad signature...).</summary>
    HandshakeFailed,

    /// <summary>Nothing was received for the idle timeout.</summary>
    IdleTimeout,

    /// <summary>The endpoint was disposed.</summary>
    EndpointClosed,

    /// <summary>The peer reset the stream or asked us to stop sending.</summary>
    StreamAborted,

    /// <summary>The peer sent a stateless reset: it has no state for this connection any more (it restarted or crashed).</summary>
    StatelessReset,

    /// <summary>The server answered with Version Negotiation and supports no version we speak (QUIC v1).</summary>
    VersionNegotiationFailed,
}

/// <summary>A QUIC connection or stream failed; <see cref="Reason"/> and <see cref="ErrorCode"/> say how.</summary>
public sealed class TransportException : IOException
{
    /// <summary>Initializes a new instance of the <see cref="TransportException"/> class.</summary>
    /// <param name="reason">Why it failed.</param>
    /// <param name="errorCode">The transport or application error code.</param>
    /// <param name="message">The message.</param>
    public TransportException(TransportErrorReason reason, ulong errorCode, string message)
        : base(message)
    {
        Reason = reason;
        ErrorCode = errorCode;
    }

    /// <summary>Initializes a new instance of the <see cref="TransportException"/> class.</summary>
    public TransportException()
        : this(TransportErrorReason.ClosedLocally, 0, "The connection was closed.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="TransportException"/> class.</summary>
    /// <param name="message">The message.</param>
    public TransportException(string message)
        : this(TransportErrorReason.ClosedLocally, 0, message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="TransportException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public TransportException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = TransportErrorReason.ClosedLocally;
    }

    /// <summary>Gets why the operation failed.</summary>
    public TransportErrorReason Reason { get; }

    /// <summary>Gets the QUIC transport error code, or the application error code for application closes and stream aborts.</summary>
    public ulong ErrorCode { get; }

    /// <summary>Gets a value indicating whether <see cref="ErrorCode"/> is an application error code.</summary>
    public bool IsApplicationError => Reason is TransportErrorReason.ApplicationClosedByPeer or TransportErrorReason.StreamAborted;

    /// <summary>Gets the reason phrase of the CONNECTION_CLOSE frame, if any.</summary>
    public string? ReasonPhrase { get; init; }
}
