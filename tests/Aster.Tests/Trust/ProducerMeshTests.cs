using System.Text;
using System.Text.Json;
using Aster.Net.Crypto;
using Aster.Testing;
using Aster.Trust;

namespace Aster.Tests.Trust;

public sealed class ProducerMeshTests
{
    private static readonly byte[] _rootSeed = Enumerable.Repeat((byte)1, 32).ToArray();
    private static readonly byte[] _nodeSeed = Enumerable.Repeat((byte)2, 32).ToArray();
    private const string Node = "8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394";

    [VectorFact]
    public void GossipTopic_Vector_Matches()
    {
        using JsonDocument doc = Vectors.Load("trust.json");
        JsonElement v = doc.RootElement.GetProperty("gossip_topic");
        byte[] topic = GossipTopic.Derive(Hex.Decode(v.GetProperty("root_pubkey").GetString()!), Hex.Decode(v.GetProperty("salt").GetString()!));
        Assert.Equal(v.GetProperty("topic").GetString(), Hex.Encode(topic));
        Assert.Equal("9ec6a127cef0d78611f8394cd51340780448c21a63fd28eb7a563c1ba8770717", Hex.Encode(GossipTopic.Derive(Hex.Decode(v.GetProperty("root_pubkey").GetString()!), Enumerable.Repeat((byte)0x22, 32).ToArray())));
    }

    [VectorFact]
    public void MeshMessages_Vectors_SigningBytesSignaturesAndVerify()
    {
        using JsonDocument doc = Vectors.Load("trust.json");
        using Ed25519SigningKey node = new(_nodeSeed);
        foreach (JsonElement v in doc.RootElement.GetProperty("mesh_messages").EnumerateArray())
        {
            byte type = v.GetProperty("type").GetByte();
            byte[] payload = Hex.Decode(v.GetProperty("payload").GetString()!);
            string sender = v.GetProperty("sender").GetString()!;
            ulong epoch = v.GetProperty("epoch_ms").GetUInt64();
            byte[] signing = ProducerMessage.SigningBytes(type, payload, sender, epoch);
            Assert.Equal(v.GetProperty("signing_bytes").GetString(), Hex.Encode(signing));
            Assert.Equal(v.GetProperty("signature").GetString(), Hex.Encode(node.Sign(signing)));
        }
    }

    [Fact]
    public void Depart_SpecVector_EnvelopeByteExactAndRoundTrips()
    {
        using Ed25519SigningKey node = new(_nodeSeed);
        ProducerMessage m = ProducerMessage.Sign(node, (byte)ProducerMessageType.Depart, "{\"reason\":\"shutdown\"}"u8, 1700000000000);
        string expected = "{\"type\":2,\"payload\":\"7b22726561736f6e223a2273687574646f776e227d\",\"sender\":\"" + Node + "\",\"epoch_ms\":1700000000000,\"signature\":\"0dc353655a7eac533a260fdafa77ca398184b9c59970544001e0e65844280f6f13418102055b304878483c817610e480008621481921670693494c18d02ef601\"}";
        Assert.Equal(expected, Encoding.UTF8.GetString(m.ToEnvelopeJson()));
        ProducerMessage parsed = ProducerMessage.ParseEnvelope(Encoding.UTF8.GetBytes(expected));
        Assert.True(parsed.VerifySignature());
        Assert.Equal(m.ToEnvelopeJson(), parsed.ToEnvelopeJson());

        ProducerMessage empty = ProducerMessage.Sign(node, 2, [], 1700000000000);
        Assert.Equal("99140287139b0d9186b9fb012afd6c6d652615a701d0778098188d94f7a7d92ccbd83ac2bc53b6e4c045c06e8b1dd7d1e3204cd3bdc65eee91bc21f12b3a070a", Hex.Encode(empty.Signature));
    }

    [Fact]
    public void VerifySignature_T34_SignedByAnotherKey_False()
    {
        using Ed25519SigningKey node = new(_nodeSeed);
        using Ed25519SigningKey other = new(Enumerable.Repeat((byte)3, 32).ToArray());
        byte[] signature = other.Sign(ProducerMessage.SigningBytes(4, [1], Node, 5));
        Assert.False(new ProducerMessage(4, [1], Node, 5, signature).VerifySignature());
    }

    [Theory]
    [InlineData("sender-upper")]
    [InlineData("payload-odd")]
    [InlineData("type-256")]
    [InlineData("signature-short")]
    [InlineData("payload-oversize")]
    public void ParseEnvelope_T36_Malformed_Throws(string mutation)
    {
        using Ed25519SigningKey node = new(_nodeSeed);
        string json = Encoding.UTF8.GetString(ProducerMessage.Sign(node, 2, [0xab], 1).ToEnvelopeJson());
        string sig = json[(json.LastIndexOf(':') + 2)..^2];
        string mutated = mutation switch
        {
            "sender-upper" => json.Replace(Node, Node.ToUpperInvariant(), StringComparison.Ordinal),
            "payload-odd" => json.Replace("\"ab\"", "\"abc\"", StringComparison.Ordinal),
            "type-256" => json.Replace("\"type\":2", "\"type\":256", StringComparison.Ordinal),
            "signature-short" => json.Replace(sig, sig[2..], StringComparison.Ordinal),
            _ => json.Replace("\"ab\"", "\"" + new string('a', (64 * 1024 * 2) + 2) + "\"", StringComparison.Ordinal),
        };
        Assert.Throws<TrustFormatException>(() => ProducerMessage.ParseEnvelope(Encoding.UTF8.GetBytes(mutated)));
    }

