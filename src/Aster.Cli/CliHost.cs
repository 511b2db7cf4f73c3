using Aster.Configuration;
using Spectre.Console;

namespace Aster.Cli;

/// <summary>
/// What a command sees of the outside world: its output streams, environment, working and home directories. Tests run
/// every command in-process against a host of their own.
/// </summary>
internal sealed class CliHost
{
    public CliHost(TextWriter output, TextWriter error, IEnvironmentSource environment, string workingDirectory, string homeDirectory, TextReader? input = null)
    {
        Out = output;
        Error = error;
        Environment = environment;
        WorkingDirectory = workingDirectory;
        HomeDirectory = homeDirectory;
        In = input ?? TextReader.Null;
    }

    /// <summary>The host of the running process.</summary>
    public static CliHost System => new(
        Console.Out,
        Console.Error,
        SystemEnvironmentSource.Instance,
        Directory.GetCurrentDirectory(),
        global::System.Environment.GetFolderPath(global::System.Environment.SpecialFolder.UserProfile, global::System.Environment.SpecialFolderOption.DoNotVerify),
        Console.In);

    /// <summary>Results (stdout).</summary>
    public TextWriter Out { get; }

    /// <summary>Diagnostics (stderr).</summary>
    public TextWriter Error { get; }

    /// <summary>Standard input (for <c>--items -</c>).</summary>
    public TextReader In { get; }

    /// <summary>The <c>ASTER_*</c> variables and the rest of the environment.</summary>
    public IEnvironmentSource Environment { get; }

    /// <summary>Where relative paths start.</summary>
    public string WorkingDirectory { get; }

    /// <summary>The user's home directory (for <c>~/.aster/…</c>).</summary>
    public string HomeDirectory { get; }

    /// <summary>True when diagnostics should stay quiet (<c>-q</c>).</summary>
    public bool Quiet { get; set; }

    /// <summary>The per-user Aster directory, <c>~/.aster</c>.</summary>
    public string AsterDirectory => Path.Combine(HomeDirectory, ".aster");

    /// <summary>An absolute path: <c>~</c> expanded, relative paths against <see cref="WorkingDirectory"/>.</summary>
    public string ResolvePath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
        {
            path = Path.Combine(HomeDirectory, path.Length == 1 ? string.Empty : path[2..]);
        }

        return Path.GetFullPath(path, WorkingDirectory);
    }

    /// <summary>Writes one diagnostic line to stderr unless quiet.</summary>
    public void Note(string message)
    {
        if (!Quiet)
        {
            Error.WriteLine(message);
        }
    }

    /// <summary>A Spectre console over stdout, without colour or ANSI codes when output is redirected or <c>NO_COLOR</c> is set.</summary>
    public IAnsiConsole AnsiOutput(bool noColor = false)
    {
        bool plain = noColor || Environment.GetVariable("NO_COLOR") is { Length: > 0 } || !ReferenceEquals(Out, global::System.Console.Out) || global::System.Console.IsOutputRedirected;
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Out),
            Ansi = plain ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = plain ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = InteractionSupport.No,
        });
        if (plain)
        {
            // Redirected output has no terminal width; keep table rows on one line for scripts and logs.
            console.Profile.Width = 200;
        }

        return console;
    }
}
