namespace Aster.Contracts;

/// <summary>Descriptive publication details written into a contract manifest. None of them affects the contract id.</summary>
public sealed class ContractManifestMetadata
{
    /// <summary>A human-readable description of the service. Defaults to empty.</summary>
    public string Description { get; set; } = string.Empty;

    /// <summary>Open-vocabulary service tags. Defaults to none.</summary>
    public IList<string> Tags { get; } = [];

    /// <summary>Whether this contract version is deprecated. Defaults to false.</summary>
    public bool Deprecated { get; set; }

    /// <summary>An optional semantic version string.</summary>
    public string? Semver { get; set; }

    /// <summary>An optional VCS revision.</summary>
    public string? VcsRevision { get; set; }

    /// <summary>An optional VCS tag.</summary>
    public string? VcsTag { get; set; }

    /// <summary>An optional VCS repository URL.</summary>
    public string? VcsUrl { get; set; }

    /// <summary>An optional changelog entry.</summary>
    public string? Changelog { get; set; }

    /// <summary>The publisher (author id hex or a name). Defaults to empty.</summary>
    public string PublishedBy { get; set; } = string.Empty;

    /// <summary>The publication time in milliseconds since the Unix epoch. Defaults to 0.</summary>
    public long PublishedAtEpochMs { get; set; }
}
