using System.Text;
using Aster.Client;
using Aster.Codec;
using Aster.Contracts;
using Aster.Fory;
using Aster.Net.Identity;
using Aster.Protocol;
using Aster.Server;
using Aster.Transport;
using Aster.Trust;
using BenchmarkDotNet.Attributes;

namespace Aster.Bench.Micro.Trust;

/// <summary>A tiny message for the gate benchmarks.</summary>
/// <param name="Value">Any number.</param>
[WireType("bench/Ping")]
public sealed record Ping(int Value = 0);

/// <summary>
/// Gate 1 throughput: consumer admissions per second through <see cref="TrustAuthority.AdmitConsumerAsync(EndpointId, ReadOnlyMemory{byte}, CancellationToken)"/>
/// (request parse, credential parse, strict Ed25519 verification, record).
/// </summary>
[MemoryDiagnoser]
public class AdmissionBenchmarks
{
    private static readonly EndpointId _peer = EndpointId.FromBytes(Enumerable.Repeat((byte)2, 32).ToArray());
    private TrustAuthority _authority = null!;
    private byte[] _policyBody = null!;
    private ConsumerAdmissionRequest _policyRequest = null!;
    private byte[] _emptyBody = null!;

    [GlobalSetup]
    public void Setup()
    {
        using RootKey root = RootKey.FromSeed(Enumerable.Repeat((byte)1, 32).ToArray());
        _authority = new TrustAuthority(new TrustAuthorityOptions { RootPublicKey = root.PublicKey.ToArray(), NonceStore = new InMemoryNonceStore() });
        ConsumerEnrollmentCredential credential = root.SignPolicy(_peer, 4_102_444_800, new Dictionary<string, string> { ["aster.role"] = "ops.status,ops.logs", ["aster.name"] = "bench" });
        _policyRequest = new ConsumerAdmissionRequest(Encoding.UTF8.GetString(credential.ToWireJson()), string.Empty);
        _policyBody = _policyRequest.ToJson();
        _emptyBody = new ConsumerAdmissionRequest(string.Empty, string.Empty).ToJson();
    }

    [GlobalCleanup]
    public void Cleanup() => _authority.Dispose();

    [Benchmark(Baseline = true, Description = "policy admission from the request body")]
    public async Task<bool> AdmitPolicyBody() => (await _authority.AdmitConsumerAsync(_peer, _policyBody)).Admitted;

    [Benchmark(Description = "policy admission, request already parsed")]
    public async Task<bool> AdmitPolicyParsed() => (await _authority.AdmitConsumerAsync(_peer, _policyRequest)).Admitted;

    [Benchmark(Description = "denied: empty credential while gated")]
    public async Task<bool> DenyEmpty() => (await _authority.AdmitConsumerAsync(_peer, _emptyBody)).Admitted;
}

/// <summary>
/// The added cost of the gates per call: the same unary call over the in-memory transport from a peer that reports an
/// authenticated id, once on an open server (no admission authority, no requirement) and once on a gated one (admission
/// record lookup, attributes snapshot, gate-3 ROLE check).
/// </summary>
[MemoryDiagnoser]
public class GatedCallBenchmarks
{
    private static readonly EndpointId _peer = EndpointId.FromBytes(Enumerable.Repeat((byte)2, 32).ToArray());
    private static readonly ClientMethod<Ping, Ping> _ping = new("Bench", 1, "ping", MethodPattern.Unary);
    private static readonly Ping _message = new(7);
    private readonly ForyCodecProvider _codecs = new();
    private AsterServer _openServer = null!;
    private AsterServer _gatedServer = null!;
    private AsterClient _openClient = null!;
    private AsterClient _gatedClient = null!;
    private TrustAuthority _authority = null!;

    [GlobalSetup]
    public void Setup()
    {
        using RootKey root = RootKey.FromSeed(Enumerable.Repeat((byte)1, 32).ToArray());
        _authority = new TrustAuthority(new TrustAuthorityOptions { RootPublicKey = root.PublicKey.ToArray(), Peers = new PeerStore() });
        _authority.Peers.Record(new PeerAdmission(_peer, "bench", new Dictionary<string, string> { ["aster.role"] = "ops.status" }, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 0, AdmissionPath.ConsumerAdmission));

        _openServer = new AsterServer([Service(null)], new AsterServerOptions { Codecs = _codecs });
        _gatedServer = new AsterServer([Service(CapabilityRequirement.Role("ops.status"))], new AsterServerOptions { Codecs = _codecs, Admission = _authority });
        _openClient = Connect(_openServer);
        _gatedClient = Connect(_gatedServer);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _openClient.DisposeAsync();
        await _gatedClient.DisposeAsync();
        await _openServer.DisposeAsync();
        await _gatedServer.DisposeAsync();
        _authority.Peers.Dispose();
        _authority.Dispose();
    }

    [Benchmark(Baseline = true, Description = "open server")]
    public async Task<int> Open() => (await _openClient.UnaryAsync(_ping, _message)).Value;

    [Benchmark(Description = "gated server: admission lookup + ROLE check")]
    public async Task<int> Gated() => (await _gatedClient.UnaryAsync(_ping, _message)).Value;

    private static ServiceDefinition Service(CapabilityRequirement? requirement)
        => ServiceDefinition.CreateShared("Bench", 1, new object())
            .AddUnary<Ping, Ping>("ping", static (_, request, _) => ValueTask.FromResult(request), new MethodOptions { Requires = requirement })
            .Build();

    private AsterClient Connect(AsterServer server)
    {
        (IRpcConnection client, IRpcConnection serverEnd) = InMemoryTransport.CreatePair(new InMemoryTransportOptions { RemotePeer = _peer });
        _ = server.ServeConnectionAsync(serverEnd);
        return new AsterClient(client, new AsterClientOptions { Codecs = _codecs });
    }
}
