using System.Text;

namespace Aster.Contracts;

/// <summary>One named blob of a contract collection.</summary>
internal sealed record CollectionEntry(string Name, byte[] Content)
{
    public byte[] Hash => ContractHash.Hash(Content);
}

/// <summary>
/// The contract collection the registry publishes (contracts-and-fory.md A12, registry.md 5), in the order the
/// reference Python binding builds it: <c>contract.bin</c>, the <c>types/{hash}.bin</c> entries in processing order,
/// then <c>manifest.json</c>; and its iroh HashSeq encoding.
/// </summary>
internal static class ContractCollection
{
    public const string ContractEntryName = "contract.bin";
    public const string ManifestEntryName = "manifest.json";

    /// <summary>The header of an iroh collection's metadata blob.</summary>
    private static readonly byte[] _collectionHeader = "CollectionV0."u8.ToArray();

    public static List<CollectionEntry> Build(ContractDescription contract, ContractManifestMetadata? metadata = null)
    {
        List<CollectionEntry> entries = [new(ContractEntryName, contract.CanonicalBytes.ToArray())];
        entries.AddRange(contract.Types.Select(t => new CollectionEntry($"types/{t.HashHex}.bin", t.CanonicalBytes)));
        entries.Add(new CollectionEntry(ManifestEntryName, Encoding.UTF8.GetBytes(contract.ToManifestJson(metadata))));
        return entries;
    }

    /// <summary>
    /// The collection metadata blob: postcard of <c>CollectionMeta { header: [u8; 13], names: Vec&lt;String&gt; }</c>
    /// (the fixed header bytes, then a varint count and each name as varint length + UTF-8).
    /// </summary>
    public static byte[] EncodeMetadata(IReadOnlyList<CollectionEntry> entries)
    {
        List<byte> bytes = [.. _collectionHeader];
        AppendVarint(bytes, (ulong)entries.Count);
        foreach (CollectionEntry entry in entries)
        {
            byte[] name = Encoding.UTF8.GetBytes(entry.Name);
            AppendVarint(bytes, (ulong)name.Length);
            bytes.AddRange(name);
        }

        return [.. bytes];
    }

    /// <summary>The HashSeq root blob: the metadata blob's hash followed by each entry's hash, 32 bytes each.</summary>
    public static byte[] EncodeHashSeq(IReadOnlyList<CollectionEntry> entries)
    {
        byte[] root = new byte[ContractHash.Size * (entries.Count + 1)];
        ContractHash.Hash(EncodeMetadata(entries)).CopyTo(root, 0);
        for (int i = 0; i < entries.Count; i++)
        {
            entries[i].Hash.CopyTo(root, ContractHash.Size * (i + 1));
        }

        return root;
    }

    /// <summary>The collection hash (<c>collection_hash</c> of the ArtifactRef): BLAKE3 of the HashSeq root blob.</summary>
    public static string CollectionHash(IReadOnlyList<CollectionEntry> entries) =>
        ContractHash.ToHex(ContractHash.Hash(EncodeHashSeq(entries)));

    private static void AppendVarint(List<byte> bytes, ulong value)
    {
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
    }
}
