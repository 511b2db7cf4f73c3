using System.CommandLine;
using Aster.Configuration;

namespace Aster.Cli.Commands;

/// <summary><c>aster config show</c>: the resolved configuration with the source of every value, secrets masked (config-and-cli.md 4.3).</summary>
internal static class ConfigCommand
{
    public static Command Create(CliHost host)
    {
        var file = new Option<string?>("--config") { Description = "TOML configuration file (default: ASTER_CONFIG_FILE; none otherwise)." };
        var json = new Option<bool>("--json") { Description = "JSON: sections of {\"value\", \"source\"}." };
        var show = new Command("show", "Print the configuration: defaults < TOML file < ASTER_* environment, each value with its source. Secrets are masked.") { file, json };
        show.SetAction(parse =>
        {
            string? path = parse.GetValue(file) is { } p ? host.ResolvePath(p) : null;
            AsterConfig config = AsterConfig.Load(path, host.Environment);
            foreach (string warning in config.Warnings)
            {
                host.Note("warning: " + warning);
            }

            config.PrintConfig(parse.GetValue(json), host.Out);
            return ExitCodes.Ok;
        });
        return new Command("config", "Inspect the Aster configuration.") { show };
    }
}
