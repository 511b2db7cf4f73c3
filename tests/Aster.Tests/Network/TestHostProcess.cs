using System.Diagnostics;
using System.Reflection;
using Aster.Testing;

namespace Aster.Tests.Network;

/// <summary>
/// Runs <c>tests/Aster.Network.TestHost</c> as a separate process (<c>dotnet &lt;dll&gt;</c>), reads its address from
/// its standard output, stops it gracefully through standard input, and kills it when disposed.
/// </summary>
internal sealed class TestHostProcess : IAsyncDisposable
{
    private static readonly TimeSpan _startLimit = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly TaskCompletionSource<string> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TestHostProcess(Process process)
    {
        _process = process;
    }

    /// <summary>The host's <c>aster1…</c> address.</summary>
    public string Address => _address.Task.Result;

    /// <summary>Starts the host and waits until it prints its address.</summary>
    /// <param name="port">The loopback UDP port to bind (0: any).</param>
    /// <param name="keyHex">The node's secret key as hex, or null for an ephemeral one.</param>
    public static async Task<TestHostProcess> StartAsync(int port = 0, string? keyHex = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(HostPath());
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (keyHex is not null)
        {
            start.ArgumentList.Add("--key");
            start.ArgumentList.Add(keyHex);
        }

        var process = new Process { StartInfo = start };
        var host = new TestHostProcess(process);
        process.OutputDataReceived += (_, e) => host.OnLine(e.Data);
        process.ErrorDataReceived += (_, _) => { };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await host._address.Task.TimeoutAfter(_startLimit);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    /// <summary>Asks the host to shut down gracefully and waits for it to exit (killing it if it does not).</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        await _process.StandardInput.WriteLineAsync("stop");
        await _process.StandardInput.FlushAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    /// <summary>Kills the host at once (no graceful close: its peers only notice by their idle timeout).</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _address.TrySetException(new InvalidOperationException("The test host exited before printing its address."));
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            _address.TrySetException(new InvalidOperationException("The test host exited before printing its address."));
            _stopped.TrySetResult();
        }
        else if (line.StartsWith("ADDRESS ", StringComparison.Ordinal))
        {
            _address.TrySetResult(line["ADDRESS ".Length..].Trim());
        }
    }

    /// <summary>The host's dll in its build output, same configuration as this test assembly.</summary>
    private static string HostPath()
    {
        string configuration = typeof(TestHostProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Directory.Packages.props")))
            {
                string path = Path.Combine(dir.FullName, "tests", "Aster.Network.TestHost", "bin", configuration, "net10.0", "Aster.Network.TestHost.dll");
                return File.Exists(path) ? path : throw new FileNotFoundException($"Build tests/Aster.Network.TestHost ({configuration}) first.", path);
            }
        }

        throw new DirectoryNotFoundException("The repository root (Directory.Packages.props) was not found above " + AppContext.BaseDirectory);
    }
}
