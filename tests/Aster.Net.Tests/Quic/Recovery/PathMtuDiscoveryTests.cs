using Aster.Net.Quic.Recovery;

namespace Aster.Net.Tests.Quic.Recovery;

public sealed class PathMtuDiscoveryTests
{
    [Fact]
    public void TryGetProbe_Start_ProbesUpperBoundCappedByPeer()
    {
        Assert.True(new PathMtuDiscovery().TryGetProbe(0, out int size));
        Assert.Equal(1452, size);
        Assert.True(new PathMtuDiscovery(peerMaxUdpPayloadSize: 1300).TryGetProbe(0, out size));
        Assert.Equal(1300, size);
        Assert.False(new PathMtuDiscovery(peerMaxUdpPayloadSize: 1210).TryGetProbe(0, out _));
    }

    [Fact]
    public void OnProbeAcked_UpperBound_SearchCompleteAtUpperBound()
    {
        var mtu = new PathMtuDiscovery();
        mtu.TryGetProbe(0, out _);
        Assert.False(mtu.TryGetProbe(0, out _));
        mtu.OnProbeAcked(1_000);
        Assert.Equal(1452, mtu.CurrentMtu);
        Assert.Equal(PathMtuState.SearchComplete, mtu.State);
        Assert.Equal(1_000 + 600_000_000, mtu.NextSearchUs);
        Assert.False(mtu.TryGetProbe(700_000_000, out _));
    }

    [Fact]
    public void OnProbeLost_ThreeTimes_BisectsUntilMinimumChange()
    {
        var mtu = new PathMtuDiscovery();
        var probes = new List<int>();
        // The path carries up to 1410 bytes.
        for (int i = 0; i < 50 && mtu.State != PathMtuState.SearchComplete; i++)
        {
            Assert.True(mtu.TryGetProbe(i, out int size));
            probes.Add(size);
            if (size <= 1410)
            {
                mtu.OnProbeAcked(i);
            }
            else
            {
                mtu.OnProbeLost(i);
            }
        }

        // 1452 ×3 lost → [1200, 1451] → 1326 ok → 1389 ok → 1420 ×3 lost → [1389, 1419] → 1404 ok → [1404, 1419] < 20.
        Assert.Equal([1452, 1452, 1452, 1326, 1389, 1420, 1420, 1420, 1404], probes);
        Assert.Equal(1404, mtu.CurrentMtu);
    }

    [Fact]
    public void OnPacketsLost_RepeatedLargeLossesWithoutAcks_FallsBackToBaseAndCoolsDown()
    {
        var mtu = new PathMtuDiscovery();
        mtu.TryGetProbe(0, out _);
        mtu.OnProbeAcked(0);

        Assert.False(mtu.OnPacketsLost(1452, 10));
        mtu.OnPacketAcked(1452);
        Assert.False(mtu.OnPacketsLost(1452, 20));
        Assert.False(mtu.OnPacketsLost(1452, 30));
        Assert.False(mtu.OnPacketsLost(1200, 35));
        Assert.True(mtu.OnPacketsLost(1452, 40));

        Assert.Equal(1200, mtu.CurrentMtu);
        Assert.Equal(1, mtu.BlackHolesDetected);
        Assert.Equal(PathMtuState.Base, mtu.State);
        Assert.False(mtu.TryGetProbe(40 + 59_000_000, out _));
        Assert.True(mtu.TryGetProbe(40 + 60_000_000, out int size));
        Assert.Equal(1452, size);
    }

    [Fact]
    public void OnPacketsLost_AtBaseSize_NeverBlackHole()
    {
        var mtu = new PathMtuDiscovery();
        for (int i = 0; i < 10; i++)
        {
            Assert.False(mtu.OnPacketsLost(1452, i));
        }
    }
}
