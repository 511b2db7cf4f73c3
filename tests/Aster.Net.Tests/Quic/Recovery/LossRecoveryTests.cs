using Aster.Net.Quic.Recovery;
using Aster.Net.Quic.Streams;

namespace Aster.Net.Tests.Quic.Recovery;

public sealed class LossRecoveryTests
{
    private const PacketNumberSpace App = PacketNumberSpace.ApplicationData;

    private readonly List<SentPacket> _acked = [];
    private readonly List<SentPacket> _lost = [];

    [Fact]
    public void OnAckReceived_ThreeNewerPacketsAcked_OldestLostByPacketThreshold()
    {
        LossRecovery lr = Server(confirmed: true);
        for (ulong pn = 0; pn < 5; pn++)
        {
            Send(lr, App, pn, (long)pn * 1_000);
        }

        Ack(lr, App, 100_000, new ValueRange(3, 4));

        // RTT sample 97 ms; loss delay = 9/8 × 97 ms = 109.125 ms; only packet 0 is 3 behind packet 3.
        Assert.Equal(97_000, lr.Rtt.SmoothedRttUs);
        Assert.Equal([3UL], _acked.Select(p => p.PacketNumber));
        Assert.Equal([0UL], _lost.Select(p => p.PacketNumber));
        Assert.Equal(1_000 + 109_125, lr.LossDetectionTimerUs);
    }

    [Fact]
    public void OnLossDetectionTimeout_TimeThresholdPassed_DeclaresOnlyOldEnoughPacketsLost()
    {
        LossRecovery lr = Server(confirmed: true);
        for (ulong pn = 0; pn < 5; pn++)
        {
            Send(lr, App, pn, (long)pn * 1_000);
        }

        Ack(lr, App, 100_000, new ValueRange(3, 4));
        _lost.Clear();

        LossTimerResult result = lr.OnLossDetectionTimeout(110_125, _lost);

        Assert.Equal(LossTimerAction.LossDetected, result.Action);
        Assert.Equal(App, result.Space);
        Assert.Equal([1UL], _lost.Select(p => p.PacketNumber));
        Assert.Equal(2_000 + 109_125, lr.LossDetectionTimerUs);
    }

    [Fact]
    public void OnLossDetectionTimeout_BeforeTimer_DoesNothing()
    {
        LossRecovery lr = Server(confirmed: true);
        Send(lr, App, 0, 0);
        Assert.Equal(LossTimerAction.None, lr.OnLossDetectionTimeout(1_000, _lost).Action);
    }

    [Fact]
    public void LossDetectionTimer_ApplicationPacketNoRttSample_PtoIncludesMaxAckDelay()
    {
        LossRecovery lr = Server(confirmed: true);
        Send(lr, App, 0, 0);
        // 333 + 4 × 166.5 + 25 = 1024 ms.
        Assert.Equal(1_024_000, lr.LossDetectionTimerUs);
    }

    [Fact]
    public void OnLossDetectionTimeout_Pto_RequestsTwoProbesAndBacksOff()
    {
        LossRecovery lr = Server(confirmed: true);
        Send(lr, App, 0, 0);

        LossTimerResult result = lr.OnLossDetectionTimeout(1_024_000, _lost);

        Assert.Equal(new LossTimerResult(LossTimerAction.Probe, App), result);
        Assert.Empty(_lost);
        Assert.Equal(1, lr.PtoCount);
        Assert.Equal(2, lr.ProbesDue(App));
        Assert.Equal(2_048_000, lr.LossDetectionTimerUs);

        Send(lr, App, 1, 1_024_000);
        Assert.Equal(1, lr.ProbesDue(App));
        Assert.Equal(1_024_000 + 2_048_000, lr.LossDetectionTimerUs);

        lr.OnLossDetectionTimeout(3_072_000, _lost);
        Assert.Equal(2, lr.PtoCount);
        // Backoff 4×: the last ack-eliciting packet went at 1.024 s.
        Assert.Equal(1_024_000 + 4_096_000, lr.LossDetectionTimerUs);
    }

