using Aster.Net.Identity;

namespace Aster.Configuration;

/// <summary>
/// The argument layer: values given in code, which beat every other layer. A null property means "not given".
/// </summary>
public sealed class AsterConfigArguments
{
    /// <summary>See <see cref="AsterConfig.RootPubkey"/>.</summary>
    public EndpointId? RootPubkey { get; set; }

    /// <summary>See <see cref="AsterConfig.RootPubkeyFile"/>.</summary>
    public string? RootPubkeyFile { get; set; }

    /// <summary>See <see cref="AsterConfig.EnrollmentCredentialFile"/>.</summary>
    public string? EnrollmentCredentialFile { get; set; }

    /// <summary>See <see cref="AsterConfig.EnrollmentCredentialIid"/>.</summary>
    public string? EnrollmentCredentialIid { get; set; }

    /// <summary>See <see cref="AsterConfig.AllowAllConsumers"/>.</summary>
    public bool? AllowAllConsumers { get; set; }

    /// <summary>See <see cref="AsterConfig.AllowAllProducers"/>.</summary>
    public bool? AllowAllProducers { get; set; }

    /// <summary>See <see cref="AsterConfig.PeerTtlSeconds"/>.</summary>
    public int? PeerTtlSeconds { get; set; }

    /// <summary>See <see cref="AsterConfig.NonceStore"/>.</summary>
    public string? NonceStore { get; set; }

    /// <summary>See <see cref="AsterConfig.EndpointAddr"/>.</summary>
    public string? EndpointAddr { get; set; }

    /// <summary>See <see cref="AsterConfig.ServiceAddress"/>.</summary>
    public string? ServiceAddress { get; set; }

    /// <summary>See <see cref="AsterConfig.SecretKey"/>.</summary>
    public SecretKey? SecretKey { get; set; }

    /// <summary>See <see cref="AsterConfig.RelayMode"/>.</summary>
    public string? RelayMode { get; set; }

    /// <summary>See <see cref="AsterConfig.BindAddr"/>.</summary>
    public string? BindAddr { get; set; }

    /// <summary>See <see cref="AsterConfig.EnableMonitoring"/>.</summary>
    public bool? EnableMonitoring { get; set; }

    /// <summary>See <see cref="AsterConfig.EnableHooks"/>.</summary>
    public bool? EnableHooks { get; set; }

    /// <summary>See <see cref="AsterConfig.HookTimeoutMs"/>.</summary>
    public int? HookTimeoutMs { get; set; }

    /// <summary>See <see cref="AsterConfig.ClearIpTransports"/>.</summary>
    public bool? ClearIpTransports { get; set; }

    /// <summary>See <see cref="AsterConfig.ClearRelayTransports"/>.</summary>
    public bool? ClearRelayTransports { get; set; }

    /// <summary>See <see cref="AsterConfig.PortmapperConfig"/>.</summary>
    public string? PortmapperConfig { get; set; }

    /// <summary>See <see cref="AsterConfig.ProxyUrl"/>.</summary>
    public string? ProxyUrl { get; set; }

    /// <summary>See <see cref="AsterConfig.ProxyFromEnv"/>.</summary>
    public bool? ProxyFromEnv { get; set; }

    /// <summary>See <see cref="AsterConfig.LocalDiscovery"/>.</summary>
    public bool? LocalDiscovery { get; set; }

    /// <summary>See <see cref="AsterConfig.StoragePath"/>.</summary>
    public string? StoragePath { get; set; }

    /// <summary>See <see cref="AsterConfig.IdentityFile"/>.</summary>
    public string? IdentityFile { get; set; }

    /// <summary>See <see cref="AsterConfig.LogFormat"/>.</summary>
    public AsterLogFormat? LogFormat { get; set; }

    /// <summary>See <see cref="AsterConfig.LogLevel"/>.</summary>
    public AsterLogLevel? LogLevel { get; set; }

    /// <summary>See <see cref="AsterConfig.LogMask"/>.</summary>
    public bool? LogMask { get; set; }

    /// <summary>See <see cref="AsterConfig.HealthPort"/>.</summary>
    public int? HealthPort { get; set; }

    /// <summary>See <see cref="AsterConfig.HealthHost"/>.</summary>
    public string? HealthHost { get; set; }

    /// <summary>See <see cref="AsterConfig.MeshStateDir"/>.</summary>
    public string? MeshStateDir { get; set; }

    /// <summary>See <see cref="AsterConfig.MeshBootstrap"/>.</summary>
    public IReadOnlyList<string>? MeshBootstrap { get; set; }

    /// <summary>See <see cref="AsterConfig.ProducerCredentialFile"/>.</summary>
    public string? ProducerCredentialFile { get; set; }

    /// <summary>See <see cref="AsterConfig.ReplayWindowMs"/>.</summary>
    public int? ReplayWindowMs { get; set; }

    /// <summary>See <see cref="AsterConfig.ClockDriftToleranceMs"/>.</summary>
    public int? ClockDriftToleranceMs { get; set; }

    /// <summary>See <see cref="AsterConfig.GracePeriodMs"/>.</summary>
    public int? GracePeriodMs { get; set; }

    /// <summary>See <see cref="AsterConfig.LeaseHeartbeatMs"/>.</summary>
    public int? LeaseHeartbeatMs { get; set; }

    /// <summary>See <see cref="AsterConfig.RotationOverlapMs"/>.</summary>
    public int? RotationOverlapMs { get; set; }

    /// <summary>See <see cref="AsterConfig.LeaseDurationSeconds"/>.</summary>
    public int? LeaseDurationSeconds { get; set; }

    /// <summary>See <see cref="AsterConfig.LeaseRefreshIntervalSeconds"/>.</summary>
    public int? LeaseRefreshIntervalSeconds { get; set; }

    /// <summary>See <see cref="AsterConfig.PublishLeases"/>.</summary>
    public bool? PublishLeases { get; set; }

    /// <summary>See <see cref="AsterLimits.MaxFrameBytes"/>.</summary>
    public int? MaxFrameBytes { get; set; }

    /// <summary>See <see cref="AsterLimits.MaxMetadataEntries"/>.</summary>
    public int? MaxMetadataEntries { get; set; }

    /// <summary>See <see cref="AsterLimits.MaxMetadataBytes"/>.</summary>
    public int? MaxMetadataBytes { get; set; }

    /// <summary>See <see cref="AsterLimits.MaxClientStreamItems"/>.</summary>
    public int? MaxClientStreamItems { get; set; }

    /// <summary>See <see cref="AsterLimits.MaxSessionsPerConnection"/>.</summary>
    public int? MaxSessionsPerConnection { get; set; }

    /// <summary>See <see cref="AsterLimits.MaxHandlerTimeoutSeconds"/>.</summary>
    public int? MaxHandlerTimeoutSeconds { get; set; }
}
