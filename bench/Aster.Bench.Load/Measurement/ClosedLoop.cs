using System.Diagnostics;

namespace Aster.Bench.Load.Measurement;

/// <summary>
/// Runs an operation in a closed loop with a fixed number of callers in flight: a warm-up phase, then a timed phase
/// bounded by both a duration and an operation count (performance.md, section 5.2).
/// </summary>
internal static class ClosedLoop
{
    /// <summary>The result of one closed-loop run.</summary>
    public readonly record struct Result(SegmentResult Segment, Percentiles Latency);

    public static async Task<Result> RunAsync(Func<CancellationToken, ValueTask> operation, int inFlight, LoopBudget budget, CancellationToken cancellationToken, Func<Task>? aroundTimed = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inFlight, 1);
        await RunPhaseAsync(operation, inFlight, budget.WarmupOps, budget.WarmupTime, samples: null, cancellationToken).ConfigureAwait(false);
        var samples = new LatencySamples((int)Math.Min(budget.MaxOps, 1_000_000));
        if (aroundTimed is not null)
        {
            await aroundTimed().ConfigureAwait(false);
        }

        Segment segment = Segment.Start();
        long ops = await RunPhaseAsync(operation, inFlight, budget.MaxOps, budget.Time, samples, cancellationToken).ConfigureAwait(false);
        SegmentResult result = segment.Stop(ops);
        if (aroundTimed is not null)
        {
            await aroundTimed().ConfigureAwait(false);
        }

        return new Result(result, samples.Compute());
    }

    private static async Task<long> RunPhaseAsync(Func<CancellationToken, ValueTask> operation, int inFlight, long maxOps, TimeSpan time, LatencySamples? samples, CancellationToken cancellationToken)
    {
        long deadline = Stopwatch.GetTimestamp() + (long)(time.TotalSeconds * Stopwatch.Frequency);
        long issued = 0;
        long completed = 0;
        var workers = new Task[inFlight];
        for (int i = 0; i < inFlight; i++)
        {
            workers[i] = Task.Run(async () =>
            {
                while (Stopwatch.GetTimestamp() < deadline && Interlocked.Increment(ref issued) <= maxOps)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    long start = Stopwatch.GetTimestamp();
                    await operation(cancellationToken).ConfigureAwait(false);
                    samples?.Add(start);
                    Interlocked.Increment(ref completed);
                }
            }, cancellationToken);
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        return completed;
    }
}

/// <summary>How long and how many operations a warm-up and a timed phase may take.</summary>
internal readonly record struct LoopBudget(long WarmupOps, TimeSpan WarmupTime, long MaxOps, TimeSpan Time);