    [Fact]
    public void OnAckReceived_AfterPto_ResetsPtoCount()
    {
        LossRecovery lr = Server(confirmed: true);
        Send(lr, App, 0, 0);
        lr.OnLossDetectionTimeout(1_024_000, _lost);
        Send(lr, App, 1, 1_024_000);
        Ack(lr, App, 1_100_000, new ValueRange(1, 2));
        Assert.Equal(0, lr.PtoCount);
    }

    [Fact]
    public void LossDetectionTimer_ApplicationOnlyBeforeConfirmation_NotArmed()
    {
        LossRecovery lr = Server(confirmed: false);
        Send(lr, App, 0, 0);
        Assert.Equal(long.MaxValue, lr.LossDetectionTimerUs);
    }

    [Fact]
    public void LossDetectionTimer_HandshakeAndApplication_ProbesEarliestSpace()
    {
        LossRecovery lr = Client();
        Send(lr, PacketNumberSpace.Handshake, 0, 10_000);
        Send(lr, App, 0, 0);
        Assert.Equal(10_000 + 999_000, lr.LossDetectionTimerUs);
        LossTimerResult result = lr.OnLossDetectionTimeout(1_009_000, _lost);
        Assert.Equal(PacketNumberSpace.Handshake, result.Space);
    }

    [Fact]
    public void LossDetectionTimer_ClientNothingInFlight_AntiDeadlockProbe()
    {
        LossRecovery lr = Client();
        Send(lr, PacketNumberSpace.Initial, 0, 0);
        Assert.Equal(999_000, lr.LossDetectionTimerUs);

        Ack(lr, PacketNumberSpace.Initial, 50_000, new ValueRange(0, 1));
        // Nothing in flight, but the server has not validated us: PTO from now = 50 + 50 + 4 × 25 ms.
        Assert.Equal(200_000, lr.LossDetectionTimerUs);

        LossTimerResult first = lr.OnLossDetectionTimeout(200_000, _lost);
        Assert.Equal(new LossTimerResult(LossTimerAction.Probe, PacketNumberSpace.Initial), first);
        Assert.Equal(1, lr.ProbesDue(PacketNumberSpace.Initial));

        lr.OnHandshakeKeysAvailable(200_000);
        Assert.Equal(200_000 + 300_000, lr.LossDetectionTimerUs);
        LossTimerResult second = lr.OnLossDetectionTimeout(500_000, _lost);
        Assert.Equal(new LossTimerResult(LossTimerAction.Probe, PacketNumberSpace.Handshake), second);
    }

    [Fact]
    public void LossDetectionTimer_ClientAfterHandshakeAck_NotArmedWhenIdle()
    {
        LossRecovery lr = Client();
        lr.OnHandshakeKeysAvailable(0);
        Send(lr, PacketNumberSpace.Handshake, 0, 0);
        Ack(lr, PacketNumberSpace.Handshake, 50_000, new ValueRange(0, 1));
        Assert.True(lr.PeerCompletedAddressValidation);
        Assert.Equal(long.MaxValue, lr.LossDetectionTimerUs);
    }

    [Fact]
    public void LossDetectionTimer_ServerNothingInFlight_NotArmed()
    {
        LossRecovery lr = Server(confirmed: false);
        Send(lr, PacketNumberSpace.Initial, 0, 0, ackEliciting: false);
        Assert.Equal(long.MaxValue, lr.LossDetectionTimerUs);
    }

    [Fact]
    public void LossDetectionTimer_AmplificationLimited_NotArmed()
    {
        LossRecovery lr = Server(confirmed: false);
        Send(lr, PacketNumberSpace.Initial, 0, 0);
        lr.SetAmplificationLimited(true, 0);
        Assert.Equal(long.MaxValue, lr.LossDetectionTimerUs);
        lr.SetAmplificationLimited(false, 0);
        Assert.Equal(999_000, lr.LossDetectionTimerUs);
    }

