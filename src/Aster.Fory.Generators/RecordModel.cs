using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Aster.Fory.Generators;

/// <summary>How a specialised member is written and read; <see cref="Fallback"/> goes through the runtime member codec.</summary>
internal enum ValueKind
{
    Fallback,
    Bool,
    Int8,
    UInt8,
    Int16,
    UInt16,
    Int32,
    UInt32,
    VarInt32,
    VarUInt32,
    Int64,
    UInt64,
    VarInt64,
    VarUInt64,
    Float32,
    Float64,
    String,
}

/// <summary>One member of a record as the runtime's <c>WireTypeModel</c> sees it.</summary>
internal sealed class MemberModel
{
    public MemberModel(string propertyName, string identifier, int tagId, FieldShape shape, bool nullable, ValueKind kind, string typeText, bool isValueNullable)
    {
        PropertyName = propertyName;
        Identifier = identifier;
        TagId = tagId;
        Shape = shape;
        Nullable = nullable;
        Kind = kind;
        TypeText = typeText;
        IsValueNullable = isValueNullable;
    }

    public string PropertyName { get; }

    /// <summary>The B10.4 identifier: the tag id in decimal, else the wire name.</summary>
    public string Identifier { get; }

    public int TagId { get; }

    public FieldShape Shape { get; }

    public bool Nullable { get; }

    public ValueKind Kind { get; }

    /// <summary>The member's declared type, fully qualified, with nullable annotations.</summary>
    public string TypeText { get; }

    /// <summary>Whether the declared type is <c>Nullable&lt;T&gt;</c>.</summary>
    public bool IsValueNullable { get; }

    /// <summary>How the member is created when reading: a constructor argument, an initializer, or not at all.</summary>
    public bool InConstructor { get; set; }

    public bool Settable { get; set; }

    public bool Required { get; set; }

    public string Escaped => SyntaxFacts.GetKeywordKind(PropertyName) != SyntaxKind.None ? "@" + PropertyName : PropertyName;
}

/// <summary>What the generator emits for one <c>[WireType]</c> record, or why it emits nothing (or no reader).</summary>
internal sealed class RecordModel
{
    private static readonly SymbolDisplayFormat _typeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private RecordModel(string typeText, string className, Location? location, string displayName)
    {
        TypeText = typeText;
        ClassName = className;
        Location = location;
        DisplayName = displayName;
    }

    public string TypeText { get; }

    public string ClassName { get; }

    public Location? Location { get; }

    public string DisplayName { get; }

    public List<MemberModel> Members { get; } = [];

    /// <summary>Why nothing is generated, or null.</summary>
    public string? NotGenerated { get; private set; }

    /// <summary>Why no reader is generated, or null.</summary>
    public string? NoReader { get; private set; }

    /// <summary>The constructor parameters in order (member indexes), when the reader calls a constructor with arguments.</summary>
    public List<int> ConstructorArguments { get; } = [];

    public bool IsEnum { get; private set; }

    public static RecordModel Build(INamedTypeSymbol type, Location? location)
    {
        string typeText = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        RecordModel model = new(typeText, ClassNameOf(type), location, type.ToDisplayString());
        if (type.TypeKind == TypeKind.Enum)
        {
            model.IsEnum = true;
            return model;
        }

        model.NotGenerated = Unsupported(type);
        if (model.NotGenerated is not null)
        {
            return model;
        }

        foreach (IPropertySymbol p in type.GetMembers().OfType<IPropertySymbol>())
        {
            if (p.IsStatic || p.IsIndexer || p.GetMethod is not { DeclaredAccessibility: Accessibility.Public } || p.SetMethod is null)
            {
                continue;
            }

            string? error = null;
            bool fixedWidth = HasAttribute(p, "Aster.Fory.FixedWidthAttribute");
            FieldShape? shape = ShapeOf(p.Type, fixedWidth, ref error);
            if (shape is null)
            {
                model.NotGenerated = $"member {p.Name}: {error}";
                return model;
            }

            bool isValueNullable = p.Type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T };
            bool nullable = isValueNullable || (!p.Type.IsValueType && p.NullableAnnotation == NullableAnnotation.Annotated);
            string wireName = StringArgument(p, "Aster.Fory.WireNameAttribute") ?? ToSnakeCase(p.Name);
            int tagId = IntArgument(p, "Aster.Fory.Types.TagIdAttribute") ?? -1;
            string identifier = tagId >= 0 ? tagId.ToString(CultureInfo.InvariantCulture) : wireName;
            ITypeSymbol valueType = isValueNullable ? ((INamedTypeSymbol)p.Type).TypeArguments[0] : p.Type;
            ValueKind kind = KindOf(valueType, shape.TypeId);
            MemberModel member = new(p.Name, identifier, tagId, shape, nullable, kind, p.Type.ToDisplayString(_typeFormat), isValueNullable)
            {
                Settable = p.SetMethod.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal,
                Required = p.IsRequired,
            };
            model.Members.Add(member);
        }

