using Aster.Net.Quic.Recovery;

namespace Aster.Net.Tests.Quic.Recovery;

public sealed class AckManagerTests
{
    [Fact]
    public void OnPacketReceived_FirstAckEliciting_AckDelayedByMaxAckDelay()
    {
        var acks = new AckManager(PacketNumberSpace.ApplicationData, maxAckDelayUs: 25_000);
        Assert.True(acks.OnPacketReceived(0, ackEliciting: true, nowUs: 1_000));
        Assert.False(acks.ShouldSendAck(1_000));
        Assert.Equal(26_000, acks.AckDeadlineUs);
        Assert.True(acks.ShouldSendAck(26_000));
    }

    [Fact]
    public void OnPacketReceived_SecondAckEliciting_AckImmediately()
    {
        var acks = new AckManager(PacketNumberSpace.ApplicationData);
        acks.OnPacketReceived(0, true, 1_000);
        acks.OnPacketReceived(1, true, 2_000);
        Assert.True(acks.ShouldSendAck(2_000));
    }

    [Fact]
    public void OnPacketReceived_NonAckEliciting_NeverMakesAckDue()
    {
        var acks = new AckManager(PacketNumberSpace.ApplicationData);
        acks.OnPacketReceived(0, false, 1_000);
        acks.OnPacketReceived(5, false, 1_000);
        Assert.False(acks.ShouldSendAck(1_000_000));
        Assert.True(acks.HasNewPackets);
        Assert.Equal(long.MaxValue, acks.AckDeadlineUs);
    }

    [Fact]
    public void OnPacketReceived_GapBelowNewPacket_AckImmediately()
    {
        var acks = new AckManager(PacketNumberSpace.ApplicationData);
        acks.OnPacketReceived(0, true, 1_000);
        acks.OnAckSent();
        acks.OnPacketReceived(2, true, 2_000);
        Assert.True(acks.ShouldSendAck(2_000));
    }

    [Fact]
    public void OnPacketReceived_LowerThanLargest_AckImmediately()
    {
        var acks = new AckManager(PacketNumberSpace.ApplicationData);
        acks.OnPacketReceived(3, true, 1_000);
        acks.OnAckSent();
        acks.OnPacketReceived(1, true, 2_000);
        Assert.True(acks.ShouldSendAck(2_000));
    }

    [Fact]
    public void OnPacketReceived_InitialSpace_AckImmediately()
    {
        var acks = new AckManager(PacketNumberSpace.Initial);
        acks.OnPacketReceived(0, true, 1_000);
        Assert.True(acks.ShouldSendAck(1_000));
    }

    [Fact]
    public void OnPacketReceived_Duplicate_ReturnsFalse()
    {
        var acks = new AckManager(PacketNumberSpace.ApplicationData);
        Assert.True(acks.OnPacketReceived(7, true, 1_000));
        Assert.True(acks.IsDuplicate(7));
        Assert.False(acks.OnPacketReceived(7, true, 1_000));
    }

    [Fact]
    public void OnPacketReceived_MoreGapsThanLimit_DropsOldestAndTreatsThemAsDuplicates()
    {
        var acks = new AckManager(PacketNumberSpace.ApplicationData, maxRanges: 32);
        for (ulong pn = 0; pn < 80; pn += 2)
        {
            acks.OnPacketReceived(pn, false, 0);
        }

        Assert.Equal(32, acks.Ranges.Count);
        Assert.Equal(16UL, acks.Ranges.Min);
        Assert.True(acks.IsDuplicate(1));
        Assert.True(acks.IsDuplicate(14));
        Assert.False(acks.IsDuplicate(15));
    }

    [Fact]
    public void EncodedAckDelay_ApplicationSpace_ShiftsMicrosecondsByExponent()
    {
        var acks = new AckManager(PacketNumberSpace.ApplicationData);
        acks.OnPacketReceived(4, true, 1_000);
        acks.OnPacketReceived(2, true, 5_000);
        Assert.Equal(1_000UL, acks.EncodedAckDelay(9_000, 3));
        var handshake = new AckManager(PacketNumberSpace.Handshake);
        handshake.OnPacketReceived(0, true, 0);
        Assert.Equal(0UL, handshake.EncodedAckDelay(9_000));
    }

    [Fact]
    public void GetAckRanges_ListsHighestFirst()
    {
        var acks = new AckManager(PacketNumberSpace.ApplicationData);
        foreach (ulong pn in new ulong[] { 0, 1, 2, 5, 6, 9 })
        {
            acks.OnPacketReceived(pn, true, 0);
        }

        Span<ValueRange> ranges = stackalloc ValueRange[8];
        int n = acks.GetAckRanges(ranges);
        Assert.Equal(3, n);
        Assert.Equal(new ValueRange(9, 10), ranges[0]);
        Assert.Equal(new ValueRange(5, 7), ranges[1]);
        Assert.Equal(new ValueRange(0, 3), ranges[2]);
    }

    [Fact]
    public void OnAckSent_ClearsPendingState()
    {
        var acks = new AckManager(PacketNumberSpace.ApplicationData);
        acks.OnPacketReceived(0, true, 0);
        acks.OnPacketReceived(1, true, 0);
        acks.OnAckSent();
        Assert.False(acks.ShouldSendAck(1_000_000));
        Assert.False(acks.HasNewPackets);
        Assert.False(acks.AckElicitingPending);
    }

    [Fact]
    public void OnAckFrameAcknowledged_TrimsRangesUpToLargestAcknowledged()
    {
        var acks = new AckManager(PacketNumberSpace.ApplicationData);
        foreach (ulong pn in new ulong[] { 0, 1, 3, 4, 8 })
        {
            acks.OnPacketReceived(pn, true, 0);
        }

        acks.OnAckFrameAcknowledged(4);
        Assert.Equal("[8,9)", acks.Ranges.ToString());
        Assert.True(acks.IsDuplicate(2));
        Assert.False(acks.IsDuplicate(6));
    }
}
