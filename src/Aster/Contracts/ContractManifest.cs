using System.Reflection;

namespace Aster.Contracts;

/// <summary>
/// The contract manifest JSON in the reference Python v1 form (contracts-and-fory.md A12, <c>contract/manifest.py</c>):
/// keys in the Python dataclass order, formatted as <c>json.dumps(..., indent=2)</c>. The manifest is descriptive and
/// does not feed the contract id.
/// </summary>
internal static class ContractManifest
{
    public const string CanonicalEncoding = "fory-xlang/0.15";

    public static string Write(ContractDescription contract, ContractManifestMetadata? metadata)
    {
        metadata ??= new ContractManifestMetadata();
        List<string> typeHashes = [.. contract.Types.Select(t => t.HashHex)];
        typeHashes.Sort(StringComparer.Ordinal);

        JsonObjectBuilder root = new()
        {
            { "v", 1 },
            { "service", contract.Name },
            { "version", contract.Version },
            { "contract_id", contract.ContractId },
            { "canonical_encoding", CanonicalEncoding },
            { "type_count", contract.Types.Count },
            { "type_hashes", typeHashes },
            { "method_count", contract.Methods.Count },
            { "methods", contract.Methods.OrderBy(m => m.Name, StringComparer.Ordinal).Select(Method).ToList() },
            { "serialization_modes", contract.SerializationModes.ToList() },
            { "producer_language", string.Empty },
            { "scoped", contract.Scope == ServiceScope.Session ? "session" : "shared" },
            { "description", metadata.Description },
            { "tags", metadata.Tags.ToList() },
            { "deprecated", metadata.Deprecated },
            { "semver", metadata.Semver },
            { "vcs_revision", metadata.VcsRevision },
            { "vcs_tag", metadata.VcsTag },
            { "vcs_url", metadata.VcsUrl },
            { "changelog", metadata.Changelog },
            { "published_by", metadata.PublishedBy },
            { "published_at_epoch_ms", metadata.PublishedAtEpochMs },
        };
        return PythonJson.Serialize(root);
    }

    private static JsonObjectBuilder Method(ContractMethod method)
    {
        List<JsonObjectBuilder> fields = Fields(method.Request);
        return new JsonObjectBuilder
        {
            { "name", method.Name },
            { "pattern", Pattern(method.Pattern) },
            { "request_type", DisplayName(method.Request) },
            { "response_type", DisplayName(method.Response) },
            { "request_wire_tag", method.Request.Shape?.Tag ?? string.Empty },
            { "response_wire_tag", method.Response.Shape?.Tag ?? string.Empty },
            { "timeout", method.TimeoutSeconds },
            { "idempotent", method.Idempotent },
            { "fields", fields },
            { "response_fields", Fields(method.Response) },
            { "request_style", method.IsInlineRequest ? "inline" : "explicit" },
            { "inline_params", method.IsInlineRequest ? fields : [] },
            { "description", string.Empty },
            { "tags", new List<string>() },
            { "deprecated", method.Method.IsDefined(typeof(ObsoleteAttribute)) },
        };
    }

    private static string Pattern(MethodPattern pattern) => pattern switch
    {
        MethodPattern.ServerStream => "server_stream",
        MethodPattern.ClientStream => "client_stream",
        MethodPattern.BidiStream => "bidi_stream",
        _ => "unary",
    };

    private static string DisplayName(MessageType message) =>
        message.Shape?.DisplayName ?? (message.ClrType is { } type ? TypeNames.Display(type) : string.Empty);

    private static List<JsonObjectBuilder> Fields(MessageType message) =>
        message.Shape is { } shape ? [.. shape.Fields.Select(Field)] : [];

    private static JsonObjectBuilder Field(MessageField field)
    {
        JsonObjectBuilder info = Classify(field.ClrType, field.Nullability);
        JsonObjectBuilder result = new()
        {
            { "name", field.WireName },
            { "kind", Get(info, "kind") },
            { "nullable", Get(info, "nullable") },
            { "required", field.Required },
            { "default_value", field.HasDefault ? JsonSafe(field.DefaultValue) : null },
            { "default_kind", field.HasDefault ? "value" : "none" },
            { "description", string.Empty },
            { "tags", new List<string>() },
        };
        foreach (string key in (string[])["ref_name", "wire_tag", "enum_values", "item_kind", "item_ref", "item_wire_tag", "item_nullable", "key_kind", "value_kind", "value_ref", "value_nullable"])
        {
            if (info.FindIndex(p => p.Key == key) is int index and >= 0)
            {
                result.Add(key, info[index].Value);
            }
        }

        result.Add("properties", new JsonObjectBuilder());
        return result;
    }

