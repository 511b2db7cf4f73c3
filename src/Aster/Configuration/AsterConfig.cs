using System.Globalization;
using System.Text;
using System.Text.Json;
using Aster.Configuration.Toml;
using Aster.Net.Identity;

namespace Aster.Configuration;

/// <summary>
/// The immutable options shared by servers and clients (config-and-cli.md section 1), built from four layers:
/// defaults &lt; TOML file &lt; <c>ASTER_*</c> environment &lt; arguments. Every value records where it came from
/// (<see cref="SourceOf(string)"/>), and <see cref="ToDisplayString"/> prints them with secrets masked.
/// </summary>
public sealed class AsterConfig
{
    private readonly Dictionary<string, object?> _values;
    private readonly Dictionary<string, ConfigSource> _sources;
    private readonly List<string> _warnings;

    private AsterConfig(Dictionary<string, object?> values, Dictionary<string, ConfigSource> sources, List<string> warnings, string? configFile)
    {
        _values = values;
        _sources = sources;
        _warnings = warnings;
        ConfigFile = configFile;
    }

    /// <summary>The configuration with every value at its default.</summary>
    public static AsterConfig Defaults => Build(null, null, null);

    /// <summary>The TOML file that was loaded, or null.</summary>
    public string? ConfigFile { get; }

    /// <summary>Warnings from loading (unknown sections and keys), one per line; the caller logs them.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Root public key that signs credentials (<c>[trust] root_pubkey</c>, <c>ASTER_ROOT_PUBKEY</c>).</summary>
    public EndpointId? RootPubkey => (EndpointId?)_values["trust.root_pubkey"];

    /// <summary>File holding the root public key (<c>ASTER_ROOT_PUBKEY_FILE</c>).</summary>
    public string? RootPubkeyFile => (string?)_values["trust.root_pubkey_file"];

    /// <summary>Consumer credential file (<c>[trust] enrollment_credential</c>, <c>ASTER_ENROLLMENT_CREDENTIAL</c>).</summary>
    public string? EnrollmentCredentialFile => (string?)_values["trust.enrollment_credential_file"];

    /// <summary>Cloud identity token sent as <c>iid_token</c> (<c>ASTER_ENROLLMENT_CREDENTIAL_IID</c>).</summary>
    public string? EnrollmentCredentialIid => (string?)_values["trust.enrollment_credential_iid"];

    /// <summary>Admit every consumer (default false).</summary>
    public bool AllowAllConsumers => (bool)_values["trust.allow_all_consumers"]!;

    /// <summary>Admit every producer (default true).</summary>
    public bool AllowAllProducers => (bool)_values["trust.allow_all_producers"]!;

    /// <summary>Upper bound on an admission's lifetime, seconds (default 86400).</summary>
    public int PeerTtlSeconds => (int)_values["trust.peer_ttl_s"]!;

    /// <summary>OTT nonce store path, or <c>memory</c>; null means the default location (section 8).</summary>
    public string? NonceStore => (string?)_values["trust.nonce_store"];

    /// <summary>Producer address for clients (<c>ASTER_ENDPOINT_ADDR</c>).</summary>
    public string? EndpointAddr => (string?)_values["connect.endpoint_addr"];

    /// <summary>The @aster directory address (<c>ASTER_SERVICE_ADDRESS</c>, else <c>ASTER_SERVICE_ADDR</c>).</summary>
    public string? ServiceAddress => (string?)_values["connect.service_address"];

    /// <summary>The node's secret key; null means a fresh key per run (subject to section 4.2).</summary>
    public SecretKey? SecretKey => (SecretKey?)_values["network.secret_key"];

    /// <summary><c>default</c>, <c>disabled</c> or a relay URL; null when unset.</summary>
    public string? RelayMode => (string?)_values["network.relay_mode"];

    /// <summary>Local bind address <c>ip:port</c>; null means any.</summary>
    public string? BindAddr => (string?)_values["network.bind_addr"];

    /// <summary>Enables the transport counters behind <c>/metrics</c>.</summary>
    public bool EnableMonitoring => (bool)_values["network.enable_monitoring"]!;

    /// <summary>Accepted and reported; no effect (Gate 0 is always in-process).</summary>
    public bool EnableHooks => (bool)_values["network.enable_hooks"]!;

