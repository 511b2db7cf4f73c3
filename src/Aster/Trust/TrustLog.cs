using Aster.Net.Identity;
using Microsoft.Extensions.Logging;

namespace Aster.Trust;

/// <summary>
/// Source-generated log messages of the trust gates (event ids 4000–4099). Refusal reasons are written here and
/// nowhere else: the peer only ever sees the uniform denial (trust.md 4.5). Endpoint ids are masked unless masking is
/// off; credentials, signatures, nonces and tokens are never logged.
/// </summary>
internal static partial class TrustLog
{
    /// <summary>An endpoint id for a log line: first 8 hex characters, <c>...</c>, last 4 (config-and-cli.md 13) when masking.</summary>
    public static string Id(EndpointId id, bool mask)
    {
        string hex = id.ToString();
        return mask ? string.Concat(hex.AsSpan(0, 8), "...", hex.AsSpan(hex.Length - 4)) : hex;
    }

#pragma warning disable CA1873 // Each wrapper formats the masked id only after its own IsEnabled check.
    public static void ConsumerDenied(ILogger logger, EndpointId peer, bool mask, string reason)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            ConsumerDeniedCore(logger, Id(peer, mask), reason);
        }
    }

    public static void ConsumerAdmitted(ILogger logger, EndpointId peer, bool mask, AdmissionPath path, string handle)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            ConsumerAdmittedCore(logger, Id(peer, mask), AdmissionPaths.Name(path), handle);
        }
    }

    public static void ConsumerAdmissionFailed(ILogger logger, EndpointId peer, bool mask, string reason, Exception? exception)
    {
        if (logger.IsEnabled(LogLevel.Error))
        {
            ConsumerAdmissionFailedCore(logger, Id(peer, mask), reason, exception);
        }
    }

    public static void ConsumerReadmitted(ILogger logger, EndpointId peer, bool mask)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            ConsumerReadmittedCore(logger, Id(peer, mask));
        }
    }

    public static void ConnectionRefused(ILogger logger, EndpointId peer, bool mask, string alpn, string reason)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            ConnectionRefusedCore(logger, Id(peer, mask), alpn, reason);
        }
    }

    public static void ConnectionGateFailed(ILogger logger, EndpointId peer, bool mask, string alpn, string reason, Exception? exception)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            ConnectionGateFailedCore(logger, Id(peer, mask), alpn, reason, exception);
        }
    }

#pragma warning restore CA1873

    [LoggerMessage(EventId = 4001, EventName = "ConsumerAdmissionDenied", Level = LogLevel.Information, Message = "Consumer admission of {Peer} denied: {Reason}.", SkipEnabledCheck = true)]
    private static partial void ConsumerDeniedCore(ILogger logger, string peer, string reason);

    [LoggerMessage(EventId = 4002, EventName = "ConsumerAdmitted", Level = LogLevel.Information, Message = "Consumer {Peer} admitted ({Path}, handle '{Handle}').", SkipEnabledCheck = true)]
    private static partial void ConsumerAdmittedCore(ILogger logger, string peer, string path, string handle);

    [LoggerMessage(EventId = 4003, EventName = "ConsumerAdmissionFailed", Level = LogLevel.Error, Message = "Consumer admission of {Peer} failed inside the node and was denied: {Reason}.", SkipEnabledCheck = true)]
    private static partial void ConsumerAdmissionFailedCore(ILogger logger, string peer, string reason, Exception? exception);

    [LoggerMessage(EventId = 4004, EventName = "ConsumerReadmitted", Level = LogLevel.Information, Message = "Consumer {Peer} presented its one-time token again while its admission lives; admitted without consuming.", SkipEnabledCheck = true)]
    private static partial void ConsumerReadmittedCore(ILogger logger, string peer);

    [LoggerMessage(EventId = 4010, EventName = "ConnectionRefused", Level = LogLevel.Information, Message = "Gate 0 refused {Peer} on {Alpn}: {Reason}.", SkipEnabledCheck = true)]
    private static partial void ConnectionRefusedCore(ILogger logger, string peer, string alpn, string reason);

    [LoggerMessage(EventId = 4011, EventName = "ConnectionGateFailed", Level = LogLevel.Warning, Message = "Gate 0 refused {Peer} on {Alpn} because the decision failed: {Reason}.", SkipEnabledCheck = true)]
    private static partial void ConnectionGateFailedCore(ILogger logger, string peer, string alpn, string reason, Exception? exception);

    [LoggerMessage(EventId = 4020, EventName = "DevMode", Level = LogLevel.Warning, Message = "Dev mode: ephemeral root key {Root}, consumer gate open. Any peer that knows the address may call.")]
    public static partial void DevMode(ILogger logger, string root);

    [LoggerMessage(EventId = 4021, EventName = "NonceStoreInMemory", Level = LogLevel.Warning, Message = "One-time-token nonces are kept in memory only: a restart forgets which tokens were used.")]
    public static partial void NonceStoreInMemory(ILogger logger);
}
