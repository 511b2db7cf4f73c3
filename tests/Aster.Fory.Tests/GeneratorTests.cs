using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Aster.Fory.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Aster.Fory.Tests;

/// <summary>The generator run on source text: what it emits, that the output compiles cleanly, its diagnostics, the opt-out.</summary>
public sealed class GeneratorTests
{
    private static readonly ImmutableArray<MetadataReference> _references =
    [
        .. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).Select(p => MetadataReference.CreateFromFile(p)),
        MetadataReference.CreateFromFile(typeof(ForySerializer).Assembly.Location),
    ];

    private sealed record Run(Compilation Output, ImmutableArray<Diagnostic> Diagnostics, ImmutableArray<GeneratedSourceResult> Sources);

    private static Run Generate([StringSyntax("C#")] string source, Dictionary<string, string>? globalOptions = null)
    {
        CSharpParseOptions parse = new(LanguageVersion.Latest);
        CSharpCompilation compilation = CSharpCompilation.Create(
            "GeneratorInput",
            [CSharpSyntaxTree.ParseText(source, parse)],
            _references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new WireTypeGenerator().AsSourceGenerator()],
            parseOptions: parse,
            optionsProvider: new Options(globalOptions ?? []));
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        return new Run(output, diagnostics, result.GeneratedSources);
    }

    private static void AssertCompilesCleanly(Run run)
    {
        Diagnostic[] problems = run.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
        Assert.True(problems.Length == 0, string.Join("\n", problems.Select(p => p.ToString())));
    }

    [Fact]
    public void Records_GenerateSerializersAndRegistration_ThatCompileWithoutWarnings()
    {
        Run run = Generate("""
            using System.Collections.Generic;
            using Aster.Fory;
            namespace App;
            [WireType("app/Hello")] public sealed record Hello(string Name);
            [WireType("app/Mixed")] public sealed record Mixed(int? Count, string? Note, [property: FixedWidth] long Wide, List<string> Tags, byte[] Raw, double Score);
            [WireType("app/Holder")] public sealed class Holder { public Hello Inner { get; set; } = new(""); public int @event { get; set; } }
            [WireType("app/Point")] public record struct Point(int X, int Y);
            [WireType("app/Kind")] public enum Kind { A, B }
            """);
        AssertCompilesCleanly(run);
        Assert.Equal(
            ["App_Hello_ForySerializer.g.cs", "App_Holder_ForySerializer.g.cs", "App_Mixed_ForySerializer.g.cs", "App_Point_ForySerializer.g.cs", "ForyGeneratedRegistration.g.cs"],
            run.Sources.Select(s => s.HintName).Order(StringComparer.Ordinal));
        string hello = run.Sources.Single(s => s.HintName == "App_Hello_ForySerializer.g.cs").SourceText.ToString();
        Assert.Contains("w.WriteString(value.Name, 0);", hello, StringComparison.Ordinal);
        Assert.Contains("new string[] { \"name:String\" }, true", hello, StringComparison.Ordinal);
        string mixed = run.Sources.Single(s => s.HintName == "App_Mixed_ForySerializer.g.cs").SourceText.ToString();

        // B10.4: non-nullable primitives (fixed before compressed), nullable primitives, strings and binaries, lists.
        Assert.Contains("\"score:Float64\", \"wide:Int64\", \"count:VarInt32?\", \"note:String?\", \"raw:Binary\", \"tags:list<String>\"", mixed, StringComparison.Ordinal);
        string holder = run.Sources.Single(s => s.HintName == "App_Holder_ForySerializer.g.cs").SourceText.ToString();
        Assert.Contains("value.@event", holder, StringComparison.Ordinal);
        Assert.Contains(run.Diagnostics, d => d.Id == "ASTERFORY002" && d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("Inner", StringComparison.Ordinal));
        Assert.DoesNotContain(run.Diagnostics, d => d.Id == "ASTERFORY001");
    }

    [Fact]
    public void UnsupportedShapes_ReportInfoAndGenerateNothingForThem()
    {
        Run run = Generate("""
            using Aster.Fory;
            namespace App;
            [WireType("app/Gen")] public sealed class Gen<T> { public T? Value { get; set; } }
            public class Base { public string Id { get; set; } = ""; }
            [WireType("app/Derived")] public sealed class Derived : Base { public int N { get; set; } }
            public static class Outer { [WireType("app/Hidden")] private sealed record Hidden(int X); }
            [WireType("app/Money")] public sealed record Money(decimal Amount);
            [WireType("app/Ok")] public sealed record Ok(int X);
            """);
        AssertCompilesCleanly(run);
        Diagnostic[] infos = run.Diagnostics.Where(d => d.Id == "ASTERFORY001").ToArray();
        Assert.Equal(4, infos.Length);
        Assert.All(infos, d => Assert.Equal(DiagnosticSeverity.Info, d.Severity));
        Assert.Equal(["App_Ok_ForySerializer.g.cs", "ForyGeneratedRegistration.g.cs"], run.Sources.Select(s => s.HintName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void WriteOnlyShapes_ReportWhy()
    {
        Run run = Generate("""
            using Aster.Fory;
            namespace App;
            [WireType("app/Sealed")] public sealed class Sealed { public Sealed(string name) { Name = name; } public string Name { get; private set; } }
            [WireType("app/Plain")] public sealed class Plain { private Plain() { } public string Name { get; set; } = ""; }
            """);
        AssertCompilesCleanly(run);
        Assert.Equal(2, run.Diagnostics.Count(d => d.Id == "ASTERFORY002"));
        Assert.All(run.Sources.Where(s => s.HintName != "ForyGeneratedRegistration.g.cs"), s => Assert.DoesNotContain("ReadFields", s.SourceText.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public void OptOut_MsBuildProperty_GeneratesNothing()
    {
        Run run = Generate(
            """
            using Aster.Fory;
            [WireType("app/Hello")] public sealed record Hello(string Name);
            """,
            new() { ["build_property.AsterForyGenerator"] = "false" });
        Assert.Empty(run.Sources);
        Assert.Empty(run.Diagnostics);
    }

    [Fact]
    public void SnakeCase_MatchesTheRuntime()
    {
        foreach (string name in new[] { "UserID", "HTTPStatus", "Address2Line", "already_snake", "X", "ABC", "aB", "IOStream2Go" })
        {
            Assert.Equal(WireNaming.ToSnakeCase(name), Generators.RecordModel.ToSnakeCase(name));
        }
    }

    private sealed class Options(Dictionary<string, string> global) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Values(global);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Values([]);

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Values([]);

        private sealed class Values(Dictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
        }
    }
}
