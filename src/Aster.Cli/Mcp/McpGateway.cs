using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Aster.Cli.Calls;
using Aster.Client;
using Aster.Client.Dynamic;
using ModelContextProtocol.Protocol;

namespace Aster.Cli.Mcp;

/// <summary>
/// Exposes a server's methods as MCP tools (config-and-cli.md section 11): one tool per manifest method, called
/// through the <see cref="DynamicClient"/> in JSON mode with the caller's identity.
/// </summary>
internal sealed class McpGateway(DynamicClient client, IReadOnlyList<GatewayMethod> methods, ToolFilter filter, bool includeBidi, int maxItemsCap)
{
    public const string ItemsParameter = "aster_items";
    public const string MaxItemsParameter = "aster_max_items";
    public const string TimeoutParameter = "aster_timeout";

    private static readonly JsonSerializerOptions _indented = new() { WriteIndented = true, IndentSize = 2, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The visible tools, sorted by name.</summary>
    public IReadOnlyList<GatewayMethod> Visible { get; } = [.. methods
        .Where(m => filter.IsVisible(m) && (includeBidi || m.Pattern != "bidi_stream"))
        .OrderBy(m => m.ToolName, StringComparer.Ordinal)];

    public ListToolsResult ListTools() => new()
    {
        Tools = [.. Visible.Select(m => new Tool
        {
            Name = m.ToolName,
            Description = m.ToolDescription(),
            InputSchema = JsonSerializer.SerializeToElement(m.InputSchema()),
            Annotations = m.Idempotent ? new ToolAnnotations { IdempotentHint = true } : null,
        })],
    };

    public async ValueTask<CallToolResult> CallAsync(string name, IDictionary<string, JsonElement>? arguments, CancellationToken cancellationToken)
    {
        GatewayMethod? method = Visible.FirstOrDefault(m => m.ToolName == name);
        if (method is null)
        {
            return Error(new JsonObject { ["error"] = $"unknown tool '{name}'" });
        }

        arguments ??= new Dictionary<string, JsonElement>();
        var request = new JsonObject();
        foreach ((string key, JsonElement value) in arguments)
        {
            if (key is not (ItemsParameter or MaxItemsParameter or TimeoutParameter or "_items" or "_max_items" or "_timeout"))
            {
                request[key] = JsonNode.Parse(value.GetRawText());
            }
        }

        var dynamicMethod = new DynamicMethod(method.Service, method.Name, method.Version, method.Idempotent);
        var options = new CallOptions { Timeout = TimeSpan.FromSeconds(method.TimeoutSeconds ?? 30) };
        int maxItems = Math.Min(Number(arguments, MaxItemsParameter, "_max_items") is { } n && n >= 1 ? (int)Math.Min(n, int.MaxValue) : 100, maxItemsCap);
        TimeSpan collectFor = TimeSpan.FromSeconds(Number(arguments, TimeoutParameter, "_timeout") is { } s && s > 0 ? Math.Min(s, 3600) : 30);
        IReadOnlyList<JsonElement>? items = null;
        if (method.Pattern is "client_stream" or "bidi_stream")
        {
            if (!(arguments.TryGetValue(ItemsParameter, out JsonElement list) || arguments.TryGetValue("_items", out list)) || list.ValueKind != JsonValueKind.Array)
            {
                return Error(new JsonObject { ["error"] = $"'{ItemsParameter}' (an array of request items) is required" });
            }

            items = [.. list.EnumerateArray()];
        }

        JsonElement single = JsonSerializer.SerializeToElement(request);
        var collected = new JsonArray();
        try
        {
            switch (method.Pattern)
            {
                case "unary":
                    return Ok(await client.UnaryAsync(dynamicMethod, single, options, cancellationToken).ConfigureAwait(false));
                case "client_stream":
                    return Ok(await client.ClientStreamingAsync(dynamicMethod, RequestItems.AsAsync(items!), options, cancellationToken).ConfigureAwait(false));
                default:
                    using (var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                    {
                        window.CancelAfter(collectFor);
                        IAsyncEnumerable<JsonElement> stream = items is null
                            ? client.ServerStreamingAsync(dynamicMethod, single, options, window.Token)
                            : client.DuplexStreamingAsync(dynamicMethod, RequestItems.AsAsync(items), options, window.Token);
                        try
                        {
                            await foreach (JsonElement item in stream.ConfigureAwait(false))
                            {
                                collected.Add(JsonNode.Parse(item.GetRawText()));
                                if (collected.Count >= maxItems)
                                {
                                    break; // disposing the enumerator sends CANCEL
                                }
                            }
                        }
                        catch (OperationCanceledException) when (window.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                        {
                            // aster_timeout reached: return what arrived.
                        }
                    }

                    return Ok(JsonSerializer.SerializeToElement(collected));
            }
        }
        catch (RpcException ex)
        {
            var error = new JsonObject
            {
                ["error"] = ex.Status.Message,
                ["code"] = StatusCodeNames.GetName(ex.StatusCode),
                ["status"] = (int)ex.StatusCode,
            };
            if (collected.Count > 0)
            {
                error["items"] = collected;
            }

            return Error(error);
        }
    }

    private static double? Number(IDictionary<string, JsonElement> arguments, string name, string alias)
        => (arguments.TryGetValue(name, out JsonElement v) || arguments.TryGetValue(alias, out v)) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    private static CallToolResult Ok(JsonElement value) => new()
    {
        Content = [new TextContentBlock { Text = JsonSerializer.Serialize(value, _indented) }],
    };

    private static CallToolResult Error(JsonObject error) => new()
    {
        IsError = true,
        Content = [new TextContentBlock { Text = error.ToJsonString() }],
    };
}
