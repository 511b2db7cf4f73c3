using Aster.Net.Quic.Streams;

namespace Aster.Net.Quic.Recovery;

/// <summary>What the loss detection timer asked for when it fired.</summary>
internal enum LossTimerAction
{
    /// <summary>Nothing: the timer was not due.</summary>
    None = 0,

    /// <summary>Packets were declared lost by the time threshold; they are in the lost list.</summary>
    LossDetected = 1,

    /// <summary>A probe timeout: send <see cref="LossRecovery.ProbesDue"/> ack-eliciting packets in the given space,
    /// bypassing the congestion window (new data, else a retransmission, else a PING).</summary>
    Probe = 2,
}

/// <summary>The result of <see cref="LossRecovery.OnLossDetectionTimeout"/>.</summary>
/// <param name="Action">What happened.</param>
/// <param name="Space">The space concerned.</param>
internal readonly record struct LossTimerResult(LossTimerAction Action, PacketNumberSpace Space);

/// <summary>
/// Loss detection for the three packet number spaces, following the pseudocode of RFC 9002, Appendix A, and driving a
/// <see cref="ICongestionController"/> as Appendix B does. It is a pure state machine: the connection reports packets
/// sent and ACK frames received with the current time, arms one timer at <see cref="LossDetectionTimerUs"/>, and calls
/// <see cref="OnLossDetectionTimeout"/> when it fires.
/// </summary>
/// <remarks>
/// <para>Every packet sent must be reported, including ACK-only packets (not in flight): persistent congestion is
/// recognised from runs of consecutive packet numbers that are all lost.</para>
/// <para>Acknowledged and lost packets are returned with their <see cref="SentPacket.Payload"/> so the connection can
/// release or requeue their frames (retransmission is by frame, not by packet).</para>
/// </remarks>
internal sealed class LossRecovery
{
    /// <summary>The packet reordering threshold, kPacketThreshold = 3.</summary>
    public const ulong PacketThreshold = 3;

    /// <summary>The time reordering threshold numerator: kTimeThreshold = 9/8.</summary>
    public const long TimeThresholdNumerator = 9;

    /// <summary>The time reordering threshold denominator.</summary>
    public const long TimeThresholdDenominator = 8;

    /// <summary>The persistent congestion threshold, kPersistentCongestionThreshold = 3.</summary>
    public const long PersistentCongestionThreshold = 3;

    private const int SpaceCount = 3;

    private readonly bool _isServer;
    private readonly SentPacketQueue[] _sent = [new(), new(), new()];
    private readonly ulong[] _largestAcked = new ulong[SpaceCount];
    private readonly bool[] _hasLargestAcked = new bool[SpaceCount];
    private readonly ulong[] _nextPacketNumber = new ulong[SpaceCount];
    private readonly long[] _lossTimeUs = new long[SpaceCount];
    private readonly long[] _timeOfLastAckElicitingUs = new long[SpaceCount];
    private readonly int[] _probesDue = new int[SpaceCount];
    private readonly bool[] _discarded = new bool[SpaceCount];
    private long _firstRttSampleUs = long.MinValue;
    private bool _handshakeAckReceived;

    /// <summary>Initializes a new instance of the <see cref="LossRecovery"/> class.</summary>
    /// <param name="isServer">Whether this endpoint is the server (it then never needs the anti-deadlock probe).</param>
    /// <param name="congestionController">The congestion controller to drive.</param>
    /// <param name="rtt">The RTT estimator to update.</param>
    public LossRecovery(bool isServer, ICongestionController congestionController, RttEstimator rtt)
    {
        ArgumentNullException.ThrowIfNull(congestionController);
        ArgumentNullException.ThrowIfNull(rtt);
        _isServer = isServer;
        CongestionController = congestionController;
        Rtt = rtt;
        Array.Fill(_lossTimeUs, long.MaxValue);
    }

    /// <summary>Gets the congestion controller.</summary>
    public ICongestionController CongestionController { get; }

