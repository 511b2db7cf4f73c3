using Aster.Internal;
using Aster.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Tests.Internal;

public sealed class DeadlineSchedulerTests
{
    [Fact]
    public void Entries_ExpireAtTheirTime_InDueOrder_WhateverTheOrderScheduled()
    {
        var time = new ManualTimeProvider();
        using var scheduler = new DeadlineScheduler(time);
        var expired = new List<string>();
        var late = new Entry("late", expired);
        var early = new Entry("early", expired);
        var middle = new Entry("middle", expired);
        scheduler.Schedule(late, TimeSpan.FromSeconds(30));
        scheduler.Schedule(early, TimeSpan.FromSeconds(10));
        scheduler.Schedule(middle, TimeSpan.FromSeconds(20));

        time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        Assert.Empty(expired);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(["early"], expired);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(["early", "middle"], expired);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(["early", "middle", "late"], expired);
    }

    [Fact]
    public void CancelledEntry_NeverExpires_AndTheNextOneStillDoes()
    {
        var time = new ManualTimeProvider();
        using var scheduler = new DeadlineScheduler(time);
        var expired = new List<string>();
        var first = new Entry("first", expired);
        var second = new Entry("second", expired);
        scheduler.Schedule(first, TimeSpan.FromSeconds(5));
        scheduler.Schedule(second, TimeSpan.FromSeconds(8));
        scheduler.Cancel(first);

        time.Advance(TimeSpan.FromSeconds(5)); // the timer fires for the cancelled head, finds nothing due, re-arms
        Assert.Empty(expired);
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(["second"], expired);

        scheduler.Cancel(first); // cancelling twice, or after expiry, does nothing
        scheduler.Cancel(second);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(["second"], expired);
    }

    [Fact]
    public void InfiniteWait_IsNotScheduled_AndDisposeStopsEverything()
    {
        var time = new ManualTimeProvider();
        var scheduler = new DeadlineScheduler(time);
        var expired = new List<string>();
        scheduler.Schedule(new Entry("never", expired), Timeout.InfiniteTimeSpan);
        scheduler.Schedule(new Entry("disposed", expired), TimeSpan.FromSeconds(1));
        scheduler.Dispose();
        scheduler.Schedule(new Entry("after dispose", expired), TimeSpan.FromSeconds(1));

        time.Advance(TimeSpan.FromHours(1));
        Assert.Empty(expired);
    }

    [Fact]
    public void EntryScheduledAgainAfterExpiry_ExpiresAgain()
    {
        var time = new ManualTimeProvider();
        using var scheduler = new DeadlineScheduler(time);
        var expired = new List<string>();
        var entry = new Entry("again", expired);
        scheduler.Schedule(entry, TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(1));
        scheduler.Schedule(entry, TimeSpan.FromSeconds(2));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(["again", "again"], expired);
    }

    /// <summary>
    /// Against a model: random schedules (waits of 1–50 s) and cancels, the clock moved in random steps. Every entry
    /// that was not cancelled expires exactly once, never before its due time and no later than the step that passes it;
    /// cancelled entries never expire.
    /// </summary>
    [Fact]
    public void RandomSchedulesAndCancels_MatchTheModel()
    {
        Gen<(int Op, int Seconds)[]> ops = Gen.ArrayOf(Gen.Zip(Gen.Choose(0, 2), Gen.Choose(1, 50)));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(ops.ToArbitrary(), steps =>
        {
            var time = new ManualTimeProvider();
            using var scheduler = new DeadlineScheduler(time);
            var log = new List<(Entry Entry, long At)>();
            var live = new List<(Entry Entry, long Due)>();
            var cancelled = new List<Entry>();
            long now = 0;
            foreach ((int op, int seconds) in steps)
            {
                switch (op)
                {
                    case 0:
                        var entry = new Entry(log, time);
                        scheduler.Schedule(entry, TimeSpan.FromSeconds(seconds));
                        live.Add((entry, now + TimeSpan.FromSeconds(seconds).Ticks));
                        break;
                    case 1 when live.Count > 0:
                        (Entry victim, _) = live[seconds % live.Count];
                        scheduler.Cancel(victim);
                        live.RemoveAll(l => ReferenceEquals(l.Entry, victim));
                        if (!log.Exists(l => ReferenceEquals(l.Entry, victim)))
                        {
                            cancelled.Add(victim);
                        }

                        break;
                    default:
                        time.Advance(TimeSpan.FromSeconds(seconds));
                        now += TimeSpan.FromSeconds(seconds).Ticks;
                        break;
                }
            }

            time.Advance(TimeSpan.FromSeconds(60));
            now += TimeSpan.FromSeconds(60).Ticks;
            foreach ((Entry entry, long due) in live)
            {
                var fired = log.FindAll(l => ReferenceEquals(l.Entry, entry));
                Assert.Single(fired);
                Assert.True(fired[0].At >= due, "expired before its due time");
            }

            Assert.DoesNotContain(log, l => cancelled.Exists(c => ReferenceEquals(c, l.Entry)));
        }));
    }

    private sealed class Entry : DeadlineEntry
    {
        private readonly Action _onExpired;

        public Entry(string name, List<string> expired)
        {
            _onExpired = () => expired.Add(name);
        }

        public Entry(List<(Entry, long)> log, TimeProvider time)
        {
            _onExpired = () => log.Add((this, time.GetTimestamp()));
        }

        protected internal override void OnExpired() => _onExpired();
    }
}
