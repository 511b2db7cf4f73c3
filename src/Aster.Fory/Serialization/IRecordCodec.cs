using Aster.Fory.Meta;

namespace Aster.Fory.Serialization;

/// <summary>What the read context needs to know about a local record codec.</summary>
internal interface IRecordCodec
{
    /// <summary>The local TypeDef (what this codec writes).</summary>
    TypeDef TypeDef { get; }

    /// <summary>The record's wire model.</summary>
    Types.WireTypeModel Model { get; }

    /// <summary>The B12 schema hash of the record.</summary>
    int SchemaHash { get; }

    /// <summary>Whether a source-generated serializer writes this record's fields.</summary>
    bool UsesGenerated { get; }

    /// <summary>Whether the source-generated serializer also reads them.</summary>
    bool ReadsGenerated { get; }
}
