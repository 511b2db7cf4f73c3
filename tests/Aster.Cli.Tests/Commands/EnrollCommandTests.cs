using Aster.Cli.Tests.Infrastructure;
using Aster.Configuration.Identity;
using Aster.Net.Identity;
using Aster.Trust;

namespace Aster.Cli.Tests.Commands;

public sealed class EnrollCommandTests
{
    [Fact]
    public async Task ProducerAndConsumer_InOneFile_VerifyWithTheRootKey()
    {
        using var scratch = new Scratch();
        Assert.Equal(0, (await CliRun.RunAsync(scratch, "keygen", "root")).ExitCode);

        CliResult producer = await CliRun.RunAsync(scratch, "enroll", "node", "--role", "producer", "--name", "edge-1", "--no-gitignore");
        Assert.True(producer.ExitCode == 0, producer.ToString());
        CliResult consumer = await CliRun.RunAsync(scratch, "enroll", "node", "--role", "consumer", "--name", "ops", "-c", "reader, writer", "-a", "team=blue,region=eu", "-e", "2h", "--no-gitignore");
        Assert.True(consumer.ExitCode == 0, consumer.ToString());

        AsterIdentityFile file = AsterIdentityFile.Read(scratch.PathOf(".aster-identity"));
        Assert.Equal(2, file.Peers.Count);
        using RootKey root = RootKey.FromKeyFileJson(File.ReadAllText(scratch.RootKey));
        var verifier = new CredentialVerifier(root.PublicKey);

        AsterIdentityPeer p = file.FindPeer("edge-1")!;
        var producerCredential = new EnrollmentCredential(p.EndpointId!, Convert.FromHexString(p.RootPubkey), (ulong)p.ExpiresAt, p.Attributes, Convert.FromHexString(p.Signature));
        Assert.True(verifier.VerifyProducer(producerCredential, file.EndpointId).Accepted);
        Assert.Equal("producer", p.Attributes["aster.role"]);
        Assert.Equal("edge-1", p.Attributes["aster.name"]);

        AsterIdentityPeer c = file.FindPeer("ops")!;
        var consumerCredential = new ConsumerEnrollmentCredential(ConsumerCredentialType.Policy, Convert.FromHexString(c.RootPubkey), (ulong)c.ExpiresAt, c.Attributes, c.EndpointId, null, Convert.FromHexString(c.Signature));
        CredentialCheckResult check = verifier.VerifyConsumer(consumerCredential, file.EndpointId);
        Assert.True(check.Accepted, check.Refusal.ToString());
        Assert.Equal("reader,writer", c.Attributes["aster.role"]);
        Assert.Equal("blue", c.Attributes["team"]);
        Assert.InRange(c.ExpiresAt - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 7100, 7300);

        // The same node key is reused: both entries are bound to it.
        Assert.Equal(file.EndpointId.ToString(), p.EndpointId);
        Assert.Equal(file.EndpointId.ToString(), c.EndpointId);
    }

    [Fact]
    public async Task OneTimeToken_HasANonce_AndUnboundPolicy_HasNoEndpoint()
    {
        using var scratch = new Scratch();
        await CliRun.RunAsync(scratch, "keygen", "root");
        Assert.Equal(0, (await CliRun.RunAsync(scratch, "enroll", "node", "--role", "consumer", "--name", "once", "-t", "ott", "-o", "ott.id", "--no-gitignore")).ExitCode);
        Assert.Equal(0, (await CliRun.RunAsync(scratch, "enroll", "node", "--role", "consumer", "--name", "any", "--unbound", "-o", "any.id", "--no-gitignore")).ExitCode);

        AsterIdentityPeer ott = AsterIdentityFile.Read(scratch.PathOf("ott.id")).Peers.Single();
        Assert.Equal("ott", ott.Type);
        Assert.Equal(64, ott.Nonce!.Length);
        AsterIdentityPeer any = AsterIdentityFile.Read(scratch.PathOf("any.id")).Peers.Single();
        Assert.Null(any.EndpointId);
        Assert.Equal(0, (await CliRun.RunAsync(scratch, "identity", "verify", "--file", "any.id")).ExitCode);
        Assert.Equal(0, (await CliRun.RunAsync(scratch, "identity", "verify", "--file", "ott.id")).ExitCode);
    }

