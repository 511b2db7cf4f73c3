namespace Aster.Protocol;

/// <summary>A StreamHeader, RpcStatus or CallHeader payload could not be decoded.</summary>
/// <remarks>
/// A server answers a malformed header with INVALID_ARGUMENT <c>malformed StreamHeader: {Message}</c>; a client treats a
/// malformed trailer as INTERNAL <c>protocol error: {Message}</c> (wire-protocol.md, section 19).
/// </remarks>
public sealed class ProtocolFormatException : Exception
{
    /// <summary>Creates the exception with the reason.</summary>
    public ProtocolFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the reason and the decoder's error.</summary>
    public ProtocolFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
