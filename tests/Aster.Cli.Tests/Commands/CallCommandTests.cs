using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Aster.Cli.Tests.Infrastructure;
using Aster.Net.Identity;

namespace Aster.Cli.Tests.Commands;

/// <summary><c>aster call</c> in-process against a Greeter server on a real UDP socket on loopback.</summary>
public sealed class CallCommandTests
{
    [Fact]
    public async Task Unary_PrintsOneJsonLine()
    {
        using var scratch = new Scratch();
        await using GreeterServer server = await GreeterServer.StartAsync();
        CliResult result = await CliRun.RunAsync(scratch, "call", server.Address, "Greeter.greet", """{"name":"World"}""");
        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument doc = JsonDocument.Parse(result.Out);
        Assert.Equal("Hello, World!", doc.RootElement.GetProperty("message").GetString());
        Assert.Single(result.Out.Trim().Split('\n'));
    }

    [Fact]
    public async Task Pretty_IndentsTheResponse()
    {
        using var scratch = new Scratch();
        await using GreeterServer server = await GreeterServer.StartAsync();
        CliResult result = await CliRun.RunAsync(scratch, "call", server.Address, "Greeter.greet", """{"name":"P"}""", "--pretty");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("\n  \"message\": \"Hello, P!\"", result.Out);
    }

    [Fact]
    public async Task ServerStream_PrintsEachItem_AndMaxItemsStopsAnEndlessStream()
    {
        using var scratch = new Scratch();
        await using GreeterServer server = await GreeterServer.StartAsync();
        CliResult three = await CliRun.RunAsync(scratch, "call", server.Address, "Greeter.stream", """{"name":"s","times":3}""");
        Assert.True(three.ExitCode == 0, three.ToString());
        Assert.Equal([0, 1, 2], Lines(three.Out).Select(l => l.GetProperty("seq").GetInt32()));

        CliResult capped = await CliRun.RunAsync(scratch, "call", server.Address, "Greeter.stream", """{"name":"e","times":0}""", "--max-items", "4");
        Assert.True(capped.ExitCode == 0, capped.ToString());
        Assert.Equal(4, Lines(capped.Out).Count);
    }

    [Fact]
    public async Task ClientStreamAndBidi_ReadItemsFromAFileOrStdin()
    {
        using var scratch = new Scratch();
        await using GreeterServer server = await GreeterServer.StartAsync();
        File.WriteAllText(scratch.PathOf("items.json"), """[{"name":"Ann"},{"name":"Bob"}]""");
        CliResult collected = await CliRun.RunAsync(scratch, "call", server.Address, "Greeter.collect", "--items", "items.json");
        Assert.True(collected.ExitCode == 0, collected.ToString());
        Assert.Equal("Hello, Ann and Bob!", Lines(collected.Out).Single().GetProperty("message").GetString());

        CliResult conversed = await CliRun.RunWithAsync(scratch, null, "{\"name\":\"x\"}\n\n{\"name\":\"y\"}\n", "call", server.Address, "Greeter.converse", "--items", "-");
        Assert.True(conversed.ExitCode == 0, conversed.ToString());
        Assert.Equal(["Hi x", "Hi y"], Lines(conversed.Out).Select(l => l.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task NonOkStatus_IsExit1_WithTheStatusName()
    {
        using var scratch = new Scratch();
        await using GreeterServer server = await GreeterServer.StartAsync();
        CliResult invalid = await CliRun.RunAsync(scratch, "call", server.Address, "Greeter.greet", "{}");
        Assert.Equal(1, invalid.ExitCode);
        Assert.Equal("error: INVALID_ARGUMENT (3): name is required", invalid.Error.Trim().Split('\n')[^1]);

        CliResult unknown = await CliRun.RunAsync(scratch, "call", server.Address, "Greeter.nope", "{}");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("UNIMPLEMENTED (12)", unknown.Error);
    }

    [Fact]
    public async Task UsageErrors_AreExit2()
    {
        using var scratch = new Scratch();
        await using GreeterServer server = await GreeterServer.StartAsync();
        Assert.Equal(2, (await CliRun.RunAsync(scratch, "call", server.Address, "Greeter.greet", "{not json")).ExitCode);
        Assert.Equal(2, (await CliRun.RunAsync(scratch, "call", server.Address, "nodot", "{}")).ExitCode);
        Assert.Equal(2, (await CliRun.RunAsync(scratch, "call", "not-an-address", "Greeter.greet", "{}")).ExitCode);
        Assert.Equal(2, (await CliRun.RunAsync(scratch, "call", server.Address, "Greeter.greet", "--timeout", "0")).ExitCode);
        Assert.Equal(2, (await CliRun.RunAsync(scratch, "call", server.Address, "Greeter.greet", "-m", "novalue")).ExitCode);
    }

    [Fact]
    public async Task NobodyListening_IsExit4()
    {
        using var scratch = new Scratch();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0)); // holds a port that never answers
        using SecretKey key = SecretKey.Generate();
        string address = new EndpointAddr(key.PublicKey, null, [(IPEndPoint)socket.LocalEndPoint!]).ToString();
        CliResult result = await CliRun.RunAsync(scratch, "call", address, "Greeter.greet", "{}", "--connect-timeout", "1");
        Assert.Equal(4, result.ExitCode);
        Assert.Contains("unreachable", result.Error);
    }

    private static List<JsonElement> Lines(string output)
        => [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l =>
        {
            using JsonDocument doc = JsonDocument.Parse(l);
            return doc.RootElement.Clone();
        })];
}
