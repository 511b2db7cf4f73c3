using System.Text;
using System.Text.Json.Nodes;
using Aster.Net.Identity;
using Aster.Testing;
using Aster.Transport;
using Aster.Trust;
using Microsoft.Extensions.Logging;

namespace Aster.Tests.Trust;

/// <summary>
/// Gate 1 for consumers through <see cref="TrustAuthority"/> (trust.md 4.2, 4.5, sections 5 and 13): every attack case
/// ends in the one uniform denial, and the specific reason appears only in the local log.
/// </summary>
public sealed class TrustAuthorityTests : IDisposable
{
    private const ulong Expiry = 1893456000;
    private static readonly EndpointId _node = EndpointId.Parse("8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394");
    private static readonly EndpointId _other = EndpointId.FromBytes(Enumerable.Repeat((byte)9, 32).ToArray());
    private readonly RootKey _root = RootKey.FromSeed(Enumerable.Repeat((byte)1, 32).ToArray());
    private readonly RootKey _otherDeployment = RootKey.FromSeed(Enumerable.Repeat((byte)3, 32).ToArray());
    private readonly ManualTimeProvider _clock = new();
    private readonly LogSink _log = new();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "aster-authority-" + Guid.NewGuid().ToString("N"));
    private readonly InMemoryNonceStore _nonces;
    private readonly TrustAuthority _authority;

    public TrustAuthorityTests()
    {
        _nonces = new InMemoryNonceStore(_clock);
        _authority = new TrustAuthority(Options(nonces: _nonces));
    }

    public void Dispose()
    {
        _authority.Dispose();
        _root.Dispose();
        _otherDeployment.Dispose();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, true);
        }
    }

    private TrustAuthorityOptions Options(IOneTimeNonceStore? nonces = null, bool allowAllConsumers = false) => new()
    {
        RootPublicKey = _root.PublicKey.ToArray(),
        AllowAllConsumers = allowAllConsumers,
        NonceStore = nonces,
        TimeProvider = _clock,
        LoggerFactory = _log,
    };

    private ConsumerEnrollmentCredential V2() => _root.SignPolicy(_node, Expiry, new Dictionary<string, string> { ["aster.role"] = "ops.status,ops.logs", ["aster.name"] = "ops-shell" });

    private ConsumerEnrollmentCredential V3() => _root.SignConsumer(ConsumerCredentialType.OneTimeToken, null, Expiry, new Dictionary<string, string>(), Enumerable.Repeat((byte)0xee, 32).ToArray());

    private ConsumerEnrollmentCredential V4() => _root.SignConsumer(ConsumerCredentialType.OneTimeToken, _node, Expiry, new Dictionary<string, string> { ["aster.role"] = "ops.status" }, Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());

    private static byte[] Body(string credentialJson, string iid = "") => new ConsumerAdmissionRequest(credentialJson, iid).ToJson();

    private static byte[] Body(ConsumerEnrollmentCredential credential) => Body(Encoding.UTF8.GetString(credential.ToWireJson()));

    private static byte[] Body(JsonObject credential) => Body(credential.ToJsonString());

    private static JsonObject Doc(ConsumerEnrollmentCredential c) => JsonNode.Parse(c.ToWireJson())!.AsObject();

    private static async Task<ConsumerAdmissionDecision> AdmitAsync(TrustAuthority authority, EndpointId peer, byte[] body)
        => await authority.AdmitConsumerAsync(peer, body).AsTask().DefaultTimeout();

    /// <summary>The uniform denial: the same object for every failure, no attributes, no record; the reason only in the log.</summary>
    private async Task AssertDeniedAsync(EndpointId peer, byte[] body, string loggedReason, TrustAuthority? authority = null)
    {
        ConsumerAdmissionDecision decision = await AdmitAsync(authority ?? _authority, peer, body);
        Assert.Same(ConsumerAdmissionDecision.Denied, decision);
        Assert.False(decision.Admitted);
        Assert.Empty(decision.Attributes);
        Assert.Null((authority ?? _authority).FindAdmission(peer));
        Assert.Contains(_log.Entries, e => e.EventId is 4001 or 4003 && e.Message.Contains(loggedReason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Admit_V2FromBoundPeer_AdmittedAndRecorded()
    {
        ConsumerAdmissionDecision decision = await AdmitAsync(_authority, _node, Body(V2()));

        Assert.True(decision.Admitted);
        Assert.Equal("ops.status,ops.logs", decision.Attributes["aster.role"]);
        PeerAdmission record = Assert.IsType<PeerAdmission>(_authority.FindAdmission(_node));
        Assert.Equal(AdmissionPath.ConsumerAdmission, record.Path);
        Assert.Equal("ops-shell", record.Handle);
        Assert.Equal((long)Expiry, record.ExpiresAt);
        Assert.Equal(_clock.GetUtcNow().ToUnixTimeSeconds(), record.AdmittedAt);
        LogSink.LogEntry admitted = Assert.Single(_log.Entries, e => e.EventId == 4002);
        Assert.Contains("8139770e...b394", admitted.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_node.ToString(), admitted.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admit_T1_EndpointIdTampered_DeniedSignatureInvalid()
    {
        JsonObject doc = Doc(V2());
        string changed = "9" + _node.ToString()[1..];
        doc["endpoint_id"] = changed;
        await AssertDeniedAsync(EndpointId.FromBytes(Convert.FromHexString(changed)), Body(doc), "signature invalid");
    }

    [Fact]
    public async Task Admit_T2T3_ExpiryOrAttributesTampered_DeniedSignatureInvalid()
    {
        JsonObject expiry = Doc(V2());
        expiry["expires_at"] = Expiry + 1;
        await AssertDeniedAsync(_node, Body(expiry), "signature invalid");

        JsonObject role = Doc(V2());
        role["attributes"]!["aster.role"] = "ops.admin";
        await AssertDeniedAsync(_node, Body(role), "signature invalid");
    }

    [Fact]
    public async Task Admit_T6T9_TypeOrBindingChanged_DeniedSignatureInvalid()
    {
        JsonObject ott = Doc(V2());
        ott["credential_type"] = "ott";
        ott["nonce"] = new string('a', 64);
        await AssertDeniedAsync(_node, Body(ott), "signature invalid");

        JsonObject unbound = Doc(V2());
        unbound["endpoint_id"] = null;
        await AssertDeniedAsync(_node, Body(unbound), "signature invalid");
    }

    [Fact]
    public async Task Admit_T7T8_NonceShapeWrong_DeniedMalformed()
    {
        JsonObject missing = Doc(V3());
        missing.Remove("nonce");
        await AssertDeniedAsync(_node, Body(missing), "malformed credential");

        JsonObject policyWithNonce = Doc(V2());
        policyWithNonce["nonce"] = new string('e', 64);
        await AssertDeniedAsync(_node, Body(policyWithNonce), "malformed credential");
    }

    [Fact]
    public async Task Admit_T10_OtherDeploymentsCredential_DeniedUntrustedRoot()
    {
        ConsumerEnrollmentCredential foreign = _otherDeployment.SignPolicy(_node, Expiry, new Dictionary<string, string> { ["aster.role"] = "ops.status" });
        await AssertDeniedAsync(_node, Body(foreign), "untrusted root");
    }

    [Fact]
    public async Task Admit_T11_SignedByOtherKeyNamingOurRoot_DeniedSignatureInvalid()
    {
        JsonObject doc = Doc(_otherDeployment.SignPolicy(_node, Expiry, new Dictionary<string, string>()));
        doc["root_pubkey"] = Hex.Encode(_root.PublicKey);
        await AssertDeniedAsync(_node, Body(doc), "signature invalid");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task Admit_T12_ExpiredAtOrBeforeNow_DeniedExpired(int offset)
    {
        long now = _clock.GetUtcNow().ToUnixTimeSeconds();
        await AssertDeniedAsync(_node, Body(_root.SignPolicy(_node, (ulong)(now + offset), new Dictionary<string, string>())), "expired");
    }

    [Fact]
    public async Task Admit_T12_ExpiresInOneSecond_AdmittedThenRecordDiesWithCredential()
    {
        long now = _clock.GetUtcNow().ToUnixTimeSeconds();
        Assert.True((await AdmitAsync(_authority, _node, Body(_root.SignPolicy(_node, (ulong)(now + 1), new Dictionary<string, string>())))).Admitted);
        Assert.NotNull(_authority.FindAdmission(_node));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(_authority.FindAdmission(_node));
    }

    [Fact]
    public async Task Admit_T13_OttFromSecondEndpoint_DeniedReplay()
    {
        Assert.True((await AdmitAsync(_authority, _node, Body(V3()))).Admitted);
        await AssertDeniedAsync(_other, Body(V3()), "one-time token replayed");
        Assert.NotNull(_authority.FindAdmission(_node));
    }

    [Fact]
    public async Task Admit_T14_BoundOttTwiceWhileLive_BothAdmittedOneNonce()
    {
        ConsumerAdmissionDecision first = await AdmitAsync(_authority, _node, Body(V4()));
        _clock.Advance(TimeSpan.FromSeconds(60));
        ConsumerAdmissionDecision second = await AdmitAsync(_authority, _node, Body(V4()));

        Assert.True(first.Admitted);
        Assert.True(second.Admitted);
        Assert.Equal("ops.status", second.Attributes["aster.role"]);
        Assert.Equal(1, _nonces.Count);
        Assert.Contains(_log.Entries, e => e.EventId == 4004);
        Assert.Equal(_clock.GetUtcNow().ToUnixTimeSeconds() - 60, _authority.FindAdmission(_node)!.AdmittedAt); // not refreshed
    }

    [Fact]
    public async Task Admit_OttAgainAfterItsAdmissionEnded_DeniedReplay()
    {
        Assert.True((await AdmitAsync(_authority, _node, Body(V4()))).Admitted);
        _clock.Advance(PeerStore.DefaultPeerTtl);
        await AssertDeniedAsync(_node, Body(V4()), "after the admission it gave has ended");
    }

    [Fact]
    public async Task Admit_OttAgainAfterPolicyReplacedItsAdmission_DeniedReplay()
    {
        Assert.True((await AdmitAsync(_authority, _node, Body(V4()))).Admitted);
        Assert.True((await AdmitAsync(_authority, _node, Body(V2()))).Admitted);
        ConsumerAdmissionDecision again = await AdmitAsync(_authority, _node, Body(V4()));
        Assert.Same(ConsumerAdmissionDecision.Denied, again);
        Assert.Equal(AdmissionPath.ConsumerAdmission, _authority.FindAdmission(_node)!.Path); // the policy record stays
    }

    [Fact]
    public async Task Admit_T15_ReplayAfterRestart_DeniedAndOttConsumerStillAdmitted()
    {
        using (TrustAuthority before = TrustAuthority.OpenDurable(Options(), _dir))
        {
            Assert.True((await AdmitAsync(before, _node, Body(V3()))).Admitted);
        }

        Assert.True(File.Exists(Path.Combine(_dir, "nonces.json")));
        Assert.True(File.Exists(Path.Combine(_dir, "admissions.json")));
        using TrustAuthority after = TrustAuthority.OpenDurable(Options(), _dir);

        PeerAdmission survived = Assert.IsType<PeerAdmission>(after.FindAdmission(_node));
        Assert.Equal(AdmissionPath.ConsumerAdmission, survived.Path);
        await AssertDeniedAsync(_other, Body(V3()), "one-time token replayed", after);
        Assert.True((await AdmitAsync(after, _node, Body(V3()))).Admitted); // idempotent for the consumer, still live
    }

    [Fact]
    public async Task NonceCollection_RunsEveryTenMinutes_DropsEntriesPastExpiryPlusMargin()
    {
        long now = _clock.GetUtcNow().ToUnixTimeSeconds();
        ConsumerEnrollmentCredential shortLived = _root.SignConsumer(ConsumerCredentialType.OneTimeToken, null, (ulong)(now + 60), new Dictionary<string, string>(), Enumerable.Repeat((byte)0x11, 32).ToArray());
        Assert.True((await AdmitAsync(_authority, _node, Body(shortLived))).Admitted);
        Assert.Equal(1, _nonces.Count);
        _clock.Advance(TrustAuthority.NonceCollectionInterval); // 600 s ≥ 60 + 300
        Assert.Equal(0, _nonces.Count);
    }

    [Fact]
    public async Task Admit_T17_BoundPolicyFromAnotherEndpoint_DeniedEndpointMismatch()
    {
        await AssertDeniedAsync(_other, Body(V2()), "bound to another endpoint");
    }

    [Fact]
    public async Task Admit_T18_BodyOver64KiB_DeniedWithoutParsing()
    {
        byte[] body = new byte[(64 * 1024) + 1];
        body.AsSpan().Fill((byte)' ');
        await AssertDeniedAsync(_node, body, "exceeds 65536");
    }

    [Theory]
    [InlineData("invalid-utf8")]
    [InlineData("trailing")]
    [InlineData("duplicate-key")]
    [InlineData("credential-object")]
    [InlineData("expires-string")]
    [InlineData("expires-float")]
    [InlineData("expires-negative")]
    [InlineData("attribute-number")]
    [InlineData("signature-126")]
    [InlineData("signature-130")]
    [InlineData("non-hex")]
    [InlineData("uppercase-endpoint")]
    [InlineData("empty-endpoint")]
    [InlineData("depth-51")]
    [InlineData("unknown-type")]
    [InlineData("empty-body")]
    [InlineData("not-json")]
    public async Task Admit_T19_MalformedRequests_DeniedMalformed(string mutation)
    {
        string credential = Encoding.UTF8.GetString(V2().ToWireJson());
        string sig = Hex.Encode(V2().Signature);
        string request = Encoding.UTF8.GetString(Body(credential));
        byte[] body = mutation switch
        {
            "invalid-utf8" => [.. Encoding.UTF8.GetBytes(request[..^1]), 0xff, (byte)'}'],
            "trailing" => Encoding.UTF8.GetBytes(request + "{}"),
            "duplicate-key" => Encoding.UTF8.GetBytes(request.Replace("{\"credential_json\"", "{\"iid_token\":\"\",\"credential_json\"", StringComparison.Ordinal)),
            "credential-object" => Encoding.UTF8.GetBytes("{\"credential_json\":" + credential + ",\"iid_token\":\"\"}"),
            "expires-string" => Body(credential.Replace("1893456000", "\"1893456000\"", StringComparison.Ordinal)),
            "expires-float" => Body(credential.Replace("1893456000", "1893456000.0", StringComparison.Ordinal)),
            "expires-negative" => Body(credential.Replace("1893456000", "-1", StringComparison.Ordinal)),
            "attribute-number" => Body(credential.Replace("\"ops-shell\"", "5", StringComparison.Ordinal)),
            "signature-126" => Body(credential.Replace(sig, sig[..126], StringComparison.Ordinal)),
            "signature-130" => Body(credential.Replace(sig, sig + "00", StringComparison.Ordinal)),
            "non-hex" => Body(credential.Replace(sig, "zz" + sig[2..], StringComparison.Ordinal)),
            "uppercase-endpoint" => Body(credential.Replace(_node.ToString(), _node.ToString().ToUpperInvariant(), StringComparison.Ordinal)),
            "empty-endpoint" => Body(credential.Replace(_node.ToString(), string.Empty, StringComparison.Ordinal)),
            "depth-51" => Body(credential.Replace("\"attributes\":{", "\"x\":" + new string('[', 50) + new string(']', 50) + ",\"attributes\":{", StringComparison.Ordinal)),
            "unknown-type" => Body(credential.Replace("\"policy\"", "\"admin\"", StringComparison.Ordinal)),
            "empty-body" => [],
            _ => "not json at all"u8.ToArray(),
        };
        await AssertDeniedAsync(_node, body, "malformed");
    }

    [Fact]
    public async Task Admit_T21_ProducerCredentialOnConsumerAdmission_DeniedMalformed()
    {
        EnrollmentCredential producer = _root.SignProducer(_node, Expiry, new Dictionary<string, string> { ["aster.role"] = "producer" });
        await AssertDeniedAsync(_node, Body(Encoding.UTF8.GetString(producer.ToWireJson())), "malformed credential");
    }

    [Fact]
    public async Task Admit_T22_OpenGate_EmptyAutoAdmittedButBadCredentialDenied()
    {
        using TrustAuthority open = new(Options(nonces: _nonces, allowAllConsumers: true));
        foreach (string empty in new[] { string.Empty, "{}", "null" })
        {
            ConsumerAdmissionDecision auto = await AdmitAsync(open, _node, Body(empty));
            Assert.True(auto.Admitted);
            Assert.Empty(auto.Attributes);
        }

        PeerAdmission record = Assert.IsType<PeerAdmission>(open.FindAdmission(_node));
        Assert.Equal(AdmissionPath.OpenGate, record.Path);
        Assert.Equal(0, record.ExpiresAt);

        JsonObject tampered = Doc(V2());
        tampered["expires_at"] = Expiry + 1;
        await AssertDeniedAsync(_other, Body(tampered), "signature invalid", open);
    }

    [Fact]
    public async Task Admit_GatedWithoutCredential_Denied()
    {
        await AssertDeniedAsync(_node, Body(string.Empty), "no credential");
    }

    [Fact]
    public async Task Admit_T23_IidProviderWithoutVerifier_DeniedAndTokenNotBurnt()
    {
        ConsumerEnrollmentCredential ott = _root.SignOneTimeToken(null, Expiry, new Dictionary<string, string> { ["aster.iid_provider"] = "aws" });
        await AssertDeniedAsync(_node, Body(Encoding.UTF8.GetString(ott.ToWireJson()), "token"), "cloud identity");
        Assert.False(_nonces.IsConsumed(ott.Nonce));
    }

    [Fact]
    public async Task Admit_NonceStoreFails_DeniedAndLoggedAsError()
    {
        using TrustAuthority authority = new(Options(nonces: new FailingNonceStore()));
        await AssertDeniedAsync(_node, Body(V3()), "nonce store is unavailable", authority);
        Assert.Contains(_log.Entries, e => e.EventId == 4003 && e.Level == LogLevel.Error);
    }

    [Fact]
    public async Task Admit_NoNonceStore_OttDeniedPolicyAdmitted()
    {
        using TrustAuthority authority = new(Options());
        await AssertDeniedAsync(_node, Body(V3()), "nonce store is unavailable", authority);
        Assert.True((await AdmitAsync(authority, _node, Body(V2()))).Admitted);
    }

    [Fact]
    public async Task Admit_DenialLogs_NeverCarryCredentialSignatureOrNonce()
    {
        ConsumerEnrollmentCredential ott = V4();
        await AdmitAsync(_authority, _other, Body(ott)); // endpoint mismatch
        JsonObject unsigned = Doc(V2());
        unsigned.Remove("signature");
        await AdmitAsync(_authority, _node, Body(unsigned)); // malformed
        string signature = Hex.Encode(ott.Signature);
        string nonce = Hex.Encode(ott.Nonce);
        Assert.NotEmpty(_log.Entries);
        Assert.DoesNotContain(_log.Entries, e => e.Message.Contains(signature, StringComparison.Ordinal)
            || e.Message.Contains(nonce, StringComparison.Ordinal)
            || e.Message.Contains(_other.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public void Constructor_GateClosedWithoutRootKey_Throws()
    {
        Assert.Throws<ArgumentException>(() => new TrustAuthority(new TrustAuthorityOptions()));
        Assert.Throws<ArgumentException>(() => new TrustAuthority(new TrustAuthorityOptions { AllowAllConsumers = true, AllowAllProducers = false }));
    }

    [Fact]
    public void Constructor_T40_SmallOrderRootKey_Throws()
    {
        byte[] identity = new byte[32];
        identity[0] = 1; // the neutral element: small order
        Assert.Throws<TrustFormatException>(() => new TrustAuthority(new TrustAuthorityOptions { RootPublicKey = identity }));
    }

    [Fact]
    public void OpenDurable_T39_CorruptNonceFile_ThrowsNamingTheFile()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "nonces.json"), "{not json");
        TrustFormatException ex = Assert.Throws<TrustFormatException>(() => TrustAuthority.OpenDurable(Options(), _dir));
        Assert.Contains("nonces.json", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BothGatesOpenWithoutRootKey_ZeroRootAndCredentialsDenied()
    {
        using TrustAuthority open = new(new TrustAuthorityOptions { AllowAllConsumers = true, LoggerFactory = _log, TimeProvider = _clock });
        Assert.Equal(new string('0', 64), open.RootPublicKeyHex);
        Assert.True((await AdmitAsync(open, _node, Body(string.Empty))).Admitted);
        await AssertDeniedAsync(_other, Body(V2()), "no root key", open);
    }

    [Fact]
    public async Task CreateDevMode_EphemeralRootConsumersOpenWarns()
    {
        using TrustAuthority dev = TrustAuthority.CreateDevMode(_log, _clock);
        Assert.True(dev.IsDevMode);
        Assert.False(dev.ConsumersGated);
        Assert.False(dev.ProducersGated);
        Assert.NotEqual(new string('0', 64), dev.RootPublicKeyHex);
        Assert.True(await dev.AllowConnectionAsync(_other, "aster/1").AsTask().DefaultTimeout());
        Assert.True((await AdmitAsync(dev, _node, Body(string.Empty))).Admitted);
        Assert.Contains(_log.Entries, e => e.EventId == 4020 && e.Level == LogLevel.Warning);
        using TrustAuthority second = TrustAuthority.CreateDevMode();
        Assert.NotEqual(dev.RootPublicKeyHex, second.RootPublicKeyHex);
    }

    [Fact]
    public void GossipTopicFor_OnlyTheRootKeyHolderGetsTheMeshTopic()
    {
        string topic = new('7', 64);
        using TrustAuthority withMesh = new(new TrustAuthorityOptions { RootPublicKey = _root.PublicKey.ToArray(), Mesh = new FixedMesh(topic, []) });
        Assert.Equal(topic, withMesh.GossipTopicFor(EndpointId.FromBytes(_root.PublicKey)));
        Assert.Null(withMesh.GossipTopicFor(_node));
    }

    [Fact]
    public void GossipTopicFor_NoMesh_RootKeyHolderGetsAnEphemeralPerRunTopic()
    {
        // trust.md 9.1: producers open, so no mesh; the node still has a per-run salt and topic for the root shell.
        EndpointId rootShell = EndpointId.FromBytes(_root.PublicKey);
        string? topic = _authority.GossipTopicFor(rootShell);
        using TrustAuthority other = new(new TrustAuthorityOptions { RootPublicKey = _root.PublicKey.ToArray() });

        Assert.Matches("^[0-9a-f]{64}$", topic);
        Assert.Equal(topic, _authority.GossipTopicFor(rootShell));
        Assert.NotEqual(topic, other.GossipTopicFor(rootShell));
        Assert.Null(_authority.GossipTopicFor(_node));
    }

    [Fact]
    public void AttachMesh_GatedProducers_AdmitsMembersAndHandsOutTheMeshTopic()
    {
        string topic = new('7', 64);
        using TrustAuthority authority = new(new TrustAuthorityOptions { RootPublicKey = _root.PublicKey.ToArray(), AllowAllProducers = false });
        Assert.Null(authority.FindAdmission(_node));

        authority.AttachMesh(new FixedMesh(topic, [_node]));

        Assert.Equal(AdmissionPath.ProducerAdmission, authority.FindAdmission(_node)!.Path);
        Assert.Empty(authority.FindAdmission(_node)!.Attributes);
        Assert.True(authority.StillQualifies(_node, AsterAlpns.Rpc));
        Assert.Equal(topic, authority.GossipTopicFor(EndpointId.FromBytes(_root.PublicKey)));
        Assert.Throws<InvalidOperationException>(() => authority.AttachMesh(new FixedMesh(topic, [])));
        Assert.Throws<InvalidOperationException>(() => _authority.AttachMesh(new FixedMesh(topic, [])));
    }

    private sealed class FailingNonceStore : IOneTimeNonceStore
    {
        public NonceConsumeResult TryConsume(ReadOnlySpan<byte> nonce, ulong expiresAt, EndpointId endpoint) => throw new IOException("disk gone");

        public bool IsConsumed(ReadOnlySpan<byte> nonce) => throw new IOException("disk gone");

        public int CollectExpired() => 0;
    }
}

/// <summary>A mesh with a fixed member list, for gate 0 and gossip-topic tests.</summary>
internal sealed class FixedMesh(string topic, IEnumerable<EndpointId> members) : IMeshMembership
{
    private readonly HashSet<EndpointId> _members = [.. members];

    public string GossipTopicHex => topic;

    public bool IsMember(EndpointId peer) => _members.Contains(peer);
}