    /// <summary>Gets the RTT estimator.</summary>
    public RttEstimator Rtt { get; }

    /// <summary>Gets the number of consecutive probe timeouts without an acknowledgement.</summary>
    public int PtoCount { get; private set; }

    /// <summary>Gets the time the loss detection timer must fire, or <see cref="long.MaxValue"/> if it is not armed.</summary>
    public long LossDetectionTimerUs { get; private set; } = long.MaxValue;

    /// <summary>Gets a value indicating whether the handshake is confirmed (set with <see cref="OnHandshakeConfirmed"/>).</summary>
    public bool HandshakeConfirmed { get; private set; }

    /// <summary>Gets a value indicating whether Handshake keys are available (set with <see cref="OnHandshakeKeysAvailable"/>).</summary>
    public bool HasHandshakeKeys { get; private set; }

    /// <summary>Gets a value indicating whether the server is blocked by the anti-amplification limit (set with <see cref="SetAmplificationLimited"/>).</summary>
    public bool AmplificationLimited { get; private set; }

    /// <summary>Gets a value indicating whether the last loss declared persistent congestion (for tests and logging).</summary>
    public bool LastLossWasPersistentCongestion { get; private set; }

    /// <summary>
    /// Gets a value indicating whether the peer has validated our address: always for a server; for a client once the
    /// handshake is confirmed or a Handshake packet was acknowledged (RFC 9002, Appendix A.6).
    /// </summary>
    public bool PeerCompletedAddressValidation => _isServer || HandshakeConfirmed || _handshakeAckReceived;

    /// <summary>Gets the bytes in flight.</summary>
    public long BytesInFlight => CongestionController.BytesInFlight;

    /// <summary>Gets the number of ack-eliciting packets in flight across the spaces.</summary>
    public int AckElicitingInFlight => _sent[0].AckElicitingInFlight + _sent[1].AckElicitingInFlight + _sent[2].AckElicitingInFlight;

    /// <summary>Returns the next packet number to use in a space (one more than the last reported sent).</summary>
    /// <param name="space">The space.</param>
    /// <returns>The next packet number.</returns>
    public ulong NextPacketNumber(PacketNumberSpace space) => _nextPacketNumber[(int)space];

    /// <summary>Returns the largest packet number the peer acknowledged in a space.</summary>
    /// <param name="space">The space.</param>
    /// <param name="largest">The largest acknowledged.</param>
    /// <returns><see langword="false"/> if nothing was acknowledged yet (then use it as "none" for packet number encoding).</returns>
    public bool TryGetLargestAcked(PacketNumberSpace space, out ulong largest)
    {
        largest = _largestAcked[(int)space];
        return _hasLargestAcked[(int)space];
    }

    /// <summary>Returns how many probe packets are still due in a space after a probe timeout.</summary>
    /// <param name="space">The space.</param>
    /// <returns>The count (0, 1 or 2). Sending an ack-eliciting packet in the space decrements it.</returns>
    public int ProbesDue(PacketNumberSpace space) => _probesDue[(int)space];

    /// <summary>Returns the number of packets still tracked in a space.</summary>
    /// <param name="space">The space.</param>
    /// <returns>The count.</returns>
    public int TrackedPackets(PacketNumberSpace space) => _sent[(int)space].Live;

    /// <summary>Computes the current probe timeout for the Application Data space without backoff, for idle timeout and key discard timers.</summary>
    /// <returns>smoothed_rtt + max(4 × rttvar, granularity) + max_ack_delay.</returns>
    public long PtoUs() => Rtt.PtoBaseUs + Rtt.PeerMaxAckDelayUs;

    /// <summary>Records Handshake keys becoming available (the anti-deadlock probe then uses the Handshake space).</summary>
    /// <param name="nowUs">The current time.</param>
    public void OnHandshakeKeysAvailable(long nowUs)
    {
        HasHandshakeKeys = true;
        SetLossDetectionTimer(nowUs);
    }

