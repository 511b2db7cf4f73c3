using System.Text.Json;
using Aster.Bench.Load.Measurement;
using Aster.Bench.Load.Mission;
using Aster.Codec;
using Aster.Net.Identity;
using Aster.Net.Quic;
using Aster.Server;
using Aster.Transport;

namespace Aster.Bench.Load.Hosting;

/// <summary>
/// The server role (<c>Aster.Bench.Load server</c>), run as a child process of the client so that client and server
/// are separate processes (performance.md, section 5.3). One Aster endpoint serves the MissionControl service on
/// <c>aster/1</c> and the transport sink and echo; a Kestrel baseline runs beside it. It prints one JSON line with the
/// addresses and runs until its standard input closes.
/// </summary>
internal static class BenchServer
{
    public const string RpcAlpn = "aster/1";

    public static async Task<int> RunAsync()
    {
        using var stop = new CancellationTokenSource();
        var options = new AsterEndpointOptions { SecretKey = SecretKey.Generate(), MaxInboundBidirectionalStreams = 256 };
        options.Alpns.Add(RpcAlpn);
        options.Alpns.Add(TransportProtocol.SinkAlpn);
        options.Alpns.Add(TransportProtocol.EchoAlpn);
        await using AsterEndpoint endpoint = await AsterEndpoint.BindAsync(options, stop.Token).ConfigureAwait(false);
        await using var server = new AsterServer([ServiceBinder.FromInstance(new MissionControlService())], new AsterServerOptions { Codecs = new ForyCodecProvider() });
        await using KestrelBaseline kestrel = await KestrelBaseline.StartAsync(stop.Token).ConfigureAwait(false);

        Console.WriteLine(JsonSerializer.Serialize(new ServerInfo(endpoint.Id.ToString(), endpoint.LocalEndPoint.ToString(), kestrel.Url.ToString(), kestrel.Thumbprint), ServerInfoContext.Default.ServerInfo));
        Task accepting = AcceptAsync(endpoint, server, stop.Token);
        // The parent asks for our counters with a "stats" line and closes our standard input (or dies) when done.
        while (await Console.In.ReadLineAsync(stop.Token).ConfigureAwait(false) is { } command)
        {
            if (command == "stats")
            {
                Console.WriteLine(JsonSerializer.Serialize(ServerStats.Now(), ServerInfoContext.Default.ServerStats));
            }
        }

        await stop.CancelAsync().ConfigureAwait(false);
        await accepting.ConfigureAwait(false);
        return 0;
    }

    private static async Task AcceptAsync(AsterEndpoint endpoint, AsterServer server, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                AsterConnection connection = await endpoint.AcceptAsync(cancellationToken).ConfigureAwait(false);
                _ = connection.Alpn == RpcAlpn
                    ? server.ServeConnectionAsync(new QuicRpcConnection(connection), cancellationToken)
                    : TransportProtocol.ServeAsync(connection, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or TransportException)
        {
        }
    }
}

/// <summary>The server role's one line of output.</summary>
/// <param name="EndpointId">The Aster endpoint's id (hex).</param>
/// <param name="Addr">Its UDP address (ip:port).</param>
/// <param name="KestrelUrl">The Kestrel baseline's base address.</param>
/// <param name="Thumbprint">The SHA-256 thumbprint of Kestrel's certificate.</param>
internal sealed record ServerInfo(string EndpointId, string Addr, string KestrelUrl, string Thumbprint);

/// <summary>The server process's allocation and GC counters, read between segments.</summary>
/// <param name="AllocatedBytes">Total bytes allocated by the process.</param>
/// <param name="Gen0">Gen-0 collections so far.</param>
/// <param name="Gen1">Gen-1 collections so far.</param>
/// <param name="Gen2">Gen-2 collections so far.</param>
/// <param name="CpuUs">The process's CPU time so far (user and system, all threads), in microseconds.</param>
internal sealed record ServerStats(long AllocatedBytes, int Gen0, int Gen1, int Gen2, long CpuUs)
{
    public static ServerStats Now() => new(
        GC.GetTotalAllocatedBytes(precise: true), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), CpuMeter.NowUs());
}

[System.Text.Json.Serialization.JsonSerializable(typeof(ServerInfo))]
[System.Text.Json.Serialization.JsonSerializable(typeof(ServerStats))]
internal sealed partial class ServerInfoContext : System.Text.Json.Serialization.JsonSerializerContext;
