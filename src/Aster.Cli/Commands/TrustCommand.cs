using System.CommandLine;
using System.Text;
using Aster.Cli.Keys;
using Aster.Trust;

namespace Aster.Cli.Commands;

/// <summary><c>aster trust keygen|pubkey</c> (config-and-cli.md 10.3).</summary>
internal static class TrustCommand
{
    public static Command Create(CliHost host)
    {
        var outKey = new Option<string?>("--out-key") { Description = "Root key file to create (default ~/.aster/root.key); never overwritten." };
        var keygen = new Command("keygen", "Generate a root key file and its .pub (same as 'aster keygen root --no-keyring').") { outKey };
        keygen.SetAction(parse =>
        {
            KeygenCommand.GenerateRoot(host, host.ResolvePath(parse.GetValue(outKey) ?? Path.Combine(host.AsterDirectory, KeyFiles.RootKeyFileName)));
            return ExitCodes.Ok;
        });

        var input = new Option<string>("--in") { Description = "The root key file.", Required = true };
        var output = new Option<string?>("--out") { Description = "Write {\"public_key\": hex} here instead of printing bare hex." };
        var pubkey = new Command("pubkey", "Print (or write) the public key of a root key file.") { input, output };
        pubkey.SetAction(parse =>
        {
            using RootKey key = KeyFiles.ReadRootKey(host.ResolvePath(parse.GetRequiredValue(input)));
            if (parse.GetValue(output) is { } path)
            {
                File.WriteAllText(host.ResolvePath(path), key.ToPublicKeyFileJson() + "\n", new UTF8Encoding(false));
                host.Note($"public key written to {path}");
            }
            else
            {
                host.Out.WriteLine(Convert.ToHexStringLower(key.PublicKey));
            }

            return ExitCodes.Ok;
        });

        return new Command("trust", "Root key operations.") { keygen, pubkey };
    }
}