    /// <summary>Records handshake confirmation (RFC 9001, section 4.1.2).</summary>
    /// <param name="nowUs">The current time.</param>
    public void OnHandshakeConfirmed(long nowUs)
    {
        HandshakeConfirmed = true;
        SetLossDetectionTimer(nowUs);
    }

    /// <summary>Sets whether a server is blocked by the anti-amplification limit; the PTO is not armed while it is.</summary>
    /// <param name="limited">Whether sending is blocked.</param>
    /// <param name="nowUs">The current time.</param>
    public void SetAmplificationLimited(bool limited, long nowUs)
    {
        AmplificationLimited = limited;
        SetLossDetectionTimer(nowUs);
    }

    /// <summary>Records a packet sent (RFC 9002, Appendix A.5). Report every packet, ACK-only ones included.</summary>
    /// <param name="space">Its space.</param>
    /// <param name="packet">The packet; its number must be <see cref="NextPacketNumber"/> or higher.</param>
    public void OnPacketSent(PacketNumberSpace space, in SentPacket packet)
    {
        int s = (int)space;
        if (packet.PacketNumber < _nextPacketNumber[s])
        {
            throw new InvalidOperationException($"Packet number {packet.PacketNumber} in {space} was already used.");
        }

        _nextPacketNumber[s] = packet.PacketNumber + 1;
        _sent[s].Add(packet);
        if (packet.InFlight)
        {
            if (packet.AckEliciting)
            {
                _timeOfLastAckElicitingUs[s] = packet.TimeSentUs;
                if (_probesDue[s] > 0)
                {
                    _probesDue[s]--;
                }
            }

            CongestionController.OnPacketSent(packet.TimeSentUs, packet.SentBytes);
            SetLossDetectionTimer(packet.TimeSentUs);
        }
    }

    /// <summary>Processes an ACK frame (RFC 9002, Appendix A.7).</summary>
    /// <param name="space">The space of the packet that carried the ACK.</param>
    /// <param name="ranges">The acknowledged ranges (any order; an ACK frame lists them highest first).</param>
    /// <param name="ackDelayUs">The ACK Delay field decoded with the peer's <c>ack_delay_exponent</c>, in microseconds.</param>
    /// <param name="nowUs">The current time.</param>
    /// <param name="acked">Receives the newly acknowledged packets.</param>
    /// <param name="lost">Receives the packets declared lost.</param>
    /// <returns><see langword="true"/> if at least one packet was newly acknowledged.</returns>
    /// <exception cref="QuicStreamStateException">PROTOCOL_VIOLATION: the ACK covers a packet number never sent.</exception>
    public bool OnAckReceived(PacketNumberSpace space, ReadOnlySpan<ValueRange> ranges, long ackDelayUs, long nowUs, List<SentPacket> acked, List<SentPacket> lost)
    {
        ArgumentNullException.ThrowIfNull(acked);
        ArgumentNullException.ThrowIfNull(lost);
        int s = (int)space;
        if (ranges.IsEmpty || _discarded[s])
        {
            return false;
        }

        ulong largestInFrame = 0;
        foreach (ValueRange r in ranges)
        {
            largestInFrame = Math.Max(largestInFrame, r.Last);
        }

        if (largestInFrame >= _nextPacketNumber[s])
        {
            throw QuicStreamStateException.ProtocolViolation($"ACK in {space} acknowledges packet {largestInFrame}, which was never sent.");
        }

        if (!_hasLargestAcked[s] || largestInFrame > _largestAcked[s])
        {
            _largestAcked[s] = largestInFrame;
            _hasLargestAcked[s] = true;
        }

        // DetectAndRemoveAckedPackets.
        SentPacketQueue queue = _sent[s];
        int firstAcked = acked.Count;
        bool includesAckEliciting = false;
        bool largestNewlyAcked = false;
        long largestTimeSentUs = 0;
        foreach (ValueRange r in ranges)
        {
            for (int slot = queue.LowerBound(r.Start); slot < queue.SlotCount; slot++)
            {
                ref readonly SentPacket p = ref queue[slot];
                if (p.PacketNumber >= r.End)
                {
                    break;
                }

                if (!queue.IsLive(slot))
                {
                    continue;
                }

                acked.Add(p);
                includesAckEliciting |= p.AckEliciting;
                if (p.PacketNumber == largestInFrame)
                {
                    largestNewlyAcked = true;
                    largestTimeSentUs = p.TimeSentUs;
                }

                queue.RemoveAt(slot);
            }
        }

        if (acked.Count == firstAcked)
        {
            return false;
        }

        if (largestNewlyAcked && includesAckEliciting)
        {
            Rtt.Update(nowUs - largestTimeSentUs, ackDelayUs, HandshakeConfirmed, space == PacketNumberSpace.ApplicationData);
            if (_firstRttSampleUs == long.MinValue)
            {
                _firstRttSampleUs = nowUs;
            }
        }

        DetectAndRemoveLostPackets(space, nowUs, lost);

        for (int i = firstAcked; i < acked.Count; i++)
        {
            SentPacket p = acked[i];
            if (p.InFlight)
            {
                CongestionController.OnPacketAcked(nowUs, p.TimeSentUs, p.SentBytes, Rtt);
            }
        }

        if (space == PacketNumberSpace.Handshake)
        {
            _handshakeAckReceived = true;
        }

        if (PeerCompletedAddressValidation)
        {
            PtoCount = 0;
        }

        queue.Compact();
        SetLossDetectionTimer(nowUs);
        return true;
    }

