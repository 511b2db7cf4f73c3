using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Aster.Net.Identity;
using Aster.Net.Quic;
using Aster.Net.Quic.Connection;
using Aster.Net.Quic.Protection;
using Aster.Net.Tests.Quic.Relay;
using Aster.Testing;

namespace Aster.Net.Tests.Quic.Connection;

/// <summary>Stateless reset (RFC 9000 10.3; transport.md 7.6): sending rules, detection, and the restart case (SR).</summary>
public sealed class StatelessResetTests
{
    [Fact]
    public async Task ServerRestartedWithSameIdentity_ClientSeesStatelessResetPromptly()
    {
        SecretKey key = SecretKey.Generate();
        await using AsterEndpoint first = await BindServerAsync(key);
        await using LossyUdpRelay relay = LossyUdpRelay.Start(first.LocalEndPoint, RelayFaults.None);
        await using AsterEndpoint client = await RelayEchoHarness.BindClientAsync();
        Task<AsterConnection> accept = first.AcceptAsync().AsTask();
        AsterConnection connection = await client.ConnectAsync(new EndpointAddr(key.PublicKey, null, [relay.FrontEndPoint]), RelayEchoHarness.Alpn).DefaultTimeout();
        await using AsterConnection accepted = await accept.DefaultTimeout();

        // The server "restarts": same identity, new socket; the old one never hears from the client again.
        await using AsterEndpoint second = await BindServerAsync(key);
        relay.Retarget(second.LocalEndPoint);

        // The stream fails as soon as the reset arrives (within the default 5 s, far below the 30 s idle timeout);
        // the connection then drains for 3 × PTO and closes. Any packet still in flight from the handshake (an ACK)
        // may meet the new server first, so the reset can already be known when the stream opens or writes.
        var ex = await Assert.ThrowsAsync<TransportException>(async () =>
        {
            AsterStream stream = await connection.OpenBidirectionalStreamAsync().DefaultTimeout();
            await stream.WriteAsync(new byte[100]).DefaultTimeout();
            await stream.WritesClosed.DefaultTimeout();
        });
        Assert.Equal(TransportErrorReason.StatelessReset, ex.Reason);
        Assert.Equal(TransportErrorReason.StatelessReset, connection.CloseError?.Reason);
        await connection.Completion.TimeoutAfter(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task UnknownShortHeader_AnsweredWithShorterResetCarryingOurToken()
    {
        SecretKey key = SecretKey.Generate();
        await using AsterEndpoint endpoint = await BindServerAsync(key);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        byte[] trigger = RandomNumberGenerator.GetBytes(60);
        trigger[0] = (byte)(0x40 | (trigger[0] & 0x3f));
        byte[] dcid = trigger[1..9];
        await socket.SendToAsync(trigger, endpoint.LocalEndPoint);

        byte[] reply = await ReceiveAsync(socket, TimeSpan.FromSeconds(5)) ?? throw new InvalidOperationException("no stateless reset came back");
        Assert.InRange(reply.Length, StatelessReset.MinLength, trigger.Length - 1);
        Assert.Equal(0x40, reply[0] & 0xc0);
        byte[] token = new byte[16];
        StatelessReset.ComputeToken(StatelessReset.DeriveResetKey(key.ToBytes()), dcid, token);
        Assert.Equal(token, reply[^16..]);

        // 21 bytes or fewer: never answered (a reset must be shorter than its trigger and at least 21 bytes).
        await socket.SendToAsync(trigger.AsMemory(0, StatelessReset.MinLength), endpoint.LocalEndPoint);
        Assert.Null(await ReceiveAsync(socket, TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public void ReplyLimiter_AllowsFixedNumberPerSecond()
    {
        var limiter = new StatelessReplyLimiter(3);
        Assert.True(limiter.TryTake(0));
        Assert.True(limiter.TryTake(10));
        Assert.True(limiter.TryTake(999_999));
        Assert.False(limiter.TryTake(999_999));
        Assert.True(limiter.TryTake(1_000_000));
    }

    internal static async Task<AsterEndpoint> BindServerAsync(SecretKey key)
    {
        var options = new AsterEndpointOptions { SecretKey = key };
        options.Alpns.Add(RelayEchoHarness.Alpn);
        return await AsterEndpoint.BindAsync(options);
    }

    internal static async Task<byte[]?> ReceiveAsync(Socket socket, TimeSpan timeout)
    {
        byte[] buffer = new byte[2048];
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            SocketReceiveFromResult result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cts.Token);
            return buffer[..result.ReceivedBytes];
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
