using Aster.Configuration;
using Aster.Net.Identity;
using Aster.Server;

namespace Aster.Tests.Configuration;

public sealed class AsterConfigTests : IDisposable
{
    private const string SeedBase64 = "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI="; // 02 x 32
    private const string RootHex = "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c";
    private readonly string _dir = Directory.CreateTempSubdirectory("aster-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static DictionaryEnvironmentSource Env(params (string Name, string Value)[] vars)
        => new(vars.Select(v => KeyValuePair.Create(v.Name, v.Value)));

    private string WriteToml(string text)
    {
        string path = Path.Combine(_dir, "aster.toml");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Defaults_EveryField_HasSpecDefaultAndDefaultSource()
    {
        var c = AsterConfig.Load(environment: Env());
        Assert.Null(c.RootPubkey);
        Assert.False(c.AllowAllConsumers);
        Assert.True(c.AllowAllProducers);
        Assert.Equal(86400, c.PeerTtlSeconds);
        Assert.Equal(5000, c.HookTimeoutMs);
        Assert.Equal(AsterLogFormat.Text, c.LogFormat);
        Assert.Equal(AsterLogLevel.Info, c.LogLevel);
        Assert.True(c.LogMask);
        Assert.Equal(0, c.HealthPort);
        Assert.Equal("127.0.0.1", c.HealthHost);
        Assert.Empty(c.MeshBootstrap);
        Assert.Equal(30000, c.ReplayWindowMs);
        Assert.Equal(5000, c.ClockDriftToleranceMs);
        Assert.Equal(60000, c.GracePeriodMs);
        Assert.Equal(900000, c.LeaseHeartbeatMs);
        Assert.Equal(120000, c.RotationOverlapMs);
        Assert.Equal(45, c.LeaseDurationSeconds);
        Assert.Equal(15, c.LeaseRefreshIntervalSeconds);
        Assert.True(c.PublishLeases);
        Assert.Equal(new AsterLimits(16 * 1024 * 1024, 64, 8192, 100000, 1024, 300), c.Limits);
        Assert.All(AsterConfig.FieldKeys, k => Assert.Equal(ConfigSourceKind.Default, c.SourceOf(k).Kind));
        Assert.Null(c.ConfigFile);
    }

    [Fact]
    public void FromFile_Values_RecordFileAndLine()
    {
        string path = WriteToml($"""
            [trust]
            root_pubkey = "{RootHex}"
            allow_all_consumers = true

            [network]
            secret_key = "{SeedBase64}"
            hook_timeout_ms = 7000

            [storage]
            path = "/var/lib/aster"

            [logging]
            format = "json"
            level = "warn"

            [mesh]
            bootstrap = ["aster1abc", "aster1def"]

            [limits]
            max_frame_bytes = 1048576
            """);

        var c = AsterConfig.FromFile(path, Env());

        Assert.Equal(RootHex, c.RootPubkey!.Value.ToString());
        Assert.True(c.AllowAllConsumers);
        Assert.Equal("8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394", c.SecretKey!.PublicKey.ToString());
        Assert.Equal(7000, c.HookTimeoutMs);
        Assert.Equal("/var/lib/aster", c.StoragePath);
        Assert.Equal(AsterLogFormat.Json, c.LogFormat);
        Assert.Equal(AsterLogLevel.Warning, c.LogLevel);
        Assert.Equal(["aster1abc", "aster1def"], c.MeshBootstrap);
        Assert.Equal(1048576, c.Limits.MaxFrameBytes);

        var source = c.SourceOf("network.hook_timeout_ms");
        Assert.Equal(ConfigSourceKind.File, source.Kind);
        Assert.Equal(path, source.Path);
        Assert.Equal(7, source.Line);
        Assert.Equal($"{path} [network]", source.Label);
        Assert.Equal($"{path}:7 [network]", source.ToString());
        Assert.Equal(ConfigSourceKind.Default, c.SourceOf("trust.allow_all_producers").Kind);
    }

    [Fact]
    public void Load_EachLayer_OverridesTheOneBelow()
    {
        string path = WriteToml("[network]\nhook_timeout_ms = 1\nenable_hooks = true\nbind_addr = \"0.0.0.0:1\"\n");
        var env = Env(("ASTER_HOOK_TIMEOUT_MS", "2"), ("ASTER_BIND_ADDR", "0.0.0.0:2"));

        var fileOnly = AsterConfig.Load(path, Env());
        var fileAndEnv = AsterConfig.Load(path, env);
        var all = AsterConfig.Load(path, env, new AsterConfigArguments { HookTimeoutMs = 3 });

        Assert.Equal(1, fileOnly.HookTimeoutMs);
        Assert.Equal(2, fileAndEnv.HookTimeoutMs);
        Assert.Equal(3, all.HookTimeoutMs);
        Assert.Equal(ConfigSourceKind.File, fileOnly.SourceOf("network.hook_timeout_ms").Kind);
        Assert.Equal("ASTER_HOOK_TIMEOUT_MS", fileAndEnv.SourceOf("network.hook_timeout_ms").Label);
        Assert.Equal(ConfigSource.Argument, all.SourceOf("network.hook_timeout_ms"));

        // Untouched layers keep their own sources.
        Assert.True(all.EnableHooks);
        Assert.Equal(ConfigSourceKind.File, all.SourceOf("network.enable_hooks").Kind);
        Assert.Equal("0.0.0.0:2", all.BindAddr);
        Assert.Equal("ASTER_BIND_ADDR", all.SourceOf("network.bind_addr").Label);
    }

    [Fact]
    public void With_Arguments_OverrideAndKeepOthers()
    {
        var c = AsterConfig.FromEnvironment(Env(("ASTER_LOG_LEVEL", "debug")))
            .With(new AsterConfigArguments { AllowAllConsumers = true, MeshBootstrap = ["x"] });
        Assert.True(c.AllowAllConsumers);
        Assert.Equal(ConfigSource.Argument, c.SourceOf("trust.allow_all_consumers"));
        Assert.Equal(["x"], c.MeshBootstrap);
        Assert.Equal(AsterLogLevel.Debug, c.LogLevel);
    }

    [Fact]
    public void With_ArgumentOutOfRange_Throws()
        => Assert.Throws<ConfigurationException>(() => AsterConfig.Defaults.With(new AsterConfigArguments { MaxFrameBytes = 0 }));

    [Fact]
    public void Load_ConfigFileVariable_UsedWhenNoPath()
    {
        string path = WriteToml("[health]\nport = 8080\n");
        var c = AsterConfig.Load(environment: Env(("ASTER_CONFIG_FILE", path)));
        Assert.Equal(8080, c.HealthPort);
        Assert.Equal(path, c.ConfigFile);
    }

    [Fact]
    public void Load_MissingFile_Throws()
    {
        var e = Assert.Throws<ConfigurationException>(() => AsterConfig.Load(Path.Combine(_dir, "nope.toml"), Env()));
        Assert.Contains("not found", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string, string> EnvironmentCases => new()
    {
        { "ASTER_ROOT_PUBKEY", RootHex, "trust.root_pubkey", RootHex },
        { "ASTER_ROOT_PUBKEY_FILE", "/k/root.pub", "trust.root_pubkey_file", "/k/root.pub" },
        { "ASTER_ENROLLMENT_CREDENTIAL", "/k/credential.json", "trust.enrollment_credential_file", "/k/credential.json" },
        { "ASTER_ENROLLMENT_CREDENTIAL_IID", "token", "trust.enrollment_credential_iid", "token" },
        { "ASTER_ALLOW_ALL_CONSUMERS", "yes", "trust.allow_all_consumers", "True" },
        { "ASTER_ALLOW_ALL_PRODUCERS", "off", "trust.allow_all_producers", "False" },
        { "ASTER_PEER_TTL_S", "60", "trust.peer_ttl_s", "60" },
        { "ASTER_NONCE_STORE", "memory", "trust.nonce_store", "memory" },
        { "ASTER_ENDPOINT_ADDR", " aster1xyz ", "connect.endpoint_addr", "aster1xyz" },
        { "ASTER_SERVICE_ADDR", "addr", "connect.service_address", "addr" },
        { "ASTER_SERVICE_ADDRESS", "addr2", "connect.service_address", "addr2" },
        { "ASTER_SECRET_KEY", SeedBase64, "network.secret_key", "8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394" },
        { "ASTER_RELAY_MODE", "disabled", "network.relay_mode", "disabled" },
        { "ASTER_BIND_ADDR", "0.0.0.0:9000", "network.bind_addr", "0.0.0.0:9000" },
        { "ASTER_ENABLE_MONITORING", "1", "network.enable_monitoring", "True" },
        { "ASTER_ENABLE_HOOKS", "TRUE", "network.enable_hooks", "True" },
        { "ASTER_HOOK_TIMEOUT_MS", "10", "network.hook_timeout_ms", "10" },
        { "ASTER_CLEAR_IP_TRANSPORTS", "on", "network.clear_ip_transports", "True" },
        { "ASTER_CLEAR_RELAY_TRANSPORTS", "true", "network.clear_relay_transports", "True" },
        { "ASTER_PORTMAPPER_CONFIG", "enabled", "network.portmapper_config", "enabled" },
        { "ASTER_PROXY_URL", "http://proxy", "network.proxy_url", "http://proxy" },
        { "ASTER_PROXY_FROM_ENV", "yes", "network.proxy_from_env", "True" },
        { "ASTER_LOCAL_DISCOVERY", "1", "network.local_discovery", "True" },
        { "ASTER_STORAGE_PATH", "/data", "storage.storage_path", "/data" },
        { "ASTER_IDENTITY_FILE", "/id/.aster-identity", "identity.identity_file", "/id/.aster-identity" },
        { "ASTER_LOG_FORMAT", "JSON", "logging.log_format", "Json" },
        { "ASTER_LOG_LEVEL", "error", "logging.log_level", "Error" },
        { "ASTER_LOG_MASK", "no", "logging.log_mask", "False" },
        { "ASTER_HEALTH_PORT", "8081", "health.health_port", "8081" },
        { "ASTER_HEALTH_HOST", "0.0.0.0", "health.health_host", "0.0.0.0" },
        { "ASTER_MESH_STATE_DIR", "/mesh", "mesh.state_dir", "/mesh" },
        { "ASTER_MESH_BOOTSTRAP", "a, b,,c", "mesh.bootstrap", "a|b|c" },
        { "ASTER_ENROLLMENT", "/p/cred.json", "mesh.enrollment", "/p/cred.json" },
        { "ASTER_REPLAY_WINDOW_MS", "1", "mesh.replay_window_ms", "1" },
        { "ASTER_CLOCK_DRIFT_TOLERANCE_MS", "2", "mesh.clock_drift_tolerance_ms", "2" },
        { "ASTER_GRACE_PERIOD_MS", "3", "mesh.grace_period_ms", "3" },
        { "ASTER_LEASE_HEARTBEAT_MS", "4", "mesh.lease_heartbeat_ms", "4" },
        { "ASTER_ROTATION_OVERLAP_MS", "5", "mesh.rotation_overlap_ms", "5" },
        { "ASTER_LEASE_DURATION_S", "6", "registry.lease_duration_s", "6" },
        { "ASTER_LEASE_REFRESH_INTERVAL_S", "7", "registry.lease_refresh_interval_s", "7" },
        { "ASTER_PUBLISH_LEASES", "false", "registry.publish_leases", "False" },
        { "ASTER_MAX_FRAME_BYTES", "100", "limits.max_frame_bytes", "100" },
        { "ASTER_MAX_METADATA_ENTRIES", "8", "limits.max_metadata_entries", "8" },
        { "ASTER_MAX_METADATA_BYTES", "9", "limits.max_metadata_bytes", "9" },
        { "ASTER_MAX_CLIENT_STREAM_ITEMS", "10", "limits.max_client_stream_items", "10" },
        { "ASTER_MAX_SESSIONS_PER_CONNECTION", "11", "limits.max_sessions_per_connection", "11" },
        { "ASTER_MAX_HANDLER_TIMEOUT_S", "12", "limits.max_handler_timeout_s", "12" },
    };

    [Theory]
    [MemberData(nameof(EnvironmentCases))]
    public void FromEnvironment_EachVariable_ParsedWithProvenance(string variable, string value, string key, string expected)
    {
        var c = AsterConfig.FromEnvironment(Env((variable, value)));
        Assert.Equal(variable, c.SourceOf(key).Label);
        Assert.Equal(ConfigSourceKind.Environment, c.SourceOf(key).Kind);
        Assert.Equal(expected, Read(c, key));
    }

    private static string Read(AsterConfig c, string key) => key switch
    {
        "trust.root_pubkey" => c.RootPubkey!.Value.ToString(),
        "trust.root_pubkey_file" => c.RootPubkeyFile!,
        "trust.enrollment_credential_file" => c.EnrollmentCredentialFile!,
        "trust.enrollment_credential_iid" => c.EnrollmentCredentialIid!,
        "trust.allow_all_consumers" => c.AllowAllConsumers.ToString(),
        "trust.allow_all_producers" => c.AllowAllProducers.ToString(),
        "trust.peer_ttl_s" => c.PeerTtlSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "trust.nonce_store" => c.NonceStore!,
        "connect.endpoint_addr" => c.EndpointAddr!,
        "connect.service_address" => c.ServiceAddress!,
        "network.secret_key" => c.SecretKey!.PublicKey.ToString(),
        "network.relay_mode" => c.RelayMode!,
        "network.bind_addr" => c.BindAddr!,
        "network.enable_monitoring" => c.EnableMonitoring.ToString(),
        "network.enable_hooks" => c.EnableHooks.ToString(),
        "network.hook_timeout_ms" => I(c.HookTimeoutMs),
        "network.clear_ip_transports" => c.ClearIpTransports.ToString(),
        "network.clear_relay_transports" => c.ClearRelayTransports.ToString(),
        "network.portmapper_config" => c.PortmapperConfig!,
        "network.proxy_url" => c.ProxyUrl!,
        "network.proxy_from_env" => c.ProxyFromEnv.ToString(),
        "network.local_discovery" => c.LocalDiscovery.ToString(),
        "storage.storage_path" => c.StoragePath!,
        "identity.identity_file" => c.IdentityFile!,
        "logging.log_format" => c.LogFormat.ToString(),
        "logging.log_level" => c.LogLevel.ToString(),
        "logging.log_mask" => c.LogMask.ToString(),
        "health.health_port" => I(c.HealthPort),
        "health.health_host" => c.HealthHost,
        "mesh.state_dir" => c.MeshStateDir!,
        "mesh.bootstrap" => string.Join("|", c.MeshBootstrap),
        "mesh.enrollment" => c.ProducerCredentialFile!,
        "mesh.replay_window_ms" => I(c.ReplayWindowMs),
        "mesh.clock_drift_tolerance_ms" => I(c.ClockDriftToleranceMs),
        "mesh.grace_period_ms" => I(c.GracePeriodMs),
        "mesh.lease_heartbeat_ms" => I(c.LeaseHeartbeatMs),
        "mesh.rotation_overlap_ms" => I(c.RotationOverlapMs),
        "registry.lease_duration_s" => I(c.LeaseDurationSeconds),
        "registry.lease_refresh_interval_s" => I(c.LeaseRefreshIntervalSeconds),
        "registry.publish_leases" => c.PublishLeases.ToString(),
        "limits.max_frame_bytes" => I(c.Limits.MaxFrameBytes),
        "limits.max_metadata_entries" => I(c.Limits.MaxMetadataEntries),
        "limits.max_metadata_bytes" => I(c.Limits.MaxMetadataBytes),
        "limits.max_client_stream_items" => I(c.Limits.MaxClientStreamItems),
        "limits.max_sessions_per_connection" => I(c.Limits.MaxSessionsPerConnection),
        "limits.max_handler_timeout_s" => I(c.Limits.MaxHandlerTimeoutSeconds),
        _ => throw new ArgumentException(key),
    };

    private static string I(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void EnvironmentCases_CoverEveryField()
    {
        var keys = EnvironmentCases.Select(row => (string)row[2]).ToHashSet();
        Assert.All(AsterConfig.FieldKeys, k => Assert.Contains(k, keys));
    }

    [Theory]
    [InlineData("ASTER_ALLOW_ALL_CONSUMERS", "maybe")]
    [InlineData("ASTER_LOG_MASK", "2")]
    [InlineData("ASTER_HOOK_TIMEOUT_MS", "5s")]
    [InlineData("ASTER_HOOK_TIMEOUT_MS", "-1")]
    [InlineData("ASTER_PEER_TTL_S", "99999999999")]
    [InlineData("ASTER_HEALTH_PORT", "70000")]
    [InlineData("ASTER_MAX_FRAME_BYTES", "0")]
    [InlineData("ASTER_SECRET_KEY", "AAAA")]
    [InlineData("ASTER_SECRET_KEY", "not base64!")]
    [InlineData("ASTER_ROOT_PUBKEY", "8a88")]
    [InlineData("ASTER_ROOT_PUBKEY", "zz88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c")]
    [InlineData("ASTER_LOG_FORMAT", "xml")]
    [InlineData("ASTER_LOG_LEVEL", "verbose")]
    public void FromEnvironment_BadValue_ThrowsNamingVariable(string variable, string value)
    {
        var e = Assert.Throws<ConfigurationException>(() => AsterConfig.FromEnvironment(Env((variable, value))));
        Assert.Equal(variable, e.Key);
        Assert.Contains(variable, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromEnvironment_BadSecretKey_MessageOmitsValue()
    {
        const string Secret = "c2VjcmV0LXRoYXQtaXMtdG9vLXNob3J0";
        var e = Assert.Throws<ConfigurationException>(() => AsterConfig.FromEnvironment(Env(("ASTER_SECRET_KEY", Secret))));
        Assert.DoesNotContain(Secret, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromEnvironment_EmptyValues_MeanUnsetExceptIdentityFile()
    {
        var c = AsterConfig.FromEnvironment(Env(("ASTER_SECRET_KEY", ""), ("ASTER_STORAGE_PATH", "  "), ("ASTER_ALLOW_ALL_PRODUCERS", ""), ("ASTER_IDENTITY_FILE", "")));
        Assert.Null(c.SecretKey);
        Assert.Null(c.StoragePath);
        Assert.True(c.AllowAllProducers);
        Assert.Equal(ConfigSourceKind.Default, c.SourceOf("storage.storage_path").Kind);
        Assert.Equal(string.Empty, c.IdentityFile);
        Assert.Equal("ASTER_IDENTITY_FILE", c.SourceOf("identity.identity_file").Label);
    }

    [Fact]
    public void FromEnvironment_BothServiceAddressNames_AddressWins()
    {
        var c = AsterConfig.FromEnvironment(Env(("ASTER_SERVICE_ADDR", "old"), ("ASTER_SERVICE_ADDRESS", "new")));
        Assert.Equal("new", c.ServiceAddress);
        Assert.Equal("ASTER_SERVICE_ADDRESS", c.SourceOf("connect.service_address").Label);
    }

    [Fact]
    public void FromEnvironment_TildePath_Expanded()
    {
        var c = AsterConfig.FromEnvironment(Env(("ASTER_STORAGE_PATH", "~/store")));
        Assert.Equal(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), "store"), c.StoragePath);
    }

    [Theory]
    [InlineData("[trust]\nallow_all_consumers = 1\n", 2, 23, "trust.allow_all_consumers", "boolean")]
    [InlineData("[trust]\nallow_all_consumers = \"perhaps\"\n", 2, 23, "trust.allow_all_consumers", "boolean")]
    [InlineData("[network]\nhook_timeout_ms = \"5000\"\n", 2, 19, "network.hook_timeout_ms", "integer")]
    [InlineData("[network]\nhook_timeout_ms = 1.5\n", 2, 19, "network.hook_timeout_ms", "integer")]
    [InlineData("[network]\nsecret_key = \"AAAA\"\n", 2, 14, "network.secret_key", "secret key")]
    [InlineData("[trust]\nroot_pubkey = \"abcd\"\n", 2, 15, "trust.root_pubkey", "hex")]
    [InlineData("[mesh]\nbootstrap = [1]\n", 2, 13, "mesh.bootstrap", "array of strings")]
    [InlineData("[trust]\nenrollment_credential = \"a\"\nenrollment_credential_file = \"b\"\n", 3, 1, "trust.enrollment_credential_file", "same field")]
    public void FromFile_WrongType_ThrowsWithPosition(string toml, int line, int column, string key, string fragment)
    {
        string path = WriteToml(toml);
        var e = Assert.Throws<ConfigurationException>(() => AsterConfig.FromFile(path, Env()));
        Assert.Equal((path, line, column, key), (e.File, e.Line, e.Column, e.Key));
        Assert.Contains(fragment, e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void FromFile_StringBoolean_AcceptedStrictly()
    {
        string path = WriteToml("[trust]\nallow_all_producers = \"false\"\n");
        Assert.False(AsterConfig.FromFile(path, Env()).AllowAllProducers);
    }

    [Fact]
    public void FromFile_EnrollmentCredentialAlias_Accepted()
    {
        string path = WriteToml("[trust]\nenrollment_credential_file = \"/c.json\"\n[identity]\nfile = \"/id\"\n");
        var c = AsterConfig.FromFile(path, Env());
        Assert.Equal("/c.json", c.EnrollmentCredentialFile);
        Assert.Equal("/id", c.IdentityFile);
    }

    [Fact]
    public void FromFile_UnknownSectionsAndKeys_WarnOncePerItem()
    {
        string path = WriteToml("alpns = [\"x\"]\n[trust]\nfuture_key = 1\n[future]\nx = 1\n");
        var c = AsterConfig.FromFile(path, Env());
        Assert.Equal(3, c.Warnings.Count);
        Assert.Contains(c.Warnings, w => w.Contains("'alpns'", StringComparison.Ordinal));
        Assert.Contains(c.Warnings, w => w.Contains("'future_key'", StringComparison.Ordinal) && w.Contains(":3:", StringComparison.Ordinal));
        Assert.Contains(c.Warnings, w => w.Contains("[future]", StringComparison.Ordinal));
    }

    [Fact]
    public void ToDisplayString_Secrets_Masked()
    {
        var c = AsterConfig.FromEnvironment(Env(
            ("ASTER_SECRET_KEY", SeedBase64),
            ("ASTER_ENROLLMENT_CREDENTIAL_IID", "eyJhbGciOiJSUzI1NiJ9.payload.signature-tail"),
            ("ASTER_ENROLLMENT_CREDENTIAL", "short.json"),
            ("ASTER_ROOT_PUBKEY", RootHex)));

        foreach (string text in new[] { c.ToDisplayString(), c.ToJson(), c.ToString() })
        {
            Assert.DoesNotContain(SeedBase64, text, StringComparison.Ordinal);
            Assert.DoesNotContain("0202020202020202", text, StringComparison.Ordinal);
            Assert.Contains("****...02020202", text, StringComparison.Ordinal);
            Assert.DoesNotContain("eyJhbGciOiJSUzI1NiJ9", text, StringComparison.Ordinal);
            Assert.Contains("****...gnature-tail", text, StringComparison.Ordinal);
            Assert.DoesNotContain("short.json", text, StringComparison.Ordinal);
            Assert.Contains(RootHex, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ToDisplayString_Layout_FollowsReference()
    {
        var c = AsterConfig.FromEnvironment(Env(("ASTER_BIND_ADDR", "0.0.0.0:1")));
        string[] lines = c.ToDisplayString().Split('\n');
        Assert.Equal("  [trust]", lines[0]);
        Assert.Equal("    " + "root_pubkey".PadRight(28) + ": " + "<not set>".PadRight(36) + " (default)", lines[1]);
        Assert.Contains("    " + "bind_addr".PadRight(28) + ": " + "0.0.0.0:1".PadRight(36) + " (ASTER_BIND_ADDR)", lines);
        Assert.Contains("    " + "relay_mode".PadRight(28) + ": " + "<default>".PadRight(36) + " (default)", lines);
        Assert.Contains("    " + "storage_path".PadRight(28) + ": " + "<in-memory>".PadRight(36) + " (default)", lines);
        Assert.Equal(
            ["  [trust]", "  [connect]", "  [network]", "  [storage]", "  [identity]", "  [logging]", "  [health]", "  [mesh]", "  [registry]", "  [limits]"],
            lines.Where(l => l.StartsWith("  [", StringComparison.Ordinal)));
    }

    [Fact]
    public void ToJson_FileValue_HasSourcePathAndLine()
    {
        string path = WriteToml("[health]\nport = 9\n");
        using var doc = System.Text.Json.JsonDocument.Parse(AsterConfig.FromFile(path, Env()).ToJson());
        var port = doc.RootElement.GetProperty("health").GetProperty("health_port");
        Assert.Equal(9, port.GetProperty("value").GetInt32());
        Assert.Equal($"{path} [health]", port.GetProperty("source").GetString());
        Assert.Equal(2, port.GetProperty("line").GetInt32());
    }

    [Fact]
    public void InertFieldWarnings_NonDefaultInertFields_OneLineEach()
    {
        Assert.Empty(AsterConfig.Defaults.InertFieldWarnings());
        Assert.Null(AsterConfig.Defaults.RelayNotice);
        var c = AsterConfig.FromEnvironment(Env(("ASTER_PROXY_URL", "http://p"), ("ASTER_LOCAL_DISCOVERY", "1"), ("ASTER_PROXY_FROM_ENV", "0"), ("ASTER_RELAY_MODE", "default")));
        var warnings = c.InertFieldWarnings();
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.StartsWith("proxy_url", StringComparison.Ordinal) && w.Contains("ASTER_PROXY_URL", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith("local_discovery", StringComparison.Ordinal));
        Assert.NotNull(c.RelayNotice);
        Assert.Null(AsterConfig.FromEnvironment(Env(("ASTER_RELAY_MODE", "disabled"))).RelayNotice);
    }

    [Fact]
    public void PrintConfig_WritesAndReturns()
    {
        using var writer = new StringWriter();
        string text = AsterConfig.Defaults.PrintConfig(json: false, writer);
        Assert.Equal(text, writer.ToString());
    }

    [Fact]
    public void ApplyTo_ServerOptions_MapsLimitsAndTimeout()
    {
        var c = AsterConfig.FromEnvironment(Env(("ASTER_MAX_FRAME_BYTES", "1000"), ("ASTER_MAX_HANDLER_TIMEOUT_S", "7"), ("ASTER_MAX_SESSIONS_PER_CONNECTION", "3")));
        var options = c.ApplyTo(new AsterServerOptions());
        Assert.Equal(1000, options.Limits.MaxFrameLength);
        Assert.Equal(64, options.Limits.MaxMetadataEntries);
        Assert.Equal(3, options.Limits.MaxSessionsPerConnection);
        Assert.Equal(TimeSpan.FromSeconds(7), options.MaxHandlerTimeout);
    }

    [Theory]
    [InlineData("127.0.0.1:0", "127.0.0.1:0")]
    [InlineData(" 0.0.0.0:9000 ", "0.0.0.0:9000")]
    [InlineData("[::1]:7000", "[::1]:7000")]
    public void ApplyTo_BindAddr_ReplacesTheBindAddresses(string configured, string expected)
    {
        var options = new AsterServerOptions();
        options.BindAddresses.Add(new System.Net.IPEndPoint(System.Net.IPAddress.Any, 1));
        AsterConfig.FromEnvironment(Env(("ASTER_BIND_ADDR", configured))).ApplyTo(options);
        Assert.Equal(expected, Assert.Single(options.BindAddresses).ToString());
    }

    [Fact]
    public void ApplyTo_NoBindAddr_KeepsTheBindAddresses()
    {
        var options = new AsterServerOptions();
        AsterConfig.FromEnvironment(Env()).ApplyTo(options);
        Assert.Empty(options.BindAddresses);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("localhost:80")]
    [InlineData("[::1]")]
    [InlineData("1.2.3.4:99999")]
    public void ApplyTo_MalformedBindAddr_IsAConfigurationErrorNamingIt(string configured)
    {
        AsterConfig config = AsterConfig.FromEnvironment(Env(("ASTER_BIND_ADDR", configured)));
        var ex = Assert.Throws<ConfigurationException>(() => config.ApplyTo(new AsterServerOptions()));
        Assert.Contains($"bind_addr '{configured}'", ex.Message);
    }

    [Fact]
    public void ToRpcLimits_Defaults_MatchServerDefaults()
    {
        var mapped = ServerOptionsMapping.ToRpcLimits(AsterConfig.Defaults.Limits);
        var defaults = new RpcLimits();
        Assert.Equal(
            (defaults.MaxFrameLength, defaults.MaxMetadataEntries, defaults.MaxMetadataBytes, defaults.MaxClientStreamItems, defaults.MaxSessionsPerConnection),
            (mapped.MaxFrameLength, mapped.MaxMetadataEntries, mapped.MaxMetadataBytes, mapped.MaxClientStreamItems, mapped.MaxSessionsPerConnection));
        Assert.Equal(new AsterServerOptions().MaxHandlerTimeout, ServerOptionsMapping.ToMaxHandlerTimeout(AsterConfig.Defaults.Limits));
    }

    [Fact]
    public void Arguments_SecretKey_HasArgumentSource()
    {
        using var key = SecretKey.Generate();
        var c = AsterConfig.Load(environment: Env(("ASTER_SECRET_KEY", SeedBase64)), arguments: new AsterConfigArguments { SecretKey = key });
        Assert.Same(key, c.SecretKey);
        Assert.Equal(ConfigSource.Argument, c.SourceOf("network.secret_key"));
    }
}
