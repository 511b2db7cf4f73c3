using System.Buffers;

namespace Aster.Protocol;

/// <summary>
/// Reads the CallHeader of a CALL frame in the release 0.1.2 session protocol (wire-protocol.md 20.5) in one encoding:
/// method, call id, absolute deadline and metadata, returned as a 0.1.2 <see cref="StreamHeader"/> without a service.
/// </summary>
internal interface ICallHeaderReader
{
    /// <summary>Reads one CallHeader payload.</summary>
    /// <exception cref="ProtocolFormatException">The payload is malformed.</exception>
    StreamHeader ReadCallHeader(in ReadOnlySequence<byte> payload);
}
