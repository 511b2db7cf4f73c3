using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Aster.Fory.Types;

/// <summary>
/// The wire view of a C# record, class or struct marked <see cref="WireTypeAttribute"/>: its tag, and its fields with
/// wire names, CLR types, nullability, Fory field types, in Fory field order (contracts-and-fory.md A8, B10.4, C1).
/// Built once per type by reflection and cached; shared by the codec and, later, the contract model.
/// </summary>
public sealed class WireTypeModel
{
    private static readonly ConcurrentDictionary<Type, WireTypeModel> _cache = new();

    private WireTypeModel(Type clrType, string tag, JsonNaming jsonNaming, IReadOnlyList<WireFieldModel> fields)
    {
        ClrType = clrType;
        Tag = tag;
        int slash = tag.LastIndexOf('/');
        Namespace = slash < 0 ? string.Empty : tag[..slash];
        TypeName = slash < 0 ? tag : tag[(slash + 1)..];
        JsonNaming = jsonNaming;
        Fields = fields;
    }

    /// <summary>The CLR type.</summary>
    public Type ClrType { get; }

    /// <summary>The wire tag, <c>namespace/Name</c>.</summary>
    public string Tag { get; }

    /// <summary>The Fory namespace (before the last <c>/</c>).</summary>
    public string Namespace { get; }

    /// <summary>The Fory type name (after the last <c>/</c>).</summary>
    public string TypeName { get; }

    /// <summary>How JSON keys are derived.</summary>
    public JsonNaming JsonNaming { get; }

    /// <summary>The fields in Fory field order.</summary>
    public IReadOnlyList<WireFieldModel> Fields { get; }

    /// <summary>Whether the type is a record (has <see cref="WireTypeAttribute"/> and is not an enum).</summary>
    public static bool IsWireRecord(Type type) =>
        !type.IsEnum && type.GetCustomAttribute<WireTypeAttribute>() is not null;

    /// <summary>Returns the (cached) model of a type marked <see cref="WireTypeAttribute"/>.</summary>
    /// <exception cref="NotSupportedException">A member has a type Aster cannot carry (A8), or two members clash.</exception>
    [RequiresUnreferencedCode("Reflects over the properties of the type and its member types.")]
    public static WireTypeModel For([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return _cache.GetOrAdd(type, Build);
    }

    [RequiresUnreferencedCode("Reflects over the properties of the type and its member types.")]
    private static WireTypeModel Build(Type type)
    {
        WireTypeAttribute attribute = type.GetCustomAttribute<WireTypeAttribute>()
            ?? throw new NotSupportedException($"{type.FullName} has no [WireType] attribute");
        if (type.IsEnum)
        {
            throw new NotSupportedException($"{type.FullName} is an enum, not a record");
        }

        NullabilityInfoContext nullability = new();
        List<WireFieldModel> fields = [];
        foreach (PropertyInfo p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetMethod is not { IsPublic: true } || p.SetMethod is null || p.GetIndexParameters().Length > 0)
            {
                continue;
            }

            WireNameAttribute? wireName = p.GetCustomAttribute<WireNameAttribute>();
            string name = wireName?.Name ?? WireNaming.ToSnakeCase(p.Name);
            string jsonKey = wireName?.Json ?? (attribute.JsonNaming == JsonNaming.CamelCase ? WireNaming.ToCamelCaseAlias(name) : name);
            int tagId = p.GetCustomAttribute<TagIdAttribute>()?.Id ?? -1;
            bool fixedWidth = p.GetCustomAttribute<FixedWidthAttribute>() is not null;
            NullabilityInfo info = nullability.Create(p);
            bool nullable = Nullable.GetUnderlyingType(p.PropertyType) is not null
                || (!p.PropertyType.IsValueType && info.ReadState == NullabilityState.Nullable);
            ForyFieldType fieldType;
            try
            {
                fieldType = FieldTypeOf(p.PropertyType, fixedWidth).WithNullable(nullable);
            }
            catch (NotSupportedException e)
            {
                throw new NotSupportedException($"{type.FullName}.{p.Name}: {e.Message}", e);
            }

            fields.Add(new WireFieldModel(name, jsonKey, p.Name, tagId, p, p.PropertyType, fieldType, nullable, fixedWidth));
        }

        HashSet<string> seen = new(StringComparer.Ordinal);
        foreach (WireFieldModel f in fields)
        {
            if (f.TagId < 0 && !seen.Add(WireNaming.Normalize(f.Name)))
            {
                throw new NotSupportedException($"{type.FullName}: two members have the wire name '{f.Name}' after normalisation (C4)");
            }
        }

        FieldOrder.Sort(fields, f => f.FieldType, f => f.Identifier, f => f.TagId >= 0);
        return new WireTypeModel(type, attribute.Tag, attribute.JsonNaming, fields);
    }