    /// <summary>Bound on a user-supplied extra gate, milliseconds (default 5000).</summary>
    public int HookTimeoutMs => (int)_values["network.hook_timeout_ms"]!;

    /// <summary>Clear IP transports.</summary>
    public bool ClearIpTransports => (bool)_values["network.clear_ip_transports"]!;

    /// <summary>Clear relay transports (no effect yet).</summary>
    public bool ClearRelayTransports => (bool)_values["network.clear_relay_transports"]!;

    /// <summary>Port mapper configuration (no effect yet).</summary>
    public string? PortmapperConfig => (string?)_values["network.portmapper_config"];

    /// <summary>Proxy URL (no effect yet).</summary>
    public string? ProxyUrl => (string?)_values["network.proxy_url"];

    /// <summary>Take the proxy from the environment (no effect yet).</summary>
    public bool ProxyFromEnv => (bool)_values["network.proxy_from_env"]!;

    /// <summary>Local discovery (no effect yet).</summary>
    public bool LocalDiscovery => (bool)_values["network.local_discovery"]!;

    /// <summary>Storage root; null means in memory (section 8).</summary>
    public string? StoragePath => (string?)_values["storage.storage_path"];

    /// <summary>
    /// The <c>.aster-identity</c> path: null means "look for <c>./.aster-identity</c>", an empty string disables lookup.
    /// </summary>
    public string? IdentityFile => (string?)_values["identity.identity_file"];

    /// <summary>Console log format.</summary>
    public AsterLogFormat LogFormat => (AsterLogFormat)_values["logging.log_format"]!;

    /// <summary>Minimum log level.</summary>
    public AsterLogLevel LogLevel => (AsterLogLevel)_values["logging.log_level"]!;

    /// <summary>Mask secrets and long identifiers in logs (default true).</summary>
    public bool LogMask => (bool)_values["logging.log_mask"]!;

    /// <summary>Health server port; 0 disables it.</summary>
    public int HealthPort => (int)_values["health.health_port"]!;

    /// <summary>Health server bind host (default 127.0.0.1).</summary>
    public string HealthHost => (string)_values["health.health_host"]!;

    /// <summary>Mesh state directory; null means the default (section 8).</summary>
    public string? MeshStateDir => (string?)_values["mesh.state_dir"];

    /// <summary>Mesh bootstrap addresses.</summary>
    public IReadOnlyList<string> MeshBootstrap => (IReadOnlyList<string>)_values["mesh.bootstrap"]!;

    /// <summary>Producer credential JSON (<c>[mesh] enrollment</c>, <c>ASTER_ENROLLMENT</c>).</summary>
    public string? ProducerCredentialFile => (string?)_values["mesh.enrollment"];

    /// <summary>Mesh replay window, milliseconds.</summary>
    public int ReplayWindowMs => (int)_values["mesh.replay_window_ms"]!;

    /// <summary>Mesh clock drift tolerance, milliseconds.</summary>
    public int ClockDriftToleranceMs => (int)_values["mesh.clock_drift_tolerance_ms"]!;

    /// <summary>Mesh grace period, milliseconds.</summary>
    public int GracePeriodMs => (int)_values["mesh.grace_period_ms"]!;

    /// <summary>Mesh lease heartbeat, milliseconds.</summary>
    public int LeaseHeartbeatMs => (int)_values["mesh.lease_heartbeat_ms"]!;

    /// <summary>Salt rotation overlap, milliseconds.</summary>
    public int RotationOverlapMs => (int)_values["mesh.rotation_overlap_ms"]!;

    /// <summary>Registry lease duration, seconds.</summary>
    public int LeaseDurationSeconds => (int)_values["registry.lease_duration_s"]!;

    /// <summary>Registry lease refresh interval, seconds.</summary>
    public int LeaseRefreshIntervalSeconds => (int)_values["registry.lease_refresh_interval_s"]!;

    /// <summary>Publish registry leases.</summary>
    public bool PublishLeases => (bool)_values["registry.publish_leases"]!;

    /// <summary>The <c>[limits]</c> group.</summary>
    public AsterLimits Limits => new(
        (int)_values["limits.max_frame_bytes"]!,
        (int)_values["limits.max_metadata_entries"]!,
        (int)_values["limits.max_metadata_bytes"]!,
        (int)_values["limits.max_client_stream_items"]!,
        (int)_values["limits.max_sessions_per_connection"]!,
        (int)_values["limits.max_handler_timeout_s"]!);

