using System.Net;
using System.Net.Sockets;
using Aster.Net.Quic.Connection;
using Aster.Testing;

namespace Aster.Net.Tests.Quic.Connection;

/// <summary>The endpoint's datagram sender over real loopback sockets: segmented batches (UDP GSO) and the fallback.</summary>
public sealed class UdpSenderTests
{
    private static readonly int[] _batchSizes = [1200, 1200, 1200, 1200, 1200, 700];
    private static readonly int[] _probeSequenceSizes = [1200, 1200, 1200, 1452, 40, 1452, 1452];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Send_Batch_ArrivesAsEqualDatagramsAndShorterLast(bool offload)
    {
        using var pair = new SocketPair();
        var sender = new UdpSender(pair.Sender, offload);
        byte[] batch = Pattern((5 * 1200) + 700);

        int calls = sender.Send(batch, 1200, pair.Destination);

        List<byte[]> received = await pair.ReceiveAsync(6);
        Assert.Equal(_batchSizes, received.Select(d => d.Length));
        Assert.True(batch.AsSpan().SequenceEqual(received.SelectMany(d => d).ToArray()));
        Assert.Equal(6, sender.DatagramsSent);
        Assert.Equal(calls, sender.SendCalls);
        Assert.Equal(sender.SegmentationOffload ? 1 : 6, calls);
        Assert.False(offload && OperatingSystem.IsLinux() && !sender.SegmentationOffload, "Linux loopback supports UDP_SEGMENT");
    }

    [Fact]
    public async Task Send_LongerSingleDatagramAfterBatch_LeavesWhole()
    {
        // A path-MTU probe after a batch of smaller segments must not be cut at the old segment size.
        using var pair = new SocketPair();
        var sender = new UdpSender(pair.Sender, segmentationOffload: true);
        sender.Send(Pattern(3 * 1200), 1200, pair.Destination);
        byte[] probe = Pattern(1452);
        sender.Send(probe, probe.Length, pair.Destination);
        byte[] small = Pattern(40);
        sender.Send(small, small.Length, pair.Destination);
        sender.Send(Pattern(2 * 1452), 1452, pair.Destination);

        List<byte[]> received = await pair.ReceiveAsync(7);
        Assert.Equal(_probeSequenceSizes, received.Select(d => d.Length));
        Assert.True(probe.AsSpan().SequenceEqual(received[3]));
    }

    [Fact]
    public async Task Send_MoreSegmentsThanOneCallCarries_SplitsIntoSeveralCalls()
    {
        using var pair = new SocketPair();
        var sender = new UdpSender(pair.Sender, segmentationOffload: true);
        int count = UdpSender.MaxSegments + 3;
        byte[] batch = Pattern(count * 100);

        sender.Send(batch, 100, pair.Destination);

        List<byte[]> received = await pair.ReceiveAsync(count);
        Assert.All(received, d => Assert.Equal(100, d.Length));
        Assert.True(batch.AsSpan().SequenceEqual(received.SelectMany(d => d).ToArray()));
    }

    [Fact]
    public void Send_ClosedSocket_DoesNotThrow()
    {
        using var pair = new SocketPair();
        var sender = new UdpSender(pair.Sender, segmentationOffload: true);
        pair.Sender.Dispose();
        Assert.Equal(0, sender.Send(Pattern(2400), 1200, pair.Destination));
        Assert.Equal(0, sender.DatagramsSent);
    }

    private static byte[] Pattern(int length)
    {
        byte[] data = new byte[length];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (byte)((i * 7) + (i >> 8));
        }

        return data;
    }

    private sealed class SocketPair : IDisposable
    {
        public SocketPair()
        {
            Receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            Receiver.ReceiveBufferSize = 1 << 20;
            Sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            Destination = Receiver.LocalEndPoint!.Serialize();
        }

        public Socket Sender { get; } = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

        public Socket Receiver { get; } = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

        public SocketAddress Destination { get; }

        public async Task<List<byte[]>> ReceiveAsync(int count)
        {
            var datagrams = new List<byte[]>(count);
            byte[] buffer = new byte[65536];
            for (int i = 0; i < count; i++)
            {
                int n = await Receiver.ReceiveAsync(buffer, SocketFlags.None).DefaultTimeout();
                datagrams.Add(buffer.AsSpan(0, n).ToArray());
            }

            return datagrams;
        }

        public void Dispose()
        {
            Sender.Dispose();
            Receiver.Dispose();
        }
    }
}