        HashSet<string> seen = new(StringComparer.Ordinal);
        foreach (MemberModel m in model.Members)
        {
            if (m.TagId < 0 && !seen.Add(Normalize(m.Identifier)))
            {
                model.NotGenerated = $"two members have the wire name '{m.Identifier}' after normalisation";
                return model;
            }
        }

        List<MemberModel> ordered = model.Members.OrderBy(m => m, Comparer<MemberModel>.Create(FieldOrder.Compare)).ToList();
        model.Members.Clear();
        model.Members.AddRange(ordered);
        model.NoReader = model.PlanReader(type);
        return model;
    }

    private static string? Unsupported(INamedTypeSymbol type)
    {
        if (type.IsGenericType)
        {
            return "generic types are not generated";
        }

        if (type.IsAbstract || type.IsStatic)
        {
            return "the type is abstract";
        }

        for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
        {
            if (t.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal))
            {
                return $"{t.Name} is not public or internal";
            }
        }

        if (type.TypeKind == TypeKind.Class && type.BaseType is { SpecialType: not SpecialType.System_Object } baseType)
        {
            return $"it derives from {baseType.Name} (inherited members are not generated)";
        }

        return null;
    }

    /// <summary>Decides how the reader creates the record; returns why it cannot, or null.</summary>
    private string? PlanReader(INamedTypeSymbol type)
    {
        MemberModel? nested = Members.FirstOrDefault(m => m.Shape.MayContainRecords);
        if (nested is not null)
        {
            return $"member {nested.PropertyName} may hold records (references must be registered before fields are read)";
        }

        bool accessible(IMethodSymbol c) => c.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal;
        IMethodSymbol? parameterless = type.InstanceConstructors.FirstOrDefault(c => c.Parameters.Length == 0 && accessible(c));
        if (type.IsValueType || parameterless is not null)
        {
            MemberModel? fixedMember = Members.FirstOrDefault(m => !m.Settable);
            return fixedMember is null ? null : $"member {fixedMember.PropertyName} has no accessible setter";
        }

        // A positional record: the primary constructor takes every member it declares; the rest are initialised.
        IMethodSymbol? primary = type.IsRecord
            ? type.InstanceConstructors.FirstOrDefault(c => accessible(c) && c.Parameters.Length > 0 && c.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is Microsoft.CodeAnalysis.CSharp.Syntax.RecordDeclarationSyntax))
            : null;
        if (primary is null)
        {
            return "it has no accessible parameterless or primary constructor";
        }

        foreach (IParameterSymbol parameter in primary.Parameters)
        {
            int index = Members.FindIndex(m => m.PropertyName == parameter.Name);
            if (index < 0 || Members[index].InConstructor)
            {
                return $"primary constructor parameter {parameter.Name} is not a carried member";
            }

            MemberModel m = Members[index];
            m.InConstructor = true;
            if (m.Required)
            {
                return $"member {m.PropertyName} is required and a constructor parameter";
            }

            ConstructorArguments.Add(index);
        }

        MemberModel? unset = Members.FirstOrDefault(m => !m.InConstructor && !m.Settable);
        return unset is null ? null : $"member {unset.PropertyName} has no accessible setter";
    }

    private static FieldShape? ShapeOf(ITypeSymbol t, bool fixedWidth, ref string? error)
    {
        if (t is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } n)
        {
            return ShapeOf(n.TypeArguments[0], fixedWidth, ref error);
        }

        if (t.TypeKind == TypeKind.Enum)
        {
            return Simple(TypeIds.Enum);
        }

        switch (t.SpecialType)
        {
            case SpecialType.System_Boolean: return Simple(TypeIds.Bool);
            case SpecialType.System_SByte: return Simple(TypeIds.Int8);
            case SpecialType.System_Int16: return Simple(TypeIds.Int16);
            case SpecialType.System_Int32: return Simple(fixedWidth ? TypeIds.Int32 : TypeIds.VarInt32);
            case SpecialType.System_Int64: return Simple(fixedWidth ? TypeIds.Int64 : TypeIds.VarInt64);
            case SpecialType.System_Byte: return Simple(TypeIds.UInt8);
            case SpecialType.System_UInt16: return Simple(TypeIds.UInt16);
            case SpecialType.System_UInt32: return Simple(fixedWidth ? TypeIds.UInt32 : TypeIds.VarUInt32);
            case SpecialType.System_UInt64: return Simple(fixedWidth ? TypeIds.UInt64 : TypeIds.VarUInt64);
            case SpecialType.System_Single: return Simple(TypeIds.Float32);
            case SpecialType.System_Double: return Simple(TypeIds.Float64);
            case SpecialType.System_String: return Simple(TypeIds.String);
            case SpecialType.System_DateTime: return Simple(TypeIds.Timestamp);
            case SpecialType.System_Object: return new FieldShape(TypeIds.Unknown, "Unknown", mayContainRecords: true);
            case SpecialType.System_Decimal:
            case SpecialType.System_Char:
                error = $"{t.Name} is not supported (A8)";
                return null;
        }

        if (t is IArrayTypeSymbol array)
        {
            if (array.Rank != 1)
            {
                error = "multi-dimensional arrays are not supported";
                return null;
            }

            if (array.ElementType.SpecialType == SpecialType.System_Byte)
            {
                return Simple(TypeIds.Binary);
            }

            FieldShape? element = ShapeOf(array.ElementType, fixedWidth, ref error);
            return element is null ? null : new FieldShape(TypeIds.List, "List", element);
        }

        string name = t.OriginalDefinition.ToDisplayString();
        switch (name)
        {
            case "System.ReadOnlyMemory<T>":
            case "System.Memory<T>":
                if (((INamedTypeSymbol)t).TypeArguments[0].SpecialType == SpecialType.System_Byte)
                {
                    return Simple(TypeIds.Binary);
                }

                break;
            case "System.Guid":
                return Simple(TypeIds.String);
            case "System.DateTimeOffset":
                return Simple(TypeIds.Timestamp);
            case "System.DateOnly":
                return Simple(TypeIds.Date);
            case "System.Collections.Generic.List<T>":
            case "System.Collections.Generic.IList<T>":
            case "System.Collections.Generic.IReadOnlyList<T>":
            case "System.Collections.Generic.ICollection<T>":
            case "System.Collections.Generic.IEnumerable<T>":
            case "System.Collections.Generic.IReadOnlyCollection<T>":
                return Collection(TypeIds.List, "List", (INamedTypeSymbol)t, fixedWidth, ref error);
            case "System.Collections.Generic.HashSet<T>":
            case "System.Collections.Generic.ISet<T>":
            case "System.Collections.Generic.IReadOnlySet<T>":
                return Collection(TypeIds.Set, "Set", (INamedTypeSymbol)t, fixedWidth, ref error);
            case "System.Collections.Generic.Dictionary<TKey, TValue>":
            case "System.Collections.Generic.IDictionary<TKey, TValue>":
            case "System.Collections.Generic.IReadOnlyDictionary<TKey, TValue>":
            {
                INamedTypeSymbol map = (INamedTypeSymbol)t;
                FieldShape? key = ShapeOf(map.TypeArguments[0], fixedWidth, ref error);
                FieldShape? value = key is null ? null : ShapeOf(map.TypeArguments[1], fixedWidth, ref error);
                return value is null ? null : new FieldShape(TypeIds.Map, "Map", value, key);
            }
        }

        if (HasAttribute(t, "Aster.Fory.WireTypeAttribute"))
        {
            return new FieldShape(TypeIds.NamedCompatibleStruct, "NamedCompatibleStruct", mayContainRecords: true);
        }

        error = $"type {t.ToDisplayString()} cannot be carried (A8)";
        return null;
    }

    private static FieldShape? Collection(int id, string typeName, INamedTypeSymbol t, bool fixedWidth, ref string? error)
    {
        FieldShape? element = ShapeOf(t.TypeArguments[0], fixedWidth, ref error);
        return element is null ? null : new FieldShape(id, typeName, element);
    }

    private static FieldShape Simple(int id) => new(id, TypeIds.Names[id]);

    private static ValueKind KindOf(ITypeSymbol t, int typeId)
    {
        if (t.TypeKind == TypeKind.Enum)
        {
            return ValueKind.Fallback;
        }

        return (t.SpecialType, typeId) switch
        {
            (SpecialType.System_Boolean, _) => ValueKind.Bool,
            (SpecialType.System_SByte, _) => ValueKind.Int8,
            (SpecialType.System_Byte, _) => ValueKind.UInt8,
            (SpecialType.System_Int16, _) => ValueKind.Int16,
            (SpecialType.System_UInt16, _) => ValueKind.UInt16,
            (SpecialType.System_Int32, TypeIds.Int32) => ValueKind.Int32,
            (SpecialType.System_Int32, _) => ValueKind.VarInt32,
            (SpecialType.System_UInt32, TypeIds.UInt32) => ValueKind.UInt32,
            (SpecialType.System_UInt32, _) => ValueKind.VarUInt32,
            (SpecialType.System_Int64, TypeIds.Int64) => ValueKind.Int64,
            (SpecialType.System_Int64, _) => ValueKind.VarInt64,
            (SpecialType.System_UInt64, TypeIds.UInt64) => ValueKind.UInt64,
            (SpecialType.System_UInt64, _) => ValueKind.VarUInt64,
            (SpecialType.System_Single, _) => ValueKind.Float32,
            (SpecialType.System_Double, _) => ValueKind.Float64,
            (SpecialType.System_String, _) => ValueKind.String,
            _ => ValueKind.Fallback,
        };
    }

    private static bool HasAttribute(ISymbol symbol, string metadataName) =>
        symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == metadataName);

    private static string? StringArgument(ISymbol symbol, string metadataName) =>
        symbol.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == metadataName) is { ConstructorArguments.Length: > 0 } a
            ? a.ConstructorArguments[0].Value as string
            : null;

    private static int? IntArgument(ISymbol symbol, string metadataName) =>
        symbol.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == metadataName) is { ConstructorArguments.Length: > 0 } a
            && a.ConstructorArguments[0].Value is int i
            ? i
            : null;

    private static string ClassNameOf(INamedTypeSymbol type)
    {
        StringBuilder b = new();
        foreach (char c in type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", string.Empty))
        {
            b.Append(char.IsLetterOrDigit(c) ? c : '_');
        }

        return b.Append("_ForySerializer").ToString();
    }

    /// <summary>The runtime's <c>WireNaming.ToSnakeCase</c>: acronym-aware snake_case.</summary>
    internal static string ToSnakeCase(string name)
    {
        StringBuilder builder = new(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (c is >= 'A' and <= 'Z')
            {
                if (i > 0 && name[i - 1] != '_')
                {
                    bool previousUpper = name[i - 1] is >= 'A' and <= 'Z';
                    bool nextIsNonUpper = i + 1 < name.Length && name[i + 1] is not (>= 'A' and <= 'Z');
                    if (!previousUpper || nextIsNonUpper)
                    {
                        builder.Append('_');
                    }
                }

                builder.Append((char)(c | 0x20));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>The runtime's <c>WireNaming.Normalize</c>: underscores removed, ASCII lower-cased.</summary>
    private static string Normalize(string name)
    {
        StringBuilder builder = new(name.Length);
        foreach (char c in name)
        {
            if (c != '_')
            {
                builder.Append(c is >= 'A' and <= 'Z' ? (char)(c | 0x20) : c);
            }
        }

        return builder.ToString();
    }
}
