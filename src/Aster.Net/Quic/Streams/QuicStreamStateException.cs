namespace Aster.Net.Quic.Streams;

/// <summary>
/// Raised when the peer violates flow control, stream limits, stream states or final-size rules. The connection
/// closes with <see cref="ErrorCode"/> in a transport CONNECTION_CLOSE frame.
/// </summary>
internal sealed class QuicStreamStateException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="QuicStreamStateException"/> class.</summary>
    /// <param name="errorCode">The QUIC transport error code.</param>
    /// <param name="message">What went wrong.</param>
    public QuicStreamStateException(QuicTransportError errorCode, string message)
        : base(message)
    {
        ErrorCode = errorCode;
    }

    /// <summary>Gets the QUIC transport error code to close the connection with.</summary>
    public QuicTransportError ErrorCode { get; }

    internal static QuicStreamStateException FlowControl(string message) => new(QuicTransportError.FlowControlError, message);

    internal static QuicStreamStateException FinalSize(string message) => new(QuicTransportError.FinalSizeError, message);

    internal static QuicStreamStateException StreamState(string message) => new(QuicTransportError.StreamStateError, message);

    internal static QuicStreamStateException StreamLimit(string message) => new(QuicTransportError.StreamLimitError, message);

    internal static QuicStreamStateException ProtocolViolation(string message) => new(QuicTransportError.ProtocolViolation, message);
}
