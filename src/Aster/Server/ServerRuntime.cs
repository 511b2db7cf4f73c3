using System.Diagnostics;
using System.Diagnostics.Metrics;
using Aster.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Aster.Server;

/// <summary>What every call of one server shares: options, logger, registry, the interceptor pipeline and telemetry.</summary>
internal sealed class ServerRuntime : IDisposable
{
    private readonly IServerInterceptor[] _interceptors;
    private int _activeCalls;

    public ServerRuntime(AsterServerOptions options, ServiceRegistry registry)
    {
        Options = options;
        Registry = registry;
        Codecs = options.Codecs ?? throw new ArgumentException("AsterServerOptions.Codecs is required.", nameof(options));
        Logger = options.LoggerFactory.CreateLogger("Aster.Server");
        _interceptors = [.. options.Interceptors.Where(i => i is not Interceptors.CapabilityInterceptor)];

        // Gate 3 runs first, at call start, whenever consumers are gated, a requirement is declared, or it was added
        // explicitly (trust.md 7.3 and 7.5).
        Admission = options.Admission;
        Deadlines = new Internal.DeadlineScheduler(options.TimeProvider);
        EnforcesCapabilities = options.Interceptors.Any(i => i is Interceptors.CapabilityInterceptor)
            || options.Admission?.ConsumersGated == true
            || registry.Services.Any(s => s.DeclaresRequirements);
    }

    /// <summary>
    /// The admission authority calls read their caller's admission from: <see cref="AsterServerOptions.Admission"/>, or
    /// the dev-mode authority the networked host creates when none is configured.
    /// </summary>
    public Trust.IAdmissionAuthority? Admission { get; set; }

    /// <summary>The handler time limits of every call of this server, on one timer.</summary>
    public Internal.DeadlineScheduler Deadlines { get; }

    /// <summary>True when calls go through interceptors (other than gate 3, which runs at call start).</summary>
    public bool HasInterceptors => _interceptors.Length > 0;

    /// <summary>True when gate 3 (the capability interceptor) is wired.</summary>
    public bool EnforcesCapabilities { get; }

    public AsterServerOptions Options { get; }

    public ServiceRegistry Registry { get; }

    public Codec.ICodecProvider Codecs { get; }

    /// <summary>The XLANG forms of StreamHeader and RpcStatus; null when the codecs offer no XLANG mode.</summary>
    public Protocol.IProtocolCodec? XlangProtocol => (Codecs as Codec.ForyCodecProvider)?.XlangProtocol;

    /// <summary>The codecs of the release 0.1.2 XLANG dialect (wire-protocol.md 20.6); null when the codecs offer none.</summary>
    public Codec.Release012ForyCodecs? Release012Codecs => (Codecs as Codec.ForyCodecProvider)?.Release012;

    public ILogger Logger { get; }

    /// <summary>How many calls are running now (a graceful shutdown waits for this to reach zero).</summary>
    public int ActiveCalls => Volatile.Read(ref _activeCalls);

    /// <summary>Wraps <paramref name="body"/> in the interceptors, outermost first (gate 3 runs before, at call start).</summary>
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

    /// <summary>Stops the deadline timer (the server is disposed and its connections are done).</summary>
    public void Dispose() => Deadlines.Dispose();

    public void OnCallStarted(CallContext context)
    {
        Interlocked.Increment(ref _activeCalls);
        AsterDiagnostics.ServerActiveCalls.Add(1);
        if (Logger.IsEnabled(LogLevel.Debug))
        {
            ServerLog.CallStarted(Logger, context.Service, context.Method);
        }

        context.StartedTimestamp = Stopwatch.GetTimestamp();
        if (AsterDiagnostics.ActivitySource.HasListeners())
        {
            ActivityContext.TryParse(context.GetMetadata("traceparent"), context.GetMetadata("tracestate"), out ActivityContext parent);
            Activity? activity = AsterDiagnostics.ActivitySource.StartActivity(context.Service + "/" + context.Method, ActivityKind.Server, parent);
            if (activity is not null)
            {
                activity.SetTag("rpc.system.name", "aster");
                activity.SetTag("rpc.method", context.Service + "/" + context.Method);
                context.Activity = activity;
            }
        }
    }

    public void OnCallFinished(CallContext context, StatusCode code)
    {
        Interlocked.Decrement(ref _activeCalls);
        AsterDiagnostics.ServerActiveCalls.Add(-1);
        if (context.Activity is { } activity)
        {
            activity.SetTag("rpc.response.status_code", StatusCodeNames.GetName(code));
            activity.SetStatus(code == StatusCode.OK ? ActivityStatusCode.Ok : ActivityStatusCode.Error);
            activity.Dispose();
        }

        if (AsterDiagnostics.ServerCallDuration.Enabled)
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

            AsterDiagnostics.ServerCallDuration.Record(Stopwatch.GetElapsedTime(context.StartedTimestamp).TotalSeconds, tags);
        }

        if (Logger.IsEnabled(LogLevel.Debug))
        {
            ServerLog.CallFinished(Logger, context.Service, context.Method, code);
        }
    }
}
