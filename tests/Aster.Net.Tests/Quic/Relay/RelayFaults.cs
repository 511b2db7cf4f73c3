namespace Aster.Net.Tests.Quic.Relay;

/// <summary>
/// The faults one direction of a <see cref="LossyUdpRelay"/> applies, in the order of transport.md 9.1: drop list,
/// (blackhole, relay-wide), loss, corruption, duplication, MTU cap, delay with reordering.
/// </summary>
internal sealed record RelayFaults
{
    /// <summary>No faults at all.</summary>
    public static readonly RelayFaults None = new();

    /// <summary>Gets the 1-based indexes of datagrams in this direction to drop.</summary>
    public IReadOnlySet<int> DropList { get; init; } = new HashSet<int>();

    /// <summary>Gets the probability of dropping a datagram.</summary>
    public double LossRate { get; init; }

    /// <summary>Gets the probability of flipping one byte of a datagram.</summary>
    public double CorruptRate { get; init; }

    /// <summary>Gets the most datagrams in a row that loss (or corruption) may hit.</summary>
    public int MaxBurst { get; init; } = 3;

    /// <summary>Gets the probability of sending a datagram twice.</summary>
    public double DuplicateRate { get; init; }

    /// <summary>Gets the largest datagram forwarded (larger ones are dropped); 0 = no cap.</summary>
    public int MtuCap { get; init; }

    /// <summary>Gets the fixed one-way delay.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>Gets the probability of delaying a datagram by an extra uniform amount in [<see cref="ReorderMin"/>, <see cref="ReorderMax"/>].</summary>
    public double ReorderRate { get; init; }

    /// <summary>Gets the smallest extra delay of a reordered datagram.</summary>
    public TimeSpan ReorderMin { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Gets the largest extra delay of a reordered datagram.</summary>
    public TimeSpan ReorderMax { get; init; } = TimeSpan.FromMilliseconds(30);

    /// <summary>Gets how many datagrams may wait in the delay queue of this direction (drop-tail beyond it).</summary>
    public int QueueCapacity { get; init; } = 4096;
}
