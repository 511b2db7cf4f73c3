using System.Text.Json;
using Aster.Cli.Tests.Infrastructure;

namespace Aster.Cli.Tests.Commands;

public sealed class ConfigCommandTests
{
    [Fact]
    public async Task Show_NamesEachSource_AndMasksTheSecretKey()
    {
        using var scratch = new Scratch();
        File.WriteAllText(scratch.PathOf("aster.toml"), "[network]\nbind_addr = \"127.0.0.1:9000\"\n[logging]\nformat = \"json\"\n");
        string seed = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        var env = new Dictionary<string, string> { ["ASTER_SECRET_KEY"] = seed, ["ASTER_LOG_LEVEL"] = "debug" };

        CliResult text = await CliRun.RunWithAsync(scratch, env, null, "config", "show", "--config", "aster.toml");
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("127.0.0.1:9000", text.Out);
        Assert.Contains("aster.toml:2 [network]", text.Out);
        Assert.Contains("ASTER_LOG_LEVEL", text.Out);
        Assert.DoesNotContain(seed, text.Out);
        Assert.Contains("****", text.Out);

        CliResult json = await CliRun.RunWithAsync(scratch, env, null, "config", "show", "--config", "aster.toml", "--json");
        using JsonDocument doc = JsonDocument.Parse(json.Out);
        Assert.Equal("ASTER_SECRET_KEY", doc.RootElement.GetProperty("network").GetProperty("secret_key").GetProperty("source").GetString());
        Assert.DoesNotContain(seed, json.Out);
    }

    [Fact]
    public async Task BadValues_AreOneLineErrors()
    {
        using var scratch = new Scratch();
        File.WriteAllText(scratch.PathOf("bad.toml"), "[trust]\nallow_all_consumers = \"maybe\"\n");
        CliResult result = await CliRun.RunAsync(scratch, "config", "show", "--config", "bad.toml");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("allow_all_consumers", result.Error);
        Assert.Single(result.Error.Trim().Split('\n'));
    }
}
