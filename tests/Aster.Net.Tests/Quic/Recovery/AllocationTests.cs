using Aster.Net.Quic.Recovery;
using Aster.Net.Quic.Streams;

namespace Aster.Net.Tests.Quic.Recovery;

/// <summary>Steady-state packet handling must not allocate (performance.md, E6: 0 B per packet).</summary>
public sealed class AllocationTests
{
    [Fact]
    public void SendAckCycle_SteadyState_AllocatesNothing()
    {
        var recovery = new LossRecovery(isServer: true, new CubicCongestionController(), new RttEstimator());
        recovery.OnHandshakeConfirmed(0);
        var pacer = new Pacer();
        var acks = new AckManager(PacketNumberSpace.ApplicationData);
        var acked = new List<SentPacket>(64);
        var lost = new List<SentPacket>(64);
        var ranges = new ValueRange[AckManager.DefaultMaxRanges];
        var sender = new SendStream(long.MaxValue / 2);
        var receiver = new ReceiveStream(1 << 30);
        byte[] payload = new byte[1_100];
        byte[] packet = new byte[1_100];
        byte[] readBuffer = new byte[4_096];
        ulong pn = 0;
        long now = 0;

        void Cycle(int count)
        {
            for (int i = 0; i < count; i++)
            {
                now += 100;
                sender.TryWrite(payload);
                sender.TryTakeNextChunk(1_100, long.MaxValue, out StreamChunk chunk);
                sender.CopyTo(chunk.Offset, packet.AsSpan(0, chunk.Length));
                pacer.GetSendTimeUs(now, 1_200, recovery.CongestionController.CongestionWindow, recovery.Rtt.SmoothedRttUs, 1_200);
                pacer.OnPacketSent(now, 1_200, recovery.CongestionController.CongestionWindow, recovery.Rtt.SmoothedRttUs, 1_200);
                recovery.OnPacketSent(PacketNumberSpace.ApplicationData, new SentPacket(pn, now, 1_200, true, true));
                acks.OnPacketReceived(pn, true, now + 50);
                receiver.OnStreamFrame(chunk.Offset, packet.AsSpan(0, chunk.Length), false);
                receiver.Read(readBuffer);
                pn++;
                if (acks.ShouldSendAck(now + 50))
                {
                    int n = acks.GetAckRanges(ranges);
                    acks.OnAckSent();
                    acked.Clear();
                    lost.Clear();
                    recovery.OnAckReceived(PacketNumberSpace.ApplicationData, ranges.AsSpan(0, n), 0, now + 100, acked, lost);
                    foreach (SentPacket p in acked)
                    {
                        sender.OnAcked((long)p.PacketNumber * 1_100, 1_100, false);
                    }

                    acks.OnAckFrameAcknowledged(pn - 1);
                }
            }
        }

        Cycle(5_000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Cycle(20_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"{allocated} bytes allocated in 20000 packets");
    }
}
