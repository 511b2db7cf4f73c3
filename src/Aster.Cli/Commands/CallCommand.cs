using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Aster.Cli.Calls;
using Aster.Client;
using Aster.Client.Dynamic;
using Aster.Configuration.Identity;
using Aster.Net.Identity;

namespace Aster.Cli.Commands;

/// <summary>
/// <c>aster call ADDRESS Service.method [JSON]</c> (config-and-cli.md 10.7): any method of any service, in the JSON
/// serialization mode; responses are printed one JSON document per line as they arrive.
/// </summary>
internal static class CallCommand
{
    public static Command Create(CliHost host)
    {
        var address = new Argument<string>("address") { Description = "The server: an aster1… ticket or a base64 NodeAddr." };
        var method = new Argument<string>("method") { Description = "Service.method, for example Hello.sayHello." };
        var request = new Argument<string?>("json") { Description = "The request as JSON (default {}). Unary and server-stream methods.", Arity = ArgumentArity.ZeroOrOne };
        var items = new Option<string?>("--items") { Description = "Client-stream and bidi methods: a file (or - for stdin) holding a JSON array or one JSON document per line." };
        var maxItems = new Option<int?>("--max-items") { Description = "Stop after N responses; the server is sent CANCEL." };
        var timeout = new Option<double?>("--timeout") { Description = "The call deadline in seconds." };
        var metadata = new Option<string[]>("--metadata", "-m") { Description = "Request metadata KEY=VALUE (repeatable)." };
        var identity = new Option<string?>("--identity", "-i") { Description = "Identity file: its node key and consumer credential are used (default: ASTER_IDENTITY_FILE, else ./.aster-identity, else an ephemeral key and no credential)." };
        var peer = new Option<string?>("--peer") { Description = "The identity entry to present (default: the first consumer entry)." };
        var rcan = new Option<string?>("--rcan") { Description = "A consumer credential file to present; the node key comes from the .aster-identity next to it (or --identity)." };
        var version = new Option<int>("--service-version") { Description = "The service version (default 1: the server's only version).", DefaultValueFactory = _ => 1 };
        var pretty = new Option<bool>("--pretty") { Description = "Indent each JSON response." };
        var connectTimeout = new Option<double>("--connect-timeout") { Description = "Seconds to wait for the connection (default 10).", DefaultValueFactory = _ => 10 };

        var call = new Command("call", "Call any method of a running service with JSON in and JSON out (unary and streaming). Exit codes: 0 ok, 1 non-OK status, 2 usage, 3 admission denied, 4 unreachable or timed out.")
        {
            address, method, request, items, maxItems, timeout, metadata, identity, peer, rcan, version, pretty, connectTimeout,
        };
        call.SetAction(async (parse, cancellationToken) =>
        {
            var spec = new CallSpec(
                ParseAddress(parse.GetRequiredValue(address)),
                ParseMethod(parse.GetRequiredValue(method), parse.GetValue(version)),
                RequestItems.ParseOne(parse.GetValue(request) ?? "{}", "the request"),
                ReadItems(host, parse.GetValue(items)),
                parse.GetValue(maxItems) is { } n && n <= 0 ? throw CliException.Usage("--max-items must be positive") : parse.GetValue(maxItems),
                new CallOptions
                {
                    Timeout = parse.GetValue(timeout) is { } t ? (t > 0 ? TimeSpan.FromSeconds(t) : throw CliException.Usage("--timeout must be positive")) : null,
                    Metadata = ParseMetadata(parse.GetValue(metadata)),
                },
                parse.GetValue(pretty));
            AsterClientOptions options = CallerIdentity.Options(host, parse.GetValue(identity), parse.GetValue(peer), parse.GetValue(rcan), TimeSpan.FromSeconds(parse.GetValue(connectTimeout)));
            using (options.SecretKey)
            {
                await using AsterClient client = await CallerIdentity.ConnectAsync(spec.Address, options, cancellationToken);
                return await RunAsync(host, new DynamicClient(client), spec, cancellationToken);
            }
        });
        return call;
    }

    /// <summary>Makes the call and prints every response; returns the exit code.</summary>
    internal static async Task<int> RunAsync(CliHost host, DynamicClient client, CallSpec spec, CancellationToken cancellationToken)
    {
        int count = 0;
        await foreach (JsonElement response in client.CallAsync(spec.Method, spec.Request, spec.Items is null ? null : RequestItems.AsAsync(spec.Items), spec.Options, cancellationToken))
        {
            host.Out.WriteLine(Format(response, spec.Pretty));
            await host.Out.FlushAsync(cancellationToken);
            if (spec.MaxItems is { } max && ++count >= max)
            {
                break;
            }
        }

        return ExitCodes.Ok;
    }

    /// <summary>Compact JSON on one line, or indented with <paramref name="pretty"/>.</summary>
    internal static string Format(JsonElement value, bool pretty)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = pretty, IndentSize = 2, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            value.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Parses an address argument; a malformed one is a usage error.</summary>
    internal static EndpointAddr ParseAddress(string text)
    {
        try
        {
            return EndpointAddr.Parse(text.Trim());
        }
        catch (FormatException ex)
        {
            throw CliException.Usage($"'{text}' is not an address (aster1… ticket, base64 NodeAddr or endpoint id): {ex.Message}");
        }
    }

    private static DynamicMethod ParseMethod(string text, int version)
    {
        try
        {
            return DynamicMethod.Parse(text) with { Version = version };
        }
        catch (FormatException ex)
        {
            throw CliException.Usage(ex.Message);
        }
    }

    private static List<JsonElement>? ReadItems(CliHost host, string? source)
    {
        if (source is null)
        {
            return null;
        }

        string text = source == "-" ? host.In.ReadToEnd() : File.ReadAllText(host.ResolvePath(source));
        return RequestItems.ParseMany(text, source == "-" ? "stdin" : source);
    }

    private static KeyValuePair<string, string>[]? ParseMetadata(string[]? entries)
    {
        if (entries is not { Length: > 0 })
        {
            return null;
        }

        return [.. entries.Select(e =>
        {
            int eq = e.IndexOf('=', StringComparison.Ordinal);
            return eq > 0 ? KeyValuePair.Create(e[..eq].ToLowerInvariant(), e[(eq + 1)..]) : throw CliException.Usage($"--metadata '{e}' is not KEY=VALUE");
        })];
    }
}

/// <summary>One <c>aster call</c>, parsed.</summary>
internal sealed record CallSpec(EndpointAddr Address, DynamicMethod Method, JsonElement Request, IReadOnlyList<JsonElement>? Items, int? MaxItems, CallOptions Options, bool Pretty);
