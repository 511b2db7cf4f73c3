using System.Text;
using System.Text.Json;
using Aster.Net.Identity;
using Aster.Testing;
using Aster.Trust;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Tests.Trust;

public sealed class CredentialVectorTests
{
    private static readonly byte[] _rootSeed = Enumerable.Repeat((byte)1, 32).ToArray();

    private static Dictionary<string, string> Attributes(JsonElement e)
        => e.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);

    private static string? NullableString(JsonElement e, string key)
        => e.TryGetProperty(key, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    [VectorFact]
    public void Credentials_AllVectors_ReproduceCanonicalJsonSigningBytesAndSignatures()
    {
        using JsonDocument doc = Vectors.Load("trust.json");
        using RootKey root = RootKey.FromSeed(_rootSeed);
        Assert.Equal(doc.RootElement.GetProperty("keys").GetProperty("root_public_key").GetString(), Hex.Encode(root.PublicKey));
        int count = 0;
        foreach (JsonElement v in doc.RootElement.GetProperty("credentials").EnumerateArray())
        {
            Dictionary<string, string> attributes = Attributes(v.GetProperty("attributes"));
            byte[] rootKey = Hex.Decode(v.GetProperty("root_pubkey").GetString()!);
            ulong expires = v.GetProperty("expires_at").GetUInt64();
            string? endpoint = NullableString(v, "endpoint_id");
            Assert.Equal(Encoding.UTF8.GetBytes(v.GetProperty("canonical_attributes_json").GetString()!), CanonicalJson.EncodeAttributes(attributes));
            byte[] signing = v.GetProperty("kind").GetString() == "producer"
                ? CredentialSigning.ProducerSigningBytes(endpoint!, rootKey, expires, attributes)
                : CredentialSigning.ConsumerSigningBytes(
                    v.GetProperty("credential_type").GetString() == "ott" ? ConsumerCredentialType.OneTimeToken : ConsumerCredentialType.Policy,
                    endpoint,
                    rootKey,
                    expires,
                    attributes,
                    NullableString(v, "nonce") is string n ? Hex.Decode(n) : null);
            Assert.Equal(v.GetProperty("signing_bytes").GetString(), Hex.Encode(signing));
            Assert.Equal(v.GetProperty("signature").GetString(), Hex.Encode(root.Sign(signing)));
            count++;
        }

        Assert.Equal(7, count);
    }

    [VectorFact]
    public void SignProducer_V1_MatchesVectorAndRoundTripsThroughWireAndFileJson()
    {
        using JsonDocument doc = Vectors.Load("trust.json");
        JsonElement v = doc.RootElement.GetProperty("credentials")[0];
        using RootKey root = RootKey.FromSeed(_rootSeed);
        EnrollmentCredential cred = root.SignProducer(EndpointId.Parse(v.GetProperty("endpoint_id").GetString()!), 1893456000, Attributes(v.GetProperty("attributes")));
        Assert.Equal(v.GetProperty("signature").GetString(), Hex.Encode(cred.Signature));
        Assert.True(cred.VerifySignature());

        EnrollmentCredential wire = EnrollmentCredential.Parse(cred.ToWireJson());
        Assert.Equal(cred.GetSigningBytes(), wire.GetSigningBytes());
        Assert.True(wire.VerifySignature());
        EnrollmentCredential file = EnrollmentCredential.Parse(cred.ToFileJson());
        Assert.True(file.VerifySignature());
        Assert.StartsWith("{\n  \"type\": \"producer\",\n  \"endpoint_id\": \"8139", cred.ToFileJson(), StringComparison.Ordinal);
        Assert.StartsWith("{\"endpoint_id\":\"8139", Encoding.UTF8.GetString(cred.ToWireJson()), StringComparison.Ordinal);
    }

    [VectorFact]
    public void SignConsumer_Vectors_MatchAndRoundTrip()
    {
        using JsonDocument doc = Vectors.Load("trust.json");
        using RootKey root = RootKey.FromSeed(_rootSeed);
        foreach (JsonElement v in doc.RootElement.GetProperty("credentials").EnumerateArray())
        {
            string? endpoint = NullableString(v, "endpoint_id");
            if (v.GetProperty("kind").GetString() != "consumer" || endpoint == string.Empty)
            {
                continue;
            }

            ConsumerCredentialType type = v.GetProperty("credential_type").GetString() == "ott" ? ConsumerCredentialType.OneTimeToken : ConsumerCredentialType.Policy;
            ConsumerEnrollmentCredential cred = root.SignConsumer(
                type,
                endpoint is null ? null : EndpointId.Parse(endpoint),
                v.GetProperty("expires_at").GetUInt64(),
                Attributes(v.GetProperty("attributes")),
                NullableString(v, "nonce") is string n ? Hex.Decode(n) : null);
            Assert.Equal(v.GetProperty("signature").GetString(), Hex.Encode(cred.Signature));
            ConsumerEnrollmentCredential parsed = ConsumerEnrollmentCredential.Parse(cred.ToWireJson());
            Assert.True(parsed.VerifySignature());
            Assert.Equal(cred.GetSigningBytes(), parsed.GetSigningBytes());
            Assert.True(ConsumerEnrollmentCredential.Parse(cred.ToFileJson()).VerifySignature());
        }
    }

    [VectorFact]
    public void ParseConsumer_EmptyEndpointVector_IsMalformed()
    {
        using JsonDocument doc = Vectors.Load("trust.json");
        JsonElement v = doc.RootElement.GetProperty("credentials").EnumerateArray().Single(e => e.GetProperty("name").GetString() == "consumer-policy-empty-endpoint");
        string json = $"{{\"credential_type\":\"policy\",\"root_pubkey\":\"{v.GetProperty("root_pubkey").GetString()}\",\"expires_at\":1893456000,\"attributes\":{{}},\"endpoint_id\":\"\",\"nonce\":null,\"signature\":\"{v.GetProperty("signature").GetString()}\"}}";
        Assert.Throws<TrustFormatException>(() => ConsumerEnrollmentCredential.Parse(json));
    }

    [Fact]
    public void EncodeAttributes_SpecV5_MatchesHexAndCodePointOrder()
    {
        Dictionary<string, string> attributes = new(StringComparer.Ordinal)
        {
            ["z"] = "2",
            ["\u00e9"] = "1",
            ["\U0001F600"] = "3",
            ["\uFF5E"] = "4",
            ["a\nb"] = "\u0001\"\\/\u007f",
        };
        Assert.Equal(
            "7b22615c6e62223a225c75303030315c225c5c2f7f222c227a223a2232222c22c3a9223a2231222c22efbd9e223a2234222c22f09f9880223a2233227d",
            Hex.Encode(CanonicalJson.EncodeAttributes(attributes)));
        using RootKey root = RootKey.FromSeed(_rootSeed);
        ConsumerEnrollmentCredential cred = root.SignPolicy(null, 1893456000, attributes);
        Assert.Equal(
            "9c81ddd38a42967cdaffa8dafb1d8c32e31e4cf3eb6963c5af1209721fc4aa7819781f1267cd0d88d0ff7ea4dbb1f84908bb3c029d3e1d05716c8edb3af00906",
            Hex.Encode(cred.Signature));
    }

    [Fact]
    public void EncodeAttributes_UnpairedSurrogate_Throws()
    {
        Assert.Throws<TrustFormatException>(() => CanonicalJson.EncodeAttributes(new Dictionary<string, string> { ["k"] = "\ud800" }));
    }

    [Fact]
    public void CompareCodePoints_RandomStrings_AgreesWithUtf8ByteOrder()
    {
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(300),
            Prop.ForAll(
                ArbMap.Default.ArbFor<byte[]>(),
                ArbMap.Default.ArbFor<byte[]>(),
                (a, b) =>
                {
                    string sa = ToText(a);
                    string sb = ToText(b);
                    int expected = Math.Sign(Encoding.UTF8.GetBytes(sa).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(sb)));
                    return Math.Sign(CanonicalJson.CompareCodePoints(sa, sb)) == expected;
                }));
    }

    [Fact]
    public void RootKey_KeyFileRoundTrip_AndPublicKeyForms()
    {
        using RootKey root = RootKey.FromSeed(_rootSeed);
        string keyFile = root.ToKeyFileJson();
        Assert.Equal("{\n  \"private_key\": \"" + Hex.Encode(_rootSeed) + "\",\n  \"public_key\": \"8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c\"\n}", keyFile);
        using RootKey again = RootKey.FromKeyFileJson(keyFile);
        Assert.Equal(root.PublicKey.ToArray(), again.PublicKey.ToArray());
        Assert.Equal(root.PublicKey.ToArray(), RootKey.ParsePublicKey(keyFile));
        Assert.Equal(root.PublicKey.ToArray(), RootKey.ParsePublicKey(root.ToPublicKeyFileJson()));
        Assert.Equal(root.PublicKey.ToArray(), RootKey.ParsePublicKey("  8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c\n"));
    }

    [Fact]
    public void ParsePublicKey_SmallOrderPoint_Throws()
    {
        // T40: the identity point (01 00…00) has small order.
        Assert.Throws<TrustFormatException>(() => RootKey.ParsePublicKey("01" + new string('0', 62)));
        Assert.Throws<TrustFormatException>(() => RootKey.ParsePublicKey(new string('0', 64)));
        Assert.Throws<TrustFormatException>(() => RootKey.ParsePublicKey("xyz"));
    }

    [Fact]
    public void RootKey_Generate_SignsVerifiableCredentials()
    {
        using RootKey root = RootKey.Generate();
        ConsumerEnrollmentCredential ott = root.SignOneTimeToken(null, 4102444800, new Dictionary<string, string>());
        Assert.True(ott.VerifySignature());
        Assert.Equal(32, ott.Nonce.Length);
    }

    private static string ToText(byte[] bytes)
    {
        StringBuilder sb = new();
        int[] points = [0x41, 0x7f, 0xe9, 0xd7ff, 0xe000, 0xff5e, 0xffff, 0x10000, 0x1f600, 0x10ffff];
        foreach (byte b in bytes)
        {
            sb.Append(char.ConvertFromUtf32(points[b % points.Length]));
        }

        return sb.ToString();
    }
}
