using System.Globalization;
using System.Text;
using Aster.Fory.Types;

namespace Aster.Fory.Meta;

/// <summary>The schema hash of schema-consistent mode (B12), shared by the typed codecs and the schema-less reader.</summary>
internal static class SchemaHash
{
    /// <summary>
    /// Per field <c>identifier,type id,0,nullable;</c> (records and enums as type id 0), sorted by identifier with tag
    /// ids first, MurmurHash3_x64_128 seed 47 of the UTF-8 text, low 32 bits of h1.
    /// </summary>
    public static int Compute(IEnumerable<(string Identifier, bool IsTag, ForyFieldType Type)> fields)
    {
        List<(string Id, bool Tag, ForyFieldType Type)> items = [.. fields];
        items.Sort((a, b) => a.Tag != b.Tag ? (a.Tag ? -1 : 1) : string.CompareOrdinal(a.Id, b.Id));
        StringBuilder text = new();
        foreach ((string id, _, ForyFieldType type) in items)
        {
            int typeId = type.IsRecord || type.TypeId is ForyTypeId.Enum or ForyTypeId.NamedEnum ? 0 : (int)type.TypeId;
            text.Append(CultureInfo.InvariantCulture, $"{id},{typeId},0,{(type.Nullable ? 1 : 0)};");
        }

        return (int)(uint)MurmurHash3.Hash64(Encoding.UTF8.GetBytes(text.ToString()), 47);
    }

    /// <summary>The hash of a TypeDef's fields.</summary>
    public static int Compute(TypeDef def) => Compute(def.Fields.Select(f => (f.Identifier, f.TagId >= 0, f.Type)));
}
