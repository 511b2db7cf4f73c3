namespace Aster.Net.Quic.Recovery;

/// <summary>
/// Tracks the packet numbers received in one packet number space and decides when an ACK frame is due
/// (RFC 9000, section 13.2).
/// </summary>
/// <remarks>
/// <para>Rules applied:</para>
/// <list type="bullet">
/// <item>An ACK is never made due by packets that are not ack-eliciting; they are still reported in the next ACK.</item>
/// <item>In the Initial and Handshake spaces every ack-eliciting packet is acknowledged immediately.</item>
/// <item>In the Application Data space an ACK is sent immediately after every second ack-eliciting packet, when an
/// ack-eliciting packet arrives out of order (lower than a previous ack-eliciting packet, or with a gap below it),
/// and otherwise within <c>max_ack_delay</c> of the first unacknowledged ack-eliciting packet.</item>
/// <item>At most <see cref="MaxRanges"/> ranges are kept; older ranges are dropped first, and packets below the
/// dropped ranges are then treated as duplicates (RFC 9000, section 13.2.3).</item>
/// <item>When the peer acknowledges a packet that carried one of our ACK frames, ranges up to that frame's largest
/// acknowledged are forgotten (<see cref="OnAckFrameAcknowledged"/>, RFC 9000, section 13.2.4).</item>
/// </list>
/// All times are microsecond timestamps supplied by the caller.
/// </remarks>
internal sealed class AckManager
{
    /// <summary>The default cap on ACK ranges kept.</summary>
    public const int DefaultMaxRanges = 32;

    private readonly RangeSet _received = new();
    private ulong _duplicateThreshold;
    private ulong _largestAckEliciting;
    private bool _hasAckEliciting;
    private long _largestReceivedTimeUs;
    private int _ackElicitingSinceAck;
    private bool _immediate;
    private long _ackDeadlineUs = long.MaxValue;