    /// <summary>
    /// Loads the layers: the TOML file at <paramref name="path"/>, else the one named by <c>ASTER_CONFIG_FILE</c>, else
    /// none; then the environment; then <paramref name="arguments"/>.
    /// </summary>
    /// <param name="path">The TOML file, or null.</param>
    /// <param name="environment">The environment; defaults to the process environment.</param>
    /// <param name="arguments">The argument layer, or null.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="ConfigurationException">A file or variable is invalid; the message names it.</exception>
    public static AsterConfig Load(string? path = null, IEnvironmentSource? environment = null, AsterConfigArguments? arguments = null)
    {
        environment ??= SystemEnvironmentSource.Instance;
        if (path is null)
        {
            string? fromEnv = environment.GetVariable("ASTER_CONFIG_FILE")?.Trim();
            path = string.IsNullOrEmpty(fromEnv) ? null : ConfigValueParser.ExpandHome(fromEnv);
        }

        return Build(path, environment, arguments);
    }

    /// <summary>Defaults overridden by the environment (no file layer).</summary>
    /// <param name="environment">The environment; defaults to the process environment.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="ConfigurationException">A variable is invalid; the message names it.</exception>
    public static AsterConfig FromEnvironment(IEnvironmentSource? environment = null)
        => Build(null, environment ?? SystemEnvironmentSource.Instance, null);

    /// <summary>Defaults, then the TOML file, then the environment.</summary>
    /// <param name="path">The TOML file.</param>
    /// <param name="environment">The environment; defaults to the process environment.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="ConfigurationException">The file or a variable is invalid.</exception>
    public static AsterConfig FromFile(string path, IEnvironmentSource? environment = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Build(path, environment ?? SystemEnvironmentSource.Instance, null);
    }

    /// <summary>Returns a copy with the argument layer applied on top of this configuration.</summary>
    /// <param name="arguments">The arguments; null properties are left as they are.</param>
    /// <returns>The new configuration.</returns>
    public AsterConfig With(AsterConfigArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var values = new Dictionary<string, object?>(_values, StringComparer.Ordinal);
        var sources = new Dictionary<string, ConfigSource>(_sources, StringComparer.Ordinal);
        ApplyArguments(arguments, values, sources);
        return new AsterConfig(values, sources, [.. _warnings], ConfigFile);
    }

    /// <summary>
    /// The INFO note for a relay mode other than <c>disabled</c> (config-and-cli.md 1.1): "relay not available yet;
    /// direct paths only". Null when no note is due. The caller logs it once.
    /// </summary>
    public string? RelayNotice => RelayMode is { } mode && !string.Equals(mode, "disabled", StringComparison.OrdinalIgnoreCase)
        ? "relay not available yet; direct paths only"
        : null;

    /// <summary>
    /// One WARN line per field that is accepted but has no effect yet and is set to a non-default value
    /// (<c>portmapper_config</c>, <c>proxy_url</c>, <c>proxy_from_env</c>, <c>local_discovery</c>,
    /// <c>clear_relay_transports</c>), naming the field and its source. The caller logs them.
    /// </summary>
    /// <returns>The lines, possibly none.</returns>
    public IReadOnlyList<string> InertFieldWarnings()
    {
        string[] inert = ["network.portmapper_config", "network.proxy_url", "network.proxy_from_env", "network.local_discovery", "network.clear_relay_transports"];
        var result = new List<string>();
        foreach (string key in inert)
        {
            var field = Array.Find(ConfigField.All, f => f.Key == key)!;
            if (!Equals(_values[key], field.Default))
            {
                result.Add($"{field.Name} is accepted but has no effect yet (set by {_sources[key]})");
            }
        }

        return result;
    }

    /// <summary>Where a value came from.</summary>
    /// <param name="key">
    /// <c>section.name</c> as printed, e.g. <c>trust.root_pubkey</c>, <c>storage.storage_path</c>, <c>limits.max_frame_bytes</c>.
    /// </param>
    /// <returns>The source.</returns>
    /// <exception cref="KeyNotFoundException">No such field.</exception>
    public ConfigSource SourceOf(string key) => _sources[key];

