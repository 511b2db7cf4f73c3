using System.Text.Json;
using Aster.Cli.Tests.Infrastructure;
using Aster.Configuration.Identity;

namespace Aster.Cli.Tests.Commands;

public sealed class IdentityCommandTests
{
    [Fact]
    public async Task Show_ListsEntries_WithoutSecrets()
    {
        using var scratch = new Scratch();
        await Enrolled(scratch);
        string identityText = File.ReadAllText(scratch.PathOf(".aster-identity"));
        AsterIdentityFile file = AsterIdentityFile.Read(scratch.PathOf(".aster-identity"));

        CliResult text = await CliRun.RunAsync(scratch, "identity", "show");
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains(file.EndpointId.ToString(), text.Out);
        Assert.Contains("edge-1", text.Out);
        Assert.Contains("ops", text.Out);
        Assert.Contains("valid", text.Out);
        AssertNoSecrets(identityText, file, text.Out + text.Error);

        CliResult json = await CliRun.RunAsync(scratch, "identity", "show", "--json");
        using JsonDocument doc = JsonDocument.Parse(json.Out);
        Assert.Equal(file.EndpointId.ToString(), doc.RootElement.GetProperty("endpoint_id").GetString());
        JsonElement[] peers = [.. doc.RootElement.GetProperty("peers").EnumerateArray()];
        Assert.Equal(["edge-1", "ops"], peers.Select(p => p.GetProperty("name").GetString()));
        Assert.All(peers, p => Assert.Equal("valid", p.GetProperty("status").GetString()));
        AssertNoSecrets(identityText, file, json.Out);
    }

    [Fact]
    public async Task Verify_FailsForATamperedEntry()
    {
        using var scratch = new Scratch();
        await Enrolled(scratch);
        Assert.Equal(0, (await CliRun.RunAsync(scratch, "identity", "verify")).ExitCode);

        string path = scratch.PathOf(".aster-identity");
        AsterIdentityFile file = AsterIdentityFile.Read(path);
        AsterIdentityPeer ops = file.FindPeer("ops")!;
        file.WithPeer(ops with { Attributes = new Dictionary<string, string>(ops.Attributes) { ["aster.role"] = "admin" } }).Write(path);

        CliResult result = await CliRun.RunAsync(scratch, "identity", "verify");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("ops: bad signature", result.Out);
        Assert.Contains("edge-1: valid", result.Out);
    }

    [Fact]
    public async Task Verify_RecoversAttributesAReferenceWriterOmitted()
    {
        using var scratch = new Scratch();
        await Enrolled(scratch);
        string path = scratch.PathOf(".aster-identity");
        AsterIdentityFile file = AsterIdentityFile.Read(path);
        AsterIdentityPeer edge = file.FindPeer("edge-1")!;

        // The reference writer drops aster.role/aster.name when they equal role/name (trust.md 3.8.4).
        var trimmed = edge.Attributes.Where(kv => kv.Key is not ("aster.role" or "aster.name")).ToDictionary();
        file.WithPeer(edge with { Attributes = trimmed }).Write(path);
        CliResult result = await CliRun.RunAsync(scratch, "identity", "verify");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("edge-1: valid (signed attributes recovered", result.Out);
    }

    [Fact]
    public async Task Export_WritesACredentialFile_AndRemove_DropsTheEntry()
    {
        using var scratch = new Scratch();
        await Enrolled(scratch);
        Assert.Equal(0, (await CliRun.RunAsync(scratch, "identity", "export", "ops", "--out", "ops.json")).ExitCode);
        var credential = Aster.Trust.ConsumerEnrollmentCredential.Parse(File.ReadAllText(scratch.PathOf("ops.json")));
        Assert.True(credential.VerifySignature());
        Assert.Equal("ops", credential.Attributes["aster.name"]);

        Assert.Equal(0, (await CliRun.RunAsync(scratch, "identity", "remove", "ops")).ExitCode);
        Assert.Equal(["edge-1"], AsterIdentityFile.Read(scratch.PathOf(".aster-identity")).Peers.Select(p => p.Name));
        Assert.Equal(1, (await CliRun.RunAsync(scratch, "identity", "remove", "ops")).ExitCode);
    }

    [Fact]
    public async Task MissingFile_IsOneLineError()
    {
        using var scratch = new Scratch();
        CliResult none = await CliRun.RunAsync(scratch, "identity", "show");
        Assert.Equal(1, none.ExitCode);
        Assert.Single(none.Error.Trim().Split('\n'));

        CliResult explicitMissing = await CliRun.RunAsync(scratch, "identity", "show", "--file", "nope");
        Assert.Equal(1, explicitMissing.ExitCode);
        Assert.Contains("not found", explicitMissing.Error);
    }

    internal static async Task Enrolled(Scratch scratch)
    {
        Assert.Equal(0, (await CliRun.RunAsync(scratch, "keygen", "root")).ExitCode);
        Assert.Equal(0, (await CliRun.RunAsync(scratch, "enroll", "node", "--role", "producer", "--name", "edge-1", "--no-gitignore")).ExitCode);
        Assert.Equal(0, (await CliRun.RunAsync(scratch, "enroll", "node", "--role", "consumer", "--name", "ops", "-c", "reader", "--no-gitignore")).ExitCode);
    }

    private static void AssertNoSecrets(string identityText, AsterIdentityFile file, string output)
    {
        string seed = identityText.Split('\n').Single(l => l.StartsWith("secret_key", StringComparison.Ordinal)).Split('"')[1];
        Assert.DoesNotContain(seed, output);
        foreach (AsterIdentityPeer peer in file.Peers)
        {
            Assert.DoesNotContain(peer.Signature, output);
        }
    }
}
