using Aster.Fory.Meta;
using Aster.Fory.Types;

namespace Aster.Fory.Dynamic;

/// <summary>
/// A node of a schema-less value tree: what <see cref="ForyDynamic.Read(ReadOnlySpan{byte}, ForyOptions?)"/> returns
/// for any XLANG message, and what <see cref="ForyDynamic.Write(ForyValue, System.Buffers.IBufferWriter{byte}, ForyOptions?)"/>
/// accepts. Null values are <see cref="ForyNull.Instance"/>.
/// </summary>
public abstract class ForyValue
{
    private protected ForyValue()
    {
    }

    /// <summary>The Fory type id of the value as it travels (or will travel).</summary>
    public abstract ForyTypeId TypeId { get; }
}

/// <summary>A null value.</summary>
public sealed class ForyNull : ForyValue
{
    private ForyNull()
    {
    }

    /// <summary>The only instance.</summary>
    public static ForyNull Instance { get; } = new();

    /// <inheritdoc />
    public override ForyTypeId TypeId => ForyTypeId.None;

    /// <inheritdoc />
    public override string ToString() => "null";
}

/// <summary>A boolean.</summary>
public sealed class ForyBool(bool value) : ForyValue
{
    /// <summary>The value.</summary>
    public bool Value { get; } = value;

    /// <inheritdoc />
    public override ForyTypeId TypeId => ForyTypeId.Bool;

    /// <inheritdoc />
    public override string ToString() => Value ? "true" : "false";
}

/// <summary>A signed integer of any Fory width or encoding (int8 to int64, varint, tagged).</summary>
public sealed class ForyInt(long value, ForyTypeId typeId = ForyTypeId.VarInt64) : ForyValue
{
    /// <summary>The value.</summary>
    public long Value { get; } = value;

    /// <inheritdoc />
    public override ForyTypeId TypeId { get; } = typeId;

    /// <inheritdoc />
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>An unsigned integer of any Fory width or encoding.</summary>
public sealed class ForyUInt(ulong value, ForyTypeId typeId = ForyTypeId.VarUInt64) : ForyValue
{
    /// <summary>The value.</summary>
    public ulong Value { get; } = value;

    /// <inheritdoc />
    public override ForyTypeId TypeId { get; } = typeId;

    /// <inheritdoc />
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A float32 or float64 (a float32 is held exactly as a double).</summary>
public sealed class ForyFloat(double value, ForyTypeId typeId = ForyTypeId.Float64) : ForyValue
{
    /// <summary>The value.</summary>
    public double Value { get; } = value;

    /// <inheritdoc />
    public override ForyTypeId TypeId { get; } = typeId;

    /// <inheritdoc />
    public override string ToString() => Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A string.</summary>
public sealed class ForyString(string value) : ForyValue
{
    /// <summary>The value.</summary>
    public string Value { get; } = value;

    /// <inheritdoc />
    public override ForyTypeId TypeId => ForyTypeId.String;

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>A binary value.</summary>
public sealed class ForyBinary(ReadOnlyMemory<byte> value) : ForyValue
{
    /// <summary>The bytes.</summary>
    public ReadOnlyMemory<byte> Value { get; } = value;

    /// <inheritdoc />
    public override ForyTypeId TypeId => ForyTypeId.Binary;

    /// <inheritdoc />
    public override string ToString() => Convert.ToHexStringLower(Value.Span);
}

/// <summary>A timestamp: seconds since the Unix epoch and nanoseconds (0 to 999,999,999).</summary>
public sealed class ForyTimestamp(long seconds, uint nanoseconds) : ForyValue
{
    /// <summary>Whole seconds since 1970-01-01T00:00:00Z (floored).</summary>
    public long Seconds { get; } = seconds;

    /// <summary>Nanoseconds within the second.</summary>
    public uint Nanoseconds { get; } = nanoseconds;

    /// <inheritdoc />
    public override ForyTypeId TypeId => ForyTypeId.Timestamp;

    /// <summary>The value as a UTC <see cref="DateTimeOffset"/> (100 ns precision).</summary>
    public DateTimeOffset ToDateTimeOffset() =>
        DateTimeOffset.UnixEpoch.AddTicks((Seconds * TimeSpan.TicksPerSecond) + (Nanoseconds / 100));

