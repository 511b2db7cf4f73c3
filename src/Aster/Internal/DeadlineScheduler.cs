namespace Aster.Internal;

/// <summary>
/// Something with a deadline on a <see cref="DeadlineScheduler"/>: the entry is its own list node, so scheduling and
/// cancelling allocate nothing. An entry is on at most one scheduler at a time; its owner schedules it once and
/// cancels it when done (cancelling an entry that expired or was never scheduled does nothing).
/// </summary>
internal abstract class DeadlineEntry
{
    internal DeadlineEntry? Previous { get; set; }

    internal DeadlineEntry? Next { get; set; }

    /// <summary>When the entry expires, in <see cref="TimeProvider.GetTimestamp"/> units; 0 when not scheduled.</summary>
    internal long Due { get; set; }

    /// <summary>The deadline passed. Runs on a timer thread, outside the scheduler's lock; must not block.</summary>
    protected internal abstract void OnExpired();
}

/// <summary>
/// Deadlines of many calls on one timer: entries sit in a list ordered by due time and one <see cref="ITimer"/> of the
/// <see cref="TimeProvider"/> (so tests can drive it with a fake clock) is armed for the earliest. Calls of one
/// server or client mostly share a time limit, so a new entry usually goes last (O(1)); cancelling is O(1). The timer is
/// not re-armed when the first entry is cancelled: it fires at the old time, finds nothing due and re-arms for the
/// new first entry, so a steady stream of short calls costs about one timer callback per time limit.
/// </summary>
internal sealed class DeadlineScheduler : IDisposable
{
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private ITimer? _timer;
    private DeadlineEntry? _first;
    private DeadlineEntry? _last;
    private long _armedFor = long.MaxValue;
    private bool _disposed;

    public DeadlineScheduler(TimeProvider time)
    {
        _time = time;
    }

    /// <summary>Schedules <paramref name="entry"/> to expire <paramref name="after"/> from now; an infinite wait is not scheduled.</summary>
    public void Schedule(DeadlineEntry entry, TimeSpan after)
    {
        if (after == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        long now = _time.GetTimestamp();
        double ticks = Math.Ceiling(after.TotalSeconds * _time.TimestampFrequency);
        long due = ticks >= long.MaxValue - now ? long.MaxValue : now + Math.Max(1, (long)ticks);
        lock (_lock)
        {
            if (_disposed)
            {
                return; // the owner is shutting down: its calls are being cancelled anyway
            }

            entry.Due = due;
            DeadlineEntry? before = _last;
            while (before is not null && before.Due > due)
            {
                before = before.Previous;
            }

            entry.Previous = before;
            entry.Next = before is null ? _first : before.Next;
            if (entry.Next is null)
            {
                _last = entry;
            }
            else
            {
                entry.Next.Previous = entry;
            }

            if (before is null)
            {
                _first = entry;
            }
            else
            {
                before.Next = entry;
            }

            if (due < _armedFor)
            {
                Arm(now, due);
            }
        }
    }

    /// <summary>Takes <paramref name="entry"/> off the schedule; nothing happens when it is not scheduled (any more).</summary>
    public void Cancel(DeadlineEntry entry)
    {
        lock (_lock)
        {
            if (entry.Due != 0)
            {
                Unlink(entry);
            }
        }
    }

    /// <summary>Stops the timer; scheduled entries never expire and later ones are not scheduled.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _first = _last = null;
            _timer?.Dispose();
            _timer = null;
        }
    }

    private void Arm(long now, long due)
    {
        _armedFor = due;
        TimeSpan wait = due == long.MaxValue ? Timeout.InfiniteTimeSpan : _time.GetElapsedTime(now, due);
        if (wait != Timeout.InfiniteTimeSpan && wait < TimeSpan.FromTicks(1))
        {
            wait = TimeSpan.FromTicks(1); // due is after now: never a zero wait, which would spin
        }

        if (_timer is null)
        {
            _timer = _time.CreateTimer(static state => ((DeadlineScheduler)state!).OnTimer(), this, wait, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _timer.Change(wait, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnTimer()
    {
        DeadlineEntry? expired = null;
        long now = _time.GetTimestamp();
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _armedFor = long.MaxValue;
            DeadlineEntry? tail = null;
            while (_first is { } entry && entry.Due <= now)
            {
                Unlink(entry);
                if (tail is null)
                {
                    expired = entry;
                }
                else
                {
                    tail.Next = entry;
                }

                tail = entry;
            }

            if (_first is { } next)
            {
                Arm(now, next.Due);
            }
        }

        // The expired entries are chained through Next (Due is 0, so a concurrent Cancel leaves them alone).
        while (expired is not null)
        {
            DeadlineEntry entry = expired;
            expired = entry.Next;
            entry.Next = null;
            entry.OnExpired();
        }
    }

    private void Unlink(DeadlineEntry entry)
    {
        if (entry.Previous is null)
        {
            _first = entry.Next;
        }
        else
        {
            entry.Previous.Next = entry.Next;
        }

        if (entry.Next is null)
        {
            _last = entry.Previous;
        }
        else
        {
            entry.Next.Previous = entry.Previous;
        }

        entry.Previous = null;
        entry.Next = null;
        entry.Due = 0;
    }
}
