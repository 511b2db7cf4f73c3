using Aster.Net.Quic.Recovery;

namespace Aster.Net.Tests.Quic.Recovery;

/// <summary>
/// Drives loss recovery, congestion control, pacing and the receiver's ACK manager together over a simulated lossy,
/// reordering path with a deterministic event queue, and checks that every data unit gets through.
/// </summary>
public sealed class RecoverySimulationTests
{
    [Theory]
    [InlineData(false, 0.0, false)]
    [InlineData(false, 0.02, false)]
    [InlineData(true, 0.02, false)]
    [InlineData(true, 0.10, false)]
    [InlineData(false, 0.05, true)]
    [InlineData(true, 0.05, true)]
    public void Transfer_LossyPath_DeliversEverythingAndKeepsAccounting(bool cubic, double lossRate, bool blackout)
    {
        for (int round = 0; round < 3; round++)
        {
            int seed = unchecked(Environment.TickCount + (round * 104_729));
            var sim = new Simulation(seed, cubic, lossRate, blackout);
            string failure = sim.Run(units: 600);
            Assert.True(failure.Length == 0, $"seed {seed}: {failure}");
        }
    }

    private sealed class Simulation
    {
        private const int PacketSize = 1200;
        private const long OneWayDelayUs = 10_000;

        private readonly Random _random;
        private readonly double _lossRate;
        private readonly bool _blackout;
        private readonly PriorityQueue<Action, (long, long)> _events = new();
        private readonly LossRecovery _recovery;
        private readonly Pacer _pacer = new();
        private readonly AckManager _acks = new(PacketNumberSpace.ApplicationData);
        private readonly Queue<int> _pending = new();
        private readonly HashSet<int> _delivered = [];
        private readonly List<SentPacket> _acked = [];
        private readonly List<SentPacket> _lost = [];
        private long _now;
        private long _sequence;
        private ulong _nextPacketNumber;
        private long _armedTimer = long.MaxValue;
        private bool _sendScheduled;
        private string _failure = string.Empty;

        public Simulation(int seed, bool cubic, double lossRate, bool blackout)
        {
            _random = new Random(seed);
            _lossRate = lossRate;
            _blackout = blackout;
            ICongestionController cc = cubic ? new CubicCongestionController() : new NewRenoCongestionController();
            _recovery = new LossRecovery(isServer: true, cc, new RttEstimator());
            _recovery.OnHandshakeConfirmed(0);
        }

        public string Run(int units)
        {
            for (int i = 0; i < units; i++)
            {
                _pending.Enqueue(i);
            }

            At(0, TrySend);
            int steps = 0;
            while (_events.TryDequeue(out Action? action, out (long Time, long) key) && _delivered.Count < units && steps++ < 1_000_000)
            {
                _now = key.Time;
                action();
                ArmTimer();
                Check();
                if (_failure.Length > 0)
                {
                    return _failure;
                }
            }

            return _delivered.Count == units ? string.Empty : $"delivered {_delivered.Count} of {units} by {_now} µs";
        }

        private void At(long time, Action action) => _events.Enqueue(action, (time, _sequence++));

        private bool Dropped() => (_blackout && _now is > 200_000 and < 1_500_000) || _random.NextDouble() < _lossRate;

        private void TrySend()
        {
            _sendScheduled = false;
            ICongestionController cc = _recovery.CongestionController;
            while (_pending.Count > 0 || _recovery.ProbesDue(PacketNumberSpace.ApplicationData) > 0)
            {
                bool probe = _recovery.ProbesDue(PacketNumberSpace.ApplicationData) > 0;
                if (!probe)
                {
                    if (!cc.CanSend(PacketSize))
                    {
                        return;
                    }

                    long sendAt = _pacer.GetSendTimeUs(_now, PacketSize, cc.CongestionWindow, _recovery.Rtt.SmoothedRttUs, PacketSize);
                    if (sendAt > _now)
                    {
                        if (!_sendScheduled)
                        {
                            _sendScheduled = true;
                            At(sendAt, TrySend);
                        }

                        return;
                    }
                }

                int unit = _pending.Count > 0 ? _pending.Dequeue() : -1;
                ulong pn = _nextPacketNumber++;
                _recovery.OnPacketSent(PacketNumberSpace.ApplicationData, new SentPacket(pn, _now, PacketSize, true, true, Payload: unit));
                _pacer.OnPacketSent(_now, PacketSize, cc.CongestionWindow, _recovery.Rtt.SmoothedRttUs, PacketSize);
                if (!Dropped())
                {
                    At(_now + OneWayDelayUs + _random.Next(0, 3_000), () => Receive(pn, unit));
                }
            }
        }

        private void Receive(ulong pn, int unit)
        {
            if (!_acks.OnPacketReceived(pn, ackEliciting: true, _now))
            {
                return;
            }

            if (unit >= 0)
            {
                _delivered.Add(unit);
            }

            if (_acks.ShouldSendAck(_now))
            {
                SendAck();
            }
            else
            {
                At(_acks.AckDeadlineUs, () =>
                {
                    if (_acks.ShouldSendAck(_now))
                    {
                        SendAck();
                    }
                });
            }
        }

        private void SendAck()
        {
            var ranges = new ValueRange[AckManager.DefaultMaxRanges];
            int n = _acks.GetAckRanges(ranges);
            long delay = (long)_acks.EncodedAckDelay(_now, 3) << 3;
            _acks.OnAckSent();
            if (!Dropped())
            {
                ValueRange[] frame = ranges[..n];
                At(_now + OneWayDelayUs, () => OnAck(frame, delay));
            }
        }

        private void OnAck(ValueRange[] ranges, long delay)
        {
            _acked.Clear();
            _lost.Clear();
            _recovery.OnAckReceived(PacketNumberSpace.ApplicationData, ranges, delay, _now, _acked, _lost);
            Requeue();
            TrySend();
        }

        private void OnTimer()
        {
            if (_now < _recovery.LossDetectionTimerUs)
            {
                return;
            }

            _lost.Clear();
            _recovery.OnLossDetectionTimeout(_now, _lost);
            Requeue();
            TrySend();
        }

        private void Requeue()
        {
            foreach (SentPacket p in _lost)
            {
                if (p.Payload is int unit && unit >= 0 && !_delivered.Contains(unit))
                {
                    _pending.Enqueue(unit);
                }
            }
        }

        private void ArmTimer()
        {
            long timer = _recovery.LossDetectionTimerUs;
            if (timer != long.MaxValue && timer != _armedTimer)
            {
                _armedTimer = timer;
                At(Math.Max(timer, _now), OnTimer);
            }
        }

        private void Check()
        {
            ICongestionController cc = _recovery.CongestionController;
            long tracked = _recovery.TrackedPackets(PacketNumberSpace.ApplicationData);
            if (_recovery.BytesInFlight != tracked * PacketSize)
            {
                _failure = $"bytes in flight {_recovery.BytesInFlight} but {tracked} packets tracked";
            }
            else if (cc.CongestionWindow < 2 * PacketSize)
            {
                _failure = $"window {cc.CongestionWindow} below the minimum";
            }
        }
    }
}
