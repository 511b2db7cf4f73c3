using Microsoft.CodeAnalysis;

namespace Aster.Fory.Generators;

/// <summary>The generator's diagnostics: every shape it does not specialise falls back to the runtime serializer, said with an Info.</summary>
internal static class Diagnostics
{
    private const string Category = "Aster.Fory";

    /// <summary>No generated serializer for a type.</summary>
    public static readonly DiagnosticDescriptor NotGenerated = new(
        "ASTERFORY001",
        "No generated Fory serializer",
        "No generated Fory serializer for '{0}': {1}; the runtime (reflection-built) serializer is used",
        Category,
        DiagnosticSeverity.Info,
        isEnabledByDefault: true);

    /// <summary>A generated writer without a generated reader.</summary>
    public static readonly DiagnosticDescriptor WriteOnly = new(
        "ASTERFORY002",
        "Generated Fory serializer writes only",
        "The generated Fory serializer of '{0}' writes only: {1}; the runtime serializer reads",
        Category,
        DiagnosticSeverity.Info,
        isEnabledByDefault: true);
}
