using Aster.Net.Identity;
using Aster.Testing;
using Aster.Transport;
using Aster.Trust;

namespace Aster.Tests.Trust;

/// <summary>Gate 0 (trust.md 7.1) as a decision table, with the extra gate's fail-closed rules (T24–T26).</summary>
public sealed class ConnectionGateTests : IDisposable
{
    private static readonly EndpointId _stranger = EndpointId.FromBytes(Enumerable.Repeat((byte)5, 32).ToArray());
    private static readonly EndpointId _member = EndpointId.FromBytes(Enumerable.Repeat((byte)6, 32).ToArray());
    private readonly RootKey _root = RootKey.FromSeed(Enumerable.Repeat((byte)1, 32).ToArray());
    private readonly ManualTimeProvider _clock = new();
    private readonly LogSink _log = new();

    public void Dispose() => _root.Dispose();

    private TrustAuthority Authority(bool consumersOpen = false, bool producersOpen = true, IConnectionGate? extra = null, IMeshMembership? mesh = null) => new(new TrustAuthorityOptions
    {
        RootPublicKey = _root.PublicKey.ToArray(),
        AllowAllConsumers = consumersOpen,
        AllowAllProducers = producersOpen,
        ExtraGate = extra,
        Mesh = mesh,
        TimeProvider = _clock,
        LoggerFactory = _log,
    });

    private static Task<bool> AllowAsync(TrustAuthority authority, EndpointId peer, string alpn) => authority.AllowConnectionAsync(peer, alpn).AsTask().DefaultTimeout();

