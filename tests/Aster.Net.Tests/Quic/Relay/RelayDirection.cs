using Aster.Net.Quic;

namespace Aster.Net.Tests.Quic.Relay;

/// <summary>What the fault pipeline decided for one datagram.</summary>
internal enum RelayVerdict
{
    Forward,
    DroppedByList,
    DroppedByBlackhole,
    DroppedByLoss,
    DroppedByMtu,
}

/// <summary>
/// One direction of a <see cref="LossyUdpRelay"/>: its seeded random source, the fault pipeline and the counters.
/// Thread-safe (one lock; several receive loops may feed the client-bound direction).
/// </summary>
internal sealed class RelayDirection
{
    private readonly Lock _lock = new();
    private readonly Random _random;
    private int _index;
    private int _lossBurst;
    private int _corruptBurst;

    public RelayDirection(string name, RelayFaults faults, int seed)
    {
        Name = name;
        Faults = faults;
        _random = new Random(seed);
    }

    public string Name { get; }

    public RelayFaults Faults { get; }

    public long Datagrams { get; private set; }

    public long Bytes { get; private set; }

    public long Forwarded { get; private set; }

    /// <summary>Gets the bytes forwarded (duplicates counted twice).</summary>
    public long ForwardedBytes { get; private set; }

    public long DroppedByList { get; private set; }

    public long DroppedByBlackhole { get; private set; }

    public long DroppedByLoss { get; private set; }

    public long DroppedByMtu { get; private set; }

    public long DroppedByQueue { get; private set; }

    public long Corrupted { get; private set; }

    public long Duplicated { get; private set; }

    public long Reordered { get; private set; }

    /// <summary>Gets the long-header packets seen, by type (0 Initial, 1 0-RTT, 2 Handshake, 3 Retry).</summary>
    public long[] LongHeaderPackets { get; } = new long[4];

    /// <summary>
    /// Runs the pipeline over <paramref name="datagram"/> (corrupting it in place). On <see cref="RelayVerdict.Forward"/>,
    /// <paramref name="copies"/> is 1 or 2 and <paramref name="delay"/> the total delay.
    /// </summary>
    public RelayVerdict Process(Span<byte> datagram, bool blackholed, out int copies, out TimeSpan delay)
    {
        lock (_lock)
        {
            copies = 0;
            delay = TimeSpan.Zero;
            _index++;
            Datagrams++;
            Bytes += datagram.Length;
            CountLongHeaders(datagram);
            if (Faults.DropList.Contains(_index))
            {
                DroppedByList++;
                return RelayVerdict.DroppedByList;
            }

            if (blackholed)
            {
                DroppedByBlackhole++;
                return RelayVerdict.DroppedByBlackhole;
            }

            if (Hit(Faults.LossRate, ref _lossBurst))
            {
                DroppedByLoss++;
                return RelayVerdict.DroppedByLoss;
            }

            if (datagram.Length > 0 && Hit(Faults.CorruptRate, ref _corruptBurst))
            {
                datagram[_random.Next(datagram.Length)] ^= (byte)_random.Next(1, 256);
                Corrupted++;
            }

            copies = 1;
            if (Faults.DuplicateRate > 0 && _random.NextDouble() < Faults.DuplicateRate)
            {
                copies = 2;
                Duplicated++;
            }

            if (Faults.MtuCap > 0 && datagram.Length > Faults.MtuCap)
            {
                copies = 0;
                DroppedByMtu++;
                return RelayVerdict.DroppedByMtu;
            }

            delay = Faults.Delay;
            if (Faults.ReorderRate > 0 && _random.NextDouble() < Faults.ReorderRate)
            {
                double extra = Faults.ReorderMin.TotalMilliseconds
                    + (_random.NextDouble() * (Faults.ReorderMax - Faults.ReorderMin).TotalMilliseconds);
                delay += TimeSpan.FromMilliseconds(extra);
                Reordered++;
            }

            Forwarded += copies;
            ForwardedBytes += copies * datagram.Length;
            return RelayVerdict.Forward;
        }
    }

    public void OnQueueFull()
    {
        lock (_lock)
        {
            DroppedByQueue++;
        }
    }

    public override string ToString()
    {
        lock (_lock)
        {
            return $"{Name}: {Datagrams} datagrams ({Bytes} B), forwarded {Forwarded}, dropped list/blackhole/loss/mtu/queue "
                + $"{DroppedByList}/{DroppedByBlackhole}/{DroppedByLoss}/{DroppedByMtu}/{DroppedByQueue}, corrupted {Corrupted}, "
                + $"duplicated {Duplicated}, reordered {Reordered}, long headers I/0RTT/H/R {string.Join('/', LongHeaderPackets)}";
        }
    }

    private bool Hit(double rate, ref int burst)
    {
        if (rate <= 0 || burst >= Faults.MaxBurst || _random.NextDouble() >= rate)
        {
            burst = 0;
            return false;
        }

        burst++;
        return true;
    }

    private void CountLongHeaders(ReadOnlySpan<byte> datagram)
    {
        // The long-header bit and type are not header-protected; the Length field separates coalesced packets.
        int offset = 0;
        while (offset < datagram.Length && (datagram[offset] & 0x80) != 0)
        {
            ReadOnlySpan<byte> packet = datagram[offset..];
            int type = (packet[0] >> 4) & 3;
            LongHeaderPackets[type]++;
            if (type == 3 || !TrySkipLongHeader(packet, type == 0, out int length))
            {
                return;
            }

            offset += length;
        }
    }

    private static bool TrySkipLongHeader(ReadOnlySpan<byte> packet, bool hasToken, out int length)
    {
        length = 0;
        int p = 5;
        if (packet.Length < p + 1)
        {
            return false;
        }

        p += 1 + packet[p];
        if (packet.Length < p + 1)
        {
            return false;
        }

        p += 1 + packet[p];
        if (hasToken)
        {
            if (!QuicVarint.TryRead(packet[p..], out ulong tokenLength, out int read) || tokenLength > (ulong)packet.Length)
            {
                return false;
            }

            p += read + (int)tokenLength;
        }

        if (p > packet.Length || !QuicVarint.TryRead(packet[p..], out ulong payloadLength, out int used)
            || (ulong)(p + used) + payloadLength > (ulong)packet.Length)
        {
            return false;
        }

        length = p + used + (int)payloadLength;
        return true;
    }
}
