using Aster.Cli.Tests.Infrastructure;

namespace Aster.Cli.Tests;

public sealed class UsageTests
{
    public static TheoryData<string> EveryCommand => new()
    {
        "--help",
        "keygen root --help",
        "keygen node --help",
        "trust keygen --help",
        "trust pubkey --help",
        "enroll node --help",
        "identity show --help",
        "identity verify --help",
        "identity export --help",
        "identity remove --help",
        "config show --help",
        "contract gen --help",
        "contract list --help",
        "call --help",
        "mcp --help",
    };

    [Theory]
    [MemberData(nameof(EveryCommand))]
    public async Task Help_IsAvailableEverywhere_AndExits0(string commandLine)
    {
        using var scratch = new Scratch();
        CliResult result = await CliRun.RunAsync(scratch, commandLine.Split(' '));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Usage:", result.Out);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("keygen")]
    [InlineData("keygen", "root", "--bogus")]
    [InlineData("call", "only-address")]
    public async Task UnknownOrIncomplete_IsExit2_WithoutAStackTrace(params string[] args)
    {
        using var scratch = new Scratch();
        CliResult result = await CliRun.RunAsync(scratch, args);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
    }
}
