using System.Text.Json.Serialization;
using Aster.Fory;

namespace Aster.Bench.Load.Mission;

// The Mission Control wire types of the reference example with the payload values of performance.md, section 6.1.
// The same records go through Fory XLANG (Aster) and through System.Text.Json (the Kestrel baseline).

/// <summary><c>mission/StatusRequest</c>.</summary>
[WireType("mission/StatusRequest")]
public sealed record StatusRequest(string AgentId = "");

/// <summary><c>mission/StatusResponse</c>.</summary>
[WireType("mission/StatusResponse")]
public sealed record StatusResponse(string AgentId = "", string Status = "", long UptimeSecs = 0);

/// <summary><c>mission/LogEntry</c>.</summary>
[WireType("mission/LogEntry")]
public sealed record LogEntry(double Timestamp = 0, string Level = "", string Message = "", string AgentId = "");

/// <summary>The bench-only request of the server-stream benchmark: how many <see cref="LogEntry"/> to send.</summary>
[WireType("bench/TailRequest")]
public sealed record TailRequest(string AgentId = "", int Count = 0);

/// <summary>The payload values used by every benchmark.</summary>
internal static class MissionPayloads
{
    public static readonly StatusRequest Status = new("agent-alpha-01");

    public static readonly LogEntry Log = new(1_700_000_000.123, "INFO", "system nominal; all checks passed within expected thresholds", "agent-alpha-01");

    /// <summary>The server's answer to <c>getStatus</c>, as the reference server gives it.</summary>
    public static StatusResponse Answer(StatusRequest request) => new(request.AgentId, "running", 3600);
}

/// <summary>The source-generated System.Text.Json context of the Kestrel baseline (snake_case, like the wire names).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(StatusRequest))]
[JsonSerializable(typeof(StatusResponse))]
[JsonSerializable(typeof(LogEntry))]
[JsonSerializable(typeof(TailRequest))]
[JsonSerializable(typeof(IAsyncEnumerable<LogEntry>))]
internal sealed partial class MissionJsonContext : JsonSerializerContext;
