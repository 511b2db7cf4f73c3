using Aster.Fory;

#pragma warning disable CA1002, CA2227

// The sample services of the product documents (Hello, MissionControl), declared the C# way. The lead will move them
// to samples/ later; SampleContractTests records their contract ids.
namespace Aster.Tests.Contracts.Samples;

[WireType("hello/HelloRequest")]
public sealed record HelloRequest(string Name = "");

[WireType("hello/HelloResponse")]
public sealed record HelloResponse(string Message = "");

/// <summary>The Hello example: <c>sayHello</c> (unary, idempotent, 30 s) and <c>countdown</c> (server stream).</summary>
[AsterService(Name = "Hello", MethodNaming = MethodNaming.CamelCase)]
public interface IHello
{
    [Rpc(Idempotent = true, TimeoutSeconds = 30)]
    ValueTask<HelloResponse> SayHelloAsync(HelloRequest request, CancellationToken cancellationToken = default);

    IAsyncEnumerable<HelloResponse> CountdownAsync(HelloRequest request, CancellationToken cancellationToken = default);
}

[WireType("mission/StatusRequest")]
public sealed record StatusRequest(string AgentId = "");

[WireType("mission/StatusResponse")]
public sealed record StatusResponse(string AgentId = "", string Status = "idle", long UptimeSecs = 0);

[WireType("mission/LogEntry")]
public sealed record LogEntry(double Timestamp = 0.0, string Level = "info", string Message = "", string AgentId = "");

[WireType("mission/SubmitLogResult")]
public sealed record SubmitLogResult(bool Accepted = true);

[WireType("mission/TailRequest")]
public sealed record TailRequest(string AgentId = "", string Level = "info");

[WireType("mission/MetricPoint")]
public sealed class MetricPoint
{
    public string Name { get; set; } = string.Empty;

    public double Value { get; set; }

    public double Timestamp { get; set; }

    public Dictionary<string, string> Tags { get; set; } = [];
}

[WireType("mission/IngestResult")]
public sealed record IngestResult(int Accepted = 0, int Dropped = 0);

/// <summary>The MissionControl example (the reference Python example's method names are camelCase).</summary>
[AsterService(Name = "MissionControl", Version = 1, MethodNaming = MethodNaming.CamelCase)]
public interface IMissionControl
{
    ValueTask<StatusResponse> GetStatusAsync(StatusRequest request, CancellationToken cancellationToken = default);

    ValueTask<SubmitLogResult> SubmitLogAsync(LogEntry entry, CancellationToken cancellationToken = default);

    IAsyncEnumerable<LogEntry> TailLogsAsync(TailRequest request, CancellationToken cancellationToken = default);

    ValueTask<IngestResult> IngestMetricsAsync(IAsyncEnumerable<MetricPoint> points, CancellationToken cancellationToken = default);
}
