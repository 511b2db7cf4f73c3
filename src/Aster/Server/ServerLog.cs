using Microsoft.Extensions.Logging;

namespace Aster.Server;

/// <summary>Source-generated log messages of the server (event ids 3000–3999).</summary>
internal static partial class ServerLog
{
    [LoggerMessage(EventId = 3001, EventName = "CallStarted", Level = LogLevel.Debug, Message = "Call {Service}/{Method} started.")]
    public static partial void CallStarted(ILogger logger, string service, string method);

    [LoggerMessage(EventId = 3002, EventName = "CallFinished", Level = LogLevel.Debug, Message = "Call {Service}/{Method} finished with {Status}.")]
    public static partial void CallFinished(ILogger logger, string service, string method, StatusCode status);

    [LoggerMessage(EventId = 3003, EventName = "HandlerFailed", Level = LogLevel.Error, Message = "Handler of {Service}/{Method} threw an unhandled exception.")]
    public static partial void HandlerFailed(ILogger logger, string service, string method, Exception exception);

    [LoggerMessage(EventId = 3004, EventName = "StreamKilled", Level = LogLevel.Warning, Message = "Stream dropped after a framing violation: {Reason}.")]
    public static partial void StreamKilled(ILogger logger, string reason);

    [LoggerMessage(EventId = 3005, EventName = "CallRefused", Level = LogLevel.Debug, Message = "Call to {Service}/{Method} refused with {Status}: {Message}.")]
    public static partial void CallRefused(ILogger logger, string service, string method, StatusCode status, string message);

    [LoggerMessage(EventId = 3006, EventName = "ConnectionServed", Level = LogLevel.Debug, Message = "Connection on {Alpn} ended after {Streams} streams.")]
    public static partial void ConnectionServed(ILogger logger, string alpn, long streams);

    [LoggerMessage(EventId = 3007, EventName = "SessionDisposeFailed", Level = LogLevel.Warning, Message = "Disposing session {SessionId} of {Service} failed.")]
    public static partial void SessionDisposeFailed(ILogger logger, int sessionId, string service, Exception exception);
}
