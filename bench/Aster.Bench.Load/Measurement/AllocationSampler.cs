using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Text;

namespace Aster.Bench.Load.Measurement;

/// <summary>
/// A poor man's allocation profiler (no dotnet-trace here): listens to the runtime's <c>GCAllocationTick</c> event,
/// raised about every 100 KB allocated with the type of the allocation that crossed the mark, and counts the
/// sampled bytes by type. Enabled with <c>--alloc-profile</c>; the top types are printed to standard error.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly ConcurrentDictionary<string, long> _bytesByType = new(StringComparer.Ordinal);

    public AllocationSampler()
    {
        Current = this;
    }

    /// <summary>Gets the sampler of this process, if profiling is on.</summary>
    public static AllocationSampler? Current { get; private set; }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.Payload is null)
        {
            return;
        }

        int typeIndex = eventData.PayloadNames?.IndexOf("TypeName") ?? -1;
        int amountIndex = eventData.PayloadNames?.IndexOf("AllocationAmount64") ?? -1;
        string type = typeIndex >= 0 ? eventData.Payload[typeIndex] as string ?? "?" : "?";
        long amount = amountIndex >= 0 ? Convert.ToInt64(eventData.Payload[amountIndex], CultureInfo.InvariantCulture) : 100_000;
        _bytesByType.AddOrUpdate(type, amount, (_, total) => total + amount);
    }

    /// <summary>The top <paramref name="count"/> types by sampled bytes since the last call; starts counting anew.</summary>
    public string Top(string title, int count = 20)
    {
        Thread.Sleep(100); // let the event pipe deliver the segment's last events
        long total = _bytesByType.Values.Sum();
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"allocation samples ({title}): {total / 1e6:F1} MB sampled");
        foreach ((string type, long bytes) in _bytesByType.OrderByDescending(p => p.Value).Take(count))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {100.0 * bytes / Math.Max(1, total),5:F1}%  {bytes / 1e6,8:F1} MB  {type}");
        }

        _bytesByType.Clear();
        return text.ToString();
    }
}
