using Aster.Net.Quic.Connection;
using Aster.Testing;

namespace Aster.Net.Tests.Quic.Connection;

public sealed class DriverWakeupTests
{
    [Fact]
    public async Task WaitAsync_SignalBeforeWait_ReturnsAtOnceAndClearsThePendingSignal()
    {
        using var wakeup = new DriverWakeup();
        wakeup.Signal();
        ValueTask pending = wakeup.WaitAsync(60_000);
        Assert.True(pending.IsCompleted);
        await pending;

        // The signal was consumed: the next wait parks until signalled.
        ValueTask wait = wakeup.WaitAsync(60_000);
        Assert.False(wait.IsCompleted);
        wakeup.Signal();
        await wait.DefaultTimeout();
    }

    [Fact]
    public async Task WaitAsync_NoSignal_CompletesWhenTheDelayElapses()
    {
        using var wakeup = new DriverWakeup();
        for (int i = 0; i < 3; i++)
        {
            await wakeup.WaitAsync(10).DefaultTimeout();
        }
    }

    [Fact]
    public async Task WakeBy_DuringALongWait_EndsItByTheEarlierDeadline()
    {
        using var wakeup = new DriverWakeup();
        ValueTask wait = wakeup.WaitAsync(60_000);
        Assert.False(wait.IsCompleted);
        wakeup.WakeBy(QuicClock.NowUs + 10_000);
        await wait.DefaultTimeout();
    }

    [Fact]
    public async Task WakeBy_WhileTheDriverRuns_ShortensItsNextWait()
    {
        using var wakeup = new DriverWakeup();
        wakeup.WakeBy(QuicClock.NowUs + 10_000);
        await wakeup.WaitAsync(60_000).DefaultTimeout();

        // The hint was used up: the wait after it parks until signalled.
        ValueTask next = wakeup.WaitAsync(60_000);
        Assert.False(next.IsCompleted);
        wakeup.Signal();
        await next.DefaultTimeout();
    }

    [Fact]
    public async Task WakeBy_LaterThanTheCurrentDeadline_DoesNotExtendTheWait()
    {
        using var wakeup = new DriverWakeup();
        ValueTask wait = wakeup.WaitAsync(10);
        wakeup.WakeBy(QuicClock.NowUs + 60_000_000);
        await wait.DefaultTimeout();
    }

    [Fact]
    public async Task WaitAsync_ZeroDelay_DoesNotWait()
    {
        using var wakeup = new DriverWakeup();
        ValueTask wait = wakeup.WaitAsync(0);
        Assert.True(wait.IsCompleted);
        await wait;
    }

    [Fact]
    public async Task WaitAsync_SignalsFromManyThreads_NeverLoseAWakeUpOrCompleteTwice()
    {
        // A driver-like loop: every signal raised after the loop's last look must end a wait. The loop counts what it
        // saw; signallers count what they raised; the loop must observe the last one.
        using var wakeup = new DriverWakeup();
        int raised = 0;
        int seen = 0;
        using var stop = new CancellationTokenSource();
        Task loop = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                Volatile.Write(ref seen, Volatile.Read(ref raised));
                await wakeup.WaitAsync(60_000);
            }
        });

        Task[] signallers = [.. Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < 2_000; i++)
            {
                Interlocked.Increment(ref raised);
                wakeup.Signal();
            }
        }))];
        await Task.WhenAll(signallers).DefaultTimeout();

        // The last signal is seen without any timer help (the delay is a minute).
        for (int i = 0; i < 500 && Volatile.Read(ref seen) != Volatile.Read(ref raised); i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(8_000, Volatile.Read(ref seen));
        await stop.CancelAsync();
        wakeup.Signal();
        await loop.DefaultTimeout();
    }
}
