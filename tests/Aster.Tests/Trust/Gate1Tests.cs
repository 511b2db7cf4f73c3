using System.Text;
using System.Text.Json.Nodes;
using Aster.Net.Identity;
using Aster.Testing;
using Aster.Trust;

namespace Aster.Tests.Trust;

/// <summary>Gate 1 attack cases of trust.md section 13 that need no network (T1–T17, T19, T21–T23, T30).</summary>
public sealed class Gate1Tests : IDisposable
{
    private const ulong Expiry = 1893456000;
    private static readonly EndpointId _node = EndpointId.Parse("8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394");
    private static readonly EndpointId _other = EndpointId.FromBytes(Enumerable.Repeat((byte)9, 32).ToArray());
    private readonly RootKey _root = RootKey.FromSeed(Enumerable.Repeat((byte)1, 32).ToArray());
    private readonly RootKey _wrongRoot = RootKey.FromSeed(Enumerable.Repeat((byte)3, 32).ToArray());
    private readonly ManualTimeProvider _clock = new();
    private readonly InMemoryNonceStore _nonces;
    private readonly CredentialVerifier _verifier;

    public Gate1Tests()
    {
        _nonces = new InMemoryNonceStore(_clock);
        _verifier = new CredentialVerifier(_root.PublicKey, _clock, _nonces);
    }

    public void Dispose()
    {
        _root.Dispose();
        _wrongRoot.Dispose();
    }

    private ConsumerEnrollmentCredential V2() => _root.SignPolicy(_node, Expiry, new Dictionary<string, string> { ["aster.role"] = "ops.status,ops.logs" });

    private ConsumerEnrollmentCredential V3() => _root.SignConsumer(ConsumerCredentialType.OneTimeToken, null, Expiry, new Dictionary<string, string>(), Enumerable.Repeat((byte)0xee, 32).ToArray());

    private static JsonObject Doc(ConsumerEnrollmentCredential c) => JsonNode.Parse(c.ToWireJson())!.AsObject();

    private CredentialRefusal Check(JsonObject doc, EndpointId peer) => _verifier.VerifyConsumer(Encoding.UTF8.GetBytes(doc.ToJsonString()), peer).Refusal;

    private CredentialRefusal Check(string json, EndpointId peer) => _verifier.VerifyConsumer(Encoding.UTF8.GetBytes(json), peer).Refusal;

    [Fact]
    public void VerifyConsumer_V2FromBoundPeer_AcceptsWithAttributes()
    {
        CredentialCheckResult result = _verifier.VerifyConsumer(V2().ToWireJson(), _node);
        Assert.True(result.Accepted);
        Assert.Equal("ops.status,ops.logs", result.Attributes["aster.role"]);
        Assert.Equal(Expiry, result.ExpiresAt);
    }

    [Fact]
    public void VerifyConsumer_T1_EndpointIdCharChanged_SignatureInvalid()
    {
        JsonObject doc = Doc(V2());
        string id = (string)doc["endpoint_id"]!;
        string changed = (id[0] == '8' ? "9" : "8") + id[1..];
        doc["endpoint_id"] = changed;
        Assert.Equal(CredentialRefusal.SignatureInvalid, Check(doc, EndpointId.FromBytes(Hex.Decode(changed))));
    }

    [Fact]
    public void VerifyConsumer_T2_ExpiresAtPlusOne_SignatureInvalid()
    {
        JsonObject doc = Doc(V2());
        doc["expires_at"] = Expiry + 1;
        Assert.Equal(CredentialRefusal.SignatureInvalid, Check(doc, _node));
    }

    [Theory]
    [InlineData("change")]
    [InlineData("add")]
    [InlineData("remove")]
    public void VerifyConsumer_T3_AttributesTampered_SignatureInvalid(string how)
    {
        JsonObject doc = Doc(V2());
        JsonObject attributes = doc["attributes"]!.AsObject();
        switch (how)
        {
            case "change":
                attributes["aster.role"] = "ops.admin";
                break;
            case "add":
                attributes["extra"] = "x";
                break;
            default:
                attributes.Remove("aster.role");
                break;
        }

        Assert.Equal(CredentialRefusal.SignatureInvalid, Check(doc, _node));
    }

