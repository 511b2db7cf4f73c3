using System.CommandLine;
using Aster.Cli.Keys;
using Aster.Net.Identity;
using Aster.Trust;

namespace Aster.Cli.Commands;

/// <summary><c>aster keygen root|node</c> (config-and-cli.md 10.3).</summary>
internal static class KeygenCommand
{
    public static Command Create(CliHost host)
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
            string path = host.ResolvePath(parse.GetValue(rootOut) ?? Path.Combine(host.AsterDirectory, KeyFiles.RootKeyFileName));
            GenerateRoot(host, path);
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

    /// <summary>Creates a root key file and its .pub, printing the public key on stdout.</summary>
    public static void GenerateRoot(CliHost host, string path)
    {
        using RootKey key = RootKey.Generate();
        KeyFiles.WriteRootKey(path, key);
        host.Out.WriteLine(Convert.ToHexStringLower(key.PublicKey));
        host.Note($"root key written to {path} (mode 0600; keep it offline), public key to {KeyFiles.PublicFileFor(path)}");
    }
}
