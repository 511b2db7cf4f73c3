using System.CommandLine;
using System.Reflection;
using Aster.Cli.Calls;
using Aster.Cli.Mcp;
using Aster.Client;
using Aster.Client.Dynamic;
using Aster.Net.Identity;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Aster.Cli.Commands;

/// <summary><c>aster mcp ADDRESS --manifest FILE…</c>: an MCP server on stdio whose tools are the server's methods (config-and-cli.md 10.9, 11).</summary>
internal static class McpCommand
{
    public static Command Create(CliHost host)
    {
        var address = new Argument<string>("address") { Description = "The Aster server: an aster1… ticket or a base64 NodeAddr." };
        var manifests = new Option<string[]>("--manifest") { Description = "Contract manifest files (from 'aster contract gen'); repeatable. Required until the registry supplies them.", Required = true };
        var identity = new Option<string?>("--identity", "-i") { Description = "Identity file whose node key and consumer credential scope the tools." };
        var rcan = new Option<string?>("--rcan") { Description = "A consumer credential file (the node key from the .aster-identity next to it)." };
        var allow = new Option<string[]>("--allow") { Description = "Only tools matching one of these (glob or tag:NAME); repeatable." };
        var deny = new Option<string[]>("--deny") { Description = "Hide tools matching any of these; repeatable." };
        var noBidi = new Option<bool>("--no-bidi") { Description = "Do not expose bidirectional-streaming methods." };
        var cap = new Option<int>("--max-items-cap") { Description = "Hard cap on aster_max_items.", DefaultValueFactory = _ => 10_000 };
        var mcp = new Command("mcp", "Serve the methods of an Aster server as MCP tools over stdio (JSON-RPC, one message per line) for AI agents; logs go to stderr.")
        {
            address, manifests, identity, rcan, allow, deny, noBidi, cap,
        };
        mcp.SetAction(async (parse, cancellationToken) =>
        {
            List<GatewayMethod> methods = [];
            foreach (string file in parse.GetRequiredValue(manifests))
            {
                string path = host.ResolvePath(file);
                methods.AddRange(GatewayMethod.FromManifests(File.ReadAllText(path), path));
            }

            EndpointAddr target = CallCommand.ParseAddress(parse.GetRequiredValue(address));
            AsterClientOptions options = CallerIdentity.Options(host, parse.GetValue(identity), null, parse.GetValue(rcan), TimeSpan.FromSeconds(10));
            using SecretKey? key = options.SecretKey;
            await using AsterClient client = await CallerIdentity.ConnectAsync(target, options, cancellationToken);
            var gateway = new McpGateway(
                new DynamicClient(client),
                methods,
                new ToolFilter(parse.GetValue(allow) ?? [], parse.GetValue(deny) ?? []),
                !parse.GetValue(noBidi),
                Math.Max(1, parse.GetValue(cap)));
            host.Note($"aster mcp: {gateway.Visible.Count} tools from {methods.Count} methods; serving MCP on stdio");
            await ServeAsync(gateway, Console.OpenStandardInput(), Console.OpenStandardOutput(), cancellationToken);
            return ExitCodes.Ok;
        });
        return mcp;
    }

    /// <summary>Runs the MCP server over two streams until the input ends or the token fires.</summary>
    internal static async Task ServeAsync(McpGateway gateway, Stream input, Stream output, CancellationToken cancellationToken)
    {
        var options = new McpServerOptions
        {
            ServerInfo = new Implementation { Name = "aster-gateway", Version = typeof(McpCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0" },
            ServerInstructions = "Every tool is a method of a remote Aster service, named Service.method. Streaming tools take aster_items (requests) and aster_max_items/aster_timeout (collection limits).",
            Capabilities = new ServerCapabilities { Tools = new ToolsCapability() },
            Handlers = new McpServerHandlers
            {
                ListToolsHandler = (_, _) => ValueTask.FromResult(gateway.ListTools()),
                CallToolHandler = (request, token) => gateway.CallAsync(request.Params?.Name ?? string.Empty, request.Params?.Arguments, token),
            },
        };
        await using var transport = new StreamServerTransport(input, output, "aster-gateway", NullLoggerFactory.Instance);
        await using McpServer server = McpServer.Create(transport, options, NullLoggerFactory.Instance);
        await server.RunAsync(cancellationToken);
    }
}
