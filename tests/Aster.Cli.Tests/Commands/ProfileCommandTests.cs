using Aster.Cli.Tests.Infrastructure;
using Aster.Configuration;
using Aster.Configuration.Identity;
using Aster.Trust;

namespace Aster.Cli.Tests.Commands;

/// <summary><c>aster profile …</c> and the profile's root key in signing (config-and-cli.md 7.2, 10.3), with a temporary HOME.</summary>
public sealed class ProfileCommandTests
{
    [Fact]
    public async Task Create_GeneratesAKeyFile_RecordsThePublicKey_AndUseMakesItActive()
    {
        using var scratch = new Scratch();
        CliResult created = await CliRun.RunAsync(scratch, "profile", "create", "prod");
        Assert.True(created.ExitCode == 0, created.ToString());
        string prodKey = created.Out.Trim();
        Assert.Contains("no OS keyring", created.Error);
        using (RootKey key = RootKey.FromKeyFileJson(File.ReadAllText(scratch.RootKey)))
        {
            Assert.Equal(prodKey, Convert.ToHexStringLower(key.PublicKey));
        }

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(scratch.RootKey));
        }

        OperatorProfiles profiles = OperatorProfiles.Load(ProfilesFile(scratch));
        Assert.Equal(prodKey, profiles.Find("prod")!.RootPubkey);
        Assert.Equal(OperatorProfiles.DefaultProfile, profiles.ActiveProfile);

        CliResult list = await CliRun.RunAsync(scratch, "profile", "list");
        Assert.Equal($"  prod                 {prodKey}", list.Out.TrimEnd());
        Assert.Equal(0, (await CliRun.RunAsync(scratch, "profile", "use", "prod")).ExitCode);
        list = await CliRun.RunAsync(scratch, "profile", "list");
        Assert.StartsWith("* prod", list.Out);

        CliResult show = await CliRun.RunAsync(scratch, "profile", "show");
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Contains($"root_pubkey = \"{prodKey}\"", show.Out);
        Assert.Contains($"# root key file: {scratch.RootKey}", show.Out);
        Assert.DoesNotContain("private_key", show.Out);
    }

    [Fact]
    public async Task SecondProfile_GetsItsOwnKeyFile_AndEnrollSignsWithTheProfileInEffect()
    {
        using var scratch = new Scratch();
        string prodKey = (await CliRun.RunAsync(scratch, "profile", "create", "prod")).Out.Trim();
        CliResult staging = await CliRun.RunAsync(scratch, "profile", "create", "staging");
        Assert.True(staging.ExitCode == 0, staging.ToString());
        string stagingKey = staging.Out.Trim();
        string stagingFile = Path.Combine(scratch.Home, ".aster", "root-staging.key");
        Assert.True(File.Exists(stagingFile));
        Assert.Contains($"gets its own key file {stagingFile}", staging.Error);
        Assert.NotEqual(prodKey, stagingKey);

        // --profile wins over ASTER_PROFILE, which wins over active_profile.
        Assert.Equal(0, (await CliRun.RunAsync(scratch, "profile", "use", "prod")).ExitCode);
        Assert.Equal(prodKey, await EnrolledRootAsync(scratch, "a.aster-identity", null));
        Assert.Equal(stagingKey, await EnrolledRootAsync(scratch, "b.aster-identity", new Dictionary<string, string> { [OperatorProfiles.EnvironmentVariable] = "staging" }));
        Assert.Equal(prodKey, await EnrolledRootAsync(scratch, "c.aster-identity", new Dictionary<string, string> { [OperatorProfiles.EnvironmentVariable] = "staging" }, "--profile", "prod"));
        Assert.Equal(stagingKey, await EnrolledRootAsync(scratch, "d.aster-identity", null, "-p", "staging"));
    }

    [Fact]
    public async Task KeygenRoot_RecordsTheKeyInTheProfileInEffect()
    {
        using var scratch = new Scratch();
        string first = (await CliRun.RunAsync(scratch, "keygen", "root")).Out.Trim();
        Assert.Equal(first, OperatorProfiles.Load(ProfilesFile(scratch)).Find("default")!.RootPubkey);

        CliResult other = await CliRun.RunAsync(scratch, "keygen", "root", "--profile", "lab");
        Assert.True(other.ExitCode == 0, other.ToString());
        Assert.True(File.Exists(Path.Combine(scratch.Home, ".aster", "root-lab.key")));
        Assert.Equal(other.Out.Trim(), OperatorProfiles.Load(ProfilesFile(scratch)).Find("lab")!.RootPubkey);
        Assert.Equal(other.Out.Trim(), await EnrolledRootAsync(scratch, "lab.aster-identity", null, "--profile", "lab"));
    }

    [Fact]
    public async Task UnknownKeysAndTables_SurviveARewrite()
    {
        using var scratch = new Scratch();
        string file = ProfilesFile(scratch);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        string key = new('a', 64);
        File.WriteAllText(file, $"""
            active_profile = "a"
            future_setting = [1, 2]

            [aster_service]
            enabled = true
            node_id = "n1"

            [profiles.a]
            root_pubkey = "{key}"
            handle = "bob"
            created_at = "2026-01-01T00:00:00Z"
            custom = 5

            [profiles.b]
            email = "b@example.com"
            """);

        Assert.Equal(0, (await CliRun.RunAsync(scratch, "profile", "use", "b")).ExitCode);
        OperatorProfiles reread = OperatorProfiles.Load(file);
        Assert.Equal("b", reread.ActiveProfile);
        OperatorProfile a = reread.Find("a")!;
        Assert.Equal(
            [KeyValuePair.Create("root_pubkey", $"\"{key}\""), KeyValuePair.Create("handle", "\"bob\""), KeyValuePair.Create("created_at", "\"2026-01-01T00:00:00Z\""), KeyValuePair.Create("custom", "5")],
            a.Entries);
        string text = File.ReadAllText(file);
        Assert.Contains("future_setting = [1, 2]", text);
        Assert.Contains("[aster_service]\nenabled = true\nnode_id = \"n1\"", text);
        Assert.Contains("email = \"b@example.com\"", text);
    }

    [Fact]
    public async Task Delete_NeedsYes_KeepsTheKeyFile_AndResetsTheActiveProfile()
    {
        using var scratch = new Scratch();
        await CliRun.RunAsync(scratch, "profile", "create", "prod");
        await CliRun.RunAsync(scratch, "profile", "use", "prod");

        CliResult unconfirmed = await CliRun.RunAsync(scratch, "profile", "delete", "prod");
        Assert.Equal(2, unconfirmed.ExitCode);
        Assert.Contains("--yes", unconfirmed.Error);

        CliResult deleted = await CliRun.RunAsync(scratch, "profile", "delete", "prod", "-y");
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Contains($"its root key file {scratch.RootKey} is kept", deleted.Error);
        Assert.True(File.Exists(scratch.RootKey));
        OperatorProfiles profiles = OperatorProfiles.Load(ProfilesFile(scratch));
        Assert.Empty(profiles.Profiles);
        Assert.Equal(OperatorProfiles.DefaultProfile, profiles.ActiveProfile);

        Assert.Equal(1, (await CliRun.RunAsync(scratch, "profile", "delete", "prod", "--yes")).ExitCode);
        Assert.Equal(1, (await CliRun.RunAsync(scratch, "profile", "use", "prod")).ExitCode);
    }

    [Fact]
    public async Task CreateOptions_AndBadInput_HaveClearErrors()
    {
        using var scratch = new Scratch();
        Assert.Equal(0, (await CliRun.RunAsync(scratch, "profile", "create", "empty", "--no-keygen")).ExitCode);
        Assert.False(File.Exists(scratch.RootKey));
        string key = new('b', 64);
        Assert.Equal(0, (await CliRun.RunAsync(scratch, "profile", "create", "known", "--root-pubkey", key.ToUpperInvariant())).ExitCode);
        Assert.Equal(key, OperatorProfiles.Load(ProfilesFile(scratch)).Find("known")!.RootPubkey);

        Assert.Equal(2, (await CliRun.RunAsync(scratch, "profile", "create", "bad name")).ExitCode);
        Assert.Equal(2, (await CliRun.RunAsync(scratch, "profile", "create", "x", "--root-pubkey", "abc")).ExitCode);
        Assert.Equal(1, (await CliRun.RunAsync(scratch, "profile", "create", "known")).ExitCode);

        // A profile whose key file is nowhere cannot sign; a profile that does not exist is named.
        CliResult noKeyFile = await CliRun.RunAsync(scratch, "enroll", "node", "--role", "consumer", "--name", "x", "-o", "x.aster-identity", "--no-gitignore", "--profile", "known");
        Assert.Equal(1, noKeyFile.ExitCode);
        Assert.Contains($"profile 'known' records root key {key} but no key file", noKeyFile.Error);
        CliResult missing = await CliRun.RunAsync(scratch, "enroll", "node", "--role", "consumer", "--name", "x", "-o", "x.aster-identity", "--no-gitignore", "--profile", "nope");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no profile named 'nope'", missing.Error);
    }

    [Fact]
    public async Task MalformedProfilesFile_IsAnErrorNamingFileAndLine()
    {
        using var scratch = new Scratch();
        string file = ProfilesFile(scratch);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, "active_profile = \"a\"\n[profiles.a\nroot_pubkey = 1\n");
        CliResult list = await CliRun.RunAsync(scratch, "profile", "list");
        Assert.Equal(1, list.ExitCode);
        Assert.StartsWith("error: ", list.Error);
        Assert.Contains(file, list.Error);
        Assert.Contains("2", list.Error);

        File.WriteAllText(file, "active_profile = 3\n");
        CliResult wrongType = await CliRun.RunAsync(scratch, "profile", "list");
        Assert.Equal(1, wrongType.ExitCode);
        Assert.Contains("active_profile", wrongType.Error);
    }

    private static string ProfilesFile(Scratch scratch) => Path.Combine(scratch.Home, ".aster", "config.toml");

    private static async Task<string> EnrolledRootAsync(Scratch scratch, string output, Dictionary<string, string>? environment, params string[] extra)
    {
        CliResult enrolled = await CliRun.RunWithAsync(scratch, environment, null, ["enroll", "node", "--role", "consumer", "--name", "c", "-o", output, "--no-gitignore", "-q", .. extra]);
        Assert.True(enrolled.ExitCode == 0, enrolled.ToString());
        return AsterIdentityFile.Read(scratch.PathOf(output)).Peers.Single().RootPubkey;
    }
}
