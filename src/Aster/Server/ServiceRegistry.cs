using System.Collections.Frozen;

namespace Aster.Server;

/// <summary>The services a server dispatches to, by (name, version) (wire-protocol.md D1, D3).</summary>
internal sealed class ServiceRegistry
{
    private readonly FrozenDictionary<(string Name, int Version), ServiceDefinition> _byNameAndVersion;
    private readonly FrozenDictionary<string, ServiceDefinition[]> _byName;

    public ServiceRegistry(IEnumerable<ServiceDefinition> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var list = services.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("A server needs at least one service.", nameof(services));
        }

        var duplicate = list.GroupBy(s => (s.Name, s.Version)).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Service '{duplicate.Key.Name}' version {duplicate.Key.Version} is registered more than once.", nameof(services));
        }

        _byNameAndVersion = list.ToFrozenDictionary(s => (s.Name, s.Version));
        _byName = list.GroupBy(s => s.Name, StringComparer.Ordinal).ToFrozenDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        Services = list;
        Names = new Protocol.WireNameTable(list.Select(s => s.Name).Concat(list.SelectMany(s => s.MethodNames)).Distinct(StringComparer.Ordinal));
    }

    public IReadOnlyList<ServiceDefinition> Services { get; }

    /// <summary>Every service and method name, for header decoders to reuse instead of allocating per call.</summary>
    public Protocol.WireNameTable Names { get; }

    /// <summary>
    /// The exact (service, version); or, when the caller says version 1 and exactly one version of the service is
    /// served, that one (reference clients always send 1).
    /// </summary>
    public ServiceDefinition? Find(string name, int version)
    {
        if (_byNameAndVersion.TryGetValue((name, version), out ServiceDefinition? service))
        {
            return service;
        }

        return version == 1 && _byName.TryGetValue(name, out ServiceDefinition[]? versions) && versions.Length == 1 ? versions[0] : null;
    }
}
