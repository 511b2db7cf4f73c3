using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Aster.Cli.Mcp;

/// <summary>One method of a contract manifest, as the MCP gateway exposes it: a tool named <c>Service.method</c> (config-and-cli.md 11.2).</summary>
internal sealed record GatewayMethod(
    string Service,
    int Version,
    string Name,
    string Pattern,
    bool Idempotent,
    double? TimeoutSeconds,
    string RequestType,
    string ResponseType,
    string Description,
    IReadOnlyList<string> Tags,
    bool Deprecated,
    JsonElement Fields)
{
    /// <summary>The tool name.</summary>
    public string ToolName => Service + "." + Name;

    /// <summary>Reads every method of a manifest file: one manifest object, or an array of them.</summary>
    /// <exception cref="CliException">The text is not a manifest.</exception>
    public static List<GatewayMethod> FromManifests(string json, string source)
    {
        JsonElement root;
        try
        {
            using JsonDocument doc = JsonDocument.Parse(json);
            root = doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw CliException.Failed($"{source}: not JSON: {ex.Message}");
        }

        List<GatewayMethod> methods = [];
        foreach (JsonElement manifest in root.ValueKind == JsonValueKind.Array ? [.. root.EnumerateArray()] : new[] { root })
        {
            if (manifest.ValueKind != JsonValueKind.Object
                || !manifest.TryGetProperty("service", out JsonElement service) || service.ValueKind != JsonValueKind.String
                || !manifest.TryGetProperty("methods", out JsonElement list) || list.ValueKind != JsonValueKind.Array)
            {
                throw CliException.Failed($"{source}: not a contract manifest (needs 'service' and 'methods')");
            }

            int version = manifest.TryGetProperty("version", out JsonElement v) && v.TryGetInt32(out int n) ? n : 1;
            foreach (JsonElement m in list.EnumerateArray())
            {
                methods.Add(new GatewayMethod(
                    service.GetString()!,
                    version,
                    Text(m, "name") ?? throw CliException.Failed($"{source}: a method of {service.GetString()} has no name"),
                    Text(m, "pattern") ?? "unary",
                    m.TryGetProperty("idempotent", out JsonElement i) && i.ValueKind == JsonValueKind.True,
                    m.TryGetProperty("timeout", out JsonElement t) && t.ValueKind == JsonValueKind.Number ? t.GetDouble() : null,
                    Text(m, "request_type") ?? string.Empty,
                    Text(m, "response_type") ?? string.Empty,
                    Text(m, "description") ?? string.Empty,
                    Strings(m, "tags"),
                    m.TryGetProperty("deprecated", out JsonElement d) && d.ValueKind == JsonValueKind.True,
                    m.TryGetProperty("fields", out JsonElement f) && f.ValueKind == JsonValueKind.Array ? f : default));
            }
        }

        return methods;
    }

    /// <summary>The tool description: author text, then the synthetic summary; deprecation and tags marked.</summary>
    public string ToolDescription()
    {
        string pattern = Pattern.Replace('_', '-');
        string summary = $"{pattern} RPC method on {Service}. Request: {RequestType}. Response: {ResponseType}."
            + (TimeoutSeconds is { } t ? $" Timeout: {t.ToString("0.###", CultureInfo.InvariantCulture)}s." : string.Empty);
        string text = Description.Length > 0 ? $"{Description} ({summary})" : summary;
        if (Deprecated)
        {
            text = "[DEPRECATED] " + text;
        }

        return Tags.Count > 0 ? $"{text} [tags: {string.Join(", ", Tags)}]" : text;
    }

    /// <summary>The tool's input JSON Schema: the request fields plus the pattern's meta-parameters.</summary>
    public JsonObject InputSchema()
    {
        var properties = new JsonObject();
        var required = new JsonArray();
        if (Fields.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement field in Fields.EnumerateArray())
            {
                string? name = Text(field, "name");
                if (name is null)
                {
                    continue;
                }

                properties[name] = FieldSchema(field);
                if (!(field.TryGetProperty("required", out JsonElement r) && r.ValueKind == JsonValueKind.False))
                {
                    required.Add(name);
                }
            }
        }

        bool streamsOut = Pattern is "server_stream" or "bidi_stream";
        bool streamsIn = Pattern is "client_stream" or "bidi_stream";
        if (streamsIn)
        {
            properties[McpGateway.ItemsParameter] = new JsonObject { ["type"] = "array", ["description"] = "The request items to stream, in order." };
            required.Add(McpGateway.ItemsParameter);
        }

        if (streamsOut)
        {
            properties[McpGateway.MaxItemsParameter] = new JsonObject { ["type"] = "integer", ["default"] = 100, ["description"] = "Stop after this many responses." };
            properties[McpGateway.TimeoutParameter] = new JsonObject { ["type"] = "number", ["default"] = 30, ["description"] = "Stop collecting after this many seconds." };
        }

        return new JsonObject { ["type"] = "object", ["properties"] = properties, ["required"] = required };
    }

    private static JsonObject FieldSchema(JsonElement field)
    {
        JsonObject schema = KindSchema(Text(field, "kind") ?? Text(field, "type") ?? "string", field, "item_kind", "item_ref", "value_kind", "value_ref");
        if (field.TryGetProperty("nullable", out JsonElement nullable) && nullable.ValueKind == JsonValueKind.True && schema["type"] is JsonValue type)
        {
            schema["type"] = new JsonArray(type.GetValue<string>(), "null");
        }

        if (Text(field, "default_kind") == "value" && field.TryGetProperty("default_value", out JsonElement dv))
        {
            schema["default"] = JsonNode.Parse(dv.GetRawText());
        }

        IReadOnlyList<string> tags = Strings(field, "tags");
        string description = Text(field, "description") ?? string.Empty;
        if (tags.Count > 0)
        {
            description = $"{description} [{string.Join(", ", tags)}]".TrimStart();
            schema["x-aster-tags"] = new JsonArray([.. tags.Select(t => (JsonNode)t)]);
        }

        if (description.Length > 0)
        {
            schema["description"] = description;
        }

        return schema;
    }

    private static JsonObject KindSchema(string kind, JsonElement field, string itemKind, string itemRef, string valueKind, string valueRef) => kind switch
    {
        "string" or "str" => new JsonObject { ["type"] = "string" },
        "int" or "int32" or "int64" => new JsonObject { ["type"] = "integer" },
        "float" or "double" => new JsonObject { ["type"] = "number" },
        "bool" => new JsonObject { ["type"] = "boolean" },
        "bytes" => new JsonObject { ["type"] = "string", ["contentEncoding"] = "base64" },
        "enum" => new JsonObject { ["enum"] = field.TryGetProperty("enum_values", out JsonElement values) ? JsonNode.Parse(values.GetRawText()) : new JsonArray() },
        "list" => new JsonObject { ["type"] = "array", ["items"] = Nested(field, itemKind, itemRef) },
        "map" => new JsonObject { ["type"] = "object", ["additionalProperties"] = Nested(field, valueKind, valueRef) },
        "ref" => new JsonObject { ["type"] = "object", ["description"] = "Aster type: " + (Text(field, "ref_name") ?? "record") },
        _ => new JsonObject { ["type"] = "object" },
    };

    private static JsonObject Nested(JsonElement field, string kindKey, string refKey)
        => Text(field, kindKey) is { } kind
            ? KindSchema(kind, field, "-", "-", "-", "-")
            : Text(field, refKey) is { } name ? new JsonObject { ["type"] = "object", ["description"] = "Aster type: " + name } : new JsonObject();

    private static string? Text(JsonElement e, string key)
        => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(key, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static IReadOnlyList<string> Strings(JsonElement e, string key)
        => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(key, out JsonElement v) && v.ValueKind == JsonValueKind.Array
            ? [.. v.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!)]
            : [];
}
