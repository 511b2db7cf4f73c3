using System.Diagnostics.CodeAnalysis;

namespace Aster;

/// <summary>
/// Declares an Aster service: an interface that clients call and server classes implement, or a server class on its
/// own. The service name, version, scope and the method naming rule feed the contract id (contracts-and-fory.md A9).
/// </summary>
[AttributeUsage(AttributeTargets.Interface | AttributeTargets.Class, Inherited = false)]
public sealed class AsterServiceAttribute : Attribute
{
    /// <summary>Creates the attribute with the default name (the type name; <c>IFoo</c> gives <c>Foo</c>).</summary>
    public AsterServiceAttribute()
    {
    }

    /// <summary>Creates the attribute with an explicit service name.</summary>
    /// <param name="name">The service name on the wire.</param>
    public AsterServiceAttribute(string name)
    {
        Name = name;
    }

    /// <summary>The service name on the wire. Defaults to the type name without the interface prefix <c>I</c>.</summary>
    public string? Name { get; set; }

    /// <summary>The service version, a positive integer. Defaults to 1.</summary>
    public int Version { get; set; } = 1;

    /// <summary>Whether one instance serves every call or each session gets its own. Defaults to <see cref="ServiceScope.Shared"/>.</summary>
    public ServiceScope Scope { get; set; } = ServiceScope.Shared;

    /// <summary>How method wire names are derived from C# method names. Defaults to <see cref="Aster.MethodNaming.SnakeCase"/>.</summary>
    public MethodNaming MethodNaming { get; set; } = MethodNaming.SnakeCase;

    /// <summary>
    /// The serialization modes the service declares, lower-case, in order (<c>xlang</c>, <c>json</c>, <c>row</c>).
    /// Defaults to <c>["xlang"]</c>. JSON mode is always accepted whether listed or not.
    /// </summary>
    [SuppressMessage("Performance", "CA1819:Properties should not return arrays", Justification = "Attribute properties can only be arrays.")]
    public string[]? SerializationModes { get; set; }

    /// <summary>
    /// The wire namespace of the request types synthesised for methods with inline parameters
    /// (<c>{InlineNamespace}/{Method}Request</c>). Defaults to the C# namespace of the service type; set it to the
    /// Python module name to match a Python producer.
    /// </summary>
    public string? InlineNamespace { get; set; }
}

/// <summary>How method wire names are derived from C# method names (a trailing <c>Async</c> is always removed).</summary>
public enum MethodNaming
{
    /// <summary>snake_case: <c>GetStatusAsync</c> → <c>get_status</c> (the Python convention).</summary>
    SnakeCase = 0,

    /// <summary>camelCase: <c>GetStatusAsync</c> → <c>getStatus</c> (the TypeScript convention).</summary>
    CamelCase = 1,

    /// <summary>As declared: <c>GetStatusAsync</c> → <c>GetStatus</c>.</summary>
    AsDeclared = 2,
}