    /// <summary>Handles the loss detection timer (RFC 9002, Appendix A.9).</summary>
    /// <param name="nowUs">The current time.</param>
    /// <param name="lost">Receives the packets declared lost.</param>
    /// <returns>What the connection must do.</returns>
    public LossTimerResult OnLossDetectionTimeout(long nowUs, List<SentPacket> lost)
    {
        ArgumentNullException.ThrowIfNull(lost);
        if (nowUs < LossDetectionTimerUs || LossDetectionTimerUs == long.MaxValue)
        {
            return new LossTimerResult(LossTimerAction.None, PacketNumberSpace.Initial);
        }

        (long lossTime, PacketNumberSpace lossSpace) = GetLossTimeAndSpace();
        if (lossTime != long.MaxValue)
        {
            DetectAndRemoveLostPackets(lossSpace, nowUs, lost);
            _sent[(int)lossSpace].Compact();
            SetLossDetectionTimer(nowUs);
            return new LossTimerResult(LossTimerAction.LossDetected, lossSpace);
        }

        PacketNumberSpace probeSpace;
        if (AckElicitingInFlight == 0)
        {
            // Anti-deadlock (client only): a padded Initial, or a Handshake packet once Handshake keys exist.
            probeSpace = HasHandshakeKeys ? PacketNumberSpace.Handshake : PacketNumberSpace.Initial;
            _probesDue[(int)probeSpace] = 1;
        }
        else
        {
            (_, probeSpace) = GetPtoTimeAndSpace(nowUs);
            _probesDue[(int)probeSpace] = 2;
        }

        PtoCount++;
        SetLossDetectionTimer(nowUs);
        return new LossTimerResult(LossTimerAction.Probe, probeSpace);
    }

