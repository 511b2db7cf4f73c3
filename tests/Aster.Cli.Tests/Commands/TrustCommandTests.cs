using Aster.Cli.Tests.Infrastructure;
using Aster.Net.Identity;
using Aster.Trust;

namespace Aster.Cli.Tests.Commands;

public sealed class TrustCommandTests
{
    [Fact]
    public async Task SignProducer_ThenVerify_AgainstTheRightAndWrongRoot()
    {
        using var scratch = new Scratch();
        string root = (await CliRun.RunAsync(scratch, "keygen", "root")).Out.Trim();
        using SecretKey node = SecretKey.Generate();
        CliResult signed = await CliRun.RunAsync(scratch, "trust", "sign", "--endpoint-id", node.PublicKey.ToString(), "--attr", "region=eu", "--role", "producer");
        Assert.True(signed.ExitCode == 0, signed.ToString());
        var credential = EnrollmentCredential.Parse(File.ReadAllText(scratch.PathOf(Path.Combine(".aster", "credential.json"))));
        Assert.Equal(node.PublicKey.ToString(), credential.EndpointId);
        Assert.Equal("eu", credential.Attributes["region"]);

        CliResult ok = await CliRun.RunAsync(scratch, "trust", "verify", ".aster/credential.json", "--root-pubkey", root);
        Assert.Equal((0, "valid"), (ok.ExitCode, ok.Out.Trim()));

        using SecretKey other = SecretKey.Generate();
        CliResult wrongPeer = await CliRun.RunAsync(scratch, "trust", "verify", ".aster/credential.json", "--root-pubkey", root, "--endpoint-id", other.PublicKey.ToString());
        Assert.Equal((1, "invalid: bound to another endpoint"), (wrongPeer.ExitCode, wrongPeer.Out.Trim()));

        CliResult expired = await CliRun.RunAsync(scratch, "trust", "verify", ".aster/credential.json", "--root-pubkey", root, "--at", "2099-01-01T00:00:00Z");
        Assert.Equal((1, "invalid: expired"), (expired.ExitCode, expired.Out.Trim()));

        using RootKey stranger = RootKey.Generate();
        CliResult wrongRoot = await CliRun.RunAsync(scratch, "trust", "verify", ".aster/credential.json", "--root-pubkey", Convert.ToHexStringLower(stranger.PublicKey));
        Assert.Equal((1, "invalid: signed for another root key"), (wrongRoot.ExitCode, wrongRoot.Out.Trim()));
    }

    [Fact]
    public async Task Verify_TakesTheRootFromTheProfile_WhenNoRootIsGiven()
    {
        using var scratch = new Scratch();
        Assert.Equal(0, (await CliRun.RunAsync(scratch, "profile", "create", "prod")).ExitCode);
        Assert.Equal(0, (await CliRun.RunAsync(scratch, "profile", "create", "staging")).ExitCode);
        using SecretKey node = SecretKey.Generate();
        CliResult signed = await CliRun.RunAsync(scratch, "trust", "sign", "--endpoint-id", node.PublicKey.ToString(), "--role", "producer", "--profile", "prod");
        Assert.True(signed.ExitCode == 0, signed.ToString());

        CliResult byProfile = await CliRun.RunAsync(scratch, "trust", "verify", ".aster/credential.json", "--profile", "prod");
        CliResult otherProfile = await CliRun.RunAsync(scratch, "trust", "verify", ".aster/credential.json", "--profile", "staging");
        CliResult missing = await CliRun.RunAsync(scratch, "trust", "verify", ".aster/credential.json", "--profile", "nope");

        Assert.Equal((0, "valid"), (byProfile.ExitCode, byProfile.Out.Trim()));
        Assert.Equal((1, "invalid: signed for another root key"), (otherProfile.ExitCode, otherProfile.Out.Trim()));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no profile named 'nope'", missing.Error);
    }

    [Fact]
    public async Task Verify_WithNoRootAnywhere_IsAUsageError()
    {
        using var scratch = new Scratch();
        File.WriteAllText(scratch.PathOf("c.json"), "{}");

        CliResult result = await CliRun.RunAsync(scratch, "trust", "verify", "c.json");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--profile NAME", result.Error);
    }

    [Fact]
    public async Task SignConsumerOtt_HasANonce_AndVerifiesFromTheIdentityFileToo()
    {
        using var scratch = new Scratch();
        await CliRun.RunAsync(scratch, "keygen", "root");
        CliResult signed = await CliRun.RunAsync(scratch, "trust", "sign", "consumer", "--type", "ott", "--attributes", """{"aster.role":"reader"}""", "--out", "ott.json", "--expires", "1h");
        Assert.True(signed.ExitCode == 0, signed.ToString());
        var ott = ConsumerEnrollmentCredential.Parse(File.ReadAllText(scratch.PathOf("ott.json")));
        Assert.Equal(ConsumerCredentialType.OneTimeToken, ott.Type);
        Assert.True(ott.HasNonce);
        Assert.Null(ott.EndpointId);
        Assert.Equal(0, (await CliRun.RunAsync(scratch, "trust", "verify", "ott.json", "--root-pubkey-file", Path.Combine(scratch.Home, ".aster", "root.pub"))).ExitCode);

        await CliRun.RunAsync(scratch, "enroll", "node", "--role", "consumer", "--name", "c", "--no-gitignore");
        CliResult fromIdentity = await CliRun.RunAsync(scratch, "trust", "verify", ".aster-identity", "--peer", "c", "--root-pubkey-file", scratch.RootKey);
        Assert.Equal((0, "valid"), (fromIdentity.ExitCode, fromIdentity.Out.Trim()));
    }

    [Theory]
    [InlineData("--attributes", "{\"n\":1}")]
    [InlineData("--attributes", "[1]")]
    [InlineData("--attr", "a=1", "--attr", "a=2")]
    [InlineData("--role", "x", "--attr", "aster.role=y")]
    [InlineData("--type", "producer")]
    [InlineData("--endpoint-id", "zz")]
    public async Task BadSignArguments_AreUsageErrors(params string[] args)
    {
        using var scratch = new Scratch();
        await CliRun.RunAsync(scratch, "keygen", "root");
        string[] line = ["trust", "sign", .. args];
        CliResult result = await CliRun.RunAsync(scratch, line);
        Assert.True(result.ExitCode == 2, result.ToString());
    }
}