    [Fact]
    public void SaltRotation_SpecVector_SigningBytesAndSignature()
    {
        using RootKey root = RootKey.FromSeed(_rootSeed);
        byte[] salt = Enumerable.Repeat((byte)0x22, 32).ToArray();
        SaltRotationStatement st = SaltRotationStatement.Sign(root, 2, 1700000000, salt, [Node]);
        Assert.Equal("7caa514a05535fd97887e483ce6f1fc36ef7026435c47521b04549d9af4837bf", Hex.Encode(st.SaltHash));
        Assert.Equal(
            "61737465722d6d6573682d73616c742d726f746174696f6e2f31" + "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c" + "0000000000000002" + "000000006553f100"
            + "7caa514a05535fd97887e483ce6f1fc36ef7026435c47521b04549d9af4837bf" + "00000001" + Hex.Encode(Encoding.ASCII.GetBytes(Node)),
            Hex.Encode(st.GetSigningBytes()));
        Assert.Equal("77d2ce671dd7972421dcfffc70df08146a29fb1e88f29662c80b31b0eeb83f65db2772f7fc5b1a473d313bb90021cca5dd6014e231df83adb74a1e2a45f1d10b", Hex.Encode(st.Signature));
        Assert.Equal("9ec6a127cef0d78611f8394cd51340780448c21a63fd28eb7a563c1ba8770717", Hex.Encode(GossipTopic.Derive(root.PublicKey, st.Salt!)));
    }

    [Fact]
    public void SaltRotation_T37_AcceptanceChecks()
    {
        using RootKey root = RootKey.FromSeed(_rootSeed);
        using RootKey other = RootKey.FromSeed(Enumerable.Repeat((byte)3, 32).ToArray());
        ManualTimeProvider clock = new();
        ulong now = (ulong)clock.GetUtcNow().ToUnixTimeSeconds();
        byte[] salt = Enumerable.Repeat((byte)0x22, 32).ToArray();
        SaltRotationStatement good = SaltRotationStatement.Sign(root, 2, now, salt, [Node]);
        Assert.True(good.IsAcceptable(root.PublicKey, 1, clock));
        Assert.False(good.IsAcceptable(root.PublicKey, 2, clock)); // epoch not greater
        Assert.False(good.IsAcceptable(other.PublicKey, 1, clock)); // wrong root
        Assert.False(SaltRotationStatement.Sign(root, 2, now + 301, salt, []).IsAcceptable(root.PublicKey, 1, clock));
        Assert.True(SaltRotationStatement.Sign(root, 2, now + 300, salt, []).IsAcceptable(root.PublicKey, 1, clock));

        string tampered = Encoding.UTF8.GetString(good.ToJson(includeSalt: true)).Replace("\"epoch\":2", "\"epoch\":3", StringComparison.Ordinal);
        Assert.False(SaltRotationStatement.Parse(Encoding.UTF8.GetBytes(tampered)).IsAcceptable(root.PublicKey, 1, clock)); // bad signature
    }

    [Fact]
    public void SaltRotation_JsonWithoutSalt_VerifiesWithSuppliedSalt()
    {
        using RootKey root = RootKey.FromSeed(_rootSeed);
        ManualTimeProvider clock = new();
        byte[] salt = Enumerable.Repeat((byte)0x22, 32).ToArray();
        SaltRotationStatement st = SaltRotationStatement.Sign(root, 2, 1700000000, salt, [Node]);
        byte[] withoutSalt = st.ToJson(includeSalt: false);
        Assert.DoesNotContain("salt", Encoding.UTF8.GetString(withoutSalt), StringComparison.Ordinal);
        Assert.Throws<TrustFormatException>(() => SaltRotationStatement.Parse(withoutSalt));
        Assert.True(SaltRotationStatement.Parse(withoutSalt, salt).IsAcceptable(root.PublicKey, 1, clock));
        Assert.False(SaltRotationStatement.Parse(withoutSalt, Enumerable.Repeat((byte)0x23, 32).ToArray()).IsAcceptable(root.PublicKey, 1, clock));
        Assert.StartsWith("{\"root_pubkey\":\"8a88", Encoding.UTF8.GetString(st.ToJson(includeSalt: true)), StringComparison.Ordinal);
        Assert.Throws<TrustFormatException>(() => SaltRotationStatement.Sign(root, 2, 1, salt, ["ABC"]));
    }
}
