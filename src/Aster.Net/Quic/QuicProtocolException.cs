namespace Aster.Net.Quic;

/// <summary>
/// The peer sent bytes that break QUIC (RFC 9000): the one exception the packet, frame and transport-parameter
/// decoders raise. It carries the transport error code the connection closes with and, when known, the frame type.
/// </summary>
internal sealed class QuicProtocolException : Exception
{
    /// <summary>Creates the exception.</summary>
    public QuicProtocolException(QuicTransportError error, string message, ulong? frameType = null)
        : base(message)
    {
        Error = error;
        FrameType = frameType;
    }

    /// <summary>The transport error code to send in CONNECTION_CLOSE (type 0x1c).</summary>
    public QuicTransportError Error { get; }

    /// <summary>The frame type that caused the error, when it is known (sent in the CONNECTION_CLOSE frame).</summary>
    public ulong? FrameType { get; }
}

/// <summary>Creates and throws <see cref="QuicProtocolException"/> (the single factory for QUIC wire errors).</summary>
internal static class QuicErrors
{
    /// <summary>Throws FRAME_ENCODING_ERROR.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void ThrowFrameEncoding(string message, ulong? frameType = null) =>
        throw new QuicProtocolException(QuicTransportError.FrameEncodingError, message, frameType);

    /// <summary>Throws PROTOCOL_VIOLATION.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void ThrowProtocolViolation(string message, ulong? frameType = null) =>
        throw new QuicProtocolException(QuicTransportError.ProtocolViolation, message, frameType);

    /// <summary>Throws TRANSPORT_PARAMETER_ERROR.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void ThrowTransportParameter(string message) =>
        throw new QuicProtocolException(QuicTransportError.TransportParameterError, message);

    /// <summary>Throws an exception with the given code.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void Throw(QuicTransportError error, string message, ulong? frameType = null) =>
        throw new QuicProtocolException(error, message, frameType);
}