    [Fact]
    public void OnAckReceived_LongRunOfLostPackets_DeclaresPersistentCongestion()
    {
        LossRecovery lr = Server(confirmed: true);
        Send(lr, App, 0, 0);
        Ack(lr, App, 100_000, new ValueRange(0, 1));
        for (ulong pn = 1; pn <= 10; pn++)
        {
            Send(lr, App, pn, 100_000 + ((long)pn * 150_000));
        }

        for (ulong pn = 11; pn <= 13; pn++)
        {
            Send(lr, App, pn, 1_700_000);
        }

        Ack(lr, App, 1_800_000, new ValueRange(13, 14));

        // Lost 1..10 span 1.35 s > 3 × (100 + 4 × 37.5 + 25) ms = 825 ms.
        Assert.Equal(10, _lost.Count);
        Assert.True(lr.LastLossWasPersistentCongestion);
        // The window collapses to 2 × 1200 and the recovery period ends, so the acknowledged packet 13 then grows it
        // in slow start (RFC 9002, Appendix B: losses are processed before acknowledgements).
        Assert.Equal(2_400 + 1_200, lr.CongestionController.CongestionWindow);
    }

    [Fact]
    public void OnAckReceived_AckedPacketInsideLossRun_NoPersistentCongestion()
    {
        LossRecovery lr = Server(confirmed: true);
        Send(lr, App, 0, 0);
        Ack(lr, App, 100_000, new ValueRange(0, 1));
        for (ulong pn = 1; pn <= 10; pn++)
        {
            Send(lr, App, pn, 100_000 + ((long)pn * 150_000));
        }

        for (ulong pn = 11; pn <= 13; pn++)
        {
            Send(lr, App, pn, 1_700_000);
        }

        Ack(lr, App, 1_800_000, new ValueRange(13, 14), new ValueRange(5, 6));

        Assert.Equal(9, _lost.Count);
        Assert.False(lr.LastLossWasPersistentCongestion);
        // 12000 + 1200 from the first ACK in slow start, halved once.
        Assert.Equal(6_600, lr.CongestionController.CongestionWindow);
    }

    [Fact]
    public void OnAckReceived_UnsentPacketNumber_ThrowsProtocolViolation()
    {
        LossRecovery lr = Server(confirmed: true);
        Send(lr, App, 0, 0);
        QuicStreamStateException ex = Assert.Throws<QuicStreamStateException>(() => Ack(lr, App, 10, new ValueRange(0, 2)));
        Assert.Equal(Aster.Net.Quic.QuicTransportError.ProtocolViolation, ex.ErrorCode);
    }

    [Fact]
    public void OnAckReceived_ReturnsPayloadOfAckedAndLostPackets()
    {
        LossRecovery lr = Server(confirmed: true);
        for (ulong pn = 0; pn < 4; pn++)
        {
            lr.OnPacketSent(App, new SentPacket(pn, 0, 1200, true, true, Payload: $"frames-{pn}"));
        }

        Ack(lr, App, 10_000, new ValueRange(3, 4));
        Assert.Equal("frames-3", _acked.Single().Payload);
        Assert.Equal("frames-0", _lost.Single().Payload);
        Assert.Equal(2, lr.TrackedPackets(App));
    }

    [Fact]
    public void OnAckReceived_DuplicateAck_ReturnsFalse()
    {
        LossRecovery lr = Server(confirmed: true);
        Send(lr, App, 0, 0);
        Assert.True(Ack(lr, App, 10_000, new ValueRange(0, 1)));
        Assert.False(Ack(lr, App, 20_000, new ValueRange(0, 1)));
    }

    [Fact]
    public void OnAckReceived_LostMtuProbe_NoCongestionResponse()
    {
        LossRecovery lr = Server(confirmed: true);
        lr.OnPacketSent(App, new SentPacket(0, 0, 1452, true, true, IsMtuProbe: true));
        for (ulong pn = 1; pn < 4; pn++)
        {
            Send(lr, App, pn, 0);
        }

        Ack(lr, App, 10_000, new ValueRange(1, 4));
        Assert.True(_lost.Single().IsMtuProbe);
        Assert.Equal(12_000 + (3 * 1_200), lr.CongestionController.CongestionWindow);
        Assert.Equal(0, lr.BytesInFlight);
    }

