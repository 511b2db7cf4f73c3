namespace Aster.Net.Quic.Recovery;

/// <summary>What loss recovery remembers of one sent packet (RFC 9002, Appendix A.1.1).</summary>
/// <param name="PacketNumber">The packet number.</param>
/// <param name="TimeSentUs">When it was sent (microsecond timestamp).</param>
/// <param name="SentBytes">Its size in bytes, UDP payload only.</param>
/// <param name="AckEliciting">Whether it carried an ack-eliciting frame.</param>
/// <param name="InFlight">Whether it counts towards bytes in flight (ack-eliciting, PADDING or PATH_* frames).</param>
/// <param name="IsMtuProbe">Whether it is a path MTU probe (its loss is not congestion).</param>
/// <param name="Payload">The connection's own record of what the packet carried, returned when it is acknowledged or
/// lost so that frames can be retransmitted or released. Never inspected here.</param>
internal readonly record struct SentPacket(
    ulong PacketNumber,
    long TimeSentUs,
    int SentBytes,
    bool AckEliciting,
    bool InFlight,
    bool IsMtuProbe = false,
    object? Payload = null);

/// <summary>Sent packets of one space ordered by packet number, with O(1) append and removal at the front.</summary>
internal sealed class SentPacketQueue
{
    private Entry[] _items = new Entry[64];
    private int _head;
    private int _count;

    /// <summary>Gets the number of slots, including removed entries not yet compacted at the front.</summary>
    public int SlotCount => _count;

    /// <summary>Gets the number of packets still tracked.</summary>
    public int Live { get; private set; }

    /// <summary>Gets the number of tracked ack-eliciting in-flight packets.</summary>
    public int AckElicitingInFlight { get; private set; }

    /// <summary>Gets the packet in a slot.</summary>
    /// <param name="slot">The slot, 0 being the oldest.</param>
    /// <returns>The packet.</returns>
    public ref readonly SentPacket this[int slot] => ref _items[(_head + slot) & (_items.Length - 1)].Packet;

    /// <summary>Tells whether a slot still holds a tracked packet.</summary>
    /// <param name="slot">The slot.</param>
    /// <returns><see langword="true"/> if live.</returns>
    public bool IsLive(int slot) => _items[(_head + slot) & (_items.Length - 1)].Live;

    /// <summary>Appends a packet; packet numbers must increase.</summary>
    /// <param name="packet">The packet.</param>
    public void Add(in SentPacket packet)
    {
        if (_count == _items.Length)
        {
            Grow();
        }

        _items[(_head + _count) & (_items.Length - 1)] = new Entry { Packet = packet, Live = true };
        _count++;
        Live++;
        if (packet.AckEliciting && packet.InFlight)
        {
            AckElicitingInFlight++;
        }
    }

    /// <summary>Finds the first slot holding a packet number at least <paramref name="packetNumber"/>.</summary>
    /// <param name="packetNumber">The packet number.</param>
    /// <returns>The slot, or <see cref="SlotCount"/>.</returns>
    public int LowerBound(ulong packetNumber)
    {
        int lo = 0;
        int hi = _count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (this[mid].PacketNumber < packetNumber)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Stops tracking the packet in a slot.</summary>
    /// <param name="slot">The slot.</param>
    public void RemoveAt(int slot)
    {
        ref Entry e = ref _items[(_head + slot) & (_items.Length - 1)];
        if (!e.Live)
        {
            return;
        }

        e.Live = false;
        Live--;
        if (e.Packet.AckEliciting && e.Packet.InFlight)
        {
            AckElicitingInFlight--;
        }

        e.Packet = e.Packet with { Payload = null };
    }

    /// <summary>Drops removed entries at the front.</summary>
    public void Compact()
    {
        while (_count > 0 && !_items[_head].Live)
        {
            _items[_head] = default;
            _head = (_head + 1) & (_items.Length - 1);
            _count--;
        }
    }

    /// <summary>Removes everything.</summary>
    public void Clear()
    {
        Array.Clear(_items);
        _head = 0;
        _count = 0;
        Live = 0;
        AckElicitingInFlight = 0;
    }

    private void Grow()
    {
        var bigger = new Entry[_items.Length * 2];
        for (int i = 0; i < _count; i++)
        {
            bigger[i] = _items[(_head + i) & (_items.Length - 1)];
        }

        _items = bigger;
        _head = 0;
    }

    private struct Entry
    {
        public SentPacket Packet;
        public bool Live;
    }
}
