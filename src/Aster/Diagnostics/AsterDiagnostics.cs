using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Aster.Diagnostics;

/// <summary>
/// The meters and activity source of the RPC runtime. Instrument names follow the OpenTelemetry RPC conventions
/// (<c>rpc.server.call.duration</c>, seconds); Aster's own instruments use the <c>aster.</c> prefix and UCUM units.
/// </summary>
internal static class AsterDiagnostics
{
    public static readonly ActivitySource ActivitySource = new("Aster");

    public static readonly Meter ServerMeter = new("Aster.Server");

    public static readonly Meter ClientMeter = new("Aster.Client");

    public static readonly Histogram<double> ServerCallDuration = ServerMeter.CreateHistogram<double>(
        "rpc.server.call.duration", unit: "s", description: "Duration of calls served.");

    public static readonly UpDownCounter<long> ServerActiveCalls = ServerMeter.CreateUpDownCounter<long>(
        "aster.server.active_calls", unit: "{call}", description: "Calls in progress on the server.");

    public static readonly Histogram<double> ClientCallDuration = ClientMeter.CreateHistogram<double>(
        "rpc.client.call.duration", unit: "s", description: "Duration of calls made.");
}