    /// <summary>The <c>section.name</c> keys of every field, in display order.</summary>
    public static IReadOnlyList<string> FieldKeys { get; } = ConfigField.All.Select(f => f.Key).ToArray();

    private static AsterConfig Build(string? path, IEnvironmentSource? environment, AsterConfigArguments? arguments)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        var sources = new Dictionary<string, ConfigSource>(StringComparer.Ordinal);
        var warnings = new List<string>();
        foreach (var field in ConfigField.All)
        {
            values[field.Key] = field.Default;
            sources[field.Key] = ConfigSource.Default;
        }

        if (path is not null)
        {
            ApplyFile(path, values, sources, warnings);
        }

        if (environment is not null)
        {
            ApplyEnvironment(environment, values, sources);
        }

        if (arguments is not null)
        {
            ApplyArguments(arguments, values, sources);
        }

        return new AsterConfig(values, sources, warnings, path);
    }

    private static void ApplyFile(string path, Dictionary<string, object?> values, Dictionary<string, ConfigSource> sources, List<string> warnings)
    {
        if (!File.Exists(path))
        {
            throw new ConfigurationException("configuration file not found", path, 0, 0, null);
        }

        TomlTable root = TomlReader.ParseFile(path);
        foreach (string sectionName in root.Keys)
        {
            var sectionValue = root[sectionName];
            var (sectionLine, _) = root.PositionOf(sectionName);
            if (sectionValue.Kind != TomlValueKind.Table || !ConfigField.Sections.Contains(sectionName))
            {
                warnings.Add(sectionValue.Kind == TomlValueKind.Table
                    ? $"{path}:{sectionLine}: unknown section [{sectionName}] ignored"
                    : $"{path}:{sectionLine}: unknown top-level key '{sectionName}' ignored");
                continue;
            }

            var section = sectionValue.AsTable;
            var seen = new Dictionary<ConfigField, string>();
            foreach (string key in section.Keys)
            {
                var (line, column) = section.PositionOf(key);
                var field = Array.Find(ConfigField.All, f => f.Section == sectionName && f.TomlKeys.Contains(key));
                if (field is null)
                {
                    warnings.Add($"{path}:{line}: unknown key '{key}' in [{sectionName}] ignored");
                    continue;
                }

                if (seen.TryGetValue(field, out string? other))
                {
                    throw new ConfigurationException($"'{key}' and '{other}' set the same field", path, line, column, $"{sectionName}.{key}");
                }

                seen[field] = key;
                values[field.Key] = ConfigValueParser.FromToml(field, section[key], path, $"{sectionName}.{key}");
                sources[field.Key] = ConfigSource.FromFile(path, sectionName, line);
            }
        }
    }

    private static void ApplyEnvironment(IEnvironmentSource environment, Dictionary<string, object?> values, Dictionary<string, ConfigSource> sources)
    {
        foreach (var field in ConfigField.All)
        {
            foreach (string variable in field.EnvironmentVariables)
            {
                string? raw = environment.GetVariable(variable);
                if (raw is null)
                {
                    continue;
                }

                object? value = ConfigValueParser.FromText(field, raw, variable);
                if (value is null)
                {
                    continue;
                }

                values[field.Key] = value;
                sources[field.Key] = ConfigSource.FromEnvironment(variable);
                break;
            }
        }
    }

    private static void ApplyArguments(AsterConfigArguments arguments, Dictionary<string, object?> values, Dictionary<string, ConfigSource> sources)
    {
        foreach (var field in ConfigField.All)
        {
            object? value = field.Argument(arguments);
            if (value is null)
            {
                continue;
            }

            if (value is int n)
            {
                // Arguments obey the same ranges as the other layers.
                value = ConfigValueParser.FromText(field, n.ToString(CultureInfo.InvariantCulture), field.Name);
            }
            else if (value is IReadOnlyList<string> list)
            {
                value = list.ToList().AsReadOnly();
            }
            else if (value is string s && field.Type is FieldType.Path or FieldType.NonceStore)
            {
                value = field.Type == FieldType.NonceStore && s == "memory" ? s : ConfigValueParser.ExpandHome(s);
            }

            values[field.Key] = value;
            sources[field.Key] = ConfigSource.Argument;
        }
    }

    /// <summary>
    /// The text printout of config-and-cli.md section 4.3: one header per section, one line per field with its
    /// display value (secrets masked) and its source.
    /// </summary>
    /// <returns>The text, lines separated by <c>\n</c>.</returns>
    public string ToDisplayString()
    {
        var sb = new StringBuilder();
        foreach (string section in ConfigField.Sections)
        {
            sb.Append("  [").Append(section).Append("]\n");
            foreach (var field in ConfigField.All.Where(f => f.Section == section))
            {
                sb.Append("    ").Append(field.Name.PadRight(28)).Append(": ")
                  .Append(DisplayValue(field).PadRight(36)).Append(" (").Append(_sources[field.Key]).Append(")\n");
            }
        }

        return sb.ToString();
    }

    /// <summary>The JSON printout: sections of fields, each <c>{"value", "source"}</c> (plus <c>"line"</c> for file values), secrets masked.</summary>
    /// <returns>The JSON, two-space indented.</returns>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            foreach (string section in ConfigField.Sections)
            {
                w.WriteStartObject(section);
                foreach (var field in ConfigField.All.Where(f => f.Section == section))
                {
                    w.WriteStartObject(field.Name);
                    w.WritePropertyName("value");
                    WriteJsonValue(w, field);
                    var source = _sources[field.Key];
                    w.WriteString("source", source.Label);
                    if (source.Path is not null)
                    {
                        w.WriteString("path", source.Path);
                    }

                    if (source.Line > 0)
                    {
                        w.WriteNumber("line", source.Line);
                    }

                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes the printout to <paramref name="output"/> (default stdout) and returns it.</summary>
    /// <param name="json">JSON instead of text.</param>
    /// <param name="output">Where to write; defaults to <see cref="Console.Out"/>.</param>
    /// <returns>The printed text.</returns>
    public string PrintConfig(bool json = false, TextWriter? output = null)
    {
        string text = json ? ToJson() : ToDisplayString();
        (output ?? Console.Out).Write(text);
        return text;
    }

    /// <summary>The text printout.</summary>
    /// <returns>See <see cref="ToDisplayString"/>.</returns>
    public override string ToString() => ToDisplayString();

    private void WriteJsonValue(Utf8JsonWriter w, ConfigField field)
    {
        object? value = _values[field.Key];
        switch (value)
        {
            case null:
                w.WriteNullValue();
                break;
            case bool b:
                w.WriteBooleanValue(b);
                break;
            case int n:
                w.WriteNumberValue(n);
                break;
            case IReadOnlyList<string> list:
                w.WriteStartArray();
                foreach (string item in list)
                {
                    w.WriteStringValue(item);
                }

                w.WriteEndArray();
                break;
            default:
                w.WriteStringValue(DisplayValue(field));
                break;
        }
    }

    private string DisplayValue(ConfigField field)
    {
        object? value = _values[field.Key];
        if (value is null)
        {
            return field.UnsetText ?? "<not set>";
        }

        return field.Mask switch
        {
            FieldMask.SecretKey => MaskSecretKey((SecretKey)value),
            FieldMask.Last12 => MaskTail((string)value, 12),
            _ => value switch
            {
                bool b => b ? "true" : "false",
                int n => n.ToString(CultureInfo.InvariantCulture),
                EndpointId id => id.ToString(),
                AsterLogFormat f => f == AsterLogFormat.Json ? "json" : "text",
                AsterLogLevel l => l.ToString().ToLowerInvariant(),
                IReadOnlyList<string> list => string.Join(",", list),
                _ => value.ToString() ?? string.Empty,
            },
        };
    }

    /// <summary><c>****...</c> and the last 8 hex characters of the seed (the reference's rule), or <c>****</c>.</summary>
    internal static string MaskSecretKey(SecretKey key)
    {
        byte[] seed = key.ToBytes();
        try
        {
            return "****..." + System.Convert.ToHexStringLower(seed.AsSpan(seed.Length - 4));
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary><c>****...</c> and the last <paramref name="keep"/> characters, or <c>****</c> when the value is that short.</summary>
    internal static string MaskTail(string value, int keep) => value.Length <= keep ? "****" : "****..." + value[^keep..];
}
