using Aster.Net.Quic.Recovery;

namespace Aster.Net.Tests.Quic.Recovery;

public sealed class IdleTimerTests
{
    [Theory]
    [InlineData(30_000_000L, 0L, 30_000_000L)]
    [InlineData(30_000_000L, 10_000_000L, 10_000_000L)]
    [InlineData(0L, 10_000_000L, 10_000_000L)]
    [InlineData(0L, 0L, long.MaxValue)]
    public void EffectiveTimeoutUs_MinimumOfAdvertisedValues(long local, long peer, long expected)
    {
        var timer = new IdleTimer(local);
        timer.SetPeerMaxIdleTimeout(peer);
        Assert.Equal(expected, timer.EffectiveTimeoutUs(100_000));
    }

    [Fact]
    public void EffectiveTimeoutUs_NeverBelowThreePto()
    {
        var timer = new IdleTimer(1_000_000);
        Assert.Equal(3_000_000, timer.EffectiveTimeoutUs(1_000_000));
    }

    [Fact]
    public void DeadlineUs_RestartsOnReceiveAndOnFirstAckElicitingSendAfterReceive()
    {
        var timer = new IdleTimer(30_000_000, nowUs: 0);
        timer.OnPacketReceived(1_000_000);
        Assert.Equal(31_000_000, timer.DeadlineUs(100_000));
        timer.OnAckElicitingPacketSent(2_000_000);
        Assert.Equal(32_000_000, timer.DeadlineUs(100_000));
        timer.OnAckElicitingPacketSent(3_000_000);
        Assert.Equal(32_000_000, timer.DeadlineUs(100_000));
        timer.OnPacketReceived(4_000_000);
        Assert.Equal(34_000_000, timer.DeadlineUs(100_000));
    }

    [Fact]
    public void KeepAliveDueUs_FiveSecondsAfterLastAckElicitingPacket()
    {
        var timer = new IdleTimer();
        timer.OnAckElicitingPacketSent(1_000_000);
        Assert.Equal(6_000_000, timer.KeepAliveDueUs());
        Assert.Equal(long.MaxValue, new IdleTimer(keepAliveIntervalUs: 0).KeepAliveDueUs());
    }
}
