using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Aster.Fory.Generators;

/// <summary>
/// Emits, for every <c>[WireType]</c> record, class or struct of the compilation, a straight-line Fory serializer
/// (fields written and read in B10.4 order with the runtime's own primitives) and registers them all from one module
/// initializer; <c>ForySerializer</c> prefers them to its reflection-built codecs when they agree with its model.
/// Turn it off per project with the MSBuild property <c>AsterForyGenerator=false</c>.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class WireTypeGenerator : IIncrementalGenerator
{
    private const string WireTypeAttribute = "Aster.Fory.WireTypeAttribute";
    private const string BaseType = "Aster.Fory.Serialization.ForyGeneratedSerializer`1";

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValueProvider<bool> enabled = context.AnalyzerConfigOptionsProvider.Select(static (options, _) =>
            !(options.GlobalOptions.TryGetValue("build_property.AsterForyGenerator", out string? value)
              && string.Equals(value?.Trim(), "false", StringComparison.OrdinalIgnoreCase)));
        IncrementalValueProvider<bool> hasRuntime = context.CompilationProvider.Select(static (c, _) => c.GetTypeByMetadataName(BaseType) is not null);
        IncrementalValuesProvider<RecordModel> records = context.SyntaxProvider.ForAttributeWithMetadataName(
            WireTypeAttribute,
            static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.BaseTypeDeclarationSyntax,
            static (ctx, ct) => RecordModel.Build((INamedTypeSymbol)ctx.TargetSymbol, ctx.Attributes.FirstOrDefault()?.ApplicationSyntaxReference?.GetSyntax(ct).GetLocation()));
        IncrementalValueProvider<((ImmutableArray<RecordModel> Records, bool Enabled) Left, bool HasRuntime)> all =
            records.Collect().Combine(enabled).Combine(hasRuntime);
        context.RegisterSourceOutput(all, static (spc, input) => Emit(spc, input.Left.Records, input.Left.Enabled && input.HasRuntime));
    }

    private static void Emit(SourceProductionContext context, ImmutableArray<RecordModel> records, bool enabled)
    {
        if (!enabled)
        {
            return;
        }

        List<RecordModel> generated = [];
        HashSet<string> names = new(StringComparer.Ordinal);
        foreach (RecordModel model in records.Where(r => !r.IsEnum).OrderBy(r => r.ClassName, StringComparer.Ordinal))
        {
            if (!names.Add(model.ClassName))
            {
                continue;
            }

            if (model.NotGenerated is not null)
            {
                context.ReportDiagnostic(Diagnostic.Create(Diagnostics.NotGenerated, model.Location, model.DisplayName, model.NotGenerated));
                continue;
            }

            if (model.NoReader is not null)
            {
                context.ReportDiagnostic(Diagnostic.Create(Diagnostics.WriteOnly, model.Location, model.DisplayName, model.NoReader));
            }

            context.AddSource(model.ClassName + ".g.cs", SourceEmitter.Serializer(model));
            generated.Add(model);
        }

        if (generated.Count > 0)
        {
            context.AddSource("ForyGeneratedRegistration.g.cs", SourceEmitter.Registration(generated));
        }
    }
}
