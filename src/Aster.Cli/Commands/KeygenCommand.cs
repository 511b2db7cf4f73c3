using System.CommandLine;
using Aster.Cli.Keys;
using Aster.Configuration;
using Aster.Net.Identity;
using Aster.Trust;

namespace Aster.Cli.Commands;

/// <summary><c>aster keygen root|node</c> (config-and-cli.md 10.3).</summary>
internal static class KeygenCommand
{
    public static Command Create(CliHost host, Option<string?> profile)
    {
        var rootOut = new Option<string?>("--out", "-o") { Description = "Root key file to create (default ~/.aster/root.key); never overwritten." };
        var noKeyring = new Option<bool>("--no-keyring") { Description = "Write the key file only (this build has no OS keyring support, so this is always the case)." };
        var root = new Command("root", "Generate the deployment's offline root key: writes root.key (mode 0600) and root.pub, prints the public key.")
        {
            rootOut,
            noKeyring,
        };
        root.SetAction(parse =>
        {
            string? outPath = parse.GetValue(rootOut);
            string? profileName = parse.GetValue(profile);
            string path = outPath is not null ? host.ResolvePath(outPath)
                : profileName is not null ? ProfileKeys.NewKeyPathFor(host, profileName)
                : ProfileKeys.DefaultRootKeyPath(host);
            string publicKey = GenerateRoot(host, path);
            if (outPath is null)
            {
                RecordInProfile(host, profileName, publicKey);
            }

            if (!parse.GetValue(noKeyring))
            {
                host.Note("note: no OS keyring is used by this build; keep the key file offline and private.");
            }

            return ExitCodes.Ok;
        });

        var nodeOut = new Option<string?>("--out", "-o") { Description = "Node key file to create (default ~/.aster/node.key); never overwritten." };
        var node = new Command("node", "Generate a node key: writes {\"secret_key\", \"node_id\"} (hex, mode 0600) and prints the endpoint id.")
        {
            nodeOut,
        };
        node.Aliases.Add("producer");
        node.SetAction(parse =>
        {
            string path = host.ResolvePath(parse.GetValue(nodeOut) ?? Path.Combine(host.AsterDirectory, KeyFiles.NodeKeyFileName));
            using SecretKey key = SecretKey.Generate();
            KeyFiles.WriteNodeKey(path, key);
            host.Out.WriteLine(key.PublicKey.ToString());
            host.Note($"node key written to {path}");
            return ExitCodes.Ok;
        });

        return new Command("keygen", "Generate keys: the root key that signs credentials, or a node key.") { root, node };
    }

    /// <summary>Creates a root key file and its .pub, printing the public key on stdout; returns the public key hex.</summary>
    public static string GenerateRoot(CliHost host, string path)
    {
        using RootKey key = RootKey.Generate();
        KeyFiles.WriteRootKey(path, key);
        string publicKey = Convert.ToHexStringLower(key.PublicKey);
        host.Out.WriteLine(publicKey);
        host.Note($"root key written to {path} (mode 0600; keep it offline), public key to {KeyFiles.PublicFileFor(path)}");
        return publicKey;
    }

    /// <summary>Records a new root key in the profile in effect, creating the profile if needed (config-and-cli.md 10.3).</summary>
    private static void RecordInProfile(CliHost host, string? profileOption, string publicKey)
    {
        OperatorProfiles profiles = ProfileKeys.Load(host);
        string name = profiles.Resolve(profileOption, host.Environment);
        if (!OperatorProfiles.IsValidName(name))
        {
            throw CliException.Usage($"'{name}' is not a valid profile name (letters, digits, '-' or '_', at most 64)");
        }

        OperatorProfile entry = profiles.Find(name) ?? profiles.Add(name);
        if (entry.RootPubkey is { } previous && previous != publicKey)
        {
            host.Note($"warning: profile '{name}' recorded root key {previous}; it now records the new key");
        }

        entry.RootPubkey = publicKey;
        entry.SetString("signer", entry.GetString("signer") ?? "local");
        ProfileKeys.Save(host, profiles);
        host.Note($"recorded in profile '{name}' ({ProfileKeys.ProfilesPath(host)})");
    }
}
