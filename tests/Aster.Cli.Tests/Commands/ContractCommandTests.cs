using System.Text.Json;
using Aster.Cli.Tests.Infrastructure;
using Aster.Contracts;

namespace Aster.Cli.Tests.Commands;

public sealed class ContractCommandTests
{
    private static readonly string _assembly = typeof(IGreeter).Assembly.Location;

    [Fact]
    public async Task List_ShowsTheServiceAndItsContractId()
    {
        using var scratch = new Scratch();
        CliResult result = await CliRun.RunAsync(scratch, "contract", "list", "--assembly", _assembly);
        Assert.True(result.ExitCode == 0, result.ToString());
        ContractDescription expected = ServiceContracts.Describe<IGreeter>();
        Assert.Contains("Greeter", result.Out);
        Assert.Contains(expected.ContractId, result.Out);
        Assert.Contains("collect (client stream)", result.Out);
    }

    [Fact]
    public async Task Gen_WritesTheManifest_TheLibraryProduces()
    {
        using var scratch = new Scratch();
        CliResult result = await CliRun.RunAsync(scratch, "contract", "gen", "--assembly", _assembly, "--service", "Greeter");
        Assert.True(result.ExitCode == 0, result.ToString());
        string written = File.ReadAllText(scratch.PathOf(Path.Combine(".aster", "manifest.json")));
        Assert.Equal(ServiceContracts.Describe<IGreeter>().ToManifestJson(new ContractManifestMetadata()) + "\n", written);

        CliResult stdout = await CliRun.RunAsync(scratch, "contract", "gen", "--assembly", _assembly, "--out", "-");
        using JsonDocument doc = JsonDocument.Parse(stdout.Out);
        Assert.Equal("Greeter", doc.RootElement.GetProperty("service").GetString());
    }

    [Fact]
    public async Task Errors_NameTheProblem()
    {
        using var scratch = new Scratch();
        CliResult missing = await CliRun.RunAsync(scratch, "contract", "list", "--assembly", "nope.dll");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("assembly not found", missing.Error);

        File.WriteAllText(scratch.PathOf("junk.dll"), "not an assembly");
        CliResult junk = await CliRun.RunAsync(scratch, "contract", "list", "--assembly", "junk.dll");
        Assert.Equal(1, junk.ExitCode);
        Assert.Single(junk.Error.Trim().Split('\n'));

        CliResult unknown = await CliRun.RunAsync(scratch, "contract", "list", "--assembly", _assembly, "--service", "Nope");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("Nope", unknown.Error);
    }
}
