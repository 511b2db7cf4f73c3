using System.Net;
using Aster.Net.Identity;
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


    [LoggerMessage(EventId = 3011, EventName = "Listening", Level = LogLevel.Information, Message = "Serving {Services} services as {EndpointId} on {Addresses} ({Mode}).")]
    public static partial void Listening(ILogger logger, int services, EndpointId endpointId, IReadOnlyList<IPEndPoint> addresses, string mode);

    [LoggerMessage(EventId = 3012, EventName = "Gate0Refused", Level = LogLevel.Information, Message = "Gate 0 refused {Peer} on {Alpn}.")]
    public static partial void Gate0Refused(ILogger logger, EndpointId peer, string alpn);

    [LoggerMessage(EventId = 3013, EventName = "Gate0Failed", Level = LogLevel.Warning, Message = "Gate 0 failed deciding on {Peer} ({Alpn}); the connection is refused.")]
    public static partial void Gate0Failed(ILogger logger, EndpointId peer, string alpn, Exception exception);

    [LoggerMessage(EventId = 3014, EventName = "AdmissionDenied", Level = LogLevel.Information, Message = "Consumer admission denied to {Peer}: {Reason}.")]
    public static partial void AdmissionDenied(ILogger logger, EndpointId peer, string reason);

    [LoggerMessage(EventId = 3015, EventName = "AdmissionFailed", Level = LogLevel.Error, Message = "Consumer admission of {Peer} failed inside the authority; the uniform denial was sent.")]
    public static partial void AdmissionFailed(ILogger logger, EndpointId peer, Exception exception);

    [LoggerMessage(EventId = 3016, EventName = "AdmissionBusy", Level = LogLevel.Warning, Message = "Admission from {Peer} refused: {Limit} exchanges already running.")]
    public static partial void AdmissionBusy(ILogger logger, EndpointId peer, int limit);

    [LoggerMessage(EventId = 3017, EventName = "AdmissionAbandoned", Level = LogLevel.Information, Message = "Admission from {Peer} abandoned without a reply: {Reason}.")]
    public static partial void AdmissionAbandoned(ILogger logger, EndpointId peer, string reason);

    [LoggerMessage(EventId = 3018, EventName = "ConsumerAdmitted", Level = LogLevel.Debug, Message = "Consumer {Peer} admitted.")]
    public static partial void ConsumerAdmitted(ILogger logger, EndpointId peer);

    [LoggerMessage(EventId = 3019, EventName = "AlpnHandlerFailed", Level = LogLevel.Error, Message = "The handler of {Alpn} failed on a connection from {Peer}.")]
    public static partial void AlpnHandlerFailed(ILogger logger, string alpn, EndpointId peer, Exception exception);

    [LoggerMessage(EventId = 3020, EventName = "ShuttingDown", Level = LogLevel.Information, Message = "Shutting down: {Calls} calls in flight, grace period {GraceSeconds} s.")]
    public static partial void ShuttingDown(ILogger logger, int calls, double graceSeconds);

    [LoggerMessage(EventId = 3021, EventName = "AdmissionExpiredClosed", Level = LogLevel.Information, Message = "Closed the {Alpn} connection of {Peer}: its admission has expired.")]
    public static partial void AdmissionExpiredClosed(ILogger logger, string alpn, EndpointId peer);
}
