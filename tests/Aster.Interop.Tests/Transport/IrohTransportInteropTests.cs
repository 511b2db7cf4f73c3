using System.Net;
using Aster.Interop.Tests.Infrastructure;
using Aster.Net.Identity;
using Aster.Net.Quic;
using Aster.Testing;
using Xunit.Abstractions;

namespace Aster.Interop.Tests.Transport;

/// <summary>Our QUIC endpoint against a real iroh 0.97 peer on loopback (no relay), in both roles.</summary>
public sealed class IrohTransportInteropTests
{
    private const string Alpn = "aster/1";
    private readonly ITestOutputHelper _output;

    public IrohTransportInteropTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [NodeFact]
    public async Task Dial_IrohServe_EchoesAllSizes()
    {
        await using NodePeer peer = await NodePeer.ServeAsync([Alpn]).TimeoutAfter(TimeSpan.FromSeconds(60));
        try
        {
            var id = EndpointId.Parse(peer.Greeting.GetProperty("endpointId").GetString()!);
            var addr = IPEndPoint.Parse(peer.Greeting.GetProperty("addr").GetString()!);
            var options = new AsterEndpointOptions { SecretKey = SecretKey.Generate() };
            await using AsterEndpoint endpoint = await AsterEndpoint.BindAsync(options);
            await using AsterConnection connection = await endpoint.ConnectAsync(new EndpointAddr(id, null, [addr]), Alpn).AsTask().TimeoutAfter(TimeSpan.FromSeconds(10));
            Assert.Equal(id, connection.RemoteId);
            Assert.Equal(Alpn, connection.Alpn);
            foreach (int size in new[] { 0, 5, 1200, 1 << 20 })
            {
                byte[] data = new byte[size];
                Random.Shared.NextBytes(data);
                byte[] echoed = await EchoAsync(connection, data).TimeoutAfter(TimeSpan.FromSeconds(30));
                Assert.True(data.AsSpan().SequenceEqual(echoed), $"echo of {size} bytes differs");
            }

            await connection.CloseAsync(0, "done").AsTask().TimeoutAfter(TimeSpan.FromSeconds(10));
        }
        finally
        {
            foreach (string line in peer.StderrLines)
            {
                _output.WriteLine(line);
            }
        }
    }

    [NodeFact]
    public async Task IrohDial_OurEchoServer_AllEchoesMatch()
    {
        var options = new AsterEndpointOptions { SecretKey = SecretKey.Generate() };
        options.Alpns.Add(Alpn);
        await using AsterEndpoint endpoint = await AsterEndpoint.BindAsync(options);
        using var cts = new CancellationTokenSource();
        Task serve = ServeEchoAsync(endpoint, cts.Token);
        var (exitCode, result, stderr) = await NodePeer.DialAsync(
            endpoint.Id.ToString(), endpoint.LocalEndPoint.ToString(), Alpn, [0, 5, 1200, 1 << 20], timeoutMilliseconds: 30_000)
            .TimeoutAfter(TimeSpan.FromSeconds(60));
        _output.WriteLine(result.ToString());
        foreach (string line in stderr)
        {
            _output.WriteLine(line);
        }

        Assert.Equal(0, exitCode);
        Assert.True(result.GetProperty("ok").GetBoolean());
        await cts.CancelAsync();
    }

    [NodeFact]
    public async Task Dial_IrohServeWrongAlpn_RefusedWith0x178()
    {
        await using NodePeer peer = await NodePeer.ServeAsync([Alpn]).TimeoutAfter(TimeSpan.FromSeconds(60));
        var id = EndpointId.Parse(peer.Greeting.GetProperty("endpointId").GetString()!);
        var addr = IPEndPoint.Parse(peer.Greeting.GetProperty("addr").GetString()!);
        await using AsterEndpoint endpoint = await AsterEndpoint.BindAsync(new AsterEndpointOptions { SecretKey = SecretKey.Generate() });
        var ex = await Assert.ThrowsAsync<TransportException>(
            () => endpoint.ConnectAsync(new EndpointAddr(id, null, [addr]), "not/served").AsTask()).TimeoutAfter(TimeSpan.FromSeconds(10));
        Assert.Equal(TransportErrorReason.TransportClosedByPeer, ex.Reason);
        Assert.Equal(0x178UL, ex.ErrorCode);
    }

    [NodeFact]
    public async Task Dial_IrohServeWrongIdentity_HandshakeFails()
    {
        await using NodePeer peer = await NodePeer.ServeAsync([Alpn]).TimeoutAfter(TimeSpan.FromSeconds(60));
        var addr = IPEndPoint.Parse(peer.Greeting.GetProperty("addr").GetString()!);
        await using AsterEndpoint endpoint = await AsterEndpoint.BindAsync(new AsterEndpointOptions { SecretKey = SecretKey.Generate() });
        var ex = await Assert.ThrowsAsync<TransportException>(
            () => endpoint.ConnectAsync(new EndpointAddr(SecretKey.Generate().PublicKey, null, [addr]), Alpn).AsTask()).TimeoutAfter(TimeSpan.FromSeconds(10));
        Assert.Equal(TransportErrorReason.HandshakeFailed, ex.Reason);
    }

    [NodeFact]
    public async Task IrohDial_AlpnWeDoNotServe_DialFails()
    {
        var options = new AsterEndpointOptions { SecretKey = SecretKey.Generate() };
        options.Alpns.Add(Alpn);
        await using AsterEndpoint endpoint = await AsterEndpoint.BindAsync(options);
        var (exitCode, result, _) = await NodePeer.DialAsync(
            endpoint.Id.ToString(), endpoint.LocalEndPoint.ToString(), "not/served", [5], timeoutMilliseconds: 10_000)
            .TimeoutAfter(TimeSpan.FromSeconds(60));
        _output.WriteLine(result.ToString());
        Assert.Equal(1, exitCode);
        Assert.False(result.GetProperty("ok").GetBoolean());
        Assert.Contains("120", result.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    private static async Task<byte[]> EchoAsync(AsterConnection connection, byte[] data)
    {
        await using AsterStream stream = await connection.OpenBidirectionalStreamAsync();
        Task write = stream.WriteAsync(data, completeWrites: true).AsTask();
        using var received = new MemoryStream();
        await stream.CopyToAsync(received);
        await write;
        return received.ToArray();
    }

    private static async Task ServeEchoAsync(AsterEndpoint endpoint, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                AsterConnection connection = await endpoint.AcceptAsync(cancellationToken);
                _ = Task.Run(
                    async () =>
                    {
                        try
                        {
                            while (true)
                            {
                                AsterStream stream = await connection.AcceptBidirectionalStreamAsync(cancellationToken);
                                _ = Task.Run(
                                    async () =>
                                    {
                                        await using (stream)
                                        {
                                            using var buffer = new MemoryStream();
                                            await stream.CopyToAsync(buffer, cancellationToken);
                                            await stream.WriteAsync(buffer.ToArray(), completeWrites: true, cancellationToken);
                                        }
                                    },
                                    CancellationToken.None);
                            }
                        }
                        catch (TransportException)
                        {
                        }
                        catch (OperationCanceledException)
                        {
                        }
                    },
                    CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (TransportException)
        {
        }
    }
}
