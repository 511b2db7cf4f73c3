using Aster.Configuration;
using Aster.Server;

namespace Aster.Hosting;

/// <summary>
/// Settings of the hosted Aster server (<see cref="AsterServerHost"/>). Configure them in
/// <c>AddAster(options =&gt; …)</c>; the <c>Aster</c> section of the host's <c>IConfiguration</c> and the process
/// environment feed <see cref="AsterConfig"/> as its environment layer.
/// </summary>
public sealed class AsterHostingOptions
{
    /// <summary>
    /// The server's options: codecs (required), interceptors, bind addresses, limits. Their
    /// <see cref="AsterServerOptions.LoggerFactory"/> becomes the host's <c>ILoggerFactory</c> unless set here.
    /// </summary>
    public AsterServerOptions Server { get; } = new();

    /// <summary>
    /// Whether identity, trust, the producer mesh and limits come from <see cref="AsterConfig"/>
    /// (<c>ServerTrustMapping.ApplyIdentityAndTrust</c>: root key, gates, node key, stores, <c>[mesh]</c>) when
    /// <see cref="AsterServerOptions.Admission"/> is not set in code. Defaults to true. With no root key anywhere that is
    /// dev mode (trust.md 10).
    /// </summary>
    public bool UseAsterConfig { get; set; } = true;

    /// <summary>The configuration to use; when null it is loaded from <see cref="ConfigFile"/> and the environment layer.</summary>
    public AsterConfig? Config { get; set; }

    /// <summary>A TOML file for the file layer (config-and-cli.md 4); null reads <c>ASTER_CONFIG_FILE</c>, else no file.</summary>
    public string? ConfigFile { get; set; }

    /// <summary>
    /// The <c>IConfiguration</c> section read as the environment layer: its keys are the <c>ASTER_*</c> variable names
    /// without the prefix, in any case (<c>"Aster": { "root_pubkey": "…", "allow_all_consumers": "true" }</c>); a key
    /// it lacks falls back to the process environment. Defaults to <c>Aster</c>.
    /// </summary>
    public string ConfigurationSection { get; set; } = "Aster";

    /// <summary>The directory searched for <c>.aster-identity</c>; null for the current directory.</summary>
    public string? WorkingDirectory { get; set; }
}
