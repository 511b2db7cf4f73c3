using System.Numerics;
using System.Reflection;

namespace Aster.Contracts;

/// <summary>A non-container value: a primitive (with its FieldDef name), a record type, or ANY.</summary>
internal sealed record ValueShape(TypeKind Kind, string Primitive, Type? Record)
{
    public static readonly ValueShape AnyValue = new(TypeKind.Any, string.Empty, null);

    public static ValueShape Of(string primitive) => new(TypeKind.Primitive, primitive, null);

    public static ValueShape OfRecord(Type record) => new(TypeKind.Ref, string.Empty, record);
}

/// <summary>A field's type as the contract sees it (A8): optional flag, container, value (or element) and map key.</summary>
internal sealed record FieldShape(bool Optional, ContainerKind Container, ValueShape Value, ValueShape? Key);

/// <summary>
/// The C# type → FieldDef mapping of contracts-and-fory.md A8, chosen to give the same FieldDefs as the reference
/// Python binding. This is the one place that maps CLR types for contract identity; the Fory codec keeps its own
/// model, and the two can later be unified here.
/// </summary>
internal static class ClrTypeMapper
{
    private static readonly Dictionary<Type, string> _primitives = new()
    {
        [typeof(bool)] = "bool",
        [typeof(sbyte)] = "int8",
        [typeof(short)] = "int16",
        [typeof(int)] = "varint32",
        [typeof(long)] = "varint64",
        [typeof(byte)] = "uint8",
        [typeof(ushort)] = "uint16",
        [typeof(uint)] = "var_uint32",
        [typeof(ulong)] = "var_uint64",
        [typeof(float)] = "float32",
        [typeof(double)] = "float64",
        [typeof(string)] = "string",
        [typeof(Guid)] = "string",
        [typeof(byte[])] = "binary",
        [typeof(ReadOnlyMemory<byte>)] = "binary",
        [typeof(Memory<byte>)] = "binary",
    };

    private static readonly Dictionary<Type, string> _fixedWidth = new()
    {
        [typeof(int)] = "int32",
        [typeof(long)] = "int64",
        [typeof(uint)] = "uint32",
        [typeof(ulong)] = "uint64",
    };

    private static readonly HashSet<Type> _anyTypes =
    [
        typeof(DateTime), typeof(DateTimeOffset), typeof(DateOnly), typeof(object),
    ];

    private static readonly Dictionary<Type, string> _unsupported = new()
    {
        [typeof(decimal)] = "decimal has no cross-language serializer; use string",
        [typeof(TimeSpan)] = "TimeSpan has no cross-language serializer; use a long of milliseconds",
        [typeof(TimeOnly)] = "TimeOnly has no cross-language serializer",
        [typeof(char)] = "char has no cross-language equivalent; use string",
        [typeof(Half)] = "Half has no cross-language equivalent; use float",
        [typeof(Int128)] = "Int128 has no cross-language equivalent",
        [typeof(UInt128)] = "UInt128 has no cross-language equivalent",
        [typeof(BigInteger)] = "BigInteger has no cross-language equivalent; use string",
        [typeof(nint)] = "nint has no cross-language equivalent; use long",
        [typeof(nuint)] = "nuint has no cross-language equivalent; use ulong",
    };

    /// <summary>The names used for bare primitive request and response types (A10).</summary>
    private static readonly Dictionary<Type, string> _messagePrimitives = new()
    {
        [typeof(long)] = "int64",
        [typeof(double)] = "float64",
        [typeof(string)] = "string",
        [typeof(bool)] = "bool",
        [typeof(byte[])] = "binary",
    };

    /// <summary>The A10 name of a bare primitive request or response type, or null when it has none.</summary>
    public static string? MessagePrimitiveName(Type type) => _messagePrimitives.GetValueOrDefault(type);

    /// <summary>Whether a type is described as a record (a message type with its own TypeDef).</summary>
    public static bool IsRecord(Type type) =>
        (type.IsClass || (type.IsValueType && !type.IsPrimitive && !type.IsEnum))
        && !_primitives.ContainsKey(type)
        && !_anyTypes.Contains(type)
        && !_unsupported.ContainsKey(type)
        && !type.IsArray
        && !type.IsPointer
        && !type.IsByRef
        && !typeof(Delegate).IsAssignableFrom(type)
        && Nullable.GetUnderlyingType(type) is null
        && GetContainer(type) is null
        && !IsFrameworkType(type);

    /// <summary>
    /// Maps a field (or inline parameter) type. Record types met anywhere inside, even inside shapes that collapse to
    /// ANY, are added to <paramref name="records"/>.
    /// </summary>
    public static FieldShape MapField(Type type, NullabilityInfo? nullability, bool fixedWidth, string subject, ISet<Type> records)
    {
        bool optional = false;
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            optional = true;
            type = underlying;
            nullability = null;
        }
        else if (!type.IsValueType && nullability?.ReadState == NullabilityState.Nullable)
        {
            optional = true;
        }

