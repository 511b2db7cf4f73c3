using Aster.Contracts;
using Aster.Client;

namespace Aster.Interceptors;

/// <summary>
/// Retries failed unary calls of idempotent methods on retryable codes (UNAVAILABLE by default) with exponential
/// backoff and jitter. Never retries a non-idempotent method, a streaming call, or a call the caller cancelled.
/// </summary>
public sealed class RetryInterceptor : IClientInterceptor
{
    private readonly int _maxAttempts;
    private readonly TimeSpan _initialBackoff;
    private readonly TimeSpan _maxBackoff;
    private readonly double _multiplier;
    private readonly double _jitter;
    private readonly HashSet<StatusCode> _retryable;
    private readonly TimeProvider _time;

    /// <summary>Creates the interceptor.</summary>
    /// <param name="maxAttempts">Attempts in all, the first included. Defaults to 3.</param>
    /// <param name="initialBackoff">The wait before the second attempt. Defaults to 100 ms.</param>
    /// <param name="maxBackoff">The longest wait between attempts. Defaults to 5 s.</param>
    /// <param name="multiplier">How much each wait grows. Defaults to 2.</param>
    /// <param name="jitter">The random fraction added to each wait (0–1). Defaults to 0.2.</param>
    /// <param name="retryableCodes">The codes that trigger a retry. Defaults to UNAVAILABLE.</param>
    /// <param name="timeProvider">The clock used for waiting; defaults to the system clock.</param>
    public RetryInterceptor(int maxAttempts = 3, TimeSpan? initialBackoff = null, TimeSpan? maxBackoff = null, double multiplier = 2, double jitter = 0.2, IEnumerable<StatusCode>? retryableCodes = null, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxAttempts);
        ArgumentOutOfRangeException.ThrowIfLessThan(multiplier, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(jitter);
        _maxAttempts = maxAttempts;
        _initialBackoff = initialBackoff ?? TimeSpan.FromMilliseconds(100);
        _maxBackoff = maxBackoff ?? TimeSpan.FromSeconds(5);
        _multiplier = multiplier;
        _jitter = jitter;
        _retryable = [.. retryableCodes ?? [StatusCode.Unavailable]];
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public async ValueTask InvokeAsync(ClientCallContext context, Func<ClientCallContext, ValueTask> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        if (!context.Idempotent || context.Kind != MethodPattern.Unary)
        {
            await continuation(context).ConfigureAwait(false);
            return;
        }

        for (int attempt = 0; ; attempt++)
        {
            context.Attempt = attempt;
            try
            {
                await continuation(context).ConfigureAwait(false);
                return;
            }
            catch (RpcException ex) when (attempt + 1 < _maxAttempts && _retryable.Contains(ex.StatusCode) && !context.CancellationToken.IsCancellationRequested)
            {
                await Task.Delay(Backoff(attempt), _time, context.CancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The wait after attempt <paramref name="attempt"/> (0-based) failed.</summary>
    internal TimeSpan Backoff(int attempt)
    {
        double ms = Math.Min(_maxBackoff.TotalMilliseconds, _initialBackoff.TotalMilliseconds * Math.Pow(_multiplier, attempt));
#pragma warning disable CA5394 // jitter needs no cryptographic randomness
        ms += ms * _jitter * Random.Shared.NextDouble();
#pragma warning restore CA5394
        return TimeSpan.FromMilliseconds(ms);
    }
}
