using Aster.Net.Identity;
using Aster.Trust;

namespace Aster.Tests.Trust;

public sealed class IdentityFileAttributesTests
{
    private static readonly EndpointId _node = EndpointId.Parse("8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394");

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Recover_ReferenceOmittedRedundantKeys_FindsSignedMap(bool omitRole, bool omitName)
    {
        using RootKey root = RootKey.FromSeed(Enumerable.Repeat((byte)1, 32).ToArray());
        Dictionary<string, string> signed = new() { ["aster.role"] = "consumer", ["aster.name"] = "edge-1", ["team"] = "a" };
        ConsumerEnrollmentCredential cred = root.SignPolicy(_node, 1893456000, signed);
        Dictionary<string, string> written = new(signed);
        if (omitRole)
        {
            written.Remove("aster.role");
        }

        if (omitName)
        {
            written.Remove("aster.name");
        }

        IReadOnlyDictionary<string, string>? recovered = IdentityFileAttributes.Recover(written, "consumer", "edge-1", m =>
            new ConsumerEnrollmentCredential(cred.Type, cred.RootPublicKey, cred.ExpiresAt, m, cred.EndpointId, null, cred.Signature).VerifySignature());
        Assert.NotNull(recovered);
        Assert.Equal(signed.OrderBy(k => k.Key), recovered.OrderBy(k => k.Key));
    }

    [Fact]
    public void Recover_NoCandidateVerifies_ReturnsNull()
    {
        Assert.Null(IdentityFileAttributes.Recover(new Dictionary<string, string>(), "consumer", "n", _ => false));
    }
}