    /// <summary>Initializes a new instance of the <see cref="AckManager"/> class.</summary>
    /// <param name="space">The packet number space.</param>
    /// <param name="maxAckDelayUs">Our <c>max_ack_delay</c> in microseconds (25 ms by default).</param>
    /// <param name="maxRanges">The most ACK ranges kept (at least 1).</param>
    /// <param name="ackElicitingThreshold">The number of ack-eliciting packets that make an ACK immediate.</param>
    public AckManager(PacketNumberSpace space, long maxAckDelayUs = 25_000, int maxRanges = DefaultMaxRanges, int ackElicitingThreshold = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRanges, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxAckDelayUs);
        ArgumentOutOfRangeException.ThrowIfLessThan(ackElicitingThreshold, 1);
        Space = space;
        MaxAckDelayUs = maxAckDelayUs;
        MaxRanges = maxRanges;
        AckElicitingThreshold = ackElicitingThreshold;
    }

    /// <summary>Gets the packet number space.</summary>
    public PacketNumberSpace Space { get; }

    /// <summary>Gets our <c>max_ack_delay</c> in microseconds.</summary>
    public long MaxAckDelayUs { get; }

    /// <summary>Gets the most ACK ranges kept.</summary>
    public int MaxRanges { get; }

    /// <summary>Gets the number of ack-eliciting packets after which an ACK is sent at once.</summary>
    public int AckElicitingThreshold { get; }

    /// <summary>Gets the ranges to report, lowest first.</summary>
    public RangeSet Ranges => _received;

    /// <summary>Gets a value indicating whether any packet has been received.</summary>
    public bool HasReceived { get; private set; }

    /// <summary>Gets the largest packet number received (valid when <see cref="HasReceived"/>).</summary>
    public ulong LargestReceived { get; private set; }

    /// <summary>Gets a value indicating whether packets were received since the last ACK frame was sent.</summary>
    public bool HasNewPackets { get; private set; }

    /// <summary>Gets a value indicating whether an ack-eliciting packet awaits acknowledgement.</summary>
    public bool AckElicitingPending => _ackElicitingSinceAck > 0;

    /// <summary>
    /// Gets the time at which an ACK must be sent for pending ack-eliciting packets, or <see cref="long.MaxValue"/>
    /// if none is pending. When an immediate ACK is due this is the receive time of the packet that made it due.
    /// </summary>
    public long AckDeadlineUs => _ackDeadlineUs;

    /// <summary>Tells whether a packet number was already received (or falls below what is still tracked).</summary>
    /// <param name="packetNumber">The packet number.</param>
    /// <returns><see langword="true"/> if the packet must be dropped as a duplicate.</returns>
    public bool IsDuplicate(ulong packetNumber) => packetNumber < _duplicateThreshold || _received.Contains(packetNumber);

    /// <summary>Records a packet that was decrypted and processed.</summary>
    /// <param name="packetNumber">Its packet number.</param>
    /// <param name="ackEliciting">Whether it held a frame other than ACK, PADDING or CONNECTION_CLOSE.</param>
    /// <param name="nowUs">The receive time.</param>
    /// <returns><see langword="false"/> if it was a duplicate (nothing recorded).</returns>
    public bool OnPacketReceived(ulong packetNumber, bool ackEliciting, long nowUs)
    {
        if (IsDuplicate(packetNumber))
        {
            return false;
        }

        if (ackEliciting)
        {
            bool outOfOrder = false;
            if (_hasAckEliciting)
            {
                outOfOrder = packetNumber < _largestAckEliciting
                    || !_received.ContainsRange(_largestAckEliciting + 1, packetNumber);
            }

            if (!_hasAckEliciting || packetNumber > _largestAckEliciting)
            {
                _largestAckEliciting = packetNumber;
                _hasAckEliciting = true;
            }

            _ackElicitingSinceAck++;
            if (Space != PacketNumberSpace.ApplicationData || outOfOrder || _ackElicitingSinceAck >= AckElicitingThreshold)
            {
                _immediate = true;
                _ackDeadlineUs = Math.Min(_ackDeadlineUs, nowUs);
            }
            else
            {
                _ackDeadlineUs = Math.Min(_ackDeadlineUs, nowUs + MaxAckDelayUs);
            }
        }

        _received.Add(packetNumber);
        while (_received.Count > MaxRanges)
        {
            ValueRange dropped = _received.PopMin();
            _duplicateThreshold = Math.Max(_duplicateThreshold, dropped.End);
        }

        if (!HasReceived || packetNumber > LargestReceived)
        {
            LargestReceived = packetNumber;
            _largestReceivedTimeUs = nowUs;
            HasReceived = true;
        }

        HasNewPackets = true;
        return true;
    }

    /// <summary>Tells whether an ACK frame must be sent now (an ack-eliciting packet is pending and its deadline passed).</summary>
    /// <param name="nowUs">The current time.</param>
    /// <returns><see langword="true"/> if an ACK is due.</returns>
    public bool ShouldSendAck(long nowUs) => _ackElicitingSinceAck > 0 && (_immediate || nowUs >= _ackDeadlineUs);

    /// <summary>Computes the ACK Delay field value for an ACK sent now (RFC 9000, section 19.3).</summary>
    /// <param name="nowUs">The current time.</param>
    /// <param name="ackDelayExponent">Our <c>ack_delay_exponent</c> (3 by default).</param>
    /// <returns>The encoded delay: microseconds shifted right by the exponent; zero outside Application Data.</returns>
    public ulong EncodedAckDelay(long nowUs, int ackDelayExponent = 3)
    {
        if (!HasReceived || Space != PacketNumberSpace.ApplicationData)
        {
            return 0;
        }

        long delay = Math.Max(0, nowUs - _largestReceivedTimeUs);
        return (ulong)delay >> ackDelayExponent;
    }

    /// <summary>Copies the ACK ranges, highest first as an ACK frame lists them, into <paramref name="destination"/>.</summary>
    /// <param name="destination">The destination; ranges beyond its length (the oldest) are left out.</param>
    /// <returns>The number of ranges written.</returns>
    public int GetAckRanges(Span<ValueRange> destination) => _received.CopyDescending(destination);

    /// <summary>Records that an ACK frame reporting the current ranges was sent.</summary>
    public void OnAckSent()
    {
        _ackElicitingSinceAck = 0;
        _immediate = false;
        _ackDeadlineUs = long.MaxValue;
        HasNewPackets = false;
    }

    /// <summary>
    /// Records that the peer acknowledged a packet that carried one of our ACK frames: packet numbers up to that
    /// frame's largest acknowledged no longer need reporting.
    /// </summary>
    /// <param name="largestAcknowledgedInFrame">The Largest Acknowledged field of the ACK frame we sent.</param>
    public void OnAckFrameAcknowledged(ulong largestAcknowledgedInFrame)
    {
        ulong bound = largestAcknowledgedInFrame + 1;
        if (bound > _duplicateThreshold)
        {
            _received.RemoveBelow(bound);
            _duplicateThreshold = bound;
        }
    }
}
