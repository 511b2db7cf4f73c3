namespace Aster.Configuration;

/// <summary>The layer a configuration value came from.</summary>
public enum ConfigSourceKind
{
    /// <summary>The built-in default.</summary>
    Default,

    /// <summary>A TOML configuration file.</summary>
    File,

    /// <summary>An <c>ASTER_*</c> environment variable.</summary>
    Environment,

    /// <summary>A constructor or code argument.</summary>
    Argument,

    /// <summary>The <c>.aster-identity</c> file.</summary>
    IdentityFile,

    /// <summary>Generated for this run (dev mode).</summary>
    Ephemeral,
}

/// <summary>Provenance of one configuration value (config-and-cli.md section 4.3).</summary>
/// <param name="Kind">The layer.</param>
/// <param name="Label">The label printed: <c>default</c>, <c>&lt;path&gt; [section]</c>, the variable name, <c>argument</c>, …</param>
/// <param name="Path">The file, for file layers.</param>
/// <param name="Line">The 1-based line in <paramref name="Path"/>, or 0.</param>
public sealed record ConfigSource(ConfigSourceKind Kind, string Label, string? Path = null, int Line = 0)
{
    /// <summary>The built-in default.</summary>
    public static ConfigSource Default { get; } = new(ConfigSourceKind.Default, "default");

    /// <summary>A code argument.</summary>
    public static ConfigSource Argument { get; } = new(ConfigSourceKind.Argument, "argument");

    /// <summary>Generated for this run.</summary>
    public static ConfigSource Ephemeral { get; } = new(ConfigSourceKind.Ephemeral, "ephemeral (dev mode)");

    /// <summary>A value from a TOML file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="section">The section, without brackets.</param>
    /// <param name="line">The line of the key.</param>
    /// <returns>The source.</returns>
    public static ConfigSource FromFile(string path, string section, int line) => new(ConfigSourceKind.File, $"{path} [{section}]", path, line);

    /// <summary>A value from an environment variable.</summary>
    /// <param name="variable">The variable name.</param>
    /// <returns>The source.</returns>
    public static ConfigSource FromEnvironment(string variable) => new(ConfigSourceKind.Environment, variable);

    /// <summary>A value from an identity file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The source.</returns>
    public static ConfigSource FromIdentityFile(string path) => new(ConfigSourceKind.IdentityFile, ".aster-identity", path);

    /// <summary>The label, with <c>:line</c> after the path for file values.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Kind == ConfigSourceKind.File && Line > 0 ? $"{Path}:{Line} [{Label[(Label.LastIndexOf('[') + 1)..^1]}]" : Label;
}
