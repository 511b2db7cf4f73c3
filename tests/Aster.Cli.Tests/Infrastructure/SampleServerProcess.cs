using System.Diagnostics;
using System.Text;

namespace Aster.Cli.Tests.Infrastructure;

/// <summary>
/// The HelloWorld sample's <c>server</c> mode as a separate process (built next to this test assembly by the project
/// reference). Started, it has printed its <c>Serving Hello at aster1… (mode)</c> line; disposed, it is killed.
/// </summary>
public sealed class SampleServerProcess : IAsyncDisposable
{
    private const string BannerPrefix = "Serving Hello at ";
    private static readonly TimeSpan _startLimit = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StringBuilder _log;
    private readonly Task _drainOutput;

    private SampleServerProcess(Process process, StringBuilder log, string banner, Task drainOutput)
    {
        _process = process;
        _log = log;
        Banner = banner;
        _drainOutput = drainOutput;
    }

    /// <summary>The sample's entry assembly.</summary>
    public static string HelloWorldPath { get; } = Path.Combine(AppContext.BaseDirectory, "HelloWorld.dll");

    /// <summary>The line the server printed when it started listening.</summary>
    public string Banner { get; }

    /// <summary>The server's <c>aster1…</c> address from the banner.</summary>
    public string Address => Banner[BannerPrefix.Length..].Split(' ')[0];

    /// <summary>What the server wrote to stderr (its log) so far.</summary>
    public string Log => Snapshot(_log);

    /// <summary>Starts <c>dotnet HelloWorld.dll ARGS…</c> and waits (bounded) for its banner.</summary>
    public static async Task<SampleServerProcess> StartAsync(Scratch scratch, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        Process process = Process.Start(ToolProcess.CreateStartInfo(scratch, environment, HelloWorldPath, args))
            ?? throw new InvalidOperationException("could not start dotnet");
        var log = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (log)
            {
                log.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        process.StandardInput.Close();

        using var timeout = new CancellationTokenSource(_startLimit);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith(BannerPrefix, StringComparison.Ordinal))
                {
                    Task drain = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                    return new SampleServerProcess(process, log, line, drain);
                }
            }

            throw new InvalidOperationException($"the sample server exited before serving:\n{Snapshot(log)}");
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException)
        {
            Stop(process);
            process.Dispose();
            if (ex is OperationCanceledException)
            {
                throw new TimeoutException($"the sample server did not start within {_startLimit.TotalSeconds} s:\n{Snapshot(log)}");
            }

            throw;
        }
    }

    /// <summary>Kills the server and waits (bounded) for it to exit.</summary>
    public async ValueTask DisposeAsync()
    {
        Stop(_process);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            await _drainOutput.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
        }

        _process.Dispose();
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static string Snapshot(StringBuilder log)
    {
        lock (log)
        {
            return log.ToString();
        }
    }
}
