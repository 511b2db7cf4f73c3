using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Aster.Fory;

namespace Aster.Contracts;

/// <summary>One field of a message type, with its wire name and contract shape.</summary>
internal sealed record MessageField(
    string WireName,
    string MemberName,
    Type ClrType,
    NullabilityInfo? Nullability,
    FieldShape Shape,
    bool Required,
    bool HasDefault,
    object? DefaultValue);

/// <summary>A record type of the contract: a C# type with a wire tag, or a request type synthesised from inline parameters.</summary>
internal sealed class MessageShape
{
    public MessageShape(string tag, Type? clrType, string displayName, IReadOnlyList<MessageField> fields, IReadOnlyCollection<Type> references)
    {
        Tag = tag;
        int slash = tag.LastIndexOf('/');
        Package = slash < 0 ? string.Empty : tag[..slash];
        Name = slash < 0 ? tag : tag[(slash + 1)..];
        FullName = Package.Length == 0 ? Name : Package + "." + Name;
        ClrType = clrType;
        DisplayName = displayName;
        Fields = fields;
        References = references;
    }

    /// <summary>The wire tag, <c>package/Name</c>.</summary>
    public string Tag { get; }

    public string Package { get; }

    public string Name { get; }

    /// <summary>The fully qualified name (A7): <c>package.Name</c>, or <c>Name</c> without a package.</summary>
    public string FullName { get; }

    /// <summary>The C# type, or null for a synthesised inline request type.</summary>
    public Type? ClrType { get; }

    /// <summary>The display name used by the manifest (the C# type name or the synthesised name).</summary>
    public string DisplayName { get; }

    public IReadOnlyList<MessageField> Fields { get; }

    /// <summary>The record types that appear anywhere in the field types.</summary>
    public IReadOnlyCollection<Type> References { get; }
}

/// <summary>Builds and caches <see cref="MessageShape"/>s, checking tags and field names.</summary>
internal sealed class MessageCatalog
{
    private readonly Dictionary<Type, MessageShape> _byType = [];
    private readonly Dictionary<string, MessageShape> _byFullName = new(StringComparer.Ordinal);
    private readonly NullabilityInfoContext _nullability = new();

    public MessageShape this[string fullName] => _byFullName[fullName];

