using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace Aster.Interop.Tests.Infrastructure;

/// <summary>
/// A running <c>node peer/iroh-peer.mjs …</c> process: a real iroh 0.97 endpoint from the reference addon
/// (<c>@aster-rpc/transport</c> 0.1.2). <see cref="StartAsync"/> waits for the one-line JSON greeting the script
/// prints on stdout; stderr lines are collected in <see cref="StderrLines"/>; <see cref="DisposeAsync"/> kills the
/// process (and its children) and waits for it. The roles and their output are described at the top of the script.
/// </summary>
public sealed class NodePeer : IAsyncDisposable
{
    /// <summary>How long a peer may take to print its greeting (it is ready in about 0.1 s on an idle machine).</summary>
    public static readonly TimeSpan GreetingTimeout = TimeSpan.FromSeconds(30);

    private static readonly Lazy<string?> _peerDirectory = new(FindPeerDirectory);
    private static readonly Lazy<string?> _nodePath = new(FindNode);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    private NodePeer(Process process)
    {
        _process = process;
    }

    /// <summary>The folder holding <c>iroh-peer.mjs</c>, <c>package.json</c> and <c>node_modules/</c>, or null.</summary>
    public static string? PeerDirectory => _peerDirectory.Value;

    /// <summary>Why interop tests cannot run here, or null when <c>node</c> and the npm packages are present.</summary>
    public static string? SkipReason
    {
        get
        {
            if (_nodePath.Value is null)
            {
                return "node is not on PATH: interop tests against a real iroh peer need Node.js 20 or newer";
            }

            if (PeerDirectory is null)
            {
                return "tests/Aster.Interop.Tests/peer was not found from the test's base directory";
            }

            if (!Directory.Exists(Path.Combine(PeerDirectory, "node_modules", "@aster-rpc", "transport")))
            {
                return $"the iroh peer's npm packages are missing: run 'npm ci' in {PeerDirectory} (scripts/test.sh does)";
            }

            return null;
        }
    }

    /// <summary>The first stdout line, parsed: the greeting of <c>serve</c> and <c>tickets</c>, the result of <c>dial</c>.</summary>
    public JsonElement Greeting { get; private set; }

    /// <summary>The stderr lines so far (the peer's event log).</summary>
    public IReadOnlyCollection<string> StderrLines => _stderr;

    /// <summary>The process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Completes when the process has exited.</summary>
    public Task Exited => _exited.Task;

