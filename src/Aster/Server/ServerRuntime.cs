using System.Diagnostics;
using System.Diagnostics.Metrics;
using Aster.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Aster.Server;

/// <summary>What every call of one server shares: options, logger, registry, the interceptor pipeline and telemetry.</summary>
internal sealed class ServerRuntime
{
    private readonly IServerInterceptor[] _interceptors;
    private int _activeCalls;

    public ServerRuntime(AsterServerOptions options, ServiceRegistry registry)
    {
        Options = options;
        Registry = registry;
        Codecs = options.Codecs ?? throw new ArgumentException("AsterServerOptions.Codecs is required.", nameof(options));
        Logger = options.LoggerFactory.CreateLogger("Aster.Server");
        _interceptors = [.. options.Interceptors];
    }

    public AsterServerOptions Options { get; }

    public ServiceRegistry Registry { get; }

    public Codec.ICodecProvider Codecs { get; }

    /// <summary>The XLANG forms of StreamHeader and RpcStatus; null when the codecs offer no XLANG mode.</summary>
    public Protocol.IProtocolCodec? XlangProtocol => (Codecs as Codec.ForyCodecProvider)?.XlangProtocol;

    public ILogger Logger { get; }

    /// <summary>How many calls are running now (a graceful shutdown waits for this to reach zero).</summary>
    public int ActiveCalls => Volatile.Read(ref _activeCalls);

    /// <summary>Wraps <paramref name="body"/> in the interceptors, outermost first.</summary>
    public Func<CallContext, ValueTask> Pipeline(Func<CallContext, ValueTask> body)
    {
        Func<CallContext, ValueTask> next = body;
        for (int i = _interceptors.Length - 1; i >= 0; i--)
        {
            IServerInterceptor interceptor = _interceptors[i];
            Func<CallContext, ValueTask> inner = next;
            next = context => interceptor.InvokeAsync(context, inner);
        }

        return next;
    }

    public void OnCallStarted(CallContext context)
    {
        Interlocked.Increment(ref _activeCalls);
        AsterDiagnostics.ServerActiveCalls.Add(1);
        if (Logger.IsEnabled(LogLevel.Debug))
        {
            ServerLog.CallStarted(Logger, context.Service, context.Method);
        }

        context.Items[StartedKey] = Stopwatch.GetTimestamp();
        if (AsterDiagnostics.ActivitySource.HasListeners())
        {
            ActivityContext.TryParse(context.GetMetadata("traceparent"), context.GetMetadata("tracestate"), out ActivityContext parent);
            Activity? activity = AsterDiagnostics.ActivitySource.StartActivity(context.Service + "/" + context.Method, ActivityKind.Server, parent);
            if (activity is not null)
            {
                activity.SetTag("rpc.system.name", "aster");
                activity.SetTag("rpc.method", context.Service + "/" + context.Method);
                context.Items[ActivityKey] = activity;
            }
        }
    }

    public void OnCallFinished(CallContext context, StatusCode code)
    {
        Interlocked.Decrement(ref _activeCalls);
        AsterDiagnostics.ServerActiveCalls.Add(-1);
        if (context.Items.TryGetValue(ActivityKey, out object? value) && value is Activity activity)
        {
            activity.SetTag("rpc.response.status_code", StatusCodeNames.GetName(code));
            activity.SetStatus(code == StatusCode.OK ? ActivityStatusCode.Ok : ActivityStatusCode.Error);
            activity.Dispose();
        }

        if (AsterDiagnostics.ServerCallDuration.Enabled && context.Items.TryGetValue(StartedKey, out object? started) && started is long timestamp)
        {
            var tags = new TagList
            {
                { "rpc.system.name", "aster" },
                { "rpc.method", context.Service + "/" + context.Method },
                { "rpc.response.status_code", StatusCodeNames.GetName(code) },
            };
            if (code != StatusCode.OK)
            {
                tags.Add("error.type", StatusCodeNames.GetName(code));
            }

            AsterDiagnostics.ServerCallDuration.Record(Stopwatch.GetElapsedTime(timestamp).TotalSeconds, tags);
        }

        if (Logger.IsEnabled(LogLevel.Debug))
        {
            ServerLog.CallFinished(Logger, context.Service, context.Method, code);
        }
    }

    private const string StartedKey = "aster.started";
    private const string ActivityKey = "aster.activity";
}
