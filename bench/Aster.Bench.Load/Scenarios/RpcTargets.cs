using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography;
using Aster.Bench.Load.Hosting;
using Aster.Bench.Load.Mission;
using Aster.Client;
using Aster.Codec;
using Aster.Net.Identity;
using Aster.Net.Quic;
using Aster.Transport;

namespace Aster.Bench.Load.Scenarios;

/// <summary>One implementation under end-to-end test, as its client sees it: one connection, the same calls.</summary>
internal interface IRpcTarget : IAsyncDisposable
{
    string Name { get; }

    /// <summary>One <c>getStatus</c> call; checks the answer.</summary>
    ValueTask UnaryAsync(CancellationToken cancellationToken);

    /// <summary>One <c>tailLogs</c> call; returns how many entries arrived.</summary>
    ValueTask<int> ServerStreamAsync(int count, CancellationToken cancellationToken);
}

/// <summary>Aster over our QUIC: one connection, a typed proxy, Fory XLANG.</summary>
internal sealed class AsterTarget : IRpcTarget
{
    private readonly AsterEndpoint _endpoint;
    private readonly AsterConnection _connection;
    private readonly AsterClient _client;
    private readonly IMissionControl _proxy;

    private AsterTarget(AsterEndpoint endpoint, AsterConnection connection, AsterClient client)
    {
        _endpoint = endpoint;
        _connection = connection;
        _client = client;
        _proxy = ServiceProxy.Create<IMissionControl>(client);
    }

    public string Name => "aster";

    /// <summary>Gets the client connection's datagram, packet and wake-up counters.</summary>
    public AsterConnectionStatistics Statistics => _connection.GetStatistics();

    public static async Task<AsterTarget> ConnectAsync(ServerInfo server, int? streamPool)
    {
        AsterEndpoint endpoint = await AsterEndpoint.BindAsync(new AsterEndpointOptions { SecretKey = SecretKey.Generate() }).ConfigureAwait(false);
        AsterConnection connection = await endpoint.ConnectAsync(Peers.Address(server.EndpointId, server.Addr), BenchServer.RpcAlpn).ConfigureAwait(false);
        return new AsterTarget(endpoint, connection, new AsterClient(new QuicRpcConnection(connection), new AsterClientOptions { Codecs = new ForyCodecProvider(), SharedStreamPoolSize = streamPool }));
    }

    public async ValueTask UnaryAsync(CancellationToken cancellationToken)
    {
        StatusResponse response = await _proxy.GetStatusAsync(MissionPayloads.Status, cancellationToken).ConfigureAwait(false);
        Check(response);
    }

    public async ValueTask<int> ServerStreamAsync(int count, CancellationToken cancellationToken)
    {
        int received = 0;
        await foreach (LogEntry _ in _proxy.TailLogsAsync(new TailRequest(MissionPayloads.Status.AgentId, count), cancellationToken).ConfigureAwait(false))
        {
            received++;
        }

        return received;
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync().ConfigureAwait(false);
        await _endpoint.DisposeAsync().ConfigureAwait(false);
    }

    internal static void Check(StatusResponse? response)
    {
        if (response is not { Status: "running", UptimeSecs: 3600 } || response.AgentId != MissionPayloads.Status.AgentId)
        {
            throw new InvalidOperationException($"Unexpected getStatus answer: {response}");
        }
    }
}

/// <summary>
/// The Kestrel baseline's client: one <see cref="HttpClient"/> over <see cref="SocketsHttpHandler"/> with exactly one
/// HTTP/2 connection (<see cref="SocketsHttpHandler.EnableMultipleHttp2Connections"/> off), TLS with the server's
/// certificate pinned by thumbprint, JSON through the same source-generated context.
/// </summary>
internal sealed class KestrelTarget : IRpcTarget
{
    private readonly HttpClient _http;

    public KestrelTarget(ServerInfo server)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && string.Equals(certificate.GetCertHashString(HashAlgorithmName.SHA256), server.Thumbprint, StringComparison.OrdinalIgnoreCase),
            },
        };
        _http = new HttpClient(handler)
        {
            BaseAddress = new Uri(server.KestrelUrl),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    public string Name => "kestrel";

    public async ValueTask UnaryAsync(CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await _http.PostAsJsonAsync("MissionControl/getStatus", MissionPayloads.Status, MissionJsonContext.Default.StatusRequest, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        AsterTarget.Check(await response.Content.ReadFromJsonAsync(MissionJsonContext.Default.StatusResponse, cancellationToken).ConfigureAwait(false));
    }

    public async ValueTask<int> ServerStreamAsync(int count, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "MissionControl/tailLogs")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = JsonContent.Create(new TailRequest(MissionPayloads.Status.AgentId, count), MissionJsonContext.Default.TailRequest),
        };
        using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        int received = 0;
        await foreach (LogEntry? _ in response.Content.ReadFromJsonAsAsyncEnumerable(MissionJsonContext.Default.LogEntry, cancellationToken).ConfigureAwait(false))
        {
            received++;
        }

        return received;
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