    [Fact]
    public void VerifyConsumer_T4_AttributeKeysReordered_Accepts()
    {
        ConsumerEnrollmentCredential c = _root.SignPolicy(_node, Expiry, new Dictionary<string, string> { ["b"] = "2", ["a"] = "1", ["aster.role"] = "x" });
        JsonObject doc = Doc(c);
        doc["attributes"] = new JsonObject { ["aster.role"] = "x", ["a"] = "1", ["b"] = "2" };
        Assert.Equal(CredentialRefusal.None, Check(doc, _node));
    }

    [Fact]
    public void VerifyConsumer_T5_SignedOverAsciiEscapedOrUtf16SortedJson_SignatureInvalid()
    {
        Dictionary<string, string> attributes = new() { ["\uFF5E"] = "4", ["\U0001F600"] = "3", ["\u00e9"] = "1" };
        byte[] canonical = CanonicalJson.EncodeAttributes(attributes);
        string[] wrong =
        [
            "{\"\\u00e9\":\"1\",\"\\uff5e\":\"4\",\"\\ud83d\\ude00\":\"3\"}", // ASCII-escaped
            "{\"\u00e9\":\"1\",\"\U0001F600\":\"3\",\"\uFF5E\":\"4\"}", // UTF-16 ordinal order
        ];
        foreach (string w in wrong)
        {
            byte[] good = CredentialSigning.ConsumerSigningBytes(ConsumerCredentialType.Policy, null, _root.PublicKey, Expiry, attributes, null);
            int jsonStart = 2 + 32 + 8;
            byte[] bad = [.. good.AsSpan(0, jsonStart), .. Encoding.UTF8.GetBytes(w), 0];
            Assert.NotEqual(canonical, Encoding.UTF8.GetBytes(w));
            ConsumerEnrollmentCredential forged = new(ConsumerCredentialType.Policy, _root.PublicKey, Expiry, attributes, null, null, _root.Sign(bad));
            Assert.Equal(CredentialRefusal.SignatureInvalid, _verifier.VerifyConsumer(forged, _node).Refusal);
        }
    }

    [Fact]
    public void VerifyConsumer_T6_PolicyTurnedIntoOttWithNonce_SignatureInvalid()
    {
        JsonObject doc = Doc(V2());
        doc["credential_type"] = "ott";
        doc["nonce"] = new string('a', 64);
        Assert.Equal(CredentialRefusal.SignatureInvalid, Check(doc, _node));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(31)]
    [InlineData(33)]
    public void VerifyConsumer_T7_OttNonceMissingOrWrongLength_Malformed(int? length)
    {
        JsonObject doc = Doc(V3());
        if (length is int n)
        {
            doc["nonce"] = new string('e', n * 2);
        }
        else
        {
            doc.Remove("nonce");
        }

        Assert.Equal(CredentialRefusal.Malformed, Check(doc, _node));
    }

