using System.Collections.Concurrent;
using System.Globalization;
using Aster.Server;

namespace Aster.Interceptors;

/// <summary>What one rate-limit bucket covers.</summary>
public enum RateLimitScope
{
    /// <summary>One bucket for every call.</summary>
    Global,

    /// <summary>One bucket per service.</summary>
    Service,

    /// <summary>One bucket per method.</summary>
    Method,
}

/// <summary>
/// A token-bucket rate limit on a server: a call beyond the rate (after the burst) is refused with RESOURCE_EXHAUSTED
/// before its handler runs.
/// </summary>
public sealed class RateLimitInterceptor : IServerInterceptor
{
    private readonly double _rate;
    private readonly double _burst;
    private readonly RateLimitScope _scope;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, TokenBucket> _buckets = new(StringComparer.Ordinal);

    /// <summary>Creates the interceptor.</summary>
    /// <param name="ratePerSecond">Calls allowed per second, on average.</param>
    /// <param name="burst">Calls allowed at once after a quiet spell; defaults to <paramref name="ratePerSecond"/>.</param>
    /// <param name="scope">What one bucket covers.</param>
    /// <param name="timeProvider">The clock; defaults to the system clock.</param>
    public RateLimitInterceptor(double ratePerSecond, double? burst = null, RateLimitScope scope = RateLimitScope.Global, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        _rate = ratePerSecond;
        _burst = Math.Max(1, burst ?? ratePerSecond);
        _scope = scope;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public ValueTask InvokeAsync(CallContext context, Func<CallContext, ValueTask> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        string key = _scope switch
        {
            RateLimitScope.Service => context.Service,
            RateLimitScope.Method => context.Service + "/" + context.Method,
            _ => string.Empty,
        };
        TokenBucket bucket = _buckets.GetOrAdd(key, static (_, self) => new TokenBucket(self._burst, self._time.GetTimestamp()), this);
        if (!bucket.TryTake(_rate, _burst, _time))
        {
            throw new RpcException(StatusCode.ResourceExhausted, string.Create(CultureInfo.InvariantCulture, $"rate limit exceeded ({_rate}/s per {_scope.ToString().ToLowerInvariant()})"));
        }

        return continuation(context);
    }

    private sealed class TokenBucket(double tokens, long timestamp)
    {
        private double _tokens = tokens;
        private long _last = timestamp;

        public bool TryTake(double rate, double capacity, TimeProvider time)
        {
            lock (this)
            {
                long now = time.GetTimestamp();
                _tokens = Math.Min(capacity, _tokens + (time.GetElapsedTime(_last, now).TotalSeconds * rate));
                _last = now;
                if (_tokens < 1)
                {
                    return false;
                }

                _tokens -= 1;
                return true;
            }
        }
    }
}
