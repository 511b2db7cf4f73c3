using Aster.Fory.Dynamic;
using Aster.Fory.IO;
using Aster.Fory.Types;

namespace Aster.Fory.Serialization;

/// <summary>Untyped view of a codec.</summary>
internal abstract class ForyCodec
{
    protected ForyCodec(ForyFieldType fieldType)
    {
        FieldType = fieldType;
        ElementKind = Dynamic.DynamicWriter.ElementHeader(fieldType.TypeId);
    }

    /// <summary>The Fory type of values of this codec (not nullable).</summary>
    public ForyFieldType FieldType { get; }

    /// <summary>Collection header kind (B8): 0x0C plain values, 0x09 records, 0x0D other tracked values.</summary>
    public byte ElementKind { get; }

    public abstract Type ClrType { get; }

    /// <summary>
    /// Whether a value may contain a record (so nested TypeDefs or tracked references can occur). False lets a root
    /// record skip registering itself in the meta-share and reference tables.
    /// </summary>
    public virtual bool MayContainRecords => false;
}

/// <summary>
/// Reads and writes values of one CLR type. Write/Read handle the value only (no reference flag); records include
/// their type info. Implementations are immutable and thread-safe; a source generator can supply them.
/// </summary>
internal abstract class ForyCodec<T> : ForyCodec
{
    protected ForyCodec(ForyFieldType fieldType)
        : base(fieldType)
    {
    }

    public override Type ClrType => typeof(T);

    public abstract void Write(ref ForyWriter w, T value, WriteContext ctx);

    public abstract T Read(ref ForyReader r, ReadContext ctx);

    /// <summary>The value given to a non-nullable member the message does not carry.</summary>
    public virtual T DefaultValue => default!;

    /// <summary>Converts a schema-less value (a field whose wire type differs from the local one, B10.7).</summary>
    public virtual T FromDynamic(ForyValue value) =>
        throw new ForyDecodeException($"a {value.TypeId} value cannot be converted to {typeof(T).Name}");
}