    [Fact]
    public void VerifyConsumer_T8_PolicyWithNonce_Malformed()
    {
        JsonObject doc = Doc(V2());
        doc["nonce"] = new string('e', 64);
        Assert.Equal(CredentialRefusal.Malformed, Check(doc, _node));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void VerifyConsumer_T9_EndpointIdRemovedOrNull_SignatureInvalid(bool remove)
    {
        JsonObject doc = Doc(V2());
        if (remove)
        {
            doc.Remove("endpoint_id");
        }
        else
        {
            doc["endpoint_id"] = null;
        }

        Assert.Equal(CredentialRefusal.SignatureInvalid, Check(doc, _node));
    }

    [Fact]
    public void VerifyConsumer_T10_SignedByOtherRootNamingItself_UntrustedRoot()
    {
        ConsumerEnrollmentCredential c = _wrongRoot.SignPolicy(_node, Expiry, new Dictionary<string, string>());
        Assert.True(c.VerifySignature());
        Assert.Equal(CredentialRefusal.UntrustedRoot, _verifier.VerifyConsumer(c.ToWireJson(), _node).Refusal);
    }

    [Fact]
    public void VerifyConsumer_T11_SignedByOtherKeyNamingServerRoot_SignatureInvalid()
    {
        ConsumerEnrollmentCredential c = _wrongRoot.SignPolicy(_node, Expiry, new Dictionary<string, string>());
        JsonObject doc = Doc(c);
        doc["root_pubkey"] = Hex.Encode(_root.PublicKey);
        Assert.Equal(CredentialRefusal.SignatureInvalid, Check(doc, _node));
    }

    [Theory]
    [InlineData(0, CredentialRefusal.Expired)]
    [InlineData(-1, CredentialRefusal.Expired)]
    [InlineData(1, CredentialRefusal.None)]
    public void VerifyConsumer_T12_ExpiryBoundary(int offset, CredentialRefusal expected)
    {
        ulong now = (ulong)_clock.GetUtcNow().ToUnixTimeSeconds();
        ConsumerEnrollmentCredential c = _root.SignPolicy(_node, (ulong)((long)now + offset), new Dictionary<string, string>());
        Assert.Equal(expected, _verifier.VerifyConsumer(c, _node).Refusal);
    }

    [Fact]
    public void VerifyConsumer_T13_OttFromTwoEndpoints_SecondIsReplay()
    {
        byte[] json = V3().ToWireJson();
        Assert.Equal(CredentialRefusal.None, _verifier.VerifyConsumer(json, _node).Refusal);
        Assert.Equal(CredentialRefusal.Replayed, _verifier.VerifyConsumer(json, _other).Refusal);
    }

    [Fact]
    public void VerifyConsumer_T14_BoundOttTwiceFromSameEndpoint_SecondFlaggedSameEndpointOneEntry()
    {
        ConsumerEnrollmentCredential v4 = _root.SignConsumer(ConsumerCredentialType.OneTimeToken, _node, Expiry, new Dictionary<string, string> { ["aster.role"] = "ops.status" }, Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        Assert.Equal(CredentialRefusal.None, _verifier.VerifyConsumer(v4, _node).Refusal);
        Assert.Equal(CredentialRefusal.ReplayedBySameEndpoint, _verifier.VerifyConsumer(v4, _node).Refusal);
        Assert.Equal(1, _nonces.Count);
    }

    [Fact]
    public void VerifyConsumer_T15_ReplayAfterRestart_Refused()
    {
        string dir = Path.Combine(Path.GetTempPath(), "aster-trust-" + Guid.NewGuid().ToString("N"));
        try
        {
            string path = Path.Combine(dir, "nonces.json");
            byte[] json = V3().ToWireJson();
            using (FileNonceStore store = new(path, _clock))
            {
                Assert.True(new CredentialVerifier(_root.PublicKey, _clock, store).VerifyConsumer(json, _node).Accepted);
            }

            using FileNonceStore reopened = new(path, _clock);
            Assert.Equal(CredentialRefusal.Replayed, new CredentialVerifier(_root.PublicKey, _clock, reopened).VerifyConsumer(json, _other).Refusal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void VerifyProducer_T16_PeerDiffersFromEndpointId_EndpointMismatch()
    {
        EnrollmentCredential v1 = _root.SignProducer(_node, Expiry, new Dictionary<string, string> { ["aster.role"] = "producer" });
        Assert.Equal(CredentialRefusal.EndpointMismatch, _verifier.VerifyProducer(v1.ToWireJson(), _other).Refusal);
        Assert.True(_verifier.VerifyProducer(v1.ToWireJson(), _node).Accepted);
    }

    [Fact]
    public void VerifyConsumer_T17_BoundPolicyFromOtherEndpoint_EndpointMismatch()
    {
        Assert.Equal(CredentialRefusal.EndpointMismatch, _verifier.VerifyConsumer(V2().ToWireJson(), _other).Refusal);
    }

    [Theory]
    [InlineData("invalid-utf8")]
    [InlineData("trailing")]
    [InlineData("duplicate")]
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
    [InlineData("empty")]
    [InlineData("oversize")]
    public void VerifyConsumer_T19_MalformedDocuments_Malformed(string mutation)
    {
        string json = Encoding.UTF8.GetString(V2().ToWireJson());
        string sig = Hex.Encode(V2().Signature);
        byte[] bytes = mutation switch
        {
            "invalid-utf8" => [.. Encoding.UTF8.GetBytes(json[..^1]), 0xff, (byte)'}'],
            "trailing" => Encoding.UTF8.GetBytes(json + "{}"),
            "duplicate" => Encoding.UTF8.GetBytes(json.Replace("{\"credential_type\":\"policy\"", "{\"credential_type\":\"policy\",\"credential_type\":\"policy\"", StringComparison.Ordinal)),
            "expires-string" => Encoding.UTF8.GetBytes(json.Replace("1893456000", "\"1893456000\"", StringComparison.Ordinal)),
            "expires-float" => Encoding.UTF8.GetBytes(json.Replace("1893456000", "1893456000.0", StringComparison.Ordinal)),
            "expires-negative" => Encoding.UTF8.GetBytes(json.Replace("1893456000", "-1", StringComparison.Ordinal)),
            "attribute-number" => Encoding.UTF8.GetBytes(json.Replace("\"ops.status,ops.logs\"", "5", StringComparison.Ordinal)),
            "signature-126" => Encoding.UTF8.GetBytes(json.Replace(sig, sig[..126], StringComparison.Ordinal)),
            "signature-130" => Encoding.UTF8.GetBytes(json.Replace(sig, sig + "00", StringComparison.Ordinal)),
            "non-hex" => Encoding.UTF8.GetBytes(json.Replace(sig, "zz" + sig[2..], StringComparison.Ordinal)),
            "uppercase-endpoint" => Encoding.UTF8.GetBytes(json.Replace(_node.ToString(), _node.ToString().ToUpperInvariant(), StringComparison.Ordinal)),
            "empty-endpoint" => Encoding.UTF8.GetBytes(json.Replace(_node.ToString(), string.Empty, StringComparison.Ordinal)),
            "depth-51" => Encoding.UTF8.GetBytes(json.Replace("\"attributes\":{", "\"x\":" + new string('[', 50) + new string(']', 50) + ",\"attributes\":{", StringComparison.Ordinal)),
            "unknown-type" => Encoding.UTF8.GetBytes(json.Replace("\"policy\"", "\"admin\"", StringComparison.Ordinal)),
            "empty" => [],
            _ => Encoding.UTF8.GetBytes(json.Replace("\"attributes\":{", "\"pad\":\"" + new string('a', 64 * 1024) + "\",\"attributes\":{", StringComparison.Ordinal)),
        };
        Assert.Equal(CredentialRefusal.Malformed, _verifier.VerifyConsumer(bytes, _node).Refusal);
    }

    [Fact]
    public void Verify_T21_WrongKindOnEachAdmission_Malformed()
    {
        EnrollmentCredential producer = _root.SignProducer(_node, Expiry, new Dictionary<string, string>());
        Assert.Equal(CredentialRefusal.Malformed, _verifier.VerifyConsumer(producer.ToWireJson(), _node).Refusal);
        Assert.Equal(CredentialRefusal.Malformed, _verifier.VerifyConsumer(Encoding.UTF8.GetBytes(producer.ToFileJson()), _node).Refusal);
        Assert.Equal(CredentialRefusal.Malformed, _verifier.VerifyProducer(V2().ToWireJson(), _node).Refusal);
        Assert.Equal(CredentialRefusal.Malformed, _verifier.VerifyProducer(Encoding.UTF8.GetBytes(V3().ToFileJson()), _node).Refusal);
    }

    [Fact]
    public void VerifyConsumer_T23_IidProviderWithoutVerifier_IdentityCheckFailed_NonceNotBurnt()
    {
        ConsumerEnrollmentCredential ott = _root.SignOneTimeToken(null, Expiry, new Dictionary<string, string> { ["aster.iid_provider"] = "aws" });
        Assert.Equal(CredentialRefusal.IdentityCheckFailed, _verifier.VerifyConsumer(ott, _node, "token").Refusal);
        Assert.False(_nonces.IsConsumed(ott.Nonce));
    }

    [Fact]
    public void VerifyConsumer_IidProviderWithRegisteredVerifier_CaseInsensitiveAccepts()
    {
        CredentialVerifier verifier = new(_root.PublicKey, _clock, _nonces, new Dictionary<string, IInstanceIdentityVerifier> { ["AWS"] = new TokenIs("good") });
        ConsumerEnrollmentCredential c = _root.SignPolicy(null, Expiry, new Dictionary<string, string> { ["aster.iid_provider"] = "aws" });
        Assert.True(verifier.VerifyConsumer(c, _node, "good").Accepted);
        Assert.Equal(CredentialRefusal.IdentityCheckFailed, verifier.VerifyConsumer(c, _node, "bad").Refusal);
    }

    [Fact]
    public void VerifyProducer_T30_DenylistedEndpoint_Denylisted()
    {
        EnrollmentCredential v1 = _root.SignProducer(_node, Expiry, new Dictionary<string, string>());
        Assert.Equal(CredentialRefusal.Denylisted, _verifier.VerifyProducer(v1, _node, string.Empty, new HashSet<string> { _node.ToString() }).Refusal);
    }

    [Fact]
    public void VerifyConsumer_OttWithoutNonceStore_FailsClosed()
    {
        CredentialVerifier verifier = new(_root.PublicKey, _clock);
        Assert.Equal(CredentialRefusal.NonceStoreUnavailable, verifier.VerifyConsumer(V3(), _node).Refusal);
    }

    [Fact]
    public void Constructor_SmallOrderRoot_Throws()
    {
        Assert.Throws<TrustFormatException>(() => new CredentialVerifier(new byte[32]));
    }

    [Fact]
    public void VerifyConsumer_TypeAliasAccepted_DisagreeingAliasMalformed()
    {
        JsonObject doc = Doc(V2());
        doc["type"] = "policy";
        Assert.Equal(CredentialRefusal.None, Check(doc, _node));
        doc["type"] = "ott";
        Assert.Equal(CredentialRefusal.Malformed, Check(doc, _node));
    }

    [Fact]
    public void VerifyProducer_CamelCaseKeys_Accepted()
    {
        EnrollmentCredential v1 = _root.SignProducer(_node, Expiry, new Dictionary<string, string>());
        string json = Encoding.UTF8.GetString(v1.ToWireJson())
            .Replace("endpoint_id", "endpointId", StringComparison.Ordinal)
            .Replace("root_pubkey", "rootPubkey", StringComparison.Ordinal)
            .Replace("expires_at", "expiresAt", StringComparison.Ordinal);
        Assert.True(_verifier.VerifyProducer(Encoding.UTF8.GetBytes(json), _node).Accepted);
    }

    [Fact]
    public void VerifyProducer_UnknownTypeKeyIgnored_Accepts()
    {
        EnrollmentCredential v1 = _root.SignProducer(_node, Expiry, new Dictionary<string, string>());
        string json = "{\"type\":\"enrollment\"," + Encoding.UTF8.GetString(v1.ToWireJson())[1..];
        Assert.True(_verifier.VerifyProducer(Encoding.UTF8.GetBytes(json), _node).Accepted);
        Assert.True(_verifier.VerifyProducer(Encoding.UTF8.GetBytes(v1.ToFileJson()), _node).Accepted);
    }

    [Fact]
    public void VerifyConsumer_RandomBytes_NeverThrows()
    {
        FsCheck.Check.One(
            FsCheck.Config.QuickThrowOnFailure.WithMaxTest(500),
            FsCheck.Fluent.Prop.ForAll(FsCheck.Fluent.ArbMap.Default.ArbFor<byte[]>(), bytes =>
                _verifier.VerifyConsumer(bytes, _node).Refusal == CredentialRefusal.Malformed
                && _verifier.VerifyProducer(bytes, _node).Refusal == CredentialRefusal.Malformed));
    }

    private sealed class TokenIs(string expected) : IInstanceIdentityVerifier
    {
        public bool Verify(IReadOnlyDictionary<string, string> attributes, string iidToken) => iidToken == expected;
    }
}