    private static object? Get(JsonObjectBuilder info, string key) => info.Find(p => p.Key == key).Value;

    private static object? JsonSafe(object? value) => value switch
    {
        null or string or bool or int or long or double or float or short or byte or sbyte or ushort or uint or ulong => value,
        _ => value.ToString(),
    };

    /// <summary>The reference's <c>_classify_type</c> applied to a C# type (kinds of A12).</summary>
    private static JsonObjectBuilder Classify(Type type, NullabilityInfo? nullability)
    {
        JsonObjectBuilder result = [];
        bool nullable = false;
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            nullable = true;
            type = underlying;
            nullability = null;
        }
        else if (!type.IsValueType && nullability?.ReadState == NullabilityState.Nullable)
        {
            nullable = true;
        }

        result.Add("nullable", nullable);
        string? simple = SimpleKind(type);
        if (simple is not null)
        {
            result.Add("kind", simple);
            return result;
        }

        if (type.IsEnum)
        {
            result.Add("kind", "enum");
            result.Add("ref_name", type.Name);
            result.Add("enum_values", EnumWireValues(type));
            return result;
        }

        if (ClrTypeMapper.GetContainer(type) is { } container)
        {
            NullabilityInfo? element = nullability?.ElementType
                ?? (nullability is not null && container.ElementIndex < nullability.GenericTypeArguments.Length ? nullability.GenericTypeArguments[container.ElementIndex] : null);
            JsonObjectBuilder elementInfo = Classify(container.Element, element);
            if (container.Kind == ContainerKind.Map)
            {
                NullabilityInfo? keyNullability = nullability is not null && nullability.GenericTypeArguments.Length > 0 ? nullability.GenericTypeArguments[0] : null;
                result.Add("kind", "map");
                result.Add("key_kind", Get(Classify(container.Key!, keyNullability), "kind"));
                result.Add("value_kind", Get(elementInfo, "kind"));
                result.Add("value_nullable", Get(elementInfo, "nullable"));
                if (Get(elementInfo, "ref_name") is { } valueRef)
                {
                    result.Add("value_ref", valueRef);
                }

                return result;
            }

            result.Add("kind", "list");
            result.Add("item_kind", Get(elementInfo, "kind"));
            result.Add("item_nullable", Get(elementInfo, "nullable"));
            if (Get(elementInfo, "ref_name") is { } itemRef)
            {
                result.Add("item_ref", itemRef);
            }

            if (Get(elementInfo, "wire_tag") is { } itemTag)
            {
                result.Add("item_wire_tag", itemTag);
            }

            return result;
        }

        if (ClrTypeMapper.IsRecord(type))
        {
            result.Add("kind", "ref");
            result.Add("ref_name", type.Name);
            result.Add("wire_tag", MessageCatalog.TagOf(type));
            return result;
        }

        result.Add("kind", "string");
        return result;
    }

    private static string? SimpleKind(Type type)
    {
        if (type == typeof(string) || type == typeof(Guid))
        {
            return "string";
        }

        if (type == typeof(bool))
        {
            return "bool";
        }

        if (type == typeof(float) || type == typeof(double))
        {
            return "float";
        }

        if (type == typeof(byte[]) || type == typeof(ReadOnlyMemory<byte>) || type == typeof(Memory<byte>))
        {
            return "bytes";
        }

        return type == typeof(sbyte) || type == typeof(short) || type == typeof(int) || type == typeof(long)
            || type == typeof(byte) || type == typeof(ushort) || type == typeof(uint) || type == typeof(ulong)
            ? "int"
            : null;
    }

    /// <summary>The wire values of an enum's members (B7): the values when all are distinct and non-negative, else positions.</summary>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Enum fields are kept with the enum type.")]
    private static List<object?> EnumWireValues(Type enumType)
    {
        FieldInfo[] members = enumType.GetFields(BindingFlags.Public | BindingFlags.Static);
        List<ulong?> values = [.. members.Select(f => ToUInt64(f.GetRawConstantValue()))];
        bool useValues = values.All(v => v.HasValue) && values.Distinct().Count() == values.Count;
        return useValues ? [.. values.Select(v => (object?)v!.Value)] : [.. Enumerable.Range(0, members.Length).Select(i => (object?)i)];
    }

    private static ulong? ToUInt64(object? value) => value switch
    {
        sbyte v => v >= 0 ? (ulong)v : null,
        short v => v >= 0 ? (ulong)v : null,
        int v => v >= 0 ? (ulong)v : null,
        long v => v >= 0 ? (ulong)v : null,
        byte v => v,
        ushort v => v,
        uint v => v,
        ulong v => v,
        _ => null,
    };
}
