using System.CommandLine;
using System.Text.Json;
using Aster.Cli.Keys;
using Aster.Configuration;

namespace Aster.Cli.Commands;

/// <summary>
/// <c>aster profile list|create|use|show|delete</c>: operator profiles in <c>~/.aster/config.toml</c>
/// (config-and-cli.md 7.2 and 10.3). No OS keyring here: a profile's root key is a 0600 key file.
/// </summary>
internal static class ProfileCommand
{
    public static Command Create(CliHost host, Option<string?> profile)
    {
        return new Command("profile", "Operator profiles (~/.aster/config.toml): each names a deployment's root key.")
        {
            List(host), CreateProfile(host), Use(host), Show(host, profile), Delete(host),
        };
    }

    private static Command List(CliHost host)
    {
        var json = new Option<bool>("--json") { Description = "JSON: {\"active\", \"profiles\": [{\"name\", \"root_pubkey\"}]}." };
        var list = new Command("list", "List the profiles; the active one is marked with '*'.") { json };
        list.SetAction(parse =>
        {
            OperatorProfiles profiles = ProfileKeys.Load(host);
            string active = profiles.Resolve(null, host.Environment);
            if (parse.GetValue(json))
            {
                host.Out.WriteLine(KeyFiles.Indented(w =>
                {
                    w.WriteString("active", active);
                    w.WriteStartArray("profiles");
                    foreach (OperatorProfile p in profiles.Profiles)
                    {
                        w.WriteStartObject();
                        w.WriteString("name", p.Name);
                        w.WriteString("root_pubkey", p.RootPubkey);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                }));
                return ExitCodes.Ok;
            }

            if (profiles.Profiles.Count == 0)
            {
                host.Note($"no profiles yet ({ProfileKeys.ProfilesPath(host)}); create one with 'aster profile create NAME'");
            }

            foreach (OperatorProfile p in profiles.Profiles)
            {
                host.Out.WriteLine($"{(p.Name == active ? "*" : " ")} {p.Name,-20} {p.RootPubkey ?? "(no root key)"}");
            }

            return ExitCodes.Ok;
        });
        return list;
    }

    private static Command CreateProfile(CliHost host)
    {
        var name = new Argument<string>("name") { Description = "The profile name (letters, digits, '-' or '_')." };
        var noKeygen = new Option<bool>("--no-keygen") { Description = "Do not generate a root key." };
        var rootPubkey = new Option<string?>("--root-pubkey") { Description = "Record this root public key (64 hex) instead of generating one." };
        var create = new Command("create", "Create a profile and generate its root key (a 0600 key file: this build has no OS keyring).") { name, noKeygen, rootPubkey };
        create.SetAction(parse =>
        {
            string profileName = ValidName(parse.GetRequiredValue(name));
            OperatorProfiles profiles = ProfileKeys.Load(host);
            if (profiles.Find(profileName) is not null)
            {
                throw CliException.Failed($"profile '{profileName}' exists already");
            }

            OperatorProfile profile = profiles.Add(profileName);
            profile.SetString("signer", "local");
            if (parse.GetValue(rootPubkey) is { } hex)
            {
                profile.RootPubkey = ValidRootPubkey(hex);
            }
            else if (!parse.GetValue(noKeygen))
            {
                profile.RootPubkey = GenerateKeyFor(host, profileName);
            }

            ProfileKeys.Save(host, profiles);
            host.Note($"created profile '{profileName}' in {ProfileKeys.ProfilesPath(host)}{(profiles.ActiveProfile == profileName ? " (active)" : $"; make it active with 'aster profile use {profileName}'")}");
            return ExitCodes.Ok;
        });
        return create;
    }

    private static Command Use(CliHost host)
    {
        var name = new Argument<string>("name") { Description = "The profile to make active." };
        var use = new Command("use", "Make a profile the active one (active_profile).") { name };
        use.SetAction(parse =>
        {
            string profileName = parse.GetRequiredValue(name);
            OperatorProfiles profiles = ProfileKeys.Load(host);
            _ = profiles.Find(profileName) ?? throw CliException.Failed($"no profile named '{profileName}' (see 'aster profile list')");
            profiles.ActiveProfile = profileName;
            ProfileKeys.Save(host, profiles);
            host.Note($"active profile: {profileName}");
            return ExitCodes.Ok;
        });
        return use;
    }

    private static Command Show(CliHost host, Option<string?> profileOption)
    {
        var name = new Argument<string?>("name") { Description = "The profile (default: --profile, ASTER_PROFILE, else the active one).", Arity = ArgumentArity.ZeroOrOne };
        var show = new Command("show", "Show a profile's settings and which key file holds its root key (never the key itself).") { name };
        show.SetAction(parse =>
        {
            OperatorProfiles profiles = ProfileKeys.Load(host);
            string profileName = profiles.Resolve(parse.GetValue(name) ?? parse.GetValue(profileOption), host.Environment);
            OperatorProfile profile = profiles.Find(profileName) ?? throw CliException.Failed($"no profile named '{profileName}' (see 'aster profile list')");
            host.Out.WriteLine($"[profiles.{profile.Name}]{(profileName == profiles.ActiveProfile ? "  (active)" : string.Empty)}");
            foreach (var (key, value) in profile.Entries)
            {
                host.Out.WriteLine($"{key} = {value}");
            }

            host.Out.WriteLine($"# root key file: {(profile.RootPubkey is null ? "none recorded" : ProfileKeys.KeyFileFor(host, profile) ?? "not found in " + host.AsterDirectory)}");
            return ExitCodes.Ok;
        });
        return show;
    }

    private static Command Delete(CliHost host)
    {
        var name = new Argument<string>("name") { Description = "The profile to delete." };
        var yes = new Option<bool>("--yes", "-y") { Description = "Confirm the deletion (required)." };
        var delete = new Command("delete", "Delete a profile. Its root key file is kept (delete it yourself once nothing needs it).") { name, yes };
        delete.SetAction(parse =>
        {
            string profileName = parse.GetRequiredValue(name);
            if (!parse.GetValue(yes))
            {
                throw CliException.Usage($"deleting profile '{profileName}' needs --yes");
            }

            OperatorProfiles profiles = ProfileKeys.Load(host);
            OperatorProfile profile = profiles.Find(profileName) ?? throw CliException.Failed($"no profile named '{profileName}' (see 'aster profile list')");
            string? keyFile = ProfileKeys.KeyFileFor(host, profile);
            profiles.Remove(profileName);
            ProfileKeys.Save(host, profiles);
            host.Note($"deleted profile '{profileName}'{(keyFile is null ? string.Empty : $"; its root key file {keyFile} is kept")}");
            return ExitCodes.Ok;
        });
        return delete;
    }

    /// <summary>Generates a root key for a profile into its key file and returns the public key hex.</summary>
    internal static string GenerateKeyFor(CliHost host, string profileName)
    {
        string path = ProfileKeys.NewKeyPathFor(host, profileName);
        if (path != ProfileKeys.DefaultRootKeyPath(host))
        {
            host.Note($"warning: {ProfileKeys.DefaultRootKeyPath(host)} exists; profile '{profileName}' gets its own key file {path}");
        }

        host.Note("note: no OS keyring is used by this build; the root key is a key file (mode 0600). Keep it offline and private.");
        return KeygenCommand.GenerateRoot(host, path);
    }

    private static string ValidName(string name)
        => OperatorProfiles.IsValidName(name) ? name : throw CliException.Usage($"'{name}' is not a valid profile name (letters, digits, '-' or '_', at most 64)");

    private static string ValidRootPubkey(string hex)
    {
        string trimmed = hex.Trim();
        return trimmed.Length == 64 && trimmed.All(char.IsAsciiHexDigit)
            ? trimmed.ToLowerInvariant()
            : throw CliException.Usage($"--root-pubkey '{hex}' is not 64 hex characters");
    }
}