    /// <summary>The Fory field type of a CLR type (A8), not nullable; element types are never nullable.</summary>
    [RequiresUnreferencedCode("Reflects over generic arguments.")]
    public static ForyFieldType FieldTypeOf(Type t, bool fixedWidth = false)
    {
        ArgumentNullException.ThrowIfNull(t);
        Type? underlying = Nullable.GetUnderlyingType(t);
        if (underlying is not null)
        {
            return FieldTypeOf(underlying, fixedWidth);
        }

        if (t.IsEnum)
        {
            return new ForyFieldType(ForyTypeId.Enum);
        }

        ForyTypeId? simple = Type.GetTypeCode(t) switch
        {
            TypeCode.Boolean => ForyTypeId.Bool,
            TypeCode.SByte => ForyTypeId.Int8,
            TypeCode.Int16 => ForyTypeId.Int16,
            TypeCode.Int32 => fixedWidth ? ForyTypeId.Int32 : ForyTypeId.VarInt32,
            TypeCode.Int64 => fixedWidth ? ForyTypeId.Int64 : ForyTypeId.VarInt64,
            TypeCode.Byte => ForyTypeId.UInt8,
            TypeCode.UInt16 => ForyTypeId.UInt16,
            TypeCode.UInt32 => fixedWidth ? ForyTypeId.UInt32 : ForyTypeId.VarUInt32,
            TypeCode.UInt64 => fixedWidth ? ForyTypeId.UInt64 : ForyTypeId.VarUInt64,
            TypeCode.Single => ForyTypeId.Float32,
            TypeCode.Double => ForyTypeId.Float64,
            TypeCode.String => ForyTypeId.String,
            TypeCode.DateTime => ForyTypeId.Timestamp,
            TypeCode.Decimal => throw new NotSupportedException("decimal has no pyfory 0.17 serializer; use string (A8)"),
            TypeCode.Char => throw new NotSupportedException("char is not supported (A8)"),
            _ => null,
        };
        if (simple is { } id)
        {
            return new ForyFieldType(id);
        }

        if (t == typeof(byte[]) || t == typeof(ReadOnlyMemory<byte>) || t == typeof(Memory<byte>))
        {
            return new ForyFieldType(ForyTypeId.Binary);
        }

        if (t == typeof(Guid))
        {
            return new ForyFieldType(ForyTypeId.String);
        }

        if (t == typeof(DateTimeOffset))
        {
            return new ForyFieldType(ForyTypeId.Timestamp);
        }

        if (t == typeof(DateOnly))
        {
            return new ForyFieldType(ForyTypeId.Date);
        }

        if (t == typeof(object))
        {
            return new ForyFieldType(ForyTypeId.Unknown);
        }

        if (t == typeof(TimeSpan))
        {
            throw new NotSupportedException("TimeSpan has no pyfory 0.17 serializer; use a long of milliseconds (A8)");
        }

        if (t.IsArray && t.GetArrayRank() == 1)
        {
            return new ForyFieldType(ForyTypeId.List, element: FieldTypeOf(t.GetElementType()!, fixedWidth));
        }

        if (CollectionShape(t) is { } shape)
        {
            return shape.Kind switch
            {
                ForyTypeId.Map => new ForyFieldType(ForyTypeId.Map, element: FieldTypeOf(shape.Value!, fixedWidth), key: FieldTypeOf(shape.Key!, fixedWidth)),
                _ => new ForyFieldType(shape.Kind, element: FieldTypeOf(shape.Value!, fixedWidth)),
            };
        }

        if (t.GetCustomAttribute<WireTypeAttribute>() is not null)
        {
            return new ForyFieldType(ForyTypeId.NamedCompatibleStruct);
        }

        throw new NotSupportedException($"type {t.FullName} cannot be carried: mark it [WireType] or use a type of A8");
    }

    internal readonly record struct Shape(ForyTypeId Kind, Type? Key, Type? Value);

    internal static Shape? CollectionShape(Type t)
    {
        if (!t.IsGenericType)
        {
            return null;
        }

        Type def = t.GetGenericTypeDefinition();
        Type[] args = t.GetGenericArguments();
        if (def == typeof(List<>) || def == typeof(IList<>) || def == typeof(IReadOnlyList<>) || def == typeof(ICollection<>)
            || def == typeof(IEnumerable<>) || def == typeof(IReadOnlyCollection<>))
        {
            return new Shape(ForyTypeId.List, null, args[0]);
        }

        if (def == typeof(HashSet<>) || def == typeof(ISet<>) || def == typeof(IReadOnlySet<>))
        {
            return new Shape(ForyTypeId.Set, null, args[0]);
        }

        if (def == typeof(Dictionary<,>) || def == typeof(IDictionary<,>) || def == typeof(IReadOnlyDictionary<,>))
        {
            return new Shape(ForyTypeId.Map, args[0], args[1]);
        }

        return null;
    }
}

/// <summary>One field of a <see cref="WireTypeModel"/>.</summary>
public sealed class WireFieldModel
{
    internal WireFieldModel(string name, string jsonKey, string memberName, int tagId, PropertyInfo property, Type clrType, ForyFieldType fieldType, bool isNullable, bool fixedWidth)
    {
        Name = name;
        JsonKey = jsonKey;
        MemberName = memberName;
        TagId = tagId;
        Property = property;
        ClrType = clrType;
        FieldType = fieldType;
        IsNullable = isNullable;
        FixedWidth = fixedWidth;
    }

    /// <summary>The wire name (TypeDef field name, contract field name).</summary>
    public string Name { get; }

    /// <summary>The JSON-mode key.</summary>
    public string JsonKey { get; }

    /// <summary>The C# member name.</summary>
    public string MemberName { get; }

    /// <summary>The Fory tag id, or -1 when the field is identified by name.</summary>
    public int TagId { get; }

    /// <summary>The property.</summary>
    public PropertyInfo Property { get; }

    /// <summary>The declared CLR type.</summary>
    public Type ClrType { get; }

    /// <summary>The Fory field type, with the field's nullability.</summary>
    public ForyFieldType FieldType { get; }

    /// <summary>Whether the member is nullable (<c>T?</c>).</summary>
    public bool IsNullable { get; }

    /// <summary>Whether <see cref="FixedWidthAttribute"/> is present.</summary>
    public bool FixedWidth { get; }

    /// <summary>The identifier used in field ordering: the tag id in decimal, else the wire name.</summary>
    public string Identifier => TagId >= 0 ? TagId.ToString(System.Globalization.CultureInfo.InvariantCulture) : Name;

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {FieldType}";
}
