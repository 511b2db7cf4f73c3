using Aster.Net.Quic.Packets;

namespace Aster.Net.Quic.Protection;

/// <summary>
/// Header protection (RFC 9001, section 5.4) for up to <see cref="Capacity"/> 1-RTT packets at once: the samples are
/// gathered first and every mask comes from one cipher call. Sending, each packet of a GSO batch is encrypted and
/// recorded (<see cref="Add"/>), then <see cref="Protect"/> masks all headers; receiving, the samples of a coalesced
/// (GRO) buffer are gathered, <see cref="ComputeMasks"/> runs once, and each packet is opened with its mask.
/// </summary>
/// <remarks>
/// <para>Valid because the sample is ciphertext that nothing changes between the batch's start and its end (each packet
/// is encrypted or decrypted only within its own bytes), and because the 1-RTT header-protection key is the same in
/// every key phase (RFC 9001, section 6: key updates do not change it). Only short-header packets are batched: long
/// headers have per-level keys and are few.</para>
/// <para>Not thread-safe: one per connection, used under the connection's lock. Nothing is allocated per packet.</para>
/// </remarks>
internal sealed class HeaderProtectionBatch
{
    /// <summary>The cipher block (and sample) length.</summary>
    public const int BlockLength = 16;

    /// <summary>The most packets one batch holds: a GSO batch's datagrams, one 1-RTT packet each.</summary>
    public const int Capacity = 64;

    private readonly byte[] _samples = new byte[Capacity * BlockLength];
    private readonly byte[] _masks = new byte[Capacity * BlockLength];
    private readonly int[] _locations = new int[Capacity];
    private readonly int[] _packetNumberOffsets = new int[Capacity];

    /// <summary>Gets the number of packets recorded.</summary>
    public int Count { get; private set; }

    /// <summary>Gets a value indicating whether no more packets fit.</summary>
    public bool IsFull => Count == Capacity;

    /// <summary>Forgets every recorded packet.</summary>
    public void Clear() => Count = 0;

    /// <summary>
    /// Records a packet's sample (16 bytes at <paramref name="packetNumberOffset"/> + 4) and where the packet starts
    /// (<paramref name="location"/>, an offset in the caller's buffer). Returns the packet's index in the batch.
    /// </summary>
    /// <exception cref="InvalidOperationException">The batch is full.</exception>
    /// <exception cref="ArgumentException">The packet is too short to sample.</exception>
    public int Add(ReadOnlySpan<byte> packet, int location, int packetNumberOffset)
    {
        if (IsFull)
        {
            throw new InvalidOperationException("The header-protection batch is full.");
        }

        int sampleOffset = packetNumberOffset + QuicConstants.MaxPacketNumberLength;
        if (packetNumberOffset < 1 || packet.Length < sampleOffset + QuicConstants.HeaderProtectionSampleLength)
        {
            throw new ArgumentException("Packet too short for a header-protection sample.", nameof(packet));
        }

        int index = Count++;
        packet.Slice(sampleOffset, BlockLength).CopyTo(_samples.AsSpan(index * BlockLength));
        _locations[index] = location;
        _packetNumberOffsets[index] = packetNumberOffset;
        return index;
    }

    /// <summary>Gets where the packet at <paramref name="index"/> starts (the location given to <see cref="Add"/>).</summary>
    public int LocationOf(int index) => _locations[index];

    /// <summary>Computes every recorded packet's mask with one call of <paramref name="key"/>.</summary>
    public void ComputeMasks(HeaderProtectionKey key) => key.ComputeMasks(_samples, _masks, Count);

    /// <summary>The 5-byte mask of the packet at <paramref name="index"/> (after <see cref="ComputeMasks"/>).</summary>
    public ReadOnlySpan<byte> MaskOf(int index) => _masks.AsSpan(index * BlockLength, HeaderProtectionKey.MaskLength);

    /// <summary>
    /// Applies header protection to every recorded packet in <paramref name="buffer"/> (each at its location, with its
    /// first byte and packet number still plain), then clears the batch.
    /// </summary>
    public void Protect(HeaderProtectionKey key, Span<byte> buffer)
    {
        ComputeMasks(key);
        for (int i = 0; i < Count; i++)
        {
            Span<byte> packet = buffer[_locations[i]..];
            QuicPacketProtection.MaskHeader(packet, _packetNumberOffsets[i], MaskOf(i));
        }

        Clear();
    }
}
