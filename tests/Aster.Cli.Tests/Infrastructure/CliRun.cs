using Aster.Configuration;

namespace Aster.Cli.Tests.Infrastructure;

/// <summary>The outcome of one command line.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Out}\nstderr:\n{Error}";
}

/// <summary>A scratch directory used as working and home directory, deleted afterwards.</summary>
public sealed class Scratch : IDisposable
{
    public Scratch()
    {
        Root = Path.Combine(Path.GetTempPath(), "aster-cli-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
        Home = Path.Combine(Root, "home");
        Directory.CreateDirectory(Home);
    }

    public string Root { get; }

    public string Home { get; }

    public string RootKey => Path.Combine(Home, ".aster", "root.key");

    public string PathOf(string name) => Path.Combine(Root, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Runs the <c>aster</c> command tree in-process against a scratch directory and a controlled environment.</summary>
public static class CliRun
{
    public static async Task<CliResult> RunWithAsync(Scratch scratch, IReadOnlyDictionary<string, string>? environment, string? stdin, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var host = new CliHost(output, error, new DictionaryEnvironmentSource(environment ?? new Dictionary<string, string>()), scratch.Root, scratch.Home, new StringReader(stdin ?? string.Empty));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        int code = await AsterCli.RunAsync(args, host, timeout.Token);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    public static Task<CliResult> RunAsync(Scratch scratch, params string[] args) => RunWithAsync(scratch, null, null, args);
}
