using System.Net;
using System.Text.Json;
using Aster.Net.Identity;

namespace Aster.Bench.Load.Hosting;

/// <summary>Starts the long-lived servers of a run: our server role and the Node iroh peer, each its own process.</summary>
internal static class Peers
{
    private static readonly TimeSpan _startTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Starts this program's <c>server</c> role and reads its addresses.</summary>
    public static async Task<(ChildProcess Process, ServerInfo Info)> StartServerAsync()
    {
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("The process path is unknown.");
        string[] arguments = Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? [typeof(Peers).Assembly.Location, "server"]
            : ["server"];
        ChildProcess child = await ChildProcess.StartAsync(self, arguments, null, _startTimeout).ConfigureAwait(false);
        ServerInfo info = JsonSerializer.Deserialize(child.FirstLine, ServerInfoContext.Default.ServerInfo)
            ?? throw new InvalidOperationException($"The server announced '{child.FirstLine}'.");
        return (child, info);
    }

    /// <summary>Finds <c>bench/Aster.Bench.Load/peer</c> (with its <c>node_modules</c>) from the given or current directory upwards.</summary>
    public static string? FindPeerDirectory(string? configured)
    {
        if (configured is not null)
        {
            return Directory.Exists(Path.Combine(configured, "node_modules")) ? Path.GetFullPath(configured) : null;
        }

        foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (DirectoryInfo? dir = new(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "bench", "Aster.Bench.Load", "peer");
                if (Directory.Exists(Path.Combine(candidate, "node_modules")))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>Parses "hex id" and "ip:port" into an address we can dial.</summary>
    public static EndpointAddr Address(string endpointId, string addr) => new(EndpointId.Parse(endpointId), null, [IPEndPoint.Parse(addr)]);
}

/// <summary>The Node iroh script (<c>peer/iroh-bench.mjs</c>): a long-lived <c>serve</c> process and one-shot client roles.</summary>
internal sealed class IrohPeer(string directory) : IAsyncDisposable
{
    private const string Script = "iroh-bench.mjs";
    private static readonly TimeSpan _clientTimeout = TimeSpan.FromSeconds(120);
    private ChildProcess? _server;

    public string EndpointId { get; private set; } = string.Empty;

    public string Addr { get; private set; } = string.Empty;

    public string AddonVersion { get; private set; } = "n/a";

    public async Task StartAsync()
    {
        _server = await ChildProcess.StartAsync("node", [Script, "serve"], directory, TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        using JsonDocument line = JsonDocument.Parse(_server.FirstLine);
        EndpointId = line.RootElement.GetProperty("endpointId").GetString()!;
        Addr = line.RootElement.GetProperty("addr").GetString()!;
        AddonVersion = line.RootElement.TryGetProperty("addon", out JsonElement addon) ? addon.GetString() ?? "n/a" : "n/a";
    }

    /// <summary>The serving iroh process's CPU time so far, in microseconds.</summary>
    public async Task<long> ReadServerCpuUsAsync()
    {
        string line = await _server!.RequestAsync("stats", TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        using JsonDocument stats = JsonDocument.Parse(line);
        return stats.RootElement.GetProperty("cpuUs").GetInt64();
    }

    /// <summary>Runs a client role against a target and returns its JSON lines.</summary>
    public async Task<List<JsonElement>> RunClientAsync(string role, string targetId, string targetAddr, params string[] extra)
    {
        string[] lines = await ChildProcess.RunAsync("node", [Script, role, "--id", targetId, "--addr", targetAddr, .. extra], directory, _clientTimeout).ConfigureAwait(false);
        return [.. lines.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
