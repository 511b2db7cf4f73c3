using Aster.Internal;

namespace Aster.Client;

/// <summary>
/// The deadline of one client call: a cancellation source (linked to the caller's token when it can cancel) that the
/// client's <see cref="DeadlineScheduler"/> cancels when the time is up; no timer of its own. The call owns it and
/// disposes it when it ends, which also takes it off the schedule.
/// </summary>
internal sealed class CallDeadline : DeadlineEntry, IDisposable
{
    private readonly DeadlineScheduler _scheduler;
    private readonly CancellationTokenSource _source;
    private int _expired;

    public CallDeadline(DeadlineScheduler scheduler, TimeSpan timeout, CancellationToken userToken)
    {
        _scheduler = scheduler;
        _source = userToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(userToken) : new CancellationTokenSource();
        scheduler.Schedule(this, timeout);
    }

    /// <summary>Cancelled by the caller's token or when the deadline passes.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>True once the deadline has passed.</summary>
    public bool Expired => Volatile.Read(ref _expired) != 0;

    public void Dispose()
    {
        _scheduler.Cancel(this);
        _source.Dispose();
    }

    protected internal override void OnExpired()
    {
        Volatile.Write(ref _expired, 1);
        try
        {
            _source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The call ended as the deadline passed.
        }
    }
}
