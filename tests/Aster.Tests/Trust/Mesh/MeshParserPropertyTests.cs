using System.Text;
using Aster.Net.Identity;
using Aster.Trust;
using Aster.Trust.Mesh;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Tests.Trust.Mesh;

/// <summary>Random and mutated input to every mesh decoder: a value or <see cref="TrustFormatException"/>, nothing else.</summary>
public sealed class MeshParserPropertyTests
{
    private static readonly Config _config = Config.QuickThrowOnFailure.WithMaxTest(500);

    private static bool ParsesOrRejects(Action parse)
    {
        try
        {
            parse();
            return true;
        }
        catch (TrustFormatException)
        {
            return true;
        }
    }

    private static readonly Func<byte[], bool>[] _parsers =
    [
        b => ParsesOrRejects(() => ProducerAdmissionRequest.Parse(b)),
        b => ParsesOrRejects(() => ProducerAdmissionResponse.Parse(b)),
        b => ParsesOrRejects(() => ProducerMessage.ParseEnvelope(b)),
        b => ParsesOrRejects(() => MeshHello.Parse(b)),
        b => ParsesOrRejects(() => MeshState.Parse(b)),
        b => ParsesOrRejects(() => SaltRotationStatement.Parse(b)),
    ];

    [Fact]
    public void Parsers_RandomBytes_ValueOrTrustFormatException()
        => Check.One(_config, Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes => _parsers.All(p => p(bytes))));

    [Fact]
    public void Parsers_MutatedValidDocuments_ValueOrTrustFormatException()
    {
        using RootKey root = RootKey.Generate();
        SecretKey node = SecretKey.Generate();
        EnrollmentCredential credential = root.SignProducer(node.PublicKey, 2_000_000_000, new Dictionary<string, string> { ["aster.role"] = "producer" });
        MeshState state = new() { RootPublicKey = root.PublicKey.ToArray(), SelfEndpointId = node.PublicKey.ToString(), Salt = new byte[32] };
        state.Members.Add(node.PublicKey.ToString());
        state.MemberCredentials[node.PublicKey.ToString()] = Encoding.UTF8.GetString(credential.ToWireJson());
        byte[][] seeds =
        [
            new ProducerAdmissionRequest(Encoding.UTF8.GetString(credential.ToWireJson()), string.Empty).ToJson(),
            new ProducerAdmissionResponse(true, new string('a', 64), [node.PublicKey.ToString()], Encoding.UTF8.GetString(SaltRotationStatement.Sign(root, 2, 1, new byte[32], []).ToJson(false))).ToJson(),
            ProducerMessage.ParseEnvelope(new ProducerMessage(2, "{}"u8, node.PublicKey.ToString(), 1, new byte[64]).ToEnvelopeJson()).ToEnvelopeJson(),
            new MeshHello { Topic = new byte[32], CredentialJson = Encoding.UTF8.GetString(credential.ToWireJson()), Addresses = new Dictionary<string, System.Net.IPEndPoint[]> { [node.PublicKey.ToString()] = [new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 5)] } }.ToJson(),
            state.ToJson(),
        ];

        foreach (byte[] seed in seeds)
        {
            Assert.True(_parsers.All(p => p(seed)));
            Check.One(_config, Prop.ForAll(ArbMap.Default.ArbFor<(int Position, byte Value, bool Truncate)>(), m =>
            {
                byte[] copy = (byte[])seed.Clone();
                int i = (int)((uint)m.Position % (uint)copy.Length);
                byte[] mutated = m.Truncate ? copy[..i] : copy;
                if (!m.Truncate)
                {
                    mutated[i] = m.Value;
                }

                return _parsers.All(p => p(mutated));
            }));
        }
    }
}
