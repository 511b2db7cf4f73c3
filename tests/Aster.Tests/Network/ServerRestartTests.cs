using Aster.Client;
using Aster.Contracts;
using Aster.Net.Identity;
using Aster.Protocol;
using Aster.Testing;
using Aster.Tests.Rpc;

namespace Aster.Tests.Network;

/// <summary>
/// A server process restarted with the same key and port: calls in flight fail with UNAVAILABLE, and the client's
/// next call dials again, re-runs admission and succeeds.
/// </summary>
[Collection(NetworkTestGroup.Name)]
public sealed class ServerRestartTests
{
    private static readonly TimeSpan _limit = TimeSpan.FromSeconds(60);
    private static readonly ClientMethod<SimpleRequest, SimpleResponse> _unaryCall = new("TestService", 1, "unary_call", MethodPattern.Unary);

    [Fact]
    public async Task GracefulRestart_InFlightCallIsUnavailable_ThenNextCallReconnects()
    {
        using var key = SecretKey.Generate();
        string keyHex = Convert.ToHexStringLower(key.ToBytes());
        TestHostProcess host = await TestHostProcess.StartAsync(keyHex: keyHex);
        int port = EndpointAddr.Parse(host.Address).DirectAddresses[0].Port;
        try
        {
            await using AsterClient client = await AsterClient.ConnectAsync(host.Address, Options()).TimeoutAfter(_limit);
            Assert.Equal(3, (await client.UnaryAsync(_unaryCall, new SimpleRequest(ResponseSize: 3)).AsTask().TimeoutAfter(_limit)).Body.Length);

            // A call the server is still running when it shuts down: past the grace period the connection closes.
            Task<SimpleResponse> inFlight = client.UnaryAsync(_unaryCall, new SimpleRequest(SleepMs: 20_000)).AsTask();
            await Task.Delay(200);
            await host.StopAsync();
            RpcException ex = await Assert.ThrowsAsync<RpcException>(() => inFlight.TimeoutAfter(_limit));
            Assert.Equal(StatusCode.Unavailable, ex.StatusCode);

            await host.DisposeAsync();
            host = await TestHostProcess.StartAsync(port, keyHex);
            Assert.Equal(host.Address, EndpointAddr.Parse(host.Address).ToString());
            SimpleResponse after = await client.UnaryAsync(_unaryCall, new SimpleRequest(ResponseSize: 7)).AsTask().TimeoutAfter(_limit);
            Assert.Equal(7, after.Body.Length);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task KilledServer_InFlightCallIsUnavailableAfterIdleTimeout_ThenRestartedServerAnswers()
    {
        using var key = SecretKey.Generate();
        string keyHex = Convert.ToHexStringLower(key.ToBytes());
        TestHostProcess host = await TestHostProcess.StartAsync(keyHex: keyHex);
        int port = EndpointAddr.Parse(host.Address).DirectAddresses[0].Port;
        try
        {
            // A short idle timeout: a server that vanished without a word is noticed within it.
            AsterClientOptions options = Options();
            options.IdleTimeout = TimeSpan.FromSeconds(5);
            await using AsterClient client = await AsterClient.ConnectAsync(host.Address, options).TimeoutAfter(_limit);
            Assert.NotNull(await client.UnaryAsync(_unaryCall, new SimpleRequest()).AsTask().TimeoutAfter(_limit));

            Task<SimpleResponse> inFlight = client.UnaryAsync(_unaryCall, new SimpleRequest(SleepMs: 20_000)).AsTask();
            await Task.Delay(200);
            host.Kill();
            RpcException ex = await Assert.ThrowsAsync<RpcException>(() => inFlight.TimeoutAfter(_limit));
            Assert.Equal(StatusCode.Unavailable, ex.StatusCode);

            await host.DisposeAsync();
            host = await TestHostProcess.StartAsync(port, keyHex);
            SimpleResponse after = await client.UnaryAsync(_unaryCall, new SimpleRequest(ResponseSize: 5)).AsTask().TimeoutAfter(_limit);
            Assert.Equal(5, after.Body.Length);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    private static AsterClientOptions Options()
        => new() { Codecs = JsonTestCodecProvider.Instance, DefaultSerializationMode = SerializationMode.Json };
}
