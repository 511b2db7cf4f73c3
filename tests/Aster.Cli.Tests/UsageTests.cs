using System.CommandLine;
using Aster.Cli.Tests.Infrastructure;
using Aster.Configuration;

namespace Aster.Cli.Tests;

/// <summary>Walks the whole command tree: every command has help, described options, and exit 2 for usage errors.</summary>
public sealed class UsageTests
{
    /// <summary>Every command path of the tree (the root as the empty path), found by walking it, not listed by hand.</summary>
    public static TheoryData<string> EveryCommand
    {
        get
        {
            var data = new TheoryData<string>();
            foreach ((string path, _) in Walk(Tree(), string.Empty))
            {
                data.Add(path);
            }

            return data;
        }
    }

    [Fact]
    public void TheTreeHoldsTheDocumentedCommands()
    {
        var paths = Walk(Tree(), string.Empty).Select(c => c.Path).ToHashSet();
        foreach (string expected in (string[])["keygen root", "keygen node", "trust sign", "trust verify", "enroll node", "identity show", "config show", "contract list", "contract gen", "call", "mcp"])
        {
            Assert.Contains(expected, paths);
        }
    }

    [Theory]
    [MemberData(nameof(EveryCommand))]
    public async Task Help_IsAvailableEverywhere_AndExits0(string path)
    {
        using var scratch = new Scratch();
        Command command = Find(path);
        CliResult result = await CliRun.RunAsync(scratch, [.. Split(path), "--help"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Usage:", result.Out);
        Assert.False(string.IsNullOrWhiteSpace(command.Description), $"'{path}' has no description");
        Assert.Contains(command.Description!.Split('\n')[0].Trim(), result.Out);
        foreach (Option option in command.Options.Where(o => !o.Hidden))
        {
            Assert.False(string.IsNullOrWhiteSpace(option.Description), $"'{path} {option.Name}' has no description");
            Assert.Contains(option.Name, result.Out);
        }

        foreach (Command sub in command.Subcommands)
        {
            Assert.Contains(sub.Name, result.Out);
        }
    }

    [Theory]
    [MemberData(nameof(EveryCommand))]
    public async Task UnknownOption_IsExit2_WithOneErrorLineAndNoStackTrace(string path)
    {
        // Every argument gets a placeholder value first, or the unknown option would be taken as that argument's value.
        string[] placeholders = [.. Find(path).Arguments.SelectMany(a => Enumerable.Repeat("x", Math.Min(a.Arity.MaximumNumberOfValues, Math.Max(a.Arity.MinimumNumberOfValues, 1))))];
        using var scratch = new Scratch();
        CliResult result = await CliRun.RunAsync(scratch, [.. Split(path), .. placeholders, "--no-such-option"]);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.StartsWith("error: ", result.Error);
        Assert.Contains("--no-such-option", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
        Assert.Empty(result.Out);
    }

    [Theory]
    [MemberData(nameof(EveryCommand))]
    public async Task GroupWithoutASubcommand_IsExit2(string path)
    {
        Command command = Find(path);
        if (command.Action is not null)
        {
            return; // runnable commands are exercised by their own tests
        }

        using var scratch = new Scratch();
        CliResult result = await CliRun.RunAsync(scratch, Split(path));
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.StartsWith("error: ", result.Error);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("keygen")]
    [InlineData("keygen", "root", "--bogus")]
    [InlineData("call", "only-address")]
    [InlineData("enroll", "node", "--role", "consumer")]
    public async Task UnknownOrIncomplete_IsExit2_WithoutAStackTrace(params string[] args)
    {
        using var scratch = new Scratch();
        CliResult result = await CliRun.RunAsync(scratch, args);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
    }

    private static RootCommand Tree()
        => AsterCli.Build(new CliHost(TextWriter.Null, TextWriter.Null, new DictionaryEnvironmentSource(new Dictionary<string, string>()), Path.GetTempPath(), Path.GetTempPath(), TextReader.Null));

    private static IEnumerable<(string Path, Command Command)> Walk(Command command, string path)
    {
        yield return (path, command);
        foreach (Command sub in command.Subcommands)
        {
            foreach (var child in Walk(sub, path.Length == 0 ? sub.Name : path + " " + sub.Name))
            {
                yield return child;
            }
        }
    }

    private static Command Find(string path) => Walk(Tree(), string.Empty).Single(c => c.Path == path).Command;

    private static string[] Split(string path) => path.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
