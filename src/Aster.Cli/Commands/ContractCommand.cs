using System.CommandLine;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using System.Text.Json;
using Aster.Contracts;
using Spectre.Console;

namespace Aster.Cli.Commands;

/// <summary><c>aster contract gen|list</c>: the services declared in a .NET assembly, their contract ids and manifests (config-and-cli.md 10.6).</summary>
internal static class ContractCommand
{
    public static Command Create(CliHost host)
    {
        Option<string> Assembly() => new("--assembly", "-a") { Description = "The .NET assembly (.dll) that declares the services.", Required = true };
        Option<string[]> Services() => new("--service", "-s") { Description = "A service type's full name or service name (repeatable; default: every service)." };

        var genAssembly = Assembly();
        var genServices = Services();
        var output = new Option<string>("--out", "-o") { Description = "Manifest file to write, or - for stdout.", DefaultValueFactory = _ => Path.Combine(".aster", "manifest.json") };
        var semver = new Option<string?>("--semver") { Description = "A semantic version recorded in the manifests." };
        var gen = new Command("gen", "Write the manifest of each service (one object, or an array for several) and list their contract ids.") { genAssembly, genServices, output, semver };
        gen.SetAction(parse =>
        {
            IReadOnlyList<ContractDescription> contracts = Load(host, parse.GetRequiredValue(genAssembly), parse.GetValue(genServices));
            var metadata = new ContractManifestMetadata { Semver = parse.GetValue(semver) };
            string manifest = Manifests(contracts, metadata);
            string target = parse.GetRequiredValue(output);
            if (target == "-")
            {
                host.Out.Write(manifest);
                return ExitCodes.Ok;
            }

            string path = host.ResolvePath(target);
            if (Path.GetDirectoryName(path) is { Length: > 0 } dir)
            {
                Directory.CreateDirectory(dir);
            }

            File.WriteAllText(path, manifest, new UTF8Encoding(false));
            WriteTable(host, contracts);
            host.Note($"manifest written to {path}");
            return ExitCodes.Ok;
        });

        var listAssembly = Assembly();
        var listServices = Services();
        var json = new Option<bool>("--json") { Description = "Print the manifests instead of the table." };
        var list = new Command("list", "List the services of an assembly: name, version, methods and contract id.") { listAssembly, listServices, json };
        list.SetAction(parse =>
        {
            IReadOnlyList<ContractDescription> contracts = Load(host, parse.GetRequiredValue(listAssembly), parse.GetValue(listServices));
            if (parse.GetValue(json))
            {
                host.Out.Write(Manifests(contracts, null));
            }
            else
            {
                WriteTable(host, contracts);
            }

            return ExitCodes.Ok;
        });

        return new Command("contract", "Contract ids and manifests of the services in an assembly.") { gen, list };
    }

    /// <summary>Loads the assembly (sharing the Aster assemblies with this tool) and describes the selected services.</summary>
    internal static IReadOnlyList<ContractDescription> Load(CliHost host, string assemblyPath, string[]? selected)
    {
        string path = host.ResolvePath(assemblyPath);
        if (!File.Exists(path))
        {
            throw CliException.Failed($"assembly not found: {path}");
        }

        Assembly assembly = new ServiceLoadContext(path).LoadFromAssemblyPath(path);
        Type[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            types = [.. ex.Types.OfType<Type>()];
        }

        List<ContractDescription> contracts = [];
        foreach (Type type in types.Where(t => t.GetCustomAttribute<AsterServiceAttribute>(inherit: false) is not null).OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            ContractDescription contract = ServiceContracts.Describe(type);
            if (selected is not { Length: > 0 } || selected.Contains(type.FullName) || selected.Contains(contract.Name))
            {
                contracts.Add(contract);
            }
        }

        if (contracts.Count == 0)
        {
            throw CliException.Failed(selected is { Length: > 0 }
                ? $"none of the services {string.Join(", ", selected)} is declared in {path}"
                : $"no [AsterService] types in {path}");
        }

        return contracts;
    }

    private static string Manifests(IReadOnlyList<ContractDescription> contracts, ContractManifestMetadata? metadata)
    {
        if (contracts.Count == 1)
        {
            return contracts[0].ToManifestJson(metadata) + "\n";
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, IndentSize = 2 }))
        {
            writer.WriteStartArray();
            foreach (ContractDescription contract in contracts)
            {
                using JsonDocument doc = JsonDocument.Parse(contract.ToManifestJson(metadata));
                doc.RootElement.WriteTo(writer);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static void WriteTable(CliHost host, IReadOnlyList<ContractDescription> contracts)
    {
        var table = new Table().AddColumns("Service", "Version", "Methods", "Modes", "Contract id");
        foreach (ContractDescription c in contracts)
        {
            table.AddRow(
                Markup.Escape(c.Name),
                c.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(string.Join(", ", c.Methods.Select(m => $"{m.Name} ({Pattern(m.Pattern)})"))),
                string.Join(",", c.SerializationModes),
                c.ContractId);
        }

        host.AnsiOutput().Write(table);
    }

    private static string Pattern(MethodPattern pattern) => pattern switch
    {
        MethodPattern.Unary => "unary",
        MethodPattern.ServerStream => "server stream",
        MethodPattern.ClientStream => "client stream",
        _ => "bidi",
    };

    /// <summary>Loads a service assembly and its private dependencies, but shares the Aster assemblies with the tool so attributes match.</summary>
    private sealed class ServiceLoadContext(string path) : AssemblyLoadContext(Path.GetFileNameWithoutExtension(path), isCollectible: false)
    {
        private readonly AssemblyDependencyResolver _resolver = new(path);

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            if (assemblyName.Name is "Aster" or "Aster.Fory" or "Aster.Net")
            {
                return null;
            }

            return _resolver.ResolveAssemblyToPath(assemblyName) is { } resolved ? LoadFromAssemblyPath(resolved) : null;
        }
    }
}
