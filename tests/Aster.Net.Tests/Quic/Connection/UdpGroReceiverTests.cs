using System.Net;
using System.Net.Sockets;
using Aster.Net.Quic.Connection;

namespace Aster.Net.Tests.Quic.Connection;

/// <summary>UDP GRO receive over real loopback sockets: coalesced buffers are cut at the reported segment size.</summary>
public sealed class UdpGroReceiverTests
{
    [Fact]
    public void TryReceive_SegmentedBatch_ReturnsSameDatagramsInOrderWithSenderAddress()
    {
        using var receiverSocket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        receiverSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        UdpGroReceiver? receiver = UdpGroReceiver.TryCreate(receiverSocket, 65536);
        Assert.Equal(OperatingSystem.IsLinux() && Environment.Is64BitProcess, receiver is not null);
        if (receiver is null)
        {
            return;
        }

        var from = new SocketAddress(AddressFamily.InterNetwork);
        Assert.Equal(UdpGroReceiver.WouldBlock, receiver.TryReceive(from, out _));

        using var senderSocket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        senderSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var sender = new UdpSender(senderSocket, segmentationOffload: true);
        byte[] batch = new byte[(7 * 1200) + 300];
        Random.Shared.NextBytes(batch);
        sender.Send(batch, 1200, receiverSocket.LocalEndPoint!.Serialize());
        byte[] single = [1, 2, 3];
        sender.Send(single, single.Length, receiverSocket.LocalEndPoint!.Serialize());

        var datagrams = new List<byte[]>();
        int calls = 0;
        while (datagrams.Count < 9 && calls < 1000)
        {
            int n = receiver.TryReceive(from, out int segmentSize);
            calls++;
            if (n < 0)
            {
                Assert.True(receiverSocket.Poll(TimeSpan.FromSeconds(5), SelectMode.SelectRead), "no datagram within 5 s");
                continue;
            }

            Assert.True(segmentSize > 0);
            for (int offset = 0; offset < n; offset += segmentSize)
            {
                datagrams.Add(receiver.Buffer.AsSpan(offset, Math.Min(segmentSize, n - offset)).ToArray());
            }

            Assert.Equal((IPEndPoint)senderSocket.LocalEndPoint!, (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(from));
        }

        Assert.Equal(9, datagrams.Count);
        Assert.True(batch.AsSpan().SequenceEqual(datagrams.Take(8).SelectMany(d => d).ToArray()));
        Assert.Equal(300, datagrams[7].Length);
        Assert.Equal(single, datagrams[8]);
    }

    [Fact]
    public void TryReceive_ClosedSocket_ThrowsObjectDisposed()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        UdpGroReceiver? receiver = UdpGroReceiver.TryCreate(socket, 65536);
        socket.Dispose();
        if (receiver is not null)
        {
            Assert.Throws<ObjectDisposedException>(() => receiver.TryReceive(new SocketAddress(AddressFamily.InterNetwork), out _));
        }
    }
}
