using System.Diagnostics;

namespace Aster.Cli.Tests.Infrastructure;

/// <summary>Runs the built tool as a separate process: <c>dotnet Aster.Cli.dll …</c>.</summary>
public static class ToolProcess
{
    /// <summary>The tool's entry assembly, built next to this test assembly by the project reference.</summary>
    public static string ToolPath { get; } = Path.Combine(AppContext.BaseDirectory, "Aster.Cli.dll");

    /// <summary>
    /// <c>dotnet ASSEMBLY ARGS…</c> in the scratch directory, with the scratch home as HOME, no inherited <c>ASTER_*</c>
    /// variables and the given ones added; every stream redirected.
    /// </summary>
    public static ProcessStartInfo CreateStartInfo(Scratch scratch, IReadOnlyDictionary<string, string>? environment, string assembly, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = scratch.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("ASTER_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["HOME"] = scratch.Home;
        start.Environment["USERPROFILE"] = scratch.Home;
        start.Environment["NO_COLOR"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return start;
    }

    public static Task<CliResult> RunAsync(Scratch scratch, IReadOnlyDictionary<string, string>? environment, params string[] args)
        => RunAssemblyAsync(scratch, environment, ToolPath, args);

    /// <summary>Runs <c>dotnet ASSEMBLY ARGS…</c> to its end (at most 60 s) and returns its exit code and output.</summary>
    public static async Task<CliResult> RunAssemblyAsync(Scratch scratch, IReadOnlyDictionary<string, string>? environment, string assembly, params string[] args)
    {
        ProcessStartInfo start = CreateStartInfo(scratch, environment, assembly, args);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(assembly)} {string.Join(' ', args)} did not exit within 60 s");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