    [Theory]
    [InlineData("aster/1")]
    [InlineData("/iroh-bytes/4")]
    [InlineData("/iroh-sync/1")]
    [InlineData("/iroh-gossip/1")]
    public async Task Allow_T24_UnadmittedPeerWhileConsumersGated_Denied(string alpn)
    {
        using TrustAuthority authority = Authority();
        Assert.False(await AllowAsync(authority, _stranger, alpn));
        Assert.Contains(_log.Entries, e => e.EventId == 4010 && e.Message.Contains("no live admission", StringComparison.Ordinal) && e.Message.Contains(alpn, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Allow_T25_ConsumerAdmissionAlpn_AlwaysAllowed()
    {
        using TrustAuthority authority = Authority();
        Assert.True(await AllowAsync(authority, _stranger, AsterAlpns.ConsumerAdmission));
    }

    [Fact]
    public async Task Allow_ProducerAdmissionAlpn_AllowedOnlyWhileProducersGated()
    {
        using TrustAuthority producersGated = Authority(producersOpen: false);
        using TrustAuthority producersOpen = Authority();
        Assert.True(await AllowAsync(producersGated, _stranger, AsterAlpns.ProducerAdmission));
        Assert.False(await AllowAsync(producersOpen, _stranger, AsterAlpns.ProducerAdmission));
    }

    [Fact]
    public async Task Allow_LiveAdmissionRecord_AllowedUntilItExpires()
    {
        using TrustAuthority authority = Authority();
        authority.Peers.Record(new PeerAdmission(_stranger, string.Empty, new Dictionary<string, string>(), _clock.GetUtcNow().ToUnixTimeSeconds(), 0, AdmissionPath.ConsumerAdmission));
        Assert.True(await AllowAsync(authority, _stranger, "aster/1"));
        _clock.Advance(PeerStore.DefaultPeerTtl);
        Assert.False(await AllowAsync(authority, _stranger, "aster/1"));
    }

    [Fact]
    public async Task Allow_ConsumersOpen_AnyPeerAllowedEvenWithProducersGated()
    {
        using TrustAuthority authority = Authority(consumersOpen: true, producersOpen: false);
        Assert.True(await AllowAsync(authority, _stranger, "aster/1"));
    }

    [Fact]
    public async Task Allow_BothGatesOpen_EveryAlpnAllowed()
    {
        using TrustAuthority authority = Authority(consumersOpen: true);
        Assert.True(await AllowAsync(authority, _stranger, "/iroh-gossip/1"));
        Assert.True(await AllowAsync(authority, _stranger, AsterAlpns.ProducerAdmission));
    }

    [Fact]
    public async Task Allow_MeshMember_AllowedWithoutRecord()
    {
        using TrustAuthority authority = Authority(producersOpen: false, mesh: new FixedMesh(new string('1', 64), [_member]));
        Assert.True(await AllowAsync(authority, _member, "/iroh-gossip/1"));
        Assert.False(await AllowAsync(authority, _stranger, "/iroh-gossip/1"));
    }

    [Fact]
    public async Task Allow_MeshThatThrows_DeniedFailClosed()
    {
        using TrustAuthority authority = Authority(producersOpen: false, mesh: new ThrowingMesh());
        Assert.False(await AllowAsync(authority, _member, "aster/1"));
        Assert.Contains(_log.Entries, e => e.EventId == 4011);
    }

    [Fact]
    public async Task ExtraGate_RunsOnlyAfterBuiltInAllow_AndCanOnlyDeny()
    {
        var gate = new CountingGate(answer: false);
        using TrustAuthority authority = Authority(extra: gate);
        Assert.False(await AllowAsync(authority, _stranger, "aster/1")); // built-in denies: gate not asked
        Assert.Equal(0, gate.Calls);
        Assert.False(await AllowAsync(authority, _stranger, AsterAlpns.ConsumerAdmission)); // built-in allows, gate denies
        Assert.Equal(1, gate.Calls);

        var yes = new CountingGate(answer: true);
        using TrustAuthority permissive = Authority(extra: yes);
        Assert.False(await AllowAsync(permissive, _stranger, "aster/1")); // a yes cannot override a built-in deny
        Assert.True(await AllowAsync(permissive, _stranger, AsterAlpns.ConsumerAdmission));
    }

    [Fact]
    public async Task ExtraGate_T26_Throws_Denied()
    {
        using TrustAuthority authority = Authority(consumersOpen: true, extra: new ThrowingGate());
        Assert.False(await AllowAsync(authority, _stranger, "aster/1"));
        Assert.Contains(_log.Entries, e => e.EventId == 4011 && e.Exception is InvalidOperationException);
    }

    [Fact]
    public async Task ExtraGate_T26_NoAnswerWithinHookTimeout_DeniedAndCancelled()
    {
        var gate = new SilentGate();
        using TrustAuthority authority = Authority(consumersOpen: true, extra: gate);
        ValueTask<bool> pending = authority.AllowConnectionAsync(_stranger, "aster/1");
        Assert.False(pending.IsCompleted);
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.False(await pending.AsTask().DefaultTimeout());
        Assert.True(gate.Token.IsCancellationRequested);
        Assert.Contains(_log.Entries, e => e.EventId == 4011 && e.Message.Contains("did not answer within 5000 ms", StringComparison.Ordinal));
    }

    private sealed class CountingGate(bool answer) : IConnectionGate
    {
        public int Calls { get; private set; }

        public ValueTask<bool> AllowAsync(EndpointId peer, string alpn, CancellationToken cancellationToken)
        {
            Calls++;
            return ValueTask.FromResult(answer);
        }
    }

    private sealed class ThrowingGate : IConnectionGate
    {
        public ValueTask<bool> AllowAsync(EndpointId peer, string alpn, CancellationToken cancellationToken) => throw new InvalidOperationException("hook broke");
    }

    private sealed class SilentGate : IConnectionGate
    {
        private readonly TaskCompletionSource<bool> _never = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationToken Token { get; private set; }

        public ValueTask<bool> AllowAsync(EndpointId peer, string alpn, CancellationToken cancellationToken)
        {
            Token = cancellationToken;
            return new ValueTask<bool>(_never.Task);
        }
    }

    private sealed class ThrowingMesh : IMeshMembership
    {
        public string GossipTopicHex => throw new InvalidOperationException("mesh state unavailable");

        public bool IsMember(EndpointId peer) => throw new InvalidOperationException("mesh state unavailable");
    }
}
