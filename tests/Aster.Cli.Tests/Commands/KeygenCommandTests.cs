using System.Text.Json;
using Aster.Cli.Tests.Infrastructure;
using Aster.Net.Identity;
using Aster.Trust;

namespace Aster.Cli.Tests.Commands;

public sealed class KeygenCommandTests
{
    [Fact]
    public async Task KeygenRoot_WritesKeyAndPub_PrintsPublicKey_NeverOverwrites()
    {
        using var scratch = new Scratch();
        CliResult first = await CliRun.RunAsync(scratch, "keygen", "root");
        Assert.True(first.ExitCode == 0, first.ToString());

        using RootKey key = RootKey.FromKeyFileJson(File.ReadAllText(scratch.RootKey));
        string publicHex = Convert.ToHexStringLower(key.PublicKey);
        Assert.Equal(publicHex, first.Out.Trim());
        Assert.Equal(publicHex, Convert.ToHexStringLower(RootKey.ParsePublicKey(File.ReadAllText(Path.ChangeExtension(scratch.RootKey, ".pub")))));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(scratch.RootKey));
        }

        string before = File.ReadAllText(scratch.RootKey);
        CliResult second = await CliRun.RunAsync(scratch, "keygen", "root");
        Assert.Equal(1, second.ExitCode);
        Assert.Contains("never overwritten", second.Error);
        Assert.Equal(before, File.ReadAllText(scratch.RootKey));
    }

    [Fact]
    public async Task KeygenNode_WritesHexSeedAndNodeId_PrintsTheEndpointId()
    {
        using var scratch = new Scratch();
        CliResult result = await CliRun.RunAsync(scratch, "keygen", "node", "--out", "n.key");
        Assert.True(result.ExitCode == 0, result.ToString());

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(scratch.PathOf("n.key")));
        using SecretKey key = SecretKey.FromBytes(Convert.FromHexString(doc.RootElement.GetProperty("secret_key").GetString()!));
        Assert.Equal(key.PublicKey.ToString(), doc.RootElement.GetProperty("node_id").GetString());
        Assert.Equal(key.PublicKey.ToString(), result.Out.Trim());

        CliResult alias = await CliRun.RunAsync(scratch, "keygen", "producer", "--out", "p.key");
        Assert.Equal(0, alias.ExitCode);
    }

    [Fact]
    public async Task TrustKeygenAndPubkey_AgreeWithTheKeyFile()
    {
        using var scratch = new Scratch();
        CliResult made = await CliRun.RunAsync(scratch, "trust", "keygen", "--out-key", "r.key");
        Assert.Equal(0, made.ExitCode);
        CliResult pub = await CliRun.RunAsync(scratch, "trust", "pubkey", "--in", "r.key");
        Assert.Equal(made.Out.Trim(), pub.Out.Trim());

        CliResult written = await CliRun.RunAsync(scratch, "trust", "pubkey", "--in", "r.key", "--out", "r2.pub");
        Assert.Equal(0, written.ExitCode);
        Assert.Equal(made.Out.Trim(), Convert.ToHexStringLower(RootKey.ParsePublicKey(File.ReadAllText(scratch.PathOf("r2.pub")))));

        CliResult missing = await CliRun.RunAsync(scratch, "trust", "pubkey", "--in", "absent.key");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("not found", missing.Error);
    }
}
