using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Aster.Testing;
using Aster.Trust;

namespace Aster.Tests.Trust;

public sealed class AdmissionMessageTests
{
    private const string Root = "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c";

    public static TheoryData<string> ExchangeIds()
    {
        TheoryData<string> data = [];
        if (Vectors.Root is not null)
        {
            using JsonDocument doc = Vectors.Load("wire", "admission.json");
            foreach (JsonElement e in doc.RootElement.GetProperty("exchanges").EnumerateArray())
            {
                data.Add(e.GetProperty("id").GetString()!);
            }
        }

        return data;
    }

    private static (byte[] Request, byte[] Response) Exchange(string id)
    {
        using JsonDocument doc = Vectors.Load("wire", "admission.json");
        JsonElement e = doc.RootElement.GetProperty("exchanges").EnumerateArray().Single(x => x.GetProperty("id").GetString() == id);
        JsonElement[] messages = [.. e.GetProperty("messages").EnumerateArray()];
        byte[] request = Hex.Decode(messages.Single(m => m.GetProperty("dir").GetString() == "c2s").GetProperty("hex").GetString()!);
        byte[] response = Hex.Decode(messages.Single(m => m.GetProperty("dir").GetString() == "s2c").GetProperty("hex").GetString()!);
        return (request, response);
    }

    [VectorTheory]
    [MemberData(nameof(ExchangeIds))]
    public void Request_RecordedExchange_ReserializesByteExact(string id)
    {
        (byte[] request, _) = Exchange(id);
        ConsumerAdmissionRequest parsed = ConsumerAdmissionRequest.Parse(request);
        Assert.False(parsed.HasCredential);
        Assert.Equal(string.Empty, parsed.IidToken);
        Assert.Equal(request, parsed.ToJson());
    }