    /// <summary>
    /// Discards a packet number space when its keys are discarded (RFC 9002, Appendix A.11): its packets leave flight
    /// without any congestion response and its timers are reset.
    /// </summary>
    /// <param name="space">The space (Initial or Handshake).</param>
    /// <param name="nowUs">The current time.</param>
    public void DiscardSpace(PacketNumberSpace space, long nowUs)
    {
        int s = (int)space;
        SentPacketQueue queue = _sent[s];
        for (int slot = 0; slot < queue.SlotCount; slot++)
        {
            if (queue.IsLive(slot) && queue[slot].InFlight)
            {
                CongestionController.OnPacketDiscarded(queue[slot].SentBytes);
            }
        }

        queue.Clear();
        _discarded[s] = true;
        _timeOfLastAckElicitingUs[s] = 0;
        _lossTimeUs[s] = long.MaxValue;
        _probesDue[s] = 0;
        PtoCount = 0;
        SetLossDetectionTimer(nowUs);
    }

    /// <summary>
    /// Handles a Retry received by a client (RFC 9002, section 6.3; RFC 9000, section 17.2.5): every Initial packet
    /// sent so far is returned for its CRYPTO data to be sent again in new Initial packets (packet numbers keep
    /// increasing), leaves flight without any congestion response, and the PTO backoff is reset.
    /// </summary>
    /// <param name="nowUs">The current time.</param>
    /// <param name="resend">Receives the Initial packets sent before the Retry.</param>
    public void OnRetryReceived(long nowUs, List<SentPacket> resend)
    {
        ArgumentNullException.ThrowIfNull(resend);
        const int s = (int)PacketNumberSpace.Initial;
        SentPacketQueue queue = _sent[s];
        for (int slot = 0; slot < queue.SlotCount; slot++)
        {
            if (!queue.IsLive(slot))
            {
                continue;
            }

            SentPacket p = queue[slot];
            resend.Add(p);
            if (p.InFlight)
            {
                CongestionController.OnPacketDiscarded(p.SentBytes);
            }
        }

        queue.Clear();
        _lossTimeUs[s] = long.MaxValue;
        _timeOfLastAckElicitingUs[s] = 0;
        PtoCount = 0;
        SetLossDetectionTimer(nowUs);
    }

    private (long Time, PacketNumberSpace Space) GetLossTimeAndSpace()
    {
        long time = _lossTimeUs[0];
        PacketNumberSpace space = PacketNumberSpace.Initial;
        for (int s = 1; s < SpaceCount; s++)
        {
            if (_lossTimeUs[s] < time)
            {
                time = _lossTimeUs[s];
                space = (PacketNumberSpace)s;
            }
        }

        return (time, space);
    }

    private (long Time, PacketNumberSpace Space) GetPtoTimeAndSpace(long nowUs)
    {
        int shift = Math.Min(PtoCount, 30);
        long duration = Rtt.PtoBaseUs << shift;
        if (AckElicitingInFlight == 0)
        {
            return (nowUs + duration, HasHandshakeKeys ? PacketNumberSpace.Handshake : PacketNumberSpace.Initial);
        }

        long ptoTimeout = long.MaxValue;
        PacketNumberSpace ptoSpace = PacketNumberSpace.Initial;
        for (int s = 0; s < SpaceCount; s++)
        {
            if (_sent[s].AckElicitingInFlight == 0)
            {
                continue;
            }

            if (s == (int)PacketNumberSpace.ApplicationData)
            {
                // Application Data is not probed before the handshake is confirmed.
                if (!HandshakeConfirmed)
                {
                    return (ptoTimeout, ptoSpace);
                }

                duration += Rtt.PeerMaxAckDelayUs << shift;
            }

            long t = _timeOfLastAckElicitingUs[s] + duration;
            if (t < ptoTimeout)
            {
                ptoTimeout = t;
                ptoSpace = (PacketNumberSpace)s;
            }
        }

        return (ptoTimeout, ptoSpace);
    }

    private void SetLossDetectionTimer(long nowUs)
    {
        (long lossTime, _) = GetLossTimeAndSpace();
        if (lossTime != long.MaxValue)
        {
            LossDetectionTimerUs = lossTime;
            return;
        }

        if (AmplificationLimited)
        {
            LossDetectionTimerUs = long.MaxValue;
            return;
        }

        if (AckElicitingInFlight == 0 && PeerCompletedAddressValidation)
        {
            LossDetectionTimerUs = long.MaxValue;
            return;
        }

        (LossDetectionTimerUs, _) = GetPtoTimeAndSpace(nowUs);
    }