    /// <summary>The exit code, once <see cref="Exited"/> has completed.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <c>node iroh-peer.mjs</c> with <paramref name="arguments"/> and waits for its first stdout line.</summary>
    /// <param name="arguments">The mode and its options, for example <c>["serve", "--alpn", "aster/1"]</c>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The running peer.</returns>
    /// <exception cref="InvalidOperationException">The peer cannot run here (see <see cref="SkipReason"/>), exited early or printed no JSON.</exception>
    /// <exception cref="TimeoutException">No greeting within <see cref="GreetingTimeout"/>.</exception>
    public static async Task<NodePeer> StartAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken = default)
    {
        if (SkipReason is { } reason)
        {
            throw new InvalidOperationException(reason);
        }

        ProcessStartInfo info = new(_nodePath.Value!)
        {
            WorkingDirectory = PeerDirectory!,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("iroh-peer.mjs");
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        Process process = new() { StartInfo = info, EnableRaisingEvents = true };
        NodePeer peer = new(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                peer._stderr.Enqueue(e.Data);
            }
        };
        process.Exited += (_, _) => peer._exited.TrySetResult();
        process.Start();
        process.BeginErrorReadLine();

        try
        {
            using CancellationTokenSource timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(GreetingTimeout);
            string? line;
            try
            {
                line = await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"iroh-peer {string.Join(' ', arguments)} printed no greeting within {GreetingTimeout}. stderr: {peer.StderrText()}");
            }

            if (line is null)
            {
                await peer.Exited.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
                throw new InvalidOperationException($"iroh-peer {string.Join(' ', arguments)} exited ({process.ExitCode}) without a greeting. stderr: {peer.StderrText()}");
            }

            try
            {
                using JsonDocument doc = JsonDocument.Parse(line);
                peer.Greeting = doc.RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw new InvalidOperationException($"iroh-peer printed a greeting that is not JSON: {line}", e);
            }

            return peer;
        }
        catch
        {
            await peer.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts <c>serve</c>: an echo server on 127.0.0.1 for the given ALPNs.</summary>
    /// <param name="alpns">The ALPNs to accept (at least one).</param>
    /// <param name="secretHex">The 64-hex secret key, or null for a random one.</param>
    /// <param name="cancellationToken">Cancels the wait for the greeting.</param>
    /// <returns>The peer; its greeting has <c>endpointId</c>, <c>addr</c>, <c>alpns</c> and <c>asterTicket</c>.</returns>
    public static Task<NodePeer> ServeAsync(IEnumerable<string> alpns, string? secretHex = null, CancellationToken cancellationToken = default)
    {
        List<string> arguments = ["serve"];
        foreach (string alpn in alpns)
        {
            arguments.Add("--alpn");
            arguments.Add(alpn);
        }

        if (secretHex is not null)
        {
            arguments.Add("--secret");
            arguments.Add(secretHex);
        }

        return StartAsync(arguments, cancellationToken);
    }

    /// <summary>Runs <c>dial</c> to completion: one stream per size, each echo checked.</summary>
    /// <param name="endpointId">The server's endpoint id (64 hex).</param>
    /// <param name="address">The server's <c>ip:port</c>.</param>
    /// <param name="alpn">The ALPN.</param>
    /// <param name="sizes">Payload sizes, one stream each.</param>
    /// <param name="secretHex">The dialer's 64-hex secret key, or null for a random one.</param>
    /// <param name="timeoutMilliseconds">The dialer's overall limit (the script's default is 30 s).</param>
    /// <param name="parallel">How many streams the dialer runs at once.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The exit code (0 when every echo matched) and the JSON result line.</returns>
    public static async Task<(int ExitCode, JsonElement Result, IReadOnlyCollection<string> Stderr)> DialAsync(
        string endpointId,
        string address,
        string alpn,
        IEnumerable<int> sizes,
        string? secretHex = null,
        int? timeoutMilliseconds = null,
        int parallel = 1,
        CancellationToken cancellationToken = default)
    {
        List<string> arguments = ["dial", "--id", endpointId, "--addr", address, "--alpn", alpn, "--sizes", string.Join(',', sizes)];
        if (parallel > 1)
        {
            arguments.Add("--parallel");
            arguments.Add(parallel.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (timeoutMilliseconds is { } ms)
        {
            arguments.Add("--timeout-ms");
            arguments.Add(ms.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (secretHex is not null)
        {
            arguments.Add("--secret");
            arguments.Add(secretHex);
        }

        await using NodePeer peer = await StartAsync(arguments, cancellationToken).ConfigureAwait(false);
        TimeSpan limit = GreetingTimeout + TimeSpan.FromMilliseconds(timeoutMilliseconds ?? 30_000);
        await peer.Exited.WaitAsync(limit, cancellationToken).ConfigureAwait(false);
        return (peer.ExitCode, peer.Greeting, peer.StderrLines);
    }

    /// <summary>Writes one line to the peer's stdin and reads one line of JSON back (the <c>tickets</c> mode).</summary>
    /// <param name="line">The request line.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The parsed answer.</returns>
    public async Task<JsonElement> RequestAsync(string line, CancellationToken cancellationToken = default)
    {
        await _process.StandardInput.WriteLineAsync(line.AsMemory(), cancellationToken).ConfigureAwait(false);
        await _process.StandardInput.FlushAsync(cancellationToken).ConfigureAwait(false);
        using CancellationTokenSource timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(GreetingTimeout);
        string answer = await _process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"iroh-peer closed its stdout. stderr: {StderrText()}");
        using JsonDocument doc = JsonDocument.Parse(answer);
        return doc.RootElement.Clone();
    }

    /// <summary>Kills the process tree (if still running) and waits for it to exit. Idempotent.</summary>
    /// <returns>A task that completes when the process is gone.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // never started, or already gone
        }
        catch (TimeoutException)
        {
            // leave it to the operating system; nothing more we can do
        }
        finally
        {
            _process.Dispose();
        }
    }

    private string StderrText() => string.Join(" | ", _stderr);

    private static string? FindPeerDirectory()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "Aster.Interop.Tests", "peer");
            if (File.Exists(Path.Combine(candidate, "iroh-peer.mjs")))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string? FindNode()
    {
        string? path = Environment.GetEnvironmentVariable("PATH");
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        string[] names = OperatingSystem.IsWindows() ? ["node.exe"] : ["node"];
        foreach (string dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (string name in names)
            {
                string candidate = Path.Combine(dir, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}

/// <summary>
/// A fact that needs a real iroh peer: it skips, saying why, only when <c>node</c> is not on PATH or the peer's
/// <c>node_modules</c> is missing. CI has both, so there these tests run.
/// </summary>
internal sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute()
    {
        if (NodePeer.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