    /// <summary>The tag of a record type: its <c>[WireType]</c>, or <c>{namespace}/{Outer.Inner}</c> by default (C1).</summary>
    public static string TagOf(Type type)
    {
        WireTypeAttribute? wireType = type.GetCustomAttribute<WireTypeAttribute>(inherit: false);
        if (wireType is not null)
        {
            string tag = wireType.Tag;
            if (string.IsNullOrWhiteSpace(tag) || tag.EndsWith('/'))
            {
                throw ContractErrors.Create(ContractRule.InvalidWireType, TypeNames.Display(type),
                    $"the wire tag \"{tag}\" has no type name (expected \"namespace/Name\")");
            }

            return tag;
        }

        string name = type.Name;
        for (Type? outer = type.DeclaringType; outer is not null; outer = outer.DeclaringType)
        {
            name = outer.Name + "." + name;
        }

        return string.IsNullOrEmpty(type.Namespace) ? name : type.Namespace + "/" + name;
    }

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Message types are registered with the codec, which keeps their public properties and fields.")]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Message types are registered with the codec, which keeps their public properties and fields.")]
    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "Message types are registered with the codec, which keeps their public properties and fields.")]
    public MessageShape GetOrAdd(Type type)
    {
        if (_byType.TryGetValue(type, out MessageShape? existing))
        {
            return existing;
        }

        string display = TypeNames.Display(type);
        if (type.IsGenericType || type.IsAbstract || type.IsInterface || !ClrTypeMapper.IsRecord(type))
        {
            throw ContractErrors.Create(ContractRule.UnsupportedMessageType, display,
                "a message type must be a non-generic, non-abstract class, record or struct");
        }

        string tag = TagOf(type);
        ParameterInfo[] ctorParameters = type.GetConstructors()
            .OrderByDescending(c => c.GetParameters().Length)
            .FirstOrDefault()?.GetParameters() ?? [];

        List<MessageField> fields = [];
        HashSet<Type> references = [];
        foreach (MemberInfo member in Members(type))
        {
            string subject = display + "." + member.Name;
            ParameterInfo? parameter = Array.Find(ctorParameters, p => p.Name == member.Name);
            string wireName = member.GetCustomAttribute<WireNameAttribute>()?.Name
                ?? parameter?.GetCustomAttribute<WireNameAttribute>()?.Name
                ?? WireNaming.ToSnakeCase(member.Name);
            bool fixedWidth = member.IsDefined(typeof(FixedWidthAttribute)) || (parameter?.IsDefined(typeof(FixedWidthAttribute)) ?? false);
            (Type memberType, NullabilityInfo nullability) = member switch
            {
                PropertyInfo p => (p.PropertyType, _nullability.Create(p)),
                FieldInfo f => (f.FieldType, _nullability.Create(f)),
                _ => throw new InvalidOperationException(),
            };
            FieldShape shape = ClrTypeMapper.MapField(memberType, nullability, fixedWidth, subject, references);
            bool hasDefault = parameter is { HasDefaultValue: true };
            bool required = parameter is not null ? !parameter.HasDefaultValue : member.IsDefined(typeof(System.Runtime.CompilerServices.RequiredMemberAttribute));
            fields.Add(new MessageField(wireName, member.Name, memberType, nullability, shape, required, hasDefault, hasDefault ? parameter!.DefaultValue : null));
        }

        CheckFieldNames(display, fields);
        MessageShape shapeOfType = new(tag, type, type.Name, fields, references);
        Register(shapeOfType, display);
        _byType[type] = shapeOfType;
        return shapeOfType;
    }

    /// <summary>Adds a request type synthesised from a method's inline parameters (A9, "mode 2").</summary>
    public MessageShape AddSynthesized(string tag, string subject, IEnumerable<ParameterInfo> parameters)
    {
        List<MessageField> fields = [];
        HashSet<Type> references = [];
        foreach (ParameterInfo parameter in parameters)
        {
            string fieldSubject = subject + "(" + parameter.Name + ")";
            string wireName = parameter.GetCustomAttribute<WireNameAttribute>()?.Name ?? WireNaming.ToSnakeCase(parameter.Name ?? string.Empty);
            NullabilityInfo nullability = _nullability.Create(parameter);
            FieldShape shape = ClrTypeMapper.MapField(parameter.ParameterType, nullability, parameter.IsDefined(typeof(FixedWidthAttribute)), fieldSubject, references);
            fields.Add(new MessageField(wireName, parameter.Name ?? string.Empty, parameter.ParameterType, nullability, shape,
                !parameter.HasDefaultValue, parameter.HasDefaultValue, parameter.HasDefaultValue ? parameter.DefaultValue : null));
        }

        CheckFieldNames(subject, fields);
        int slash = tag.LastIndexOf('/');
        MessageShape shapeOfRequest = new(tag, null, tag[(slash + 1)..], fields, references);
        Register(shapeOfRequest, subject);
        return shapeOfRequest;
    }

    private void Register(MessageShape shape, string subject)
    {
        if (_byFullName.TryGetValue(shape.FullName, out MessageShape? other))
        {
            throw ContractErrors.Create(ContractRule.DuplicateWireType, subject,
                $"the wire type {shape.FullName} is already used by {other.DisplayName}");
        }

        _byFullName[shape.FullName] = shape;
    }

    private static void CheckFieldNames(string subject, List<MessageField> fields)
    {
        Dictionary<string, MessageField> exact = new(StringComparer.Ordinal);
        Dictionary<string, MessageField> loose = new(StringComparer.Ordinal);
        foreach (MessageField field in fields)
        {
            if (string.IsNullOrWhiteSpace(field.WireName))
            {
                throw ContractErrors.Create(ContractRule.InvalidFieldName, subject + "." + field.MemberName, "the field's wire name is empty");
            }

            if (!exact.TryAdd(field.WireName, field))
            {
                throw ContractErrors.Create(ContractRule.DuplicateFieldName, subject,
                    $"the members {exact[field.WireName].MemberName} and {field.MemberName} have the same wire name \"{field.WireName}\"");
            }

            string normalized = WireNaming.Normalize(field.WireName);
            if (!loose.TryAdd(normalized, field))
            {
                throw ContractErrors.Create(ContractRule.DuplicateFieldName, subject,
                    $"the wire names \"{loose[normalized].WireName}\" and \"{field.WireName}\" cannot be told apart by readers that ignore case and underscores");
            }
        }
    }

    private static IEnumerable<MemberInfo> Members(
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicFields)] Type type)
    {
        foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0 && property.GetMethod is { IsPublic: true })
            {
                yield return property;
            }
        }

        foreach (FieldInfo field in type.GetFields(BindingFlags.Public | BindingFlags.Instance))
        {
            yield return field;
        }
    }
}
