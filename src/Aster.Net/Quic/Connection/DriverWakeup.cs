using System.Threading.Tasks.Sources;

namespace Aster.Net.Quic.Connection;

/// <summary>
/// The connection driver's reusable wait: "until signalled or until a deadline", without allocating per wait (no
/// <see cref="TaskCompletionSource"/>, no <c>Task.Delay</c>, no <c>Task.WhenAny</c> per loop turn). One waiter at a
/// time (the driver loop); any thread may signal; one timer per driver serves the deadline.
/// </summary>
/// <remarks>
/// <para><c>_pending</c> records a signal that arrived while nobody waited, so a wake-up between the driver's last
/// look at the connection and its wait is never lost. <c>_armed</c> is 1 while a wait may be completed; whoever
/// exchanges it from 1 to 0 (signal, timer or the waiter itself) owns the completion, so the source completes at most
/// once per wait. A timer firing late for an earlier wait can only end a later wait early: a spurious wake-up, which
/// the driver tolerates (it re-reads the clock and the connection).</para>
/// <para><see cref="WakeBy"/> moves the deadline of the current wait earlier without a wake-up now: the receive path
/// calls it when a datagram armed an earlier timer (a delayed ACK) but left nothing to send. <c>_dueUs</c> is the
/// deadline the timer is set for (<see cref="long.MaxValue"/> while the driver runs); a <see cref="WakeBy"/> that
/// arrives while the driver runs is kept in <c>_hintUs</c> and shortens its next wait, so an earlier deadline is never
/// lost between the driver's look at the connection and its wait. Both are guarded by <c>_timerLock</c>.</para>
/// </remarks>
internal sealed class DriverWakeup : IValueTaskSource, IDisposable
{
    private readonly Timer _timer;
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private readonly Lock _timerLock = new();
    private int _armed;
    private int _pending;
    private long _dueUs = long.MaxValue;
    private long _hintUs = long.MaxValue;

    public DriverWakeup()
    {
        _timer = new Timer(static state => ((DriverWakeup)state!).Complete(), this, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>Wakes the waiter, or the next wait if none is parked.</summary>
    public void Signal()
    {
        Volatile.Write(ref _pending, 1);
        Complete();
    }

    /// <summary>Waits until <see cref="Signal"/> or until <paramref name="delayMs"/> elapsed; returns at once if a
    /// signal is pending. Clears the pending signal. Only the driver loop calls this.</summary>
    public ValueTask WaitAsync(int delayMs)
    {
        if (delayMs <= 0 || Interlocked.Exchange(ref _pending, 0) != 0)
        {
            return ValueTask.CompletedTask;
        }

        _core.Reset();
        Volatile.Write(ref _armed, 1);
        if (Volatile.Read(ref _pending) != 0 && Interlocked.Exchange(ref _armed, 0) == 1)
        {
            // A signal raced the arming and left the completion to us: do not wait.
            Volatile.Write(ref _pending, 0);
            return ValueTask.CompletedTask;
        }

        lock (_timerLock)
        {
            long now = QuicClock.NowUs;
            long due = Math.Min(now + (delayMs * 1000L), _hintUs);
            _hintUs = long.MaxValue;
            _dueUs = due;
            _timer.Change(DelayMs(due, now), Timeout.Infinite);
        }

        return new ValueTask(this, _core.Version);
    }

    /// <summary>
    /// Makes the current wait (or, while the driver runs, its next wait) end by <paramref name="deadlineUs"/> at the
    /// latest, without waking the driver now. Any thread may call it.
    /// </summary>
    /// <param name="deadlineUs">A <see cref="QuicClock"/> time.</param>
    public void WakeBy(long deadlineUs)
    {
        lock (_timerLock)
        {
            if (_dueUs == long.MaxValue)
            {
                _hintUs = Math.Min(_hintUs, deadlineUs);
            }
            else if (deadlineUs < _dueUs)
            {
                _dueUs = deadlineUs;
                _timer.Change(DelayMs(deadlineUs, QuicClock.NowUs), Timeout.Infinite);
            }
        }
    }

    public void Dispose() => _timer.Dispose();

    void IValueTaskSource.GetResult(short token)
    {
        _core.GetResult(token);
        Volatile.Write(ref _pending, 0);
        lock (_timerLock)
        {
            _dueUs = long.MaxValue;
        }
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);

    /// <summary>Whole milliseconds until <paramref name="dueUs"/>, rounded up (a timer that fires early is a spurious wake-up).</summary>
    private static long DelayMs(long dueUs, long nowUs) => Math.Clamp((dueUs - nowUs + 999) / 1000, 0, int.MaxValue);

    private void Complete()
    {
        if (Interlocked.Exchange(ref _armed, 0) == 1)
        {
            _core.SetResult(true);
        }
    }
}
