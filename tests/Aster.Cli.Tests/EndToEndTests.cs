using System.Text.Json;
using Aster.Cli.Tests.Infrastructure;
using Aster.Configuration;
using Aster.Configuration.Identity;
using Aster.Net.Identity;
using Aster.Server;
using Aster.Contracts;

namespace Aster.Cli.Tests;

/// <summary>The built tool as a process: keys, enrollment, identity, contracts, and calls to a server on real UDP.</summary>
public sealed class EndToEndTests
{
    [Fact]
    public async Task Keygen_Enroll_Verify_Contract_Call()
    {
        using var scratch = new Scratch();
        CliResult root = await ToolProcess.RunAsync(scratch, null, "keygen", "root");
        Assert.True(root.ExitCode == 0, root.ToString());
        string rootPub = root.Out.Trim();
        Assert.Matches("^[0-9a-f]{64}$", rootPub);

        CliResult producer = await ToolProcess.RunAsync(scratch, null, "enroll", "node", "--role", "producer", "--name", "greeter", "-o", "server.aster-identity", "--no-gitignore");
        Assert.True(producer.ExitCode == 0, producer.ToString());
        CliResult consumer = await ToolProcess.RunAsync(scratch, null, "enroll", "node", "--role", "consumer", "--name", "reader", "-c", "reader", "-o", "client.aster-identity", "-q", "--no-gitignore");
        Assert.True(consumer.ExitCode == 0, consumer.ToString());
        AsterIdentityFile client = AsterIdentityFile.Read(scratch.PathOf("client.aster-identity"));
        Assert.Equal(client.EndpointId.ToString(), consumer.Out.Split(' ')[1]);
        Assert.Equal(rootPub, client.Peers.Single().RootPubkey);

        CliResult verify = await ToolProcess.RunAsync(scratch, null, "identity", "verify", "--file", "client.aster-identity");
        Assert.True(verify.ExitCode == 0, verify.ToString());

        CliResult contracts = await ToolProcess.RunAsync(scratch, null, "contract", "list", "--assembly", typeof(IGreeter).Assembly.Location);
        Assert.True(contracts.ExitCode == 0, contracts.ToString());
        Assert.Contains(ServiceContracts.Describe<IGreeter>().ContractId, contracts.Out);

        // A dev-mode server refuses any credential (its ephemeral root signed none), so this server trusts our root.
        await using GreeterServer server = await GreeterServer.StartAsync(new RootGatedAuthority(Convert.FromHexString(rootPub)));
        CliResult call = await ToolProcess.RunAsync(scratch, null, "call", server.Address, "Greeter.greet", """{"name":"process"}""", "--identity", "client.aster-identity");
        Assert.True(call.ExitCode == 0, call.ToString());
        using (JsonDocument doc = JsonDocument.Parse(call.Out))
        {
            Assert.Equal("Hello, process!", doc.RootElement.GetProperty("message").GetString());
        }

        CliResult stream = await ToolProcess.RunAsync(scratch, null, "call", server.Address, "Greeter.stream", """{"name":"s","times":2}""", "--identity", "client.aster-identity");
        Assert.True(stream.ExitCode == 0, stream.ToString());
        Assert.Equal(2, stream.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        CliResult failed = await ToolProcess.RunAsync(scratch, null, "call", server.Address, "Greeter.greet", "{}", "--identity", "client.aster-identity");
        Assert.Equal(1, failed.ExitCode);
        Assert.Equal("error: INVALID_ARGUMENT (3): name is required", failed.Error.Trim());
    }

    [Fact]
    public async Task ServerConfiguredFromItsIdentityFile_AdmitsTheEnrolledConsumer_AndRefusesAStranger()
    {
        using var scratch = new Scratch();
        Assert.Equal(0, (await ToolProcess.RunAsync(scratch, null, "keygen", "root")).ExitCode);
        Assert.Equal(0, (await ToolProcess.RunAsync(scratch, null, "enroll", "node", "--role", "producer", "--name", "greeter", "-o", "server.aster-identity", "--no-gitignore")).ExitCode);
        Assert.Equal(0, (await ToolProcess.RunAsync(scratch, null, "enroll", "node", "--role", "consumer", "--name", "reader", "-c", "reader", "-o", "client.aster-identity", "--no-gitignore")).ExitCode);

        // The server knows its root only through ASTER_IDENTITY_FILE (issue #9): no root key is passed in code.
        var env = new DictionaryEnvironmentSource([
            KeyValuePair.Create(AsterIdentityFile.EnvironmentVariable, scratch.PathOf("server.aster-identity")),
            KeyValuePair.Create("ASTER_STORAGE_PATH", Path.Combine(scratch.Root, "store"))]);
        var options = new AsterServerOptions();
        using Aster.Trust.TrustAuthority trust = AsterConfig.FromEnvironment(env).ApplyIdentityAndTrust(options, env, scratch.Root);
        Assert.True(trust.ConsumersGated);
        using SecretKey nodeKey = options.SecretKey!;
        Assert.Equal(AsterIdentityFile.Read(scratch.PathOf("server.aster-identity")).EndpointId, nodeKey.PublicKey);

        await using GreeterServer server = await GreeterServer.StartAsync(trust, nodeKey);
        CliResult admitted = await ToolProcess.RunAsync(scratch, null, "call", server.Address, "Greeter.greet", """{"name":"reader"}""", "--identity", "client.aster-identity");
        Assert.True(admitted.ExitCode == 0, admitted.ToString());
        Assert.Contains("Hello, reader!", admitted.Out);

        using var stranger = new Scratch();
        CliResult refused = await ToolProcess.RunAsync(stranger, null, "call", server.Address, "Greeter.greet", """{"name":"x"}""");
        Assert.True(refused.ExitCode == 3, refused.ToString());
    }

    [Fact]
    public async Task GatedServer_AdmitsTheEnrolledConsumer_AndRefusesOthersWithExit3()
    {
        using var scratch = new Scratch();
        string rootPub = (await ToolProcess.RunAsync(scratch, null, "keygen", "root")).Out.Trim();
        Assert.Equal(0, (await ToolProcess.RunAsync(scratch, null, "enroll", "node", "--role", "consumer", "--name", "reader", "-c", "reader", "-o", "client.aster-identity", "--no-gitignore")).ExitCode);

        await using GreeterServer server = await GreeterServer.StartAsync(new RootGatedAuthority(Convert.FromHexString(rootPub)));
        CliResult admitted = await ToolProcess.RunAsync(scratch, null, "call", server.Address, "Greeter.greet", """{"name":"reader"}""", "--identity", "client.aster-identity");
        Assert.True(admitted.ExitCode == 0, admitted.ToString());
        Assert.Contains("Hello, reader!", admitted.Out);

        CliResult stranger = await ToolProcess.RunAsync(scratch, null, "call", server.Address, "Greeter.greet", """{"name":"x"}""");
        Assert.True(stranger.ExitCode == 3, stranger.ToString());
        Assert.StartsWith("error: admission denied", stranger.Error.Trim().Split('\n')[^1]);

        // A credential from another deployment's root is refused too.
        var other = new Scratch();
        using (other)
        {
            await ToolProcess.RunAsync(other, null, "keygen", "root");
            await ToolProcess.RunAsync(other, null, "enroll", "node", "--role", "consumer", "--name", "intruder", "-o", "intruder.aster-identity", "--no-gitignore");
            CliResult intruder = await ToolProcess.RunAsync(other, null, "call", server.Address, "Greeter.greet", """{"name":"x"}""", "--identity", "intruder.aster-identity");
            Assert.True(intruder.ExitCode == 3, intruder.ToString());
        }
    }

    /// <summary>
    /// The README's secured deployment, every part a process: keygen root, enroll a producer and two consumers, the
    /// HelloWorld sample serving with the producer identity, calls admitted and refused by role (Gate 3), a stranger refused.
    /// </summary>
    [Fact]
    public async Task SecuredWalkthrough_SampleServerProcess_AdmitsByRole_RefusesOtherRoles_AndStrangers()
    {
        using var scratch = new Scratch();
        CliResult root = await ToolProcess.RunAsync(scratch, null, "keygen", "root");
        Assert.True(root.ExitCode == 0, root.ToString());
        CliResult producer = await ToolProcess.RunAsync(scratch, null, "enroll", "node", "--role", "producer", "--name", "hello-server", "-o", "server.aster-identity", "--no-gitignore");
        Assert.True(producer.ExitCode == 0, producer.ToString());
        CliResult reader = await ToolProcess.RunAsync(scratch, null, "enroll", "node", "--role", "consumer", "--name", "reader", "--capabilities", "hello.reader", "-o", "client.aster-identity", "--no-gitignore");
        Assert.True(reader.ExitCode == 0, reader.ToString());
        CliResult admin = await ToolProcess.RunAsync(scratch, null, "enroll", "node", "--role", "consumer", "--name", "admin", "--capabilities", "hello.admin", "-o", "admin.aster-identity", "--no-gitignore");
        Assert.True(admin.ExitCode == 0, admin.ToString());

        var serverEnvironment = new Dictionary<string, string>
        {
            [AsterIdentityFile.EnvironmentVariable] = scratch.PathOf("server.aster-identity"),
            ["ASTER_BIND_ADDR"] = "127.0.0.1:0",
            ["ASTER_STORAGE_PATH"] = scratch.PathOf("server-state"),
        };
        await using SampleServerProcess server = await SampleServerProcess.StartAsync(scratch, serverEnvironment, "server");
        Assert.EndsWith("(trusted)", server.Banner);

        // A second node on the same storage path fails at startup (config-and-cli.md 8): the first holds <path>/.lock.
        CliResult second = await ToolProcess.RunAssemblyAsync(scratch, serverEnvironment, SampleServerProcess.HelloWorldPath, "server");
        Assert.True(second.ExitCode == 1, second.ToString());
        Assert.Contains($"error: storage path '{scratch.PathOf("server-state")}' is in use by another node", second.Error);

        CliResult hello = await ToolProcess.RunAsync(scratch, null, "call", server.Address, "Hello.sayHello", """{"name":"World"}""", "-i", "client.aster-identity");
        Assert.True(hello.ExitCode == 0, $"{hello}\nserver log:\n{server.Log}");
        Assert.Equal("Hello, World!", JsonField(hello.Out, "message"));

        // The consumer's role (hello.reader) meets whoAmI's ANY_OF(hello.reader, hello.admin).
        CliResult whoAmI = await ToolProcess.RunAsync(scratch, null, "call", server.Address, "Hello.whoAmI", """{"name":"reader"}""", "-i", "client.aster-identity");
        Assert.True(whoAmI.ExitCode == 0, whoAmI.ToString());
        Assert.Equal("hello.reader", JsonField(whoAmI.Out, "roles"));
        Assert.Equal(AsterIdentityFile.Read(scratch.PathOf("client.aster-identity")).EndpointId.ToString(), JsonField(whoAmI.Out, "endpoint_id"));

        // setGreeting requires hello.admin: Gate 3 refuses it with PERMISSION_DENIED, exit 1 (docs/cli.md), nothing changes.
        CliResult refused = await ToolProcess.RunAsync(scratch, null, "call", server.Address, "Hello.setGreeting", """{"greeting":"Howdy"}""", "-i", "client.aster-identity");
        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Equal("error: PERMISSION_DENIED (7): capability check failed for method 'Hello.setGreeting' (the credential's role does not allow this method)", refused.Error.Trim());
        Assert.Empty(refused.Out);

        // The administrator's credential passes the same gate, and the change shows in the reader's next call.
        CliResult changed = await ToolProcess.RunAsync(scratch, null, "call", server.Address, "Hello.setGreeting", """{"greeting":"Howdy"}""", "-i", "admin.aster-identity");
        Assert.True(changed.ExitCode == 0, changed.ToString());
        CliResult howdy = await ToolProcess.RunAsync(scratch, null, "call", server.Address, "Hello.sayHello", """{"name":"World"}""", "-i", "client.aster-identity");
        Assert.Equal("Howdy, World!", JsonField(howdy.Out, "message"));

        // The sample's client mode sets no key or credential in code: AsterClient picks both up from ASTER_IDENTITY_FILE
        // (issue #9); without the file the same process is not admitted (exit 3).
        var clientEnvironment = new Dictionary<string, string> { [AsterIdentityFile.EnvironmentVariable] = scratch.PathOf("client.aster-identity") };
        CliResult sampleClient = await ToolProcess.RunAssemblyAsync(scratch, clientEnvironment, SampleServerProcess.HelloWorldPath, "client", server.Address);
        Assert.True(sampleClient.ExitCode == 0, $"{sampleClient}\nserver log:\n{server.Log}");
        Assert.Contains("sayHello  -> Howdy, World!", sampleClient.Out);

        // A caller without a credential from this root is not admitted at all (exit 3).
        using var stranger = new Scratch();
        CliResult strangerCall = await ToolProcess.RunAsync(stranger, null, "call", server.Address, "Hello.sayHello", """{"name":"x"}""");
        Assert.True(strangerCall.ExitCode == 3, strangerCall.ToString());
        Assert.StartsWith("error: admission denied", strangerCall.Error.Trim().Split('\n')[^1]);
        CliResult strangerSample = await ToolProcess.RunAssemblyAsync(stranger, null, SampleServerProcess.HelloWorldPath, "client", server.Address);
        Assert.True(strangerSample.ExitCode == 3, strangerSample.ToString());
    }

    private static string? JsonField(string json, string name)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty(name).GetString();
    }

    [Fact]
    public async Task UsageError_IsExit2_AndConfigShow_Works()
    {
        using var scratch = new Scratch();
        CliResult usage = await ToolProcess.RunAsync(scratch, null, "enroll", "node", "--role", "nobody", "--name", "x");
        Assert.Equal(2, usage.ExitCode);

        CliResult config = await ToolProcess.RunAsync(scratch, new Dictionary<string, string> { ["ASTER_LOG_LEVEL"] = "error" }, "config", "show", "--json");
        Assert.True(config.ExitCode == 0, config.ToString());
        using JsonDocument doc = JsonDocument.Parse(config.Out);
        Assert.Equal("ASTER_LOG_LEVEL", doc.RootElement.GetProperty("logging").GetProperty("log_level").GetProperty("source").GetString());
    }
}
