using Aster.Net.Quic.Recovery;

namespace Aster.Net.Tests.Quic.Recovery;

public sealed class CongestionControlTests
{
    private static readonly RttEstimator _rtt100 = Rtt(100_000);

    [Theory]
    [InlineData(1200, 12_000)]
    [InlineData(1452, 14_520)]
    [InlineData(1472, 14_720)]
    [InlineData(9000, 18_000)]
    public void InitialWindow_Rfc9002Formula(int datagram, long expected)
        => Assert.Equal(expected, CongestionControllerBase.InitialWindow(datagram));

    [Fact]
    public void NewReno_SlowStart_GrowsByAckedBytes()
    {
        var cc = new NewRenoCongestionController();
        cc.OnPacketSent(0, 1200);
        cc.OnPacketAcked(1_000, 0, 1200, _rtt100);
        Assert.Equal(13_200, cc.CongestionWindow);
        Assert.Equal(0, cc.BytesInFlight);
        Assert.True(cc.InSlowStart);
    }

    [Fact]
    public void NewReno_LossThenRecoveryThenAvoidance_FollowsRfc9002()
    {
        var cc = new NewRenoCongestionController();
        for (int i = 0; i < 10; i++)
        {
            cc.OnPacketSent(0, 1200);
        }

        Assert.False(cc.CanSend(1200));
        cc.OnPacketsLost(100_000, 1200, largestLostTimeSentUs: 0);
        Assert.Equal(6_000, cc.SlowStartThreshold);
        Assert.Equal(6_000, cc.CongestionWindow);
        Assert.Equal(9 * 1200, cc.BytesInFlight);

        // A second loss of a packet sent before recovery started is ignored.
        cc.OnPacketsLost(110_000, 1200, largestLostTimeSentUs: 50_000);
        Assert.Equal(6_000, cc.CongestionWindow);

        // Packets sent before recovery started do not grow the window.
        cc.OnPacketAcked(120_000, 0, 1200, _rtt100);
        Assert.Equal(6_000, cc.CongestionWindow);

        // Congestion avoidance: one datagram per window of acknowledged bytes.
        for (int i = 0; i < 4; i++)
        {
            cc.OnPacketAcked(300_000, 200_000, 1200, _rtt100);
        }

        Assert.Equal(6_000, cc.CongestionWindow);
        cc.OnPacketAcked(300_000, 200_000, 1200, _rtt100);
        Assert.Equal(7_200, cc.CongestionWindow);
        Assert.False(cc.InSlowStart);

        // A loss of a packet sent after recovery started halves again.
        cc.OnPacketsLost(400_000, 0, largestLostTimeSentUs: 350_000);
        Assert.Equal(3_600, cc.CongestionWindow);
        cc.OnPacketsLost(500_000, 0, largestLostTimeSentUs: 450_000);
        Assert.Equal(2_400, cc.CongestionWindow);
    }

    [Fact]
    public void NewReno_PersistentCongestion_CollapsesToMinimumWindow()
    {
        var cc = new NewRenoCongestionController();
        cc.OnPersistentCongestion(0);
        Assert.Equal(2_400, cc.CongestionWindow);
        cc.OnPacketAcked(1, 0, 1200, _rtt100);
        Assert.Equal(3_600, cc.CongestionWindow);
    }

    [Fact]
    public void NewReno_ApplicationLimited_DoesNotGrow()
    {
        var cc = new NewRenoCongestionController { ApplicationLimited = true };
        cc.OnPacketSent(0, 1200);
        cc.OnPacketAcked(1_000, 0, 1200, _rtt100);
        Assert.Equal(12_000, cc.CongestionWindow);
        Assert.Equal(0, cc.BytesInFlight);
    }

    [Fact]
    public void SetMaxDatagramSize_KeepsMinimumWindow()
    {
        var cc = new NewRenoCongestionController();
        cc.OnPersistentCongestion(0);
        cc.SetMaxDatagramSize(1452);
        Assert.Equal(2_904, cc.CongestionWindow);
    }

    [Fact]
    public void Cubic_Loss_ReducesByBetaAndComputesK()
    {
        CubicCongestionController cc = CubicAt100Segments();
        cc.OnPacketsLost(1_000_000, 0, 500_000);
        Assert.Equal(84_000, cc.CongestionWindow);
        Assert.Equal(84_000, cc.SlowStartThreshold);
        Assert.Equal(100.0, cc.WMax, 9);
    }

    [Fact]
    public void Cubic_FirstAvoidanceAck_RenoFriendlyRegion()
    {
        CubicCongestionController cc = CubicAt100Segments();
        cc.OnPacketsLost(1_000_000, 0, 500_000);
        cc.OnPacketAcked(2_000_000, 1_100_000, 1200, _rtt100);

        // K = ∛((100 − 70)/0.4) = ∛75; W_cubic(0) = 70 < W_est = 70 + α × 1/70, α = 3 × 0.3/1.7.
        Assert.Equal(Math.Cbrt(75), cc.K, 9);
        double wEst = 70 + (0.9 / 1.7 / 70);
        Assert.Equal((long)(wEst * 1200), cc.CongestionWindow);
    }

