namespace Aster.Net.Quic.Packets;

/// <summary>
/// Coalesces packets into one outgoing datagram (RFC 9000, sections 12.2 and 14.1): Initial, then Handshake, then
/// 1-RTT, and tells the builder of the last packet how large it must be so that a datagram carrying a client Initial
/// (or a server's ack-eliciting Initial) reaches 1200 bytes. Pure state; the caller owns the buffer and sockets.
/// </summary>
internal sealed class QuicDatagramAssembler
{
    private readonly byte[] _buffer;
    private readonly bool _isClient;
    private QuicPacketType? _lastType;

    /// <summary>Creates an assembler for datagrams of at most <paramref name="maxDatagramSize"/> bytes.</summary>
    public QuicDatagramAssembler(int maxDatagramSize, bool isClient)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDatagramSize, QuicConstants.MinInitialDatagramSize);
        _buffer = new byte[maxDatagramSize];
        _isClient = isClient;
    }

    /// <summary>Bytes used so far.</summary>
    public int Length { get; private set; }

    /// <summary>The datagram built so far.</summary>
    public ReadOnlySpan<byte> Datagram => _buffer.AsSpan(0, Length);

    /// <summary>The room left for the next packet.</summary>
    public Span<byte> Free => _buffer.AsSpan(Length);

    /// <summary>True once the datagram must be padded to 1200 bytes because of an Initial packet in it (or planned).</summary>
    public bool RequiresPadding { get; private set; }

    /// <summary>Number of packets in the datagram.</summary>
    public int PacketCount { get; private set; }

    /// <summary>
    /// Declares that the next packet will be of <paramref name="type"/>, ack-eliciting or not, and returns the minimum
    /// length it must be built with when it is the datagram's last packet (0 when no padding is needed).
    /// </summary>
    public int GetMinimumLength(QuicPacketType type, bool ackEliciting, bool isLastPacket)
    {
        bool needsPadding = RequiresPadding || NeedsPadding(type, ackEliciting);
        return needsPadding && isLastPacket ? Math.Max(0, QuicConstants.MinInitialDatagramSize - Length) : 0;
    }

    /// <summary>Records a packet of <paramref name="length"/> bytes that was built into <see cref="Free"/>.</summary>
    /// <exception cref="InvalidOperationException">Packets are coalesced out of order, or after a 1-RTT packet.</exception>
    public void Commit(QuicPacketType type, bool ackEliciting, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, _buffer.Length - Length);
        if (_lastType is QuicPacketType.OneRtt || (_lastType is { } last && Order(type) < Order(last)))
        {
            throw new InvalidOperationException("Packets are coalesced Initial, 0-RTT, Handshake, then one 1-RTT packet last.");
        }

        RequiresPadding |= NeedsPadding(type, ackEliciting);
        _lastType = type;
        Length += length;
        PacketCount++;
    }

    /// <summary>True if the datagram is ready to send (nothing left to pad).</summary>
    public bool IsComplete => Length > 0 && (!RequiresPadding || Length >= QuicConstants.MinInitialDatagramSize);

    /// <summary>Starts a new datagram.</summary>
    public void Reset()
    {
        Length = 0;
        PacketCount = 0;
        RequiresPadding = false;
        _lastType = null;
    }

    private static int Order(QuicPacketType type) => type switch
    {
        QuicPacketType.Initial => 0,
        QuicPacketType.ZeroRtt => 1,
        QuicPacketType.Handshake => 2,
        _ => 3,
    };

    private bool NeedsPadding(QuicPacketType type, bool ackEliciting) =>
        type == QuicPacketType.Initial && (_isClient || ackEliciting);
}

/// <summary>
/// The server's anti-amplification limit (RFC 9000, section 8.1; transport.md, section 7.5): until the client's
/// address is validated, at most three times the bytes received (whole UDP payloads) may be sent.
/// </summary>
internal sealed class AntiAmplificationLimit
{
    /// <summary>The amplification factor.</summary>
    public const int Factor = 3;

    /// <summary>Bytes received from the peer's address.</summary>
    public long BytesReceived { get; private set; }

    /// <summary>Bytes sent to the peer's address.</summary>
    public long BytesSent { get; private set; }

    /// <summary>True once the address is validated (a Handshake packet from the client was processed).</summary>
    public bool IsAddressValidated { get; private set; }

    /// <summary>Bytes that may still be sent; <see cref="long.MaxValue"/> once validated.</summary>
    public long Allowance => IsAddressValidated ? long.MaxValue : Math.Max(0, (Factor * BytesReceived) - BytesSent);

    /// <summary>Counts a received datagram.</summary>
    public void OnDatagramReceived(int length) => BytesReceived += length;

    /// <summary>Counts a sent datagram.</summary>
    /// <exception cref="InvalidOperationException">The datagram exceeded the allowance.</exception>
    public void OnDatagramSent(int length)
    {
        if (length > Allowance)
        {
            throw new InvalidOperationException("Datagram exceeds the anti-amplification limit.");
        }

        BytesSent += length;
    }

    /// <summary>True if a datagram of <paramref name="length"/> bytes may be sent now.</summary>
    public bool CanSend(int length) => length <= Allowance;

    /// <summary>Lifts the limit.</summary>
    public void OnAddressValidated() => IsAddressValidated = true;
}
