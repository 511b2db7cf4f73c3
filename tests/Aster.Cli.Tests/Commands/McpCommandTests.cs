using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Aster.Cli.Commands;
using Aster.Cli.Mcp;
using Aster.Cli.Tests.Infrastructure;
using Aster.Client.Dynamic;
using Aster.Contracts;
using Aster.Client;
using Aster.Codec;
using Aster.Testing;
using ModelContextProtocol.Protocol;

namespace Aster.Cli.Tests.Commands;

/// <summary>The MCP gateway: tools from a manifest, calls through the dynamic client to a Greeter on real UDP, and the MCP protocol over streams.</summary>
public sealed class McpCommandTests
{
#pragma warning disable IL2026, IL3050
    private static readonly ForyCodecProvider _codecs = new();
#pragma warning restore IL2026, IL3050
    private static readonly List<GatewayMethod> _methods = GatewayMethod.FromManifests(ServiceContracts.Describe<IGreeter>().ToManifestJson(), "greeter");

    [Fact]
    public void Tools_AreSorted_WithSchemasFromTheManifest()
    {
        var gateway = new McpGateway(null!, _methods, new ToolFilter([], []), includeBidi: true, maxItemsCap: 10_000);
        ListToolsResult tools = gateway.ListTools();
        Assert.Equal(["Greeter.collect", "Greeter.converse", "Greeter.greet", "Greeter.stream"], tools.Tools.Select(t => t.Name));

        Tool greet = tools.Tools.Single(t => t.Name == "Greeter.greet");
        Assert.Equal("string", greet.InputSchema.GetProperty("properties").GetProperty("name").GetProperty("type").GetString());
        Assert.Equal("integer", greet.InputSchema.GetProperty("properties").GetProperty("times").GetProperty("type").GetString());
        Assert.True(greet.Annotations?.IdempotentHint);
        Assert.StartsWith("unary RPC method on Greeter.", greet.Description);

        Tool stream = tools.Tools.Single(t => t.Name == "Greeter.stream");
        Assert.True(stream.InputSchema.GetProperty("properties").TryGetProperty("aster_max_items", out _));
        Tool collect = tools.Tools.Single(t => t.Name == "Greeter.collect");
        Assert.Contains("aster_items", collect.InputSchema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Filters_DenyAllowAndNoBidi()
    {
        Assert.Equal(["Greeter.greet", "Greeter.stream"], Names(new ToolFilter([], ["Greeter.c*"]), true));
        Assert.Equal(["Greeter.greet"], Names(new ToolFilter(["*.gre?t"], []), true));
        Assert.Equal(["Greeter.collect", "Greeter.greet", "Greeter.stream"], Names(new ToolFilter([], []), false));
        Assert.Empty(Names(new ToolFilter(["greeter.*"], []), true)); // case-sensitive everywhere
        Assert.Empty(Names(new ToolFilter(["tag:admin"], []), true));
    }

    [Fact]
    public async Task Calls_ReachTheServer_ForEveryPattern_AndErrorsAreToolErrors()
    {
        await using GreeterServer server = await GreeterServer.StartAsync();
        await using AsterClient client = await AsterClient.ConnectAsync(server.Address, new AsterClientOptions { Codecs = _codecs });
        var gateway = new McpGateway(new DynamicClient(client), _methods, new ToolFilter([], []), includeBidi: true, maxItemsCap: 5);

        CallToolResult greet = await gateway.CallAsync("Greeter.greet", Args("""{"name":"Agent"}"""), CancellationToken.None).AsTask().DefaultTimeout();
        Assert.NotEqual(true, greet.IsError);
        Assert.Equal("Hello, Agent!", Parse(greet).GetProperty("message").GetString());

        CallToolResult endless = await gateway.CallAsync("Greeter.stream", Args("""{"name":"e","times":0,"aster_max_items":50}"""), CancellationToken.None).AsTask().DefaultTimeout();
        Assert.Equal(5, Parse(endless).GetArrayLength()); // capped by --max-items-cap

        CallToolResult collect = await gateway.CallAsync("Greeter.collect", Args("""{"aster_items":[{"name":"A"},{"name":"B"}]}"""), CancellationToken.None).AsTask().DefaultTimeout();
        Assert.Equal("Hello, A and B!", Parse(collect).GetProperty("message").GetString());

        CallToolResult converse = await gateway.CallAsync("Greeter.converse", Args("""{"aster_items":[{"name":"x"}]}"""), CancellationToken.None).AsTask().DefaultTimeout();
        Assert.Equal("Hi x", Parse(converse)[0].GetProperty("message").GetString());

        CallToolResult invalid = await gateway.CallAsync("Greeter.greet", Args("{}"), CancellationToken.None).AsTask().DefaultTimeout();
        Assert.True(invalid.IsError);
        Assert.Equal("INVALID_ARGUMENT", Parse(invalid).GetProperty("code").GetString());
        Assert.Equal(3, Parse(invalid).GetProperty("status").GetInt32());

        Assert.True((await gateway.CallAsync("Greeter.nope", null, CancellationToken.None).AsTask().DefaultTimeout()).IsError);
        Assert.True((await gateway.CallAsync("Greeter.collect", Args("{}"), CancellationToken.None).AsTask().DefaultTimeout()).IsError);
    }

    [Fact]
    public async Task McpProtocol_OverStreams_ListsAndCallsTools()
    {
        await using GreeterServer server = await GreeterServer.StartAsync();
        await using AsterClient client = await AsterClient.ConnectAsync(server.Address, new AsterClientOptions { Codecs = _codecs });
        var gateway = new McpGateway(new DynamicClient(client), _methods, new ToolFilter([], []), includeBidi: true, maxItemsCap: 100);

        var toServer = new Pipe();
        var fromServer = new Pipe();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Task serving = McpCommand.ServeAsync(gateway, toServer.Reader.AsStream(), fromServer.Writer.AsStream(), stop.Token);
        var input = new StreamWriter(toServer.Writer.AsStream(), new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        var output = new StreamReader(fromServer.Reader.AsStream(), Encoding.UTF8);

        await input.WriteLineAsync("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}""");
        JsonElement init = await ReadResponseAsync(output, 1);
        Assert.Equal("aster-gateway", init.GetProperty("result").GetProperty("serverInfo").GetProperty("name").GetString());
        await input.WriteLineAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");

        await input.WriteLineAsync("""{"jsonrpc":"2.0","id":2,"method":"tools/list"}""");
        JsonElement list = await ReadResponseAsync(output, 2);
        Assert.Equal(4, list.GetProperty("result").GetProperty("tools").GetArrayLength());

        await input.WriteLineAsync("""{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"Greeter.greet","arguments":{"name":"MCP"}}}""");
        JsonElement call = await ReadResponseAsync(output, 3);
        string text = call.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString()!;
        Assert.Contains("Hello, MCP!", text);

        await stop.CancelAsync();
        await toServer.Writer.CompleteAsync();
        try
        {
            await serving.DefaultTimeout();
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<JsonElement> ReadResponseAsync(StreamReader output, int id)
    {
        while (true)
        {
            string? line = await output.ReadLineAsync().DefaultTimeout();
            Assert.NotNull(line);
            using JsonDocument doc = JsonDocument.Parse(line);
            if (doc.RootElement.TryGetProperty("id", out JsonElement got) && got.ValueKind == JsonValueKind.Number && got.GetInt32() == id)
            {
                return doc.RootElement.Clone();
            }
        }
    }

    private static IReadOnlyList<string> Names(ToolFilter filter, bool bidi)
        => [.. new McpGateway(null!, _methods, filter, bidi, 100).Visible.Select(m => m.ToolName)];

    private static Dictionary<string, JsonElement> Args(string json)
        => JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;

    private static JsonElement Parse(CallToolResult result)
    {
        using JsonDocument doc = JsonDocument.Parse(Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        return doc.RootElement.Clone();
    }
}
