using System.Text;
using Aster.Contracts;
using Aster.Testing;

namespace Aster.Tests.Contracts;

public sealed class ContractCollectionTests
{
    [Fact]
    public void Build_EchoService_EntriesInPythonOrder()
    {
        ContractDescription contract = ServiceContracts.Describe<Mirrors.Echo.IEchoService>();

        List<CollectionEntry> entries = ContractCollection.Build(contract);

        Assert.Equal(
            ["contract.bin",
             "types/4a2fa9b8f8cfbd325d72dc9739e416c86cd3cd5724882f22400ab08d2db49dd6.bin",
             "types/ef84ecadec2481a55fc7b5b0d011f65814c61441ede296c907dde9a367d2a18f.bin",
             "manifest.json"],
            entries.Select(e => e.Name));
        Assert.Equal(contract.ContractId, Hex.Encode(entries[0].Hash));
        Assert.Equal(contract.ToManifestJson(), Encoding.UTF8.GetString(entries[^1].Content));
        foreach (CollectionEntry type in entries.Skip(1).SkipLast(1))
        {
            Assert.Equal(type.Name, $"types/{Hex.Encode(type.Hash)}.bin");
        }
    }

    [Fact]
    public void Build_CyclicService_TypesInProcessingOrder()
    {
        ContractDescription contract = ServiceContracts.Describe<Mirrors.Chain.IChainService>();

        List<CollectionEntry> entries = ContractCollection.Build(contract);

        Assert.Equal(contract.TypeHashes.Select(h => $"types/{h}.bin"), entries.Skip(1).SkipLast(1).Select(e => e.Name));
        Assert.Equal("types/f6c956b80cc7015cb6cbafff68ab81faac06de1b50e6b9ab0610da46dd2094e9.bin", entries[1].Name);
    }

    [Fact]
    public void EncodeMetadata_TwoEntries_PostcardCollectionMeta()
    {
        List<CollectionEntry> entries = [new("a", [1]), new("bc", [2])];

        byte[] metadata = ContractCollection.EncodeMetadata(entries);

        Assert.Equal(Hex.Encode("CollectionV0."u8) + "02" + "0161" + "026263", Hex.Encode(metadata));
    }

    [Fact]
    public void EncodeHashSeq_Entries_MetadataHashThenEntryHashes()
    {
        List<CollectionEntry> entries = [new("a", [1]), new("bc", [2])];

        byte[] root = ContractCollection.EncodeHashSeq(entries);

        Assert.Equal(96, root.Length);
        Assert.Equal(ContractHash.Hash(ContractCollection.EncodeMetadata(entries)), root[..32]);
        Assert.Equal(ContractHash.Hash([1]), root[32..64]);
        Assert.Equal(ContractHash.Hash([2]), root[64..]);
        Assert.Equal(Hex.Encode(ContractHash.Hash(root)), ContractCollection.CollectionHash(entries));
    }
}
