using System.Net;
using Aster.Net.Identity;
using Aster.Net.Quic;
using Aster.Server;
using Aster.Testing;
using Aster.Transport;
using Aster.Trust;

namespace Aster.Tests.Network;

/// <summary>A QUIC endpoint of the test's own, for speaking to a server by hand (raw admission bytes, raw frames).</summary>
internal sealed class RawPeer : IAsyncDisposable
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private RawPeer(AsterEndpoint endpoint)
    {
        Endpoint = endpoint;
    }

    public AsterEndpoint Endpoint { get; }

    public static Task<RawPeer> StartAsync(params string[] alpns) => StartAsync(SecretKey.Generate(), alpns);

    /// <summary>A peer with the identity <paramref name="key"/> (for example the root key's seed, as an operator's shell).</summary>
    public static async Task<RawPeer> StartAsync(SecretKey key, params string[] alpns)
    {
        var options = new AsterEndpointOptions { SecretKey = key, BindAddress = new IPEndPoint(IPAddress.Loopback, 0) };
        foreach (string alpn in alpns)
        {
            options.Alpns.Add(alpn);
        }

        return new RawPeer(await AsterEndpoint.BindAsync(options));
    }

    public Task<AsterConnection> ConnectAsync(EndpointAddr address, string alpn) => Endpoint.ConnectAsync(address, alpn).AsTask().TimeoutAfter(Limit);

    /// <summary>Sends <paramref name="request"/> on a new admission connection and reads the reply to its end.</summary>
    public async Task<byte[]> AdmissionAsync(EndpointAddr server, byte[] request)
    {
        await using AsterConnection connection = await ConnectAsync(server, AsterAlpns.ConsumerAdmission);
        await using AsterStream stream = await connection.OpenBidirectionalStreamAsync();
        await stream.WriteAsync(request, completeWrites: true);
        return await ReadToEndAsync(stream).TimeoutAfter(Limit);
    }

    public static async Task<byte[]> ReadToEndAsync(AsterStream stream)
    {
        var output = new MemoryStream();
        byte[] buffer = new byte[8192];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            output.Write(buffer, 0, read);
        }

        return output.ToArray();
    }

    public ValueTask DisposeAsync() => Endpoint.DisposeAsync();
}

/// <summary>An admission authority whose every answer a test chooses.</summary>
internal sealed class TestAuthority : IAdmissionAuthority
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<EndpointId, PeerAdmission> _admitted = new();

    public Func<EndpointId, string, CancellationToken, ValueTask<bool>> Gate0 { get; init; } = (_, _, _) => ValueTask.FromResult(true);

    public Func<EndpointId, ConsumerAdmissionRequest, CancellationToken, ValueTask<ConsumerAdmissionDecision>> Admit { get; init; }
        = (_, _, _) => ValueTask.FromResult(new ConsumerAdmissionDecision(true, new Dictionary<string, string>()));

    public bool ConsumersGated => true;

    public bool ProducersGated => false;

    public string RootPublicKeyHex { get; init; } = new('0', 64);

    public ValueTask<bool> AllowConnectionAsync(EndpointId peer, string alpn, CancellationToken cancellationToken = default) => Gate0(peer, alpn, cancellationToken);

    public async ValueTask<ConsumerAdmissionDecision> AdmitConsumerAsync(EndpointId peer, ConsumerAdmissionRequest request, CancellationToken cancellationToken = default)
    {
        ConsumerAdmissionDecision decision = await Admit(peer, request, cancellationToken);
        if (decision.Admitted)
        {
            // Calls check for a live record while consumers are gated (trust.md 7.1), so an admission leaves one.
            _admitted[peer] = new PeerAdmission(peer, string.Empty, decision.Attributes, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 0, AdmissionPath.ConsumerAdmission);
        }

        return decision;
    }

    public PeerAdmission? FindAdmission(EndpointId peer) => _admitted.GetValueOrDefault(peer);
}

internal static class NetworkServers
{
    /// <summary>A started networked server on 127.0.0.1 with the given services.</summary>
    public static async Task<AsterServer> StartAsync(IEnumerable<ServiceDefinition> services, Action<AsterServerOptions>? configure = null)
    {
        var options = new AsterServerOptions { Codecs = Rpc.JsonTestCodecProvider.Instance, ShutdownGracePeriod = TimeSpan.FromMilliseconds(200) };
        configure?.Invoke(options);
        var server = new AsterServer(services, options);
        await server.StartAsync().TimeoutAfter(RawPeer.Limit);
        return server;
    }
}
