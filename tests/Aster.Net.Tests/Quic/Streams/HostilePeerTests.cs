using Aster.Net.Quic.Recovery;
using Aster.Net.Quic.Streams;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Net.Tests.Quic.Streams;

/// <summary>Arbitrary peer input only ever raises the typed exceptions, and the buffers stay within their limits.</summary>
public sealed class HostilePeerTests
{
    [Fact]
    public void ReceiveStream_RandomPeerFrames_OnlyTypedExceptionsAndBoundedBuffer()
    {
        Config config = Config.QuickThrowOnFailure.WithMaxTest(300);
        Check.One(config, Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            var random = new Random(seed);
            var connection = new ConnectionReceiveFlowControl(5_000);
            var stream = new ReceiveStream(3_000, connection);
            byte[] payload = new byte[2_000];
            for (int i = 0; i < 60; i++)
            {
                try
                {
                    switch (random.Next(6))
                    {
                        case 0:
                            stream.OnResetStream(RandomOffset(random), random.Next());
                            break;
                        case 1:
                        case 2:
                            stream.Read(new byte[random.Next(0, 3_000)]);
                            stream.TryTakeMaxStreamDataUpdate(out _);
                            break;
                        default:
                            stream.OnStreamFrame(RandomOffset(random), payload.AsSpan(0, random.Next(0, payload.Length)), random.Next(4) == 0);
                            break;
                    }
                }
                catch (QuicStreamStateException)
                {
                    return Bounded(stream, connection);
                }
                catch (QuicStreamAbortedException)
                {
                }

                if (!Bounded(stream, connection))
                {
                    return false;
                }
            }

            return true;
        }));
    }

    [Fact]
    public void LossRecovery_RandomAckRanges_OnlyProtocolViolationAndConsistentAccounting()
    {
        Config config = Config.QuickThrowOnFailure.WithMaxTest(200);
        Check.One(config, Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            var random = new Random(seed);
            var recovery = new LossRecovery(isServer: true, new NewRenoCongestionController(), new RttEstimator());
            recovery.OnHandshakeConfirmed(0);
            var acked = new List<SentPacket>();
            var lost = new List<SentPacket>();
            long now = 0;
            for (ulong pn = 0; pn < 50; pn++)
            {
                recovery.OnPacketSent(PacketNumberSpace.ApplicationData, new SentPacket(pn, now, 1_200, true, true));
                now += random.Next(0, 5_000);
                var ranges = new ValueRange[random.Next(1, 4)];
                for (int r = 0; r < ranges.Length; r++)
                {
                    ulong start = (ulong)random.Next(0, 60);
                    ranges[r] = new ValueRange(start, start + (ulong)random.Next(1, 5));
                }

                try
                {
                    recovery.OnAckReceived(PacketNumberSpace.ApplicationData, ranges, random.Next(0, 100_000), now, acked, lost);
                }
                catch (QuicStreamStateException ex) when (ex.ErrorCode == Aster.Net.Quic.QuicTransportError.ProtocolViolation)
                {
                    if (ranges.Max(r => r.Last) <= pn)
                    {
                        return false;
                    }
                }

                if (recovery.BytesInFlight != recovery.TrackedPackets(PacketNumberSpace.ApplicationData) * 1_200L)
                {
                    return false;
                }
            }

            return acked.Select(p => p.PacketNumber).Concat(lost.Select(p => p.PacketNumber)).Distinct().Count() == acked.Count + lost.Count;
        }));
    }

    private static long RandomOffset(Random random) => random.Next(5) switch
    {
        0 => random.NextInt64(0, long.MaxValue),
        1 => (1L << 62) - random.Next(0, 10),
        _ => random.Next(0, 6_000),
    };

    private static bool Bounded(ReceiveStream stream, ConnectionReceiveFlowControl connection)
        => stream.BufferedBytes <= stream.MaxStreamData - stream.ReadOffset
            && stream.HighestReceived <= stream.MaxStreamData
            && connection.Received <= connection.MaxData;
}
