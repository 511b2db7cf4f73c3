using System.Text;
using Aster.Net.Identity;
using Aster.Trust;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Tests.Trust;

/// <summary>Property tests of the consumer admission request parser and of gate 1 on arbitrary bodies.</summary>
public sealed class AdmissionRequestProperties
{
    private static readonly EndpointId _peer = EndpointId.FromBytes(Enumerable.Repeat((byte)7, 32).ToArray());

    [Fact]
    public void Parse_RandomBytes_OnlyTrustFormatException()
    {
        Config config = Config.QuickThrowOnFailure.WithMaxTest(20_000);
        Check.One(config, Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
        {
            try
            {
                ConsumerAdmissionRequest request = ConsumerAdmissionRequest.Parse(bytes);
                return request.CredentialJson is not null && request.IidToken is not null;
            }
            catch (TrustFormatException)
            {
                return true;
            }
        }));
    }

    [Fact]
    public void Parse_MutatedValidRequest_OnlyTrustFormatException()
    {
        byte[] valid = new ConsumerAdmissionRequest("{\"credential_type\":\"policy\"}", "tok").ToJson();
        Config config = Config.QuickThrowOnFailure.WithMaxTest(20_000);
        Check.One(config, Prop.ForAll(ArbMap.Default.ArbFor<int>(), ArbMap.Default.ArbFor<byte>(), (position, value) =>
        {
            byte[] mutated = (byte[])valid.Clone();
            mutated[(int)((uint)position % (uint)mutated.Length)] = value;
            try
            {
                ConsumerAdmissionRequest.Parse(mutated);
                return true;
            }
            catch (TrustFormatException)
            {
                return true;
            }
        }));
    }

    [Fact]
    public void Admit_ArbitraryBodiesAndCredentialStrings_AlwaysUniformDenialNeverThrows()
    {
        using RootKey root = RootKey.FromSeed(Enumerable.Repeat((byte)1, 32).ToArray());
        using TrustAuthority authority = new(new TrustAuthorityOptions { RootPublicKey = root.PublicKey.ToArray(), NonceStore = new InMemoryNonceStore() });
        Config config = Config.QuickThrowOnFailure.WithMaxTest(5_000);
        Check.One(config, Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), ArbMap.Default.ArbFor<string>(), (bytes, text) =>
        {
            ConsumerAdmissionDecision fromBytes = authority.AdmitConsumerAsync(_peer, bytes).AsTask().GetAwaiter().GetResult();
            string wellFormed = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text ?? string.Empty)); // lone surrogates → U+FFFD
            byte[] wrapped = new ConsumerAdmissionRequest(wellFormed, string.Empty).ToJson();
            ConsumerAdmissionDecision fromString = authority.AdmitConsumerAsync(_peer, wrapped).AsTask().GetAwaiter().GetResult();
            return ReferenceEquals(fromBytes, ConsumerAdmissionDecision.Denied) && ReferenceEquals(fromString, ConsumerAdmissionDecision.Denied);
        }));
        Assert.Null(authority.FindAdmission(_peer));
    }
}
