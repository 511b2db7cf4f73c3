using Aster.Net.Quic.Recovery;

namespace Aster.Net.Tests.Quic.Recovery;

public sealed class RttEstimatorTests
{
    [Fact]
    public void Constructor_NoSample_UsesInitialRtt()
    {
        var rtt = new RttEstimator();
        Assert.Equal(333_000, rtt.SmoothedRttUs);
        Assert.Equal(166_500, rtt.RttVarUs);
        Assert.False(rtt.HasSample);
        // PTO = 333 + max(4 × 166.5, 1) = 999 ms.
        Assert.Equal(999_000, rtt.PtoBaseUs);
    }

    [Fact]
    public void Update_FirstSample_SetsAllEstimates()
    {
        var rtt = new RttEstimator();
        rtt.Update(100_000, ackDelayUs: 30_000, handshakeConfirmed: true);
        Assert.Equal(100_000, rtt.MinRttUs);
        Assert.Equal(100_000, rtt.SmoothedRttUs);
        Assert.Equal(50_000, rtt.RttVarUs);
        Assert.Equal(100_000, rtt.LatestRttUs);
    }

    [Fact]
    public void Update_SecondSample_SubtractsAckDelayAndSmooths()
    {
        var rtt = new RttEstimator();
        rtt.Update(100_000, 0, true);
        rtt.Update(120_000, 10_000, true);
        // adjusted = 120 − 10 = 110; rttvar = (3 × 50 + |100 − 110|) / 4 = 40; srtt = (7 × 100 + 110) / 8 = 101.25.
        Assert.Equal(40_000, rtt.RttVarUs);
        Assert.Equal(101_250, rtt.SmoothedRttUs);
        Assert.Equal(100_000, rtt.MinRttUs);
    }

    [Fact]
    public void Update_AckDelayWouldGoBelowMinRtt_NotSubtracted()
    {
        var rtt = new RttEstimator();
        rtt.Update(100_000, 0, true);
        rtt.Update(105_000, 10_000, true);
        // 105 < 100 + 10, so adjusted = 105: rttvar = (150 + 5) / 4 = 38.75; srtt = (700 + 105) / 8 = 100.625.
        Assert.Equal(38_750, rtt.RttVarUs);
        Assert.Equal(100_625, rtt.SmoothedRttUs);
    }

    [Fact]
    public void Update_AfterConfirmation_AckDelayCappedByPeerMaxAckDelay()
    {
        var rtt = new RttEstimator { PeerMaxAckDelayUs = 25_000 };
        rtt.Update(100_000, 0, true);
        rtt.Update(200_000, 50_000, handshakeConfirmed: true);
        // delay capped to 25: adjusted = 175; srtt = (700 + 175) / 8 = 109.375.
        Assert.Equal(109_375, rtt.SmoothedRttUs);
    }

    [Fact]
    public void Update_BeforeConfirmation_AckDelayNotCapped()
    {
        var rtt = new RttEstimator { PeerMaxAckDelayUs = 25_000 };
        rtt.Update(100_000, 0, false);
        rtt.Update(200_000, 50_000, handshakeConfirmed: false);
        // adjusted = 150; srtt = (700 + 150) / 8 = 106.25.
        Assert.Equal(106_250, rtt.SmoothedRttUs);
    }

    [Fact]
    public void Update_HandshakeSpace_IgnoresAckDelay()
    {
        var rtt = new RttEstimator();
        rtt.Update(100_000, 0, false, isApplicationSpace: false);
        rtt.Update(200_000, 50_000, false, isApplicationSpace: false);
        Assert.Equal(112_500, rtt.SmoothedRttUs);
        Assert.Equal(62_500, rtt.RttVarUs);
    }

    [Fact]
    public void Update_LowerSample_LowersMinRtt()
    {
        var rtt = new RttEstimator();
        rtt.Update(100_000, 0, true);
        rtt.Update(80_000, 0, true);
        Assert.Equal(80_000, rtt.MinRttUs);
    }
}