    [Fact]
    public async Task Quiet_PrintsPathEndpointAndExpiry_OnOneLine()
    {
        using var scratch = new Scratch();
        await CliRun.RunAsync(scratch, "keygen", "root");
        CliResult result = await CliRun.RunAsync(scratch, "enroll", "node", "--role", "producer", "--name", "p", "-q", "-e", "2030-01-02T03:04:05Z", "--no-gitignore");
        Assert.Equal(0, result.ExitCode);
        string[] parts = result.Out.Trim().Split(' ');
        Assert.Equal(3, parts.Length);
        Assert.Equal(scratch.PathOf(".aster-identity"), parts[0]);
        Assert.Equal(AsterIdentityFile.Read(parts[0]).EndpointId, EndpointId.Parse(parts[1]));
        Assert.Equal("2030-01-02T03:04:05Z", parts[2]);
        Assert.Equal(string.Empty, result.Error);
    }

    [Fact]
    public async Task IdentityReuse_AndReplaceByName()
    {
        using var scratch = new Scratch();
        await CliRun.RunAsync(scratch, "keygen", "root");
        await CliRun.RunAsync(scratch, "enroll", "node", "--role", "producer", "--name", "p", "-o", "a.id", "--no-gitignore");
        await CliRun.RunAsync(scratch, "enroll", "node", "--role", "consumer", "--name", "c", "-i", "a.id", "-o", "b.id", "--no-gitignore");
        Assert.Equal(AsterIdentityFile.Read(scratch.PathOf("a.id")).EndpointId, AsterIdentityFile.Read(scratch.PathOf("b.id")).EndpointId);

        await CliRun.RunAsync(scratch, "enroll", "node", "--role", "consumer", "--name", "c", "-c", "admin", "-o", "b.id", "--no-gitignore");
        AsterIdentityPeer replaced = AsterIdentityFile.Read(scratch.PathOf("b.id")).Peers.Single();
        Assert.Equal("admin", replaced.Attributes["aster.role"]);
    }

    [Fact]
    public async Task GitIgnore_GetsTheIdentityFile_Once()
    {
        using var scratch = new Scratch();
        Directory.CreateDirectory(scratch.PathOf(".git"));
        await CliRun.RunAsync(scratch, "keygen", "root");
        await CliRun.RunAsync(scratch, "enroll", "node", "--role", "producer", "--name", "p");
        await CliRun.RunAsync(scratch, "enroll", "node", "--role", "consumer", "--name", "c");
        Assert.Equal(["/.aster-identity"], File.ReadAllLines(scratch.PathOf(".gitignore")));
    }

    [Theory]
    [InlineData("--role", "producer", "--name", "p", "-t", "ott")]
    [InlineData("--role", "producer", "--name", "p", "--unbound")]
    [InlineData("--role", "consumer", "--name", "c", "-a", "novalue")]
    [InlineData("--role", "consumer", "--name", "c", "-a", "k=1,k=2")]
    [InlineData("--role", "consumer", "--name", "c", "-e", "yesterday")]
    [InlineData("--role", "consumer", "--name", "c", "-e", "2001-01-01T00:00:00Z")]
    [InlineData("--role", "admin", "--name", "c")]
    [InlineData("--name", "c")]
    public async Task BadArguments_AreUsageErrors(params string[] args)
    {
        using var scratch = new Scratch();
        await CliRun.RunAsync(scratch, "keygen", "root");
        string[] line = ["enroll", "node", .. args, "--no-gitignore"];
        CliResult result = await CliRun.RunAsync(scratch, line);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.StartsWith("error: ", result.Error);
        Assert.False(File.Exists(scratch.PathOf(".aster-identity")));
    }

    [Fact]
    public async Task WithoutARootKey_FailsWithAHint()
    {
        using var scratch = new Scratch();
        CliResult result = await CliRun.RunAsync(scratch, "enroll", "node", "--role", "producer", "--name", "p");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("aster keygen root", result.Error);
    }
}