    [VectorTheory]
    [MemberData(nameof(ExchangeIds))]
    public void Response_RecordedExchange_ReserializesShapeExactWithoutUnknownKeys(string id)
    {
        (_, byte[] response) = Exchange(id);
        ConsumerAdmissionResponse parsed = ConsumerAdmissionResponse.Parse(response);
        Assert.True(parsed.Admitted);
        Assert.Empty(parsed.Attributes);
        Assert.NotEmpty(parsed.Services);
        Assert.Equal(64, parsed.RegistryNamespace.Length);
        Assert.Equal(string.Empty, parsed.RootPublicKey);

        JsonObject expected = JsonNode.Parse(response)!.AsObject();
        foreach (JsonNode? s in expected["services"]!.AsArray())
        {
            s!.AsObject().Remove("methods");
        }

        byte[] ours = parsed.ToJson();
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(ours)), Encoding.UTF8.GetString(ours));
        Assert.Equal(ours, ConsumerAdmissionResponse.Parse(ours).ToJson());
        Assert.StartsWith("{\"admitted\":true,\"attributes\":{},\"services\":[{\"name\":", Encoding.UTF8.GetString(ours), StringComparison.Ordinal);
    }

    [Fact]
    public void Denied_UniformDenial_MatchesSpecBytes()
    {
        Assert.Equal(
            "{\"admitted\":false,\"attributes\":{},\"services\":[],\"registry_namespace\":\"\",\"root_pubkey\":\"" + Root + "\",\"reason\":\"\"}",
            Encoding.UTF8.GetString(ConsumerAdmissionResponse.Denied(Root).ToJson()));
        Assert.Equal(
            "{\"accepted\":false,\"salt\":\"\",\"accepted_producers\":[],\"reason\":\"\"}",
            Encoding.UTF8.GetString(ProducerAdmissionResponse.Rejected().ToJson()));
    }

    [Fact]
    public void Response_GossipTopicAndAliases_Parsed()
    {
        string json = "{\"admitted\":true,\"attributes\":{\"aster.role\":\"\u00e9\"},\"services\":[{\"name\":\"S\",\"version\":2,\"contract_id\":\"" + Root + "\",\"channels\":{}}],\"registry_ticket\":\"\",\"rootPubkey\":\"" + Root + "\",\"reason\":\"\",\"gossip_topic\":\"" + Root + "\"}";
        ConsumerAdmissionResponse r = ConsumerAdmissionResponse.Parse(Encoding.UTF8.GetBytes(json));
        Assert.Equal(Root, r.RootPublicKey);
        Assert.Equal(Root, r.GossipTopic);
        Assert.Equal("shared", r.Services[0].Pattern);
        Assert.Equal(2, r.Services[0].Version);
        string written = Encoding.UTF8.GetString(r.ToJson());
        Assert.Contains("\"aster.role\":\"\\u00e9\"", written, StringComparison.Ordinal);
        Assert.EndsWith("\"reason\":\"\",\"gossip_topic\":\"" + Root + "\"}", written, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"credential_json\":{},\"iid_token\":\"\"}")]
    [InlineData("{\"iid_token\":\"\"}")]
    [InlineData("[]")]
    [InlineData("")]
    [InlineData("{\"credential_json\":\"\",\"credential_json\":\"\"}")]
    public void Request_Malformed_Throws(string json)
    {
        Assert.Throws<TrustFormatException>(() => ConsumerAdmissionRequest.Parse(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void Request_T18_OversizeBody_Throws()
    {
        byte[] body = Encoding.UTF8.GetBytes("{\"credential_json\":\"" + new string('a', (64 * 1024) - 37 + 1) + "\",\"iid_token\":\"\"}");
        Assert.Equal((64 * 1024) + 1, body.Length);
        Assert.Throws<TrustFormatException>(() => ConsumerAdmissionRequest.Parse(body));
    }

    [Theory]
    [InlineData("{}", false)]
    [InlineData("null", false)]
    [InlineData("", false)]
    [InlineData("{\"credential_type\":\"policy\"}", true)]
    public void Request_EmptySentinels_MeanNoCredential(string credential, bool has)
    {
        Assert.Equal(has, new ConsumerAdmissionRequest(credential, string.Empty).HasCredential);
    }

    [Fact]
    public void ProducerRequest_CamelCaseAndRawBody_Accepted()
    {
        Assert.Equal("x", ProducerAdmissionRequest.Parse("{\"credentialJson\":\"x\"}"u8).CredentialJson);
        string raw = "{\"endpoint_id\":\"" + Root + "\"}";
        Assert.Equal(raw, ProducerAdmissionRequest.Parse(Encoding.UTF8.GetBytes(raw)).CredentialJson);
        ProducerAdmissionRequest r = new("{\"a\":1}", "t");
        Assert.Equal("{\"credential_json\":\"{\\\"a\\\":1}\",\"iid_token\":\"t\"}", Encoding.UTF8.GetString(r.ToJson()));
        Assert.Equal(r, ProducerAdmissionRequest.Parse(r.ToJson()));
    }

    [Fact]
    public void ProducerResponse_T38_AcceptedWithEmptySalt_Throws()
    {
        Assert.Throws<TrustFormatException>(() => ProducerAdmissionResponse.Parse("{\"accepted\":true,\"salt\":\"\",\"acceptedProducers\":[],\"reason\":\"\"}"u8));
    }

    [Fact]
    public void ProducerResponse_Accepted_RoundTripsSorted()
    {
        string salt = new('1', 64);
        ProducerAdmissionResponse r = new(true, salt, [new string('b', 64), new string('a', 64)], "{\"epoch\":2}");
        string json = Encoding.UTF8.GetString(r.ToJson());
        Assert.Equal("{\"accepted\":true,\"salt\":\"" + salt + "\",\"accepted_producers\":[\"" + new string('a', 64) + "\",\"" + new string('b', 64) + "\"],\"reason\":\"\",\"salt_rotation\":{\"epoch\":2}}", json);
        ProducerAdmissionResponse back = ProducerAdmissionResponse.Parse(r.ToJson());
        Assert.Equal(r.AcceptedProducers, back.AcceptedProducers);
        Assert.Equal("{\"epoch\":2}", back.SaltRotationJson);
    }
}
