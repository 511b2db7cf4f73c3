using Aster.Client;

namespace Aster.Interceptors;

/// <summary>The states of a circuit breaker.</summary>
public enum CircuitState
{
    /// <summary>Calls flow; failures are counted.</summary>
    Closed,

    /// <summary>Calls fail fast with UNAVAILABLE until the recovery time has passed.</summary>
    Open,

    /// <summary>A limited number of probe calls decide whether to close again.</summary>
    HalfOpen,
}

/// <summary>
/// A client-side circuit breaker: after <c>failureThreshold</c> consecutive failures (UNAVAILABLE, INTERNAL, UNKNOWN or
/// DEADLINE_EXCEEDED) calls fail fast with UNAVAILABLE for the recovery time; then probe calls decide whether to close.
/// </summary>
public sealed class CircuitBreakerInterceptor : IClientInterceptor
{
    private readonly int _failureThreshold;
    private readonly TimeSpan _recoveryTime;
    private readonly int _halfOpenMaxCalls;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private int _failures;
    private long _openedAt;
    private int _halfOpenCalls;

    /// <summary>Creates the interceptor.</summary>
    public CircuitBreakerInterceptor(int failureThreshold = 3, TimeSpan? recoveryTime = null, int halfOpenMaxCalls = 1, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(failureThreshold);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(halfOpenMaxCalls);
        _failureThreshold = failureThreshold;
        _recoveryTime = recoveryTime ?? TimeSpan.FromSeconds(5);
        _halfOpenMaxCalls = halfOpenMaxCalls;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The current state.</summary>
    public CircuitState State { get; private set; }

    /// <inheritdoc/>
    public async ValueTask InvokeAsync(ClientCallContext context, Func<ClientCallContext, ValueTask> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Admit();
        try
        {
            await continuation(context).ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown or StatusCode.DeadlineExceeded)
        {
            RecordFailure();
            throw;
        }

        RecordSuccess();
    }

    private void Admit()
    {
        lock (_lock)
        {
            if (State == CircuitState.Open)
            {
                if (_time.GetElapsedTime(_openedAt) < _recoveryTime)
                {
                    throw new RpcException(StatusCode.Unavailable, "circuit breaker is open");
                }

                State = CircuitState.HalfOpen;
                _halfOpenCalls = 0;
            }

            if (State == CircuitState.HalfOpen)
            {
                if (_halfOpenCalls >= _halfOpenMaxCalls)
                {
                    throw new RpcException(StatusCode.Unavailable, "circuit breaker is half-open");
                }

                _halfOpenCalls++;
            }
        }
    }

    private void RecordSuccess()
    {
        lock (_lock)
        {
            _failures = 0;
            _halfOpenCalls = 0;
            State = CircuitState.Closed;
        }
    }

    private void RecordFailure()
    {
        lock (_lock)
        {
            if (State == CircuitState.HalfOpen || ++_failures >= _failureThreshold)
            {
                State = CircuitState.Open;
                _openedAt = _time.GetTimestamp();
                _halfOpenCalls = 0;
            }
        }
    }
}
