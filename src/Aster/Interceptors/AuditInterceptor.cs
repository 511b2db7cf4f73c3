using Aster.Server;
using Microsoft.Extensions.Logging;

namespace Aster.Interceptors;

/// <summary>One audit record: who called what, and how it ended. Metadata values are never recorded, only keys.</summary>
/// <param name="Service">The service.</param>
/// <param name="Method">The method.</param>
/// <param name="CallId">The caller's call id.</param>
/// <param name="MetadataKeys">The metadata keys the caller sent.</param>
/// <param name="Status">How the call ended.</param>
/// <param name="Duration">How long the handler ran.</param>
public sealed record AuditRecord(string Service, string Method, string CallId, IReadOnlyList<string> MetadataKeys, StatusCode Status, TimeSpan Duration);

/// <summary>Structured audit records of every call a server runs, to a logger and an optional sink.</summary>
public sealed partial class AuditInterceptor : IServerInterceptor
{
    private readonly ILogger _logger;
    private readonly Action<AuditRecord>? _sink;
    private readonly TimeProvider _time;

    /// <summary>Creates the interceptor.</summary>
    /// <param name="logger">Where records are logged (Information, event id 3100).</param>
    /// <param name="sink">An optional consumer of each record.</param>
    /// <param name="timeProvider">The clock; defaults to the system clock.</param>
    public AuditInterceptor(ILogger logger, Action<AuditRecord>? sink = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
        _sink = sink;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public async ValueTask InvokeAsync(CallContext context, Func<CallContext, ValueTask> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        long started = _time.GetTimestamp();
        StatusCode status = StatusCode.OK;
        try
        {
            await continuation(context).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            status = ex.StatusCode;
            throw;
        }
        catch (OperationCanceledException)
        {
            status = StatusCode.Cancelled;
            throw;
        }
        catch
        {
            status = StatusCode.Internal;
            throw;
        }
        finally
        {
            var record = new AuditRecord(context.Service, context.Method, context.CallId, [.. context.Metadata.Select(m => m.Key)], status, _time.GetElapsedTime(started));
            LogAudit(_logger, record.Service, record.Method, record.CallId, record.Status, record.Duration.TotalMilliseconds);
            _sink?.Invoke(record);
        }
    }

    [LoggerMessage(EventId = 3100, EventName = "Audit", Level = LogLevel.Information, Message = "Audit {Service}/{Method} call {CallId} ended {Status} after {DurationMs} ms.")]
    private static partial void LogAudit(ILogger logger, string service, string method, string callId, StatusCode status, double durationMs);
}
