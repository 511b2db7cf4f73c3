using Microsoft.Extensions.Logging;

namespace Aster.Net.Quic.Connection;

/// <summary>Log messages of the QUIC connection and endpoint.</summary>
internal static partial class QuicConnectionLog
{
    [LoggerMessage(EventId = 3001, EventName = "TransportError", Level = LogLevel.Debug,
        Message = "Closing connection with transport error 0x{Code:x}: {Reason}")]
    public static partial void TransportError(ILogger logger, ulong code, string reason);

    [LoggerMessage(EventId = 3002, EventName = "DatagramDropped", Level = LogLevel.Debug,
        Message = "Dropped a datagram from {Remote}: {Reason}")]
    public static partial void DatagramDropped(ILogger logger, string remote, string reason);

    [LoggerMessage(EventId = 3003, EventName = "ReceiveLoopError", Level = LogLevel.Warning,
        Message = "UDP receive loop error")]
    public static partial void ReceiveLoopError(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3004, EventName = "StatelessResetReceived", Level = LogLevel.Debug,
        Message = "The peer sent a stateless reset; the connection drains")]
    public static partial void StatelessResetReceived(ILogger logger);

    [LoggerMessage(EventId = 3005, EventName = "StatelessResetSent", Level = LogLevel.Debug,
        Message = "Sent a stateless reset to {Remote} for an unknown connection id")]
    public static partial void StatelessResetSent(ILogger logger, System.Net.IPEndPoint remote);

    [LoggerMessage(EventId = 3006, EventName = "DriverFailed", Level = LogLevel.Error,
        Message = "A connection failed inside the transport; it is abandoned")]
    public static partial void DriverFailed(ILogger logger, Exception exception);
}
