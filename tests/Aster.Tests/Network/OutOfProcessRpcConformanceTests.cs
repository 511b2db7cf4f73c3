using Aster.Client;
using Aster.Network.TestHost;
using Aster.Protocol;
using Aster.Testing;
using Aster.Tests.Rpc;
using Aster.Transport;

namespace Aster.Tests.Network;

/// <summary>One server process for a test class: started once, killed when the class is done.</summary>
public sealed class TestHostFixture : IAsyncLifetime
{
    internal TestHostProcess Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await TestHostProcess.StartAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>
/// The whole gRPC-style conformance suite against a server in another process, over real UDP on loopback: each test
/// connects by the server's aster1 address (consumer admission, then aster/1), and observes the server side through
/// the host's Probe service.
/// </summary>
[Collection(NetworkTestGroup.Name)]
public sealed class OutOfProcessRpcConformanceTests(TestHostFixture fixture) : RpcConformanceTests, IClassFixture<TestHostFixture>
{
    private static readonly TimeSpan _connectLimit = TimeSpan.FromSeconds(60);

    protected override Task<(IRpcConnection Client, IRpcConnection Server)> ConnectAsync()
        => throw new NotSupportedException("The server runs in another process.");

    protected override async Task<AsterClient> StartAsync()
    {
        AsterClient client = await AsterClient.ConnectAsync(fixture.Host.Address, ClientOptions()).TimeoutAfter(_connectLimit);
        await client.UnaryAsync(Probe.Reset, new Empty()).AsTask().TimeoutAfter(_connectLimit);
        return client;
    }

    protected override async Task<bool> ServerSawCancellationAsync()
        => (await Client.UnaryAsync(Probe.LastCallCancelled, new Empty()).AsTask().TimeoutAfter(TimeSpan.FromSeconds(15))).Value;

    protected override async Task<IReadOnlyList<int>> SessionsDisposedAfterCloseAsync()
    {
        // The test closed its client: ask through a new connection until the server has disposed the sessions.
        await using AsterClient observer = await AsterClient.ConnectAsync(fixture.Host.Address, ClientOptions()).TimeoutAfter(_connectLimit);
        for (int i = 0; i < 200; i++)
        {
            ProbeSessions sessions = await observer.UnaryAsync(Probe.DisposedSessions, new Empty()).DefaultTimeout();
            if (sessions.Ids.Length > 0)
            {
                return sessions.Ids;
            }

            await Task.Delay(25);
        }

        return [];
    }

    private static AsterClientOptions ClientOptions()
        => new() { Codecs = JsonTestCodecProvider.Instance, DefaultSerializationMode = SerializationMode.Json, MaxFrameLength = 1024 * 1024 };
}