    private void DetectAndRemoveLostPackets(PacketNumberSpace space, long nowUs, List<SentPacket> lost)
    {
        int s = (int)space;
        _lossTimeUs[s] = long.MaxValue;
        if (!_hasLargestAcked[s])
        {
            return;
        }

        ulong largestAcked = _largestAcked[s];
        long lossDelay = Math.Max(Rtt.LatestRttUs, Rtt.SmoothedRttUs) * TimeThresholdNumerator / TimeThresholdDenominator;
        lossDelay = Math.Max(lossDelay, RttEstimator.GranularityUs);
        long lostSendTime = nowUs - lossDelay;

        SentPacketQueue queue = _sent[s];
        int firstLost = lost.Count;
        long lostBytes = 0;
        long largestLostTimeSent = long.MinValue;
        for (int slot = 0; slot < queue.SlotCount; slot++)
        {
            if (!queue.IsLive(slot))
            {
                continue;
            }

            ref readonly SentPacket p = ref queue[slot];
            if (p.PacketNumber > largestAcked)
            {
                break;
            }

            if (p.TimeSentUs <= lostSendTime || largestAcked - p.PacketNumber >= PacketThreshold)
            {
                lost.Add(p);
                if (p.InFlight)
                {
                    if (p.IsMtuProbe)
                    {
                        CongestionController.OnPacketDiscarded(p.SentBytes);
                    }
                    else
                    {
                        lostBytes += p.SentBytes;
                        largestLostTimeSent = Math.Max(largestLostTimeSent, p.TimeSentUs);
                    }
                }

                queue.RemoveAt(slot);
            }
            else
            {
                _lossTimeUs[s] = Math.Min(_lossTimeUs[s], p.TimeSentUs + lossDelay);
            }
        }

        if (lost.Count == firstLost)
        {
            return;
        }

        // OnPacketsLost (RFC 9002, Appendix B.8).
        if (largestLostTimeSent != long.MinValue)
        {
            CongestionController.OnPacketsLost(nowUs, lostBytes, largestLostTimeSent);
        }

        LastLossWasPersistentCongestion = false;
        if (_firstRttSampleUs != long.MinValue && InPersistentCongestion(lost, firstLost))
        {
            LastLossWasPersistentCongestion = true;
            CongestionController.OnPersistentCongestion(nowUs);
        }
    }

    // RFC 9002, section 7.6.2: two ack-eliciting packets, both lost, both sent after the first RTT sample, with every
    // packet sent between them also lost (here: a run of consecutive packet numbers in this batch), sent further apart
    // than the persistent congestion duration.
    private bool InPersistentCongestion(List<SentPacket> lost, int first)
    {
        long duration = (Rtt.SmoothedRttUs + Math.Max(4 * Rtt.RttVarUs, RttEstimator.GranularityUs) + Rtt.PeerMaxAckDelayUs)
            * PersistentCongestionThreshold;

        bool inRun = false;
        ulong previous = 0;
        long runStart = long.MinValue;
        for (int i = first; i < lost.Count; i++)
        {
            SentPacket p = lost[i];
            if (!inRun || p.PacketNumber != previous + 1)
            {
                runStart = long.MinValue;
            }

            inRun = true;
            previous = p.PacketNumber;
            if (!p.AckEliciting || p.IsMtuProbe || p.TimeSentUs <= _firstRttSampleUs)
            {
                if (p.TimeSentUs <= _firstRttSampleUs)
                {
                    runStart = long.MinValue;
                }

                continue;
            }

            if (runStart == long.MinValue)
            {
                runStart = p.TimeSentUs;
            }
            else if (p.TimeSentUs - runStart > duration)
            {
                return true;
            }
        }

        return false;
    }
}
