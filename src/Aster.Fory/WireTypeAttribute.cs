namespace Aster.Fory;

/// <summary>
/// Marks a record, class or struct as a message type with a wire tag <c>namespace/Name</c> (for example
/// <c>hello/Request</c>). The tag is the Fory named-struct name and the contract's type name.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Enum, Inherited = false)]
public sealed class WireTypeAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="tag">The wire tag, <c>namespace/Name</c>; the part before the last <c>/</c> is the namespace.</param>
    public WireTypeAttribute(string tag)
    {
        Tag = tag;
    }

    /// <summary>The wire tag, <c>namespace/Name</c>.</summary>
    public string Tag { get; }

    /// <summary>How JSON-mode keys are derived from wire names for this type. Defaults to <see cref="JsonNaming.WireName"/>.</summary>
    public JsonNaming JsonNaming { get; set; } = JsonNaming.WireName;
}

/// <summary>Overrides the wire name of a property or field (Fory TypeDef field name, contract field name, JSON key).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter, Inherited = false)]
public sealed class WireNameAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="name">The wire name.</param>
    public WireNameAttribute(string name)
    {
        Name = name;
    }

    /// <summary>The wire name.</summary>
    public string Name { get; }

    /// <summary>The JSON-mode key, when it differs from the wire name; null means derive it from the type's <see cref="JsonNaming"/>.</summary>
    public string? Json { get; set; }
}

/// <summary>Writes an <c>int</c>, <c>long</c>, <c>uint</c> or <c>ulong</c> member as a fixed-width integer instead of a varint.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter, Inherited = false)]
public sealed class FixedWidthAttribute : Attribute
{
}

/// <summary>How JSON-mode keys are derived from wire names.</summary>
public enum JsonNaming
{
    /// <summary>JSON keys are the wire names (snake_case by default), as Python and C# producers expect.</summary>
    WireName = 0,

    /// <summary>JSON keys are the camelCase alias of the wire names, as TypeScript producers expect.</summary>
    CamelCase = 1,
}
