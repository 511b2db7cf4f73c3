namespace Aster.Net.Quic;

/// <summary>QUIC transport error codes (RFC 9000, section 20.1) used when a peer violates the protocol.</summary>
internal enum QuicTransportErrorCode : ulong
{
    /// <summary>No error.</summary>
    NoError = 0x00,

    /// <summary>An internal error.</summary>
    InternalError = 0x01,

    /// <summary>The peer sent more data than its flow-control credit allowed.</summary>
    FlowControlError = 0x03,

    /// <summary>The peer opened more streams than allowed.</summary>
    StreamLimitError = 0x04,

    /// <summary>A frame arrived for a stream in a state that does not allow it.</summary>
    StreamStateError = 0x05,

    /// <summary>A final size changed, or data arrived beyond a known final size.</summary>
    FinalSizeError = 0x06,

    /// <summary>A frame was badly encoded.</summary>
    FrameEncodingError = 0x07,

    /// <summary>A generic protocol violation.</summary>
    ProtocolViolation = 0x0a,

    /// <summary>CRYPTO data exceeded the reassembly buffer.</summary>
    CryptoBufferExceeded = 0x0d,
}
