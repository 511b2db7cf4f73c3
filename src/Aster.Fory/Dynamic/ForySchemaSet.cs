using Aster.Fory.Meta;
using Aster.Fory.Serialization;

namespace Aster.Fory.Dynamic;

/// <summary>
/// Record layouts for reading schema-consistent messages (B12, release 0.1.2 peers) schema-less. Such a message names
/// each record and carries its schema hash, but not its field names or types, so the reader looks the layout up here
/// by namespace and type name and checks the hash. Not thread-safe while being filled; safe to share once filled.
/// </summary>
public sealed class ForySchemaSet
{
    private readonly Dictionary<(string Namespace, string TypeName), (TypeDef Def, int Hash)> _records = [];

    /// <summary>The number of record layouts.</summary>
    public int Count => _records.Count;

    /// <summary>The layouts of every record type registered with <paramref name="serializer"/>.</summary>
    public static ForySchemaSet From(ForySerializer serializer)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        ForySchemaSet set = new();
        foreach (IRecordCodec codec in serializer.RecordCodecs)
        {
            set._records[(codec.TypeDef.Namespace, codec.TypeDef.TypeName)] = (codec.TypeDef, codec.SchemaHash);
        }

        return set;
    }

    /// <summary>
    /// Adds the layout of <paramref name="prototype"/>: its namespace, type name, field names (or tag ids) and field
    /// types; the field values are ignored. A later layout with the same names replaces an earlier one.
    /// </summary>
    public ForySchemaSet Add(ForyStruct prototype)
    {
        ArgumentNullException.ThrowIfNull(prototype);
        TypeDef def = prototype.GetTypeDef();
        _records[(def.Namespace, def.TypeName)] = (def, SchemaHash.Compute(def));
        return this;
    }

    /// <summary>Finds a layout; a type name written with Fory JS's <c>.</c> for <c>_</c> is also tried.</summary>
    internal bool TryGet(string ns, string typeName, out TypeDef def, out int hash)
    {
        if (_records.TryGetValue((ns, typeName), out (TypeDef Def, int Hash) e) ||
            _records.TryGetValue((ns, typeName.Replace('.', '_')), out e))
        {
            (def, hash) = e;
            return true;
        }

        def = null!;
        hash = 0;
        return false;
    }
}
