namespace Aster.Configuration;

/// <summary>How a field's text and TOML values are parsed.</summary>
internal enum FieldType
{
    Bool,
    Int,
    Port,
    PositiveInt,
    Text,
    Path,
    NonceStore,
    SecretKey,
    PublicKey,
    LogFormat,
    LogLevel,
    List,
}

/// <summary>How a field's value is shown.</summary>
internal enum FieldMask
{
    None,
    SecretKey,
    Last12,
}

/// <summary>One configuration field: its section, names in every layer, type and default.</summary>
internal sealed record ConfigField(
    string Section,
    string Name,
    string[] TomlKeys,
    string[] EnvironmentVariables,
    FieldType Type,
    object? Default,
    Func<AsterConfigArguments, object?> Argument,
    FieldMask Mask = FieldMask.None,
    string? UnsetText = null)
{
    /// <summary>All fields, in display order (config-and-cli.md section 4.3).</summary>
    internal static readonly ConfigField[] All =
    [
        new("trust", "root_pubkey", ["root_pubkey"], ["ASTER_ROOT_PUBKEY"], FieldType.PublicKey, null, a => a.RootPubkey),
        new("trust", "root_pubkey_file", ["root_pubkey_file"], ["ASTER_ROOT_PUBKEY_FILE"], FieldType.Path, null, a => a.RootPubkeyFile),
        new("trust", "enrollment_credential_file", ["enrollment_credential", "enrollment_credential_file"], ["ASTER_ENROLLMENT_CREDENTIAL"], FieldType.Path, null, a => a.EnrollmentCredentialFile, FieldMask.Last12),
        new("trust", "enrollment_credential_iid", ["enrollment_credential_iid"], ["ASTER_ENROLLMENT_CREDENTIAL_IID"], FieldType.Text, null, a => a.EnrollmentCredentialIid, FieldMask.Last12),
        new("trust", "allow_all_consumers", ["allow_all_consumers"], ["ASTER_ALLOW_ALL_CONSUMERS"], FieldType.Bool, false, a => a.AllowAllConsumers),
        new("trust", "allow_all_producers", ["allow_all_producers"], ["ASTER_ALLOW_ALL_PRODUCERS"], FieldType.Bool, true, a => a.AllowAllProducers),
        new("trust", "peer_ttl_s", ["peer_ttl_s"], ["ASTER_PEER_TTL_S"], FieldType.Int, 86400, a => a.PeerTtlSeconds),
        new("trust", "nonce_store", ["nonce_store"], ["ASTER_NONCE_STORE"], FieldType.NonceStore, null, a => a.NonceStore, UnsetText: "<default>"),
        new("connect", "endpoint_addr", ["endpoint_addr"], ["ASTER_ENDPOINT_ADDR"], FieldType.Text, null, a => a.EndpointAddr),
        new("connect", "service_address", [], ["ASTER_SERVICE_ADDRESS", "ASTER_SERVICE_ADDR"], FieldType.Text, null, a => a.ServiceAddress),
        new("network", "secret_key", ["secret_key"], ["ASTER_SECRET_KEY"], FieldType.SecretKey, null, a => a.SecretKey, FieldMask.SecretKey),
        new("network", "relay_mode", ["relay_mode"], ["ASTER_RELAY_MODE"], FieldType.Text, null, a => a.RelayMode, UnsetText: "<default>"),
        new("network", "bind_addr", ["bind_addr"], ["ASTER_BIND_ADDR"], FieldType.Text, null, a => a.BindAddr, UnsetText: "<any>"),
        new("network", "enable_monitoring", ["enable_monitoring"], ["ASTER_ENABLE_MONITORING"], FieldType.Bool, false, a => a.EnableMonitoring),
        new("network", "enable_hooks", ["enable_hooks"], ["ASTER_ENABLE_HOOKS"], FieldType.Bool, false, a => a.EnableHooks),
        new("network", "hook_timeout_ms", ["hook_timeout_ms"], ["ASTER_HOOK_TIMEOUT_MS"], FieldType.Int, 5000, a => a.HookTimeoutMs),
        new("network", "clear_ip_transports", ["clear_ip_transports"], ["ASTER_CLEAR_IP_TRANSPORTS"], FieldType.Bool, false, a => a.ClearIpTransports),
        new("network", "clear_relay_transports", ["clear_relay_transports"], ["ASTER_CLEAR_RELAY_TRANSPORTS"], FieldType.Bool, false, a => a.ClearRelayTransports),
        new("network", "portmapper_config", ["portmapper_config"], ["ASTER_PORTMAPPER_CONFIG"], FieldType.Text, null, a => a.PortmapperConfig),
        new("network", "proxy_url", ["proxy_url"], ["ASTER_PROXY_URL"], FieldType.Text, null, a => a.ProxyUrl),
        new("network", "proxy_from_env", ["proxy_from_env"], ["ASTER_PROXY_FROM_ENV"], FieldType.Bool, false, a => a.ProxyFromEnv),
        new("network", "local_discovery", ["local_discovery"], ["ASTER_LOCAL_DISCOVERY"], FieldType.Bool, false, a => a.LocalDiscovery),
        new("storage", "storage_path", ["path"], ["ASTER_STORAGE_PATH"], FieldType.Path, null, a => a.StoragePath, UnsetText: "<in-memory>"),
        new("identity", "identity_file", ["file"], ["ASTER_IDENTITY_FILE"], FieldType.Path, null, a => a.IdentityFile, UnsetText: "<./.aster-identity if present>"),
        new("logging", "log_format", ["format"], ["ASTER_LOG_FORMAT"], FieldType.LogFormat, AsterLogFormat.Text, a => a.LogFormat),
        new("logging", "log_level", ["level"], ["ASTER_LOG_LEVEL"], FieldType.LogLevel, AsterLogLevel.Info, a => a.LogLevel),
        new("logging", "log_mask", ["mask"], ["ASTER_LOG_MASK"], FieldType.Bool, true, a => a.LogMask),
        new("health", "health_port", ["port"], ["ASTER_HEALTH_PORT"], FieldType.Port, 0, a => a.HealthPort),
        new("health", "health_host", ["host"], ["ASTER_HEALTH_HOST"], FieldType.Text, "127.0.0.1", a => a.HealthHost),
        new("mesh", "state_dir", ["state_dir"], ["ASTER_MESH_STATE_DIR"], FieldType.Path, null, a => a.MeshStateDir, UnsetText: "<default>"),
        new("mesh", "bootstrap", ["bootstrap"], ["ASTER_MESH_BOOTSTRAP"], FieldType.List, Array.Empty<string>(), a => a.MeshBootstrap),
        new("mesh", "enrollment", ["enrollment"], ["ASTER_ENROLLMENT"], FieldType.Path, null, a => a.ProducerCredentialFile),
        new("mesh", "replay_window_ms", ["replay_window_ms"], ["ASTER_REPLAY_WINDOW_MS"], FieldType.Int, 30000, a => a.ReplayWindowMs),
        new("mesh", "clock_drift_tolerance_ms", ["clock_drift_tolerance_ms"], ["ASTER_CLOCK_DRIFT_TOLERANCE_MS"], FieldType.Int, 5000, a => a.ClockDriftToleranceMs),
        new("mesh", "grace_period_ms", ["grace_period_ms"], ["ASTER_GRACE_PERIOD_MS"], FieldType.Int, 60000, a => a.GracePeriodMs),
        new("mesh", "lease_heartbeat_ms", ["lease_heartbeat_ms"], ["ASTER_LEASE_HEARTBEAT_MS"], FieldType.Int, 900000, a => a.LeaseHeartbeatMs),
        new("mesh", "rotation_overlap_ms", ["rotation_overlap_ms"], ["ASTER_ROTATION_OVERLAP_MS"], FieldType.Int, 120000, a => a.RotationOverlapMs),
        new("registry", "lease_duration_s", ["lease_duration_s"], ["ASTER_LEASE_DURATION_S"], FieldType.Int, 45, a => a.LeaseDurationSeconds),
        new("registry", "lease_refresh_interval_s", ["lease_refresh_interval_s"], ["ASTER_LEASE_REFRESH_INTERVAL_S"], FieldType.Int, 15, a => a.LeaseRefreshIntervalSeconds),
        new("registry", "publish_leases", ["publish_leases"], ["ASTER_PUBLISH_LEASES"], FieldType.Bool, true, a => a.PublishLeases),
        new("limits", "max_frame_bytes", ["max_frame_bytes"], ["ASTER_MAX_FRAME_BYTES"], FieldType.PositiveInt, 16 * 1024 * 1024, a => a.MaxFrameBytes),
        new("limits", "max_metadata_entries", ["max_metadata_entries"], ["ASTER_MAX_METADATA_ENTRIES"], FieldType.PositiveInt, 64, a => a.MaxMetadataEntries),
        new("limits", "max_metadata_bytes", ["max_metadata_bytes"], ["ASTER_MAX_METADATA_BYTES"], FieldType.PositiveInt, 8192, a => a.MaxMetadataBytes),
        new("limits", "max_client_stream_items", ["max_client_stream_items"], ["ASTER_MAX_CLIENT_STREAM_ITEMS"], FieldType.PositiveInt, 100000, a => a.MaxClientStreamItems),
        new("limits", "max_sessions_per_connection", ["max_sessions_per_connection"], ["ASTER_MAX_SESSIONS_PER_CONNECTION"], FieldType.PositiveInt, 1024, a => a.MaxSessionsPerConnection),
        new("limits", "max_handler_timeout_s", ["max_handler_timeout_s"], ["ASTER_MAX_HANDLER_TIMEOUT_S"], FieldType.PositiveInt, 300, a => a.MaxHandlerTimeoutSeconds),
    ];

    /// <summary>The sections in display order.</summary>
    internal static readonly string[] Sections = ["trust", "connect", "network", "storage", "identity", "logging", "health", "mesh", "registry", "limits"];

    /// <summary>The key used in provenance lookups: <c>section.name</c>.</summary>
    internal string Key => $"{Section}.{Name}";
}