    [Fact]
    public void Cubic_AckNearK_GrowsTowardsWMax()
    {
        CubicCongestionController cc = CubicAt100Segments();
        cc.OnPacketsLost(1_000_000, 0, 500_000);
        cc.OnPacketAcked(2_000_000, 1_100_000, 1200, _rtt100);
        double w = 70 + (0.9 / 1.7 / 70);

        long t = (long)((Math.Cbrt(75) - 0.1) * 1_000_000);
        cc.OnPacketAcked(2_000_000 + t, 1_100_000, 1200, _rtt100);

        // Concave region: target = W_cubic(t + RTT) ≈ W_max = 100; cwnd += (target − cwnd)/cwnd per segment.
        double expected = w + ((100 - w) / w);
        Assert.InRange(cc.CongestionWindow, (long)(expected * 1200) - 2, (long)(expected * 1200) + 2);
    }

    [Fact]
    public void Cubic_FarBeyondK_GrowthCappedAtHalfSegmentPerAck()
    {
        CubicCongestionController cc = CubicAt100Segments();
        cc.OnPacketsLost(1_000_000, 0, 500_000);
        cc.OnPacketAcked(2_000_000, 1_100_000, 1200, _rtt100);
        long before = cc.CongestionWindow;
        cc.OnPacketAcked(2_000_000 + 60_000_000, 1_100_000, 1200, _rtt100);
        // target clamped to 1.5 × cwnd, so cwnd grows by 0.5 segment for one acked segment.
        Assert.InRange(cc.CongestionWindow - before, 599, 601);
    }

    [Fact]
    public void Cubic_SecondLossBelowWMax_FastConvergenceLowersWMax()
    {
        CubicCongestionController cc = CubicAt100Segments();
        cc.OnPacketsLost(1_000_000, 0, 500_000);
        cc.OnPacketsLost(2_000_000, 0, 1_500_000);
        // cwnd 70 < W_max 100: W_max = 70 × (1 + 0.7)/2 = 59.5; cwnd = 70 × 0.7 = 49 segments.
        Assert.Equal(59.5, cc.WMax, 9);
        Assert.Equal(58_800, cc.CongestionWindow);
    }

    [Fact]
    public void Cubic_WithoutFastConvergence_WMaxIsWindowAtLoss()
    {
        CubicCongestionController cc = CubicAt100Segments(fastConvergence: false);
        cc.OnPacketsLost(1_000_000, 0, 500_000);
        cc.OnPacketsLost(2_000_000, 0, 1_500_000);
        Assert.Equal(70.0, cc.WMax, 9);
    }

    [Fact]
    public void Pacer_BurstThenPaced_AtOnePointTwoFiveTimesWindowPerRtt()
    {
        var pacer = new Pacer();
        const long cwnd = 12_000;
        const long srtt = 100_000;
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(0, pacer.GetSendTimeUs(0, 1200, cwnd, srtt, 1200));
            pacer.OnPacketSent(0, 1200, cwnd, srtt, 1200);
        }

        // Rate = 1.25 × 12000 B / 0.1 s = 150000 B/s, so 1200 B take 8 ms.
        Assert.Equal(8_000, pacer.GetSendTimeUs(0, 1200, cwnd, srtt, 1200));
        Assert.Equal(8_000, pacer.GetSendTimeUs(8_000, 1200, cwnd, srtt, 1200));
        pacer.OnPacketSent(8_000, 1200, cwnd, srtt, 1200);
        Assert.Equal(12_000, pacer.GetSendTimeUs(12_000 - 4_000, 600, cwnd, srtt, 1200));
    }

    [Fact]
    public void Pacer_LongIdle_RefillsOnlyToBurst()
    {
        var pacer = new Pacer(maxBurstPackets: 2);
        pacer.OnPacketSent(0, 1200, 120_000, 10_000, 1200);
        Assert.Equal(10_000_000, pacer.GetSendTimeUs(10_000_000, 1200, 120_000, 10_000, 1200));
        Assert.Equal(2_400, pacer.Tokens);
    }

    private static CubicCongestionController CubicAt100Segments(bool fastConvergence = true)
    {
        var cc = new CubicCongestionController(1200, fastConvergence);
        for (int i = 0; i < 90; i++)
        {
            cc.OnPacketAcked(0, 0, 1200, _rtt100);
        }

        Assert.Equal(120_000, cc.CongestionWindow);
        return cc;
    }

    private static RttEstimator Rtt(long us)
    {
        var rtt = new RttEstimator();
        rtt.Update(us, 0, true);
        return rtt;
    }
}