    /// <inheritdoc />
    public override string ToString() => ToDateTimeOffset().ToString("O", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A date: days since 1970-01-01.</summary>
public sealed class ForyDate(int days) : ForyValue
{
    /// <summary>Days since 1970-01-01.</summary>
    public int Days { get; } = days;

    /// <inheritdoc />
    public override ForyTypeId TypeId => ForyTypeId.Date;

    /// <summary>The value as a <see cref="DateOnly"/>.</summary>
    public DateOnly ToDateOnly() => DateOnly.FromDayNumber(719162 + Days);

    /// <inheritdoc />
    public override string ToString() => ToDateOnly().ToString("O", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>An enum value: its wire value (B7).</summary>
public sealed class ForyEnumValue(uint value) : ForyValue
{
    /// <summary>The wire value.</summary>
    public uint Value { get; } = value;

    /// <inheritdoc />
    public override ForyTypeId TypeId => ForyTypeId.Enum;

    /// <inheritdoc />
    public override string ToString() => $"enum({Value})";
}

/// <summary>A list, set or typed array.</summary>
public sealed class ForyList(IReadOnlyList<ForyValue> items, ForyTypeId kind = ForyTypeId.List) : ForyValue
{
    /// <summary>The elements, in wire order.</summary>
    public IReadOnlyList<ForyValue> Items { get; } = items;

    /// <inheritdoc />
    public override ForyTypeId TypeId { get; } = kind;

    /// <inheritdoc />
    public override string ToString() => "[" + string.Join(", ", Items) + "]";
}

/// <summary>A map, entries in wire order.</summary>
public sealed class ForyMap(IReadOnlyList<KeyValuePair<ForyValue, ForyValue>> entries) : ForyValue
{
    /// <summary>The entries, in wire order.</summary>
    public IReadOnlyList<KeyValuePair<ForyValue, ForyValue>> Entries { get; } = entries;

    /// <inheritdoc />
    public override ForyTypeId TypeId => ForyTypeId.Map;

    /// <inheritdoc />
    public override string ToString() => "{" + string.Join(", ", Entries.Select(e => $"{e.Key}: {e.Value}")) + "}";
}

/// <summary>One field of a <see cref="ForyStruct"/>.</summary>
public sealed class ForyField
{
    /// <summary>A field identified by name.</summary>
    public ForyField(string name, ForyFieldType type, ForyValue value)
        : this(name, -1, type, value)
    {
    }

    /// <summary>A field identified by tag id.</summary>
    public ForyField(int tagId, ForyFieldType type, ForyValue value)
        : this(null, tagId, type, value)
    {
    }

    internal ForyField(string? name, int tagId, ForyFieldType type, ForyValue value)
    {
        Name = name;
        TagId = tagId;
        Type = type;
        Value = value;
    }

    /// <summary>The wire name, or null when the field is identified by tag id.</summary>
    public string? Name { get; }

    /// <summary>The tag id, or -1.</summary>
    public int TagId { get; }

    /// <summary>The field type from the TypeDef.</summary>
    public ForyFieldType Type { get; }

    /// <summary>The value (<see cref="ForyNull.Instance"/> for null).</summary>
    public ForyValue Value { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name ?? TagId.ToString(System.Globalization.CultureInfo.InvariantCulture)}: {Value}";
}

/// <summary>A record: its namespace and type name, and its fields in Fory order.</summary>
public sealed class ForyStruct : ForyValue
{
    private TypeDef? _typeDef;
    private ForyField[]? _ordered;

    /// <summary>Creates a record value. Fields are written in Fory field order whatever their order here.</summary>
    public ForyStruct(string ns, string typeName, IReadOnlyList<ForyField> fields)
    {
        Namespace = ns;
        TypeName = typeName;
        Fields = fields;
    }

    /// <summary>The Fory namespace (the part of the wire tag before the last <c>/</c>).</summary>
    public string Namespace { get; }

    /// <summary>The Fory type name.</summary>
    public string TypeName { get; }

    /// <summary>The wire tag, <c>namespace/TypeName</c>.</summary>
    public string Tag => Namespace.Length == 0 ? TypeName : Namespace + "/" + TypeName;

    /// <summary>The fields.</summary>
    public IReadOnlyList<ForyField> Fields { get; }

    /// <inheritdoc />
    public override ForyTypeId TypeId => ForyTypeId.NamedCompatibleStruct;

    /// <summary>The value of the field with this wire name (or tag id in decimal), or null when absent.</summary>
    public ForyValue? this[string name]
    {
        get
        {
            foreach (ForyField f in Fields)
            {
                if (f.Name == name || (f.TagId >= 0 && f.TagId.ToString(System.Globalization.CultureInfo.InvariantCulture) == name))
                {
                    return f.Value;
                }
            }

            return null;
        }
    }

    internal TypeDef GetTypeDef()
    {
        if (_typeDef is null)
        {
            List<ForyField> ordered = [.. Fields];
            FieldOrder.Sort(ordered, f => f.Type, f => f.TagId >= 0 ? f.TagId.ToString(System.Globalization.CultureInfo.InvariantCulture) : f.Name!, f => f.TagId >= 0);
            _typeDef = TypeDef.Build(Namespace, TypeName, ordered.Select(f => new TypeDefField(f.Name, f.TagId, f.Type)).ToArray());
            _ordered = [.. ordered];
        }

        return _typeDef;
    }

    /// <summary>The fields in Fory order (the order of the TypeDef and of the values).</summary>
    internal ForyField[] OrderedFields
    {
        get
        {
            GetTypeDef();
            return _ordered!;
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Tag} {{ {string.Join(", ", Fields)} }}";
}
