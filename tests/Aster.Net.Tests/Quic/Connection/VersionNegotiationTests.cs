using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Aster.Net.Identity;
using Aster.Net.Quic;
using Aster.Net.Quic.Packets;
using Aster.Net.Tests.Quic.Relay;
using Aster.Testing;

namespace Aster.Net.Tests.Quic.Connection;

/// <summary>Version negotiation (RFC 9000 6; transport.md 3.2): our server answers, our client gives up.</summary>
public sealed class VersionNegotiationTests
{
    [Fact]
    public async Task UnknownVersion_1200Bytes_AnsweredListingVersion1()
    {
        await using AsterEndpoint server = await StatelessResetTests.BindServerAsync(SecretKey.Generate());
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        byte[] dcid = RandomNumberGenerator.GetBytes(12);
        byte[] scid = RandomNumberGenerator.GetBytes(8);

        await socket.SendToAsync(LongHeader(1199, dcid, scid), server.LocalEndPoint);
        Assert.Null(await StatelessResetTests.ReceiveAsync(socket, TimeSpan.FromMilliseconds(300)));

        await socket.SendToAsync(LongHeader(1200, dcid, scid), server.LocalEndPoint);
        byte[] reply = await StatelessResetTests.ReceiveAsync(socket, TimeSpan.FromSeconds(5)) ?? throw new InvalidOperationException("no Version Negotiation came back");
        Assert.True(VersionNegotiationPacket.TryParse(reply, out ReadOnlySpan<byte> destination, out ReadOnlySpan<byte> source, out ReadOnlySpan<byte> versions));
        Assert.True(destination.SequenceEqual(scid));
        Assert.True(source.SequenceEqual(dcid));
        Assert.True(VersionNegotiationPacket.ContainsVersion(versions, QuicConstants.Version1));
    }

    [Fact]
    public async Task Connect_ServerOffersOnlyOtherVersions_FailsWithVersionNegotiation()
    {
        using var fake = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        fake.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await using AsterEndpoint client = await RelayEchoHarness.BindClientAsync();
        var target = new EndpointAddr(SecretKey.Generate().PublicKey, null, [(IPEndPoint)fake.LocalEndPoint!]);
        Task<AsterConnection> connect = client.ConnectAsync(target, RelayEchoHarness.Alpn).AsTask();

        byte[] buffer = new byte[2048];
        SocketReceiveFromResult received = await fake.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0)).DefaultTimeout();
        (byte[] dcid, byte[] scid) = ReadInitialIds(buffer.AsSpan(0, received.ReceivedBytes));

        // First a Version Negotiation that lists v1 (ignored), then one that does not (fatal).
        await fake.SendToAsync(Negotiation(dcid, scid, [QuicConstants.Version1, 0xff00001d]), received.RemoteEndPoint);
        await fake.SendToAsync(Negotiation(dcid, scid, [0xff00001d, 0x6b3343cf]), received.RemoteEndPoint);
        var ex = await Assert.ThrowsAsync<TransportException>(() => connect).DefaultTimeout();
        Assert.Equal(TransportErrorReason.VersionNegotiationFailed, ex.Reason);
    }

    private static (byte[] Dcid, byte[] Scid) ReadInitialIds(ReadOnlySpan<byte> datagram)
    {
        Assert.Equal(QuicHeaderStatus.Ok, QuicPacketParser.TryParse(datagram, 8, out QuicPacketHeader initial));
        Assert.Equal(QuicPacketType.Initial, initial.Type);
        return (initial.DestinationConnectionId.ToArray(), initial.SourceConnectionId.ToArray());
    }

    private static byte[] Negotiation(byte[] clientDcid, byte[] clientScid, uint[] versions)
    {
        byte[] packet = new byte[VersionNegotiationPacket.GetLength(clientScid.Length, clientDcid.Length, versions.Length)];
        int length = VersionNegotiationPacket.Write(packet, 0x35, clientScid, clientDcid, versions);
        return packet[..length];
    }

    private static byte[] LongHeader(int size, byte[] dcid, byte[] scid)
    {
        byte[] datagram = RandomNumberGenerator.GetBytes(size);
        datagram[0] = 0xc0;
        BinaryPrimitives.WriteUInt32BigEndian(datagram.AsSpan(1), 0x1a2a3a4a);
        datagram[5] = (byte)dcid.Length;
        dcid.CopyTo(datagram, 6);
        datagram[6 + dcid.Length] = (byte)scid.Length;
        scid.CopyTo(datagram, 7 + dcid.Length);
        return datagram;
    }
}