    [Fact]
    public void DiscardSpace_RemovesBytesInFlightWithoutCongestionResponse()
    {
        LossRecovery lr = Client();
        Send(lr, PacketNumberSpace.Initial, 0, 0);
        Send(lr, PacketNumberSpace.Initial, 1, 0);
        Assert.Equal(2_400, lr.BytesInFlight);
        lr.DiscardSpace(PacketNumberSpace.Initial, 0);
        Assert.Equal(0, lr.BytesInFlight);
        Assert.Equal(12_000, lr.CongestionController.CongestionWindow);
        Assert.Equal(0, lr.TrackedPackets(PacketNumberSpace.Initial));
    }

    [Fact]
    public void OnPacketSent_ReusedPacketNumber_Throws()
    {
        LossRecovery lr = Server(confirmed: true);
        Send(lr, App, 5, 0);
        Assert.Throws<InvalidOperationException>(() => Send(lr, App, 5, 0));
        Assert.Equal(6UL, lr.NextPacketNumber(App));
    }

    [Fact]
    public void OnAckReceived_ManyPacketsRandomAcks_AccountingStaysConsistent()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        LossRecovery lr = Server(confirmed: true);
        long now = 0;
        ulong next = 0;
        var outstanding = new HashSet<ulong>();
        for (int round = 0; round < 300; round++)
        {
            int burst = random.Next(1, 6);
            for (int i = 0; i < burst; i++)
            {
                Send(lr, App, next, now);
                outstanding.Add(next++);
            }

            now += random.Next(100, 20_000);
            if (random.Next(3) == 0 && next > 0)
            {
                ulong hi = (ulong)random.Next(0, (int)next);
                ulong lo = hi - Math.Min(hi, (ulong)random.Next(0, 4));
                _acked.Clear();
                _lost.Clear();
                lr.OnAckReceived(App, [new ValueRange(lo, hi + 1)], 0, now, _acked, _lost);
                foreach (SentPacket p in _acked.Concat(_lost))
                {
                    Assert.True(outstanding.Remove(p.PacketNumber), $"seed {seed}: packet {p.PacketNumber} reported twice");
                }
            }

            if (lr.LossDetectionTimerUs <= now)
            {
                _lost.Clear();
                lr.OnLossDetectionTimeout(now, _lost);
                foreach (SentPacket p in _lost)
                {
                    Assert.True(outstanding.Remove(p.PacketNumber), $"seed {seed}: packet {p.PacketNumber} reported twice");
                }
            }

            Assert.True(outstanding.Count == lr.TrackedPackets(App), $"seed {seed}: tracking mismatch");
            Assert.True(lr.BytesInFlight == outstanding.Count * 1_200L, $"seed {seed}: bytes in flight mismatch");
        }
    }

    [Fact]
    public void OnRetryReceived_ReturnsInitialPacketsAndClearsFlight()
    {
        LossRecovery lr = Client();
        lr.OnPacketSent(PacketNumberSpace.Initial, new SentPacket(0, 0, 1200, true, true, Payload: "client hello"));
        Assert.Equal(999_000, lr.LossDetectionTimerUs);

        lr.OnRetryReceived(20_000, _lost);

        Assert.Equal("client hello", _lost.Single().Payload);
        Assert.Equal(0, lr.BytesInFlight);
        Assert.Equal(12_000, lr.CongestionController.CongestionWindow);
        Assert.Equal(1UL, lr.NextPacketNumber(PacketNumberSpace.Initial));
        // Nothing in flight and the client is not validated: the anti-deadlock timer stays armed.
        Assert.Equal(20_000 + 999_000, lr.LossDetectionTimerUs);
    }

    private static LossRecovery Server(bool confirmed)
    {
        var lr = new LossRecovery(isServer: true, new NewRenoCongestionController(), new RttEstimator());
        if (confirmed)
        {
            lr.OnHandshakeConfirmed(0);
        }

        return lr;
    }

    private static LossRecovery Client() => new(isServer: false, new NewRenoCongestionController(), new RttEstimator());

    private static void Send(LossRecovery lr, PacketNumberSpace space, ulong pn, long time, bool ackEliciting = true)
        => lr.OnPacketSent(space, new SentPacket(pn, time, 1200, ackEliciting, InFlight: ackEliciting));

    private bool Ack(LossRecovery lr, PacketNumberSpace space, long now, params ValueRange[] ranges)
        => lr.OnAckReceived(space, ranges, 0, now, _acked, _lost);
}