        if (GetContainer(type) is { } container)
        {
            ValueShape element = MapElement(container.Element, Argument(nullability, container.ElementIndex), fixedWidth, subject, records, out bool elementFixed);
            ValueShape? key = null;
            bool keyFixed = false;
            if (container.Key is not null)
            {
                key = MapElement(container.Key, Argument(nullability, 0), fixedWidth, subject, records, out keyFixed);
            }

            if (fixedWidth && !elementFixed && !keyFixed)
            {
                throw FixedWidthError(subject, type);
            }

            return new FieldShape(optional, container.Kind, element, key);
        }

        ValueShape value = MapScalar(type, fixedWidth, subject, records, out bool usedFixed);
        if (fixedWidth && !usedFixed)
        {
            throw FixedWidthError(subject, type);
        }

        return new FieldShape(optional, ContainerKind.None, value, null);
    }

    /// <summary>Finds every record type reachable inside a type (through nullable wrappers, containers and arrays).</summary>
    public static void CollectRecords(Type type, string subject, ISet<Type> records) =>
        MapField(type, null, fixedWidth: false, subject, records);

    private static ValueShape MapElement(Type type, NullabilityInfo? nullability, bool fixedWidth, string subject, ISet<Type> records, out bool usedFixed)
    {
        usedFixed = false;
        bool nullable = Nullable.GetUnderlyingType(type) is not null
            || (!type.IsValueType && nullability?.ReadState == NullabilityState.Nullable);
        if (nullable || GetContainer(type) is not null)
        {
            // Python maps an Optional or a container inside a container to ANY; still walk it for records and errors.
            MapField(type, nullability, fixedWidth: false, subject, records);
            return ValueShape.AnyValue;
        }

        return MapScalar(type, fixedWidth, subject, records, out usedFixed);
    }

    private static ValueShape MapScalar(Type type, bool fixedWidth, string subject, ISet<Type> records, out bool usedFixed)
    {
        usedFixed = false;
        if (fixedWidth && _fixedWidth.TryGetValue(type, out string? fixedName))
        {
            usedFixed = true;
            return ValueShape.Of(fixedName);
        }

        if (_primitives.TryGetValue(type, out string? name))
        {
            return ValueShape.Of(name);
        }

        if (type.IsEnum || _anyTypes.Contains(type))
        {
            return ValueShape.AnyValue;
        }

        if (_unsupported.TryGetValue(type, out string? why))
        {
            throw ContractErrors.Create(ContractRule.UnsupportedFieldType, subject, why);
        }

        if (IsRecord(type))
        {
            records.Add(type);
            return ValueShape.OfRecord(type);
        }

        throw ContractErrors.Create(ContractRule.UnsupportedFieldType, subject,
            $"the type {TypeNames.Display(type)} has no cross-language mapping");
    }

    private static ContractException FixedWidthError(string subject, Type type) =>
        ContractErrors.Create(ContractRule.InvalidFixedWidth, subject,
            $"[FixedWidth] applies only to int, long, uint and ulong, not to {TypeNames.Display(type)}");

    private static NullabilityInfo? Argument(NullabilityInfo? info, int index)
    {
        if (info is null)
        {
            return null;
        }

        if (info.ElementType is not null)
        {
            return info.ElementType;
        }

        return index < info.GenericTypeArguments.Length ? info.GenericTypeArguments[index] : null;
    }

    internal sealed record Container(ContainerKind Kind, Type Element, int ElementIndex, Type? Key);

    /// <summary>The container kind of a type (A8 table), or null for a non-container.</summary>
    internal static Container? GetContainer(Type type)
    {
        if (type == typeof(byte[]))
        {
            return null;
        }

        if (type.IsArray)
        {
            return type.GetArrayRank() == 1 ? new Container(ContainerKind.List, type.GetElementType()!, 0, null) : null;
        }

        if (!type.IsGenericType)
        {
            return null;
        }

        Type definition = type.GetGenericTypeDefinition();
        Type[] args = type.GetGenericArguments();
        if (definition == typeof(List<>) || definition == typeof(IList<>) || definition == typeof(IReadOnlyList<>))
        {
            return new Container(ContainerKind.List, args[0], 0, null);
        }

        if (definition == typeof(HashSet<>) || definition == typeof(ISet<>) || definition == typeof(IReadOnlySet<>))
        {
            return new Container(ContainerKind.Set, args[0], 0, null);
        }

        if (definition == typeof(Dictionary<,>) || definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>))
        {
            return new Container(ContainerKind.Map, args[1], 1, args[0]);
        }

        return null;
    }

    private static bool IsFrameworkType(Type type)
    {
        string? ns = type.Namespace;
        return type.IsGenericType
            || type.IsAbstract
            || type.IsInterface
            || ns == "System"
            || (ns is not null && (ns.StartsWith("System.", StringComparison.Ordinal) || ns.StartsWith("Microsoft.", StringComparison.Ordinal)));
    }
}

/// <summary>Readable C# names for error messages and manifests.</summary>
internal static class TypeNames
{
    public static string Display(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Display(underlying) + "?";
        }

        if (type.IsArray)
        {
            return Display(type.GetElementType()!) + "[]";
        }

        if (!type.IsGenericType)
        {
            return type.Name;
        }

        string name = type.Name;
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick >= 0)
        {
            name = name[..tick];
        }

        return name + "<" + string.Join(", ", type.GetGenericArguments().Select(Display)) + ">";
    }
}
