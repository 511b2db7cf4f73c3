namespace Aster.Tests.Network;

/// <summary>
/// The tests that run real QUIC handshakes, processes and timeouts: they run alone, not beside the CPU-heavy classes
/// of this assembly, so a starved thread pool cannot turn a handshake into a timeout.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NetworkTestGroup
{
    public const string Name = "Network";
}
