namespace Aster.Net.Quic;

/// <summary>QUIC transport error codes (RFC 9000, section 20.1) carried by CONNECTION_CLOSE frames of type 0x1c.</summary>
internal enum QuicTransportError : ulong
{
    /// <summary>NO_ERROR: the connection is closing without an error.</summary>
    NoError = 0x00,

    /// <summary>INTERNAL_ERROR: the endpoint hit an internal error.</summary>
    InternalError = 0x01,

    /// <summary>CONNECTION_REFUSED: the server refuses the connection.</summary>
    ConnectionRefused = 0x02,

    /// <summary>FLOW_CONTROL_ERROR: more data than the advertised limits.</summary>
    FlowControlError = 0x03,

    /// <summary>STREAM_LIMIT_ERROR: a stream beyond the advertised limit was opened.</summary>
    StreamLimitError = 0x04,

    /// <summary>STREAM_STATE_ERROR: a frame arrived for a stream in a state that does not permit it.</summary>
    StreamStateError = 0x05,

    /// <summary>FINAL_SIZE_ERROR: a stream's final size changed or was exceeded.</summary>
    FinalSizeError = 0x06,

    /// <summary>FRAME_ENCODING_ERROR: a badly formatted or unknown frame.</summary>
    FrameEncodingError = 0x07,

    /// <summary>TRANSPORT_PARAMETER_ERROR: malformed or invalid transport parameters.</summary>
    TransportParameterError = 0x08,

    /// <summary>CONNECTION_ID_LIMIT_ERROR: more connection ids than the advertised limit.</summary>
    ConnectionIdLimitError = 0x09,

    /// <summary>PROTOCOL_VIOLATION: a generic protocol violation.</summary>
    ProtocolViolation = 0x0a,

    /// <summary>INVALID_TOKEN: a Retry or NEW_TOKEN token was invalid.</summary>
    InvalidToken = 0x0b,

    /// <summary>APPLICATION_ERROR: the application closed before 1-RTT keys existed.</summary>
    ApplicationError = 0x0c,

    /// <summary>CRYPTO_BUFFER_EXCEEDED: too much CRYPTO data buffered.</summary>
    CryptoBufferExceeded = 0x0d,

    /// <summary>KEY_UPDATE_ERROR: an invalid key update.</summary>
    KeyUpdateError = 0x0e,

    /// <summary>AEAD_LIMIT_REACHED: the AEAD integrity limit was reached.</summary>
    AeadLimitReached = 0x0f,

    /// <summary>NO_VIABLE_PATH: no path supports the minimum datagram size.</summary>
    NoViablePath = 0x10,

    /// <summary>CRYPTO_ERROR base: 0x0100 + the TLS alert.</summary>
    CryptoErrorBase = 0x0100,
}
