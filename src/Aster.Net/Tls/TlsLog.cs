using Microsoft.Extensions.Logging;

namespace Aster.Net.Tls;

/// <summary>Log events of the TLS handshake (event ids 2000–2999). Never logs secrets; peer keys are public.</summary>
internal static partial class TlsLog
{
    /// <summary>The handshake completed.</summary>
    [LoggerMessage(EventId = 2001, EventName = "HandshakeCompleted", Level = LogLevel.Debug,
        Message = "TLS handshake completed as {Role} with peer {Peer}: suite {Suite}, ALPN {Alpn}.")]
    public static partial void HandshakeCompleted(ILogger logger, string role, string peer, TlsCipherSuite suite, string? alpn);

    /// <summary>The handshake failed with an alert.</summary>
    [LoggerMessage(EventId = 2002, EventName = "HandshakeFailed", Level = LogLevel.Information,
        Message = "TLS handshake as {Role} failed with alert {Alert}: {Reason}")]
    public static partial void HandshakeFailed(ILogger logger, string role, TlsAlert alert, string reason);

    /// <summary>A HelloRetryRequest was sent or received.</summary>
    [LoggerMessage(EventId = 2003, EventName = "HelloRetryRequest", Level = LogLevel.Debug,
        Message = "TLS HelloRetryRequest as {Role} for group {Group}.")]
    public static partial void HelloRetryRequest(ILogger logger, string role, ushort group);
}
