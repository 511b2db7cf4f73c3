using System.Text.Json;
using Aster.Contracts;
using Aster.Testing;

namespace Aster.Tests.Contracts;

/// <summary>Builds canonical model objects directly from the JSON of the contract-identity vectors.</summary>
internal static class VectorModel
{
    public static ServiceContractDef Contract(JsonElement json)
    {
        List<MethodDef> methods = [.. json.GetProperty("methods").EnumerateArray().Select(Method)];
        List<string> modes = [.. json.GetProperty("serialization_modes").EnumerateArray().Select(m => m.GetString()!)];
        return new ServiceContractDef(
            json.GetProperty("name").GetString()!,
            json.GetProperty("version").GetInt32(),
            methods,
            modes,
            (ServiceScope)Enum(json.GetProperty("scoped"), ["shared", "session"]),
            Requirement(json.GetProperty("requires")),
            json.TryGetProperty("producer_language", out JsonElement pl) ? pl.GetString()! : string.Empty);
    }

    public static TypeDef TypeDef(JsonElement json) => new(
        (TypeDefKind)Enum(json.GetProperty("kind"), ["message", "enum", "union"]),
        json.GetProperty("package").GetString()!,
        json.GetProperty("name").GetString()!,
        [.. json.GetProperty("fields").EnumerateArray().Select(Field)],
        [.. json.GetProperty("enum_values").EnumerateArray().Select(v => new EnumValueDef(v.GetProperty("name").GetString()!, v.GetProperty("value").GetInt32()))],
        [.. json.GetProperty("union_variants").EnumerateArray().Select(v => new UnionVariantDef(v.GetProperty("name").GetString()!, v.GetProperty("id").GetInt32(), Hex.Decode(v.GetProperty("type_ref").GetString()!)))]);

    private static FieldDef Field(JsonElement json) => new(
        json.GetProperty("name").GetString()!,
        (TypeKind)Enum(json.GetProperty("type_kind"), ["primitive", "ref", "self_ref", "any"]),
        json.GetProperty("type_primitive").GetString()!,
        Hex.Decode(json.GetProperty("type_ref").GetString()!),
        json.GetProperty("self_ref_name").GetString()!,
        json.GetProperty("optional").GetBoolean(),
        (ContainerKind)Enum(json.GetProperty("container"), ["none", "list", "set", "map"]),
        (TypeKind)Enum(json.GetProperty("container_key_kind"), ["primitive", "ref", "self_ref", "any"]),
        json.GetProperty("container_key_primitive").GetString()!,
        Hex.Decode(json.GetProperty("container_key_ref").GetString()!))
    {
        RefTracked = json.GetProperty("ref_tracked").GetBoolean(),
        Required = !json.TryGetProperty("required", out JsonElement r) || r.GetBoolean(),
        DefaultValue = json.TryGetProperty("default_value", out JsonElement d) ? Hex.Decode(d.GetString()!) : [],
    };

    private static MethodDef Method(JsonElement json) => new(
        json.GetProperty("name").GetString()!,
        (MethodPattern)Enum(json.GetProperty("pattern"), ["unary", "server_stream", "client_stream", "bidi_stream"]),
        Hex.Decode(json.GetProperty("request_type").GetString()!),
        Hex.Decode(json.GetProperty("response_type").GetString()!),
        json.GetProperty("idempotent").GetBoolean(),
        json.GetProperty("default_timeout").GetDouble(),
        Requirement(json.GetProperty("requires")));

    private static CapabilityRequirement? Requirement(JsonElement json) => json.ValueKind == JsonValueKind.Null
        ? null
        : new CapabilityRequirement(
            (CapabilityKind)Enum(json.GetProperty("kind"), ["role", "any_of", "all_of"]),
            [.. json.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!)]);

    private static int Enum(JsonElement json, string[] names)
    {
        if (json.ValueKind == JsonValueKind.Number)
        {
            return json.GetInt32();
        }

        string name = json.GetString()!.ToLowerInvariant();
        if (name == "stream")
        {
            return 1;
        }

        int index = Array.IndexOf(names, name);
        Assert.True(index >= 0, $"unknown enum name {name}");
        return index;
    }
}
