using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Aster.Cli.Calls;
using Aster.Cli.Keys;
using Aster.Configuration.Identity;
using Aster.Net.Identity;
using Aster.Trust;

namespace Aster.Cli.Commands;

/// <summary><c>aster trust keygen|pubkey</c> (config-and-cli.md 10.3).</summary>
internal static class TrustCommand
{
    public static Command Create(CliHost host, Option<string?> profile)
    {
        var outKey = new Option<string?>("--out-key") { Description = "Root key file to create (default ~/.aster/root.key); never overwritten." };
        var keygen = new Command("keygen", "Generate a root key file and its .pub (same as 'aster keygen root --no-keyring').") { outKey };
        keygen.SetAction(parse =>
        {
            _ = KeygenCommand.GenerateRoot(host, host.ResolvePath(parse.GetValue(outKey) ?? Path.Combine(host.AsterDirectory, KeyFiles.RootKeyFileName)));
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

        return new Command("trust", "Root key operations: keys, signing and offline verification of credentials.") { keygen, pubkey, Sign(host, profile), Verify(host, profile) };
    }

    private static Command Sign(CliHost host, Option<string?> profile)
    {
        var kind = new Argument<string?>("kind") { Description = "consumer or producer (optional; consumer means --type policy unless --type ott).", Arity = ArgumentArity.ZeroOrOne };
        kind.AcceptOnlyFromAmong("consumer", "producer");
        var rootKey = new Option<string?>("--root-key") { Description = "Root key file (default: the profile's key, else ~/.aster/root.key)." };
        var type = new Option<string?>("--type") { Description = "producer (default), policy or ott." };
        type.AcceptOnlyFromAmong("producer", "policy", "ott");
        var endpoint = new Option<string?>("--endpoint-id") { Description = "The node's endpoint id (64 hex). Required for producers; binds consumer credentials." };
        var attributesJson = new Option<string?>("--attributes") { Description = "Attributes as a JSON object of strings." };
        var attr = new Option<string[]>("--attr") { Description = "One attribute KEY=VALUE (repeatable)." };
        var role = new Option<string?>("--role") { Description = "Sets aster.role (comma-separated roles)." };
        var expires = new Option<string?>("--expires") { Description = "ISO-8601 or 30d, 24h, 90m, 3600s. Default 30d." };
        var output = new Option<string>("--out") { Description = "Credential file to write.", DefaultValueFactory = _ => Path.Combine(".aster", "credential.json") };
        var sign = new Command("sign", "Sign a producer, policy or one-time-token credential file (trust.md 3.8.3).")
        {
            kind, rootKey, type, endpoint, attributesJson, attr, role, expires, output,
        };
        sign.SetAction(parse =>
        {
            string credentialType = (parse.GetValue(kind), parse.GetValue(type)) switch
            {
                ("consumer", "producer") or ("producer", "policy" or "ott") => throw CliException.Usage("the kind and --type disagree"),
                ("consumer", "ott") => "ott",
                ("consumer", _) => "policy",
                (_, { } t) => t,
                _ => "producer",
            };
            Dictionary<string, string> attributes = ParseAttributes(parse.GetValue(attributesJson), parse.GetValue(attr), parse.GetValue(role));
            EndpointId? id = parse.GetValue(endpoint) is { } hex
                ? (EndpointId.TryParse(hex.Trim(), out EndpointId parsed) ? parsed : throw CliException.Usage($"--endpoint-id '{hex}' is not an endpoint id"))
                : null;
            DateTimeOffset expiry = KeyFiles.ParseExpiry(parse.GetValue(expires), DateTimeOffset.UtcNow);
            using RootKey key = KeyFiles.ReadRootKey(ProfileKeys.ResolveSigningKey(host, parse.GetValue(rootKey), parse.GetValue(profile)));
            SignedCredential signed = CredentialSigner.Sign(key, credentialType, id, expiry, attributes);
            string path = host.ResolvePath(parse.GetRequiredValue(output));
            if (Path.GetDirectoryName(path) is { Length: > 0 } dir)
            {
                Directory.CreateDirectory(dir);
            }

            File.WriteAllText(path, signed.FileJson + "\n", new UTF8Encoding(false));
            host.Error.WriteLine($"signed {credentialType} credential -> {path} (expires {expiry.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}, {(id is null ? "unbound" : "bound to " + id)})");
            return ExitCodes.Ok;
        });
        return sign;
    }

    private static Command Verify(CliHost host, Option<string?> profile)
    {
        var file = new Argument<string>("file") { Description = "A credential JSON file, or an .aster-identity (with --peer)." };
        var rootPubkey = new Option<string?>("--root-pubkey") { Description = "The trusted root public key (64 hex)." };
        var rootPubkeyFile = new Option<string?>("--root-pubkey-file") { Description = "A file holding it (hex, root.pub or root.key)." };
        var endpoint = new Option<string?>("--endpoint-id") { Description = "Check the binding against this endpoint id." };
        var at = new Option<string?>("--at") { Description = "Check expiry at this ISO-8601 time instead of now." };
        var peer = new Option<string?>("--peer") { Description = "The entry of an .aster-identity to check (default: the first)." };
        var verify = new Command("verify", "Check a credential offline: structure, root, signature, expiry and binding; exit 1 with the reason if it fails.")
        {
            file, rootPubkey, rootPubkeyFile, endpoint, at, peer,
        };
        verify.SetAction(parse =>
        {
            byte[] root = parse.GetValue(rootPubkey) is { } hex
                ? RootKey.ParsePublicKey(hex)
                : parse.GetValue(rootPubkeyFile) is { } rootFile
                    ? RootKey.ParsePublicKey(File.ReadAllText(host.ResolvePath(rootFile)))
                    : ProfileKeys.RecordedRootPubkey(host, parse.GetValue(profile)) is { } recorded
                        ? RootKey.ParsePublicKey(recorded)
                        : throw CliException.Usage("give the trusted root with --root-pubkey, --root-pubkey-file or --profile NAME (a profile that records root_pubkey)");
            DateTimeOffset when = parse.GetValue(at) is { } text
                ? (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset t) ? t : throw CliException.Usage($"--at '{text}' is not ISO-8601"))
                : DateTimeOffset.UtcNow;
            string path = host.ResolvePath(parse.GetRequiredValue(file));
            string content = File.ReadAllText(path);
            if (!content.TrimStart().StartsWith('{'))
            {
                AsterIdentityFile identity = AsterIdentityFile.Parse(content, path);
                string? name = parse.GetValue(peer);
                AsterIdentityPeer entry = identity.FindPeer(name) ?? throw CliException.Failed(name is null ? $"{path} has no entries" : $"no entry named '{name}' in {path}");
                content = IdentityCredentials.Check(entry, identity.EndpointId, when).CredentialFileJson
                    ?? throw CliException.Failed($"{entry.Name}: invalid (the signature matches no attribute set)");
            }

            CredentialCheckResult result = Check(content, root, parse.GetValue(endpoint), when);
            host.Out.WriteLine(result.Accepted ? "valid" : "invalid: " + Reason(result.Refusal));
            return result.Accepted ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return verify;
    }

    private static CredentialCheckResult Check(string json, byte[] root, string? endpointHex, DateTimeOffset when)
    {
        var verifier = new CredentialVerifier(root, new FixedTime(when), new InMemoryNonceStore(new FixedTime(when)));
        bool producer = EnrollmentCredentialParses(json);
        byte[] utf8 = Encoding.UTF8.GetBytes(json);
        EndpointId peer;
        if (endpointHex is not null)
        {
            peer = EndpointId.TryParse(endpointHex.Trim(), out EndpointId parsed) ? parsed : throw CliException.Usage($"--endpoint-id '{endpointHex}' is not an endpoint id");
        }
        else
        {
            // Without --endpoint-id the binding is checked against the credential's own endpoint (or any, when unbound).
            string? bound = producer ? EnrollmentCredential.Parse(json).EndpointId : TryConsumer(json)?.EndpointId;
            using SecretKey any = SecretKey.Generate();
            peer = bound is not null && EndpointId.TryParse(bound, out EndpointId b) ? b : any.PublicKey;
        }

        return producer ? verifier.VerifyProducer(utf8, peer) : verifier.VerifyConsumer(utf8, peer);
    }

    private static bool EnrollmentCredentialParses(string json)
    {
        try
        {
            EnrollmentCredential.Parse(json);
            return true;
        }
        catch (TrustFormatException)
        {
            return false;
        }
    }

    private static ConsumerEnrollmentCredential? TryConsumer(string json)
    {
        try
        {
            return ConsumerEnrollmentCredential.Parse(json);
        }
        catch (TrustFormatException)
        {
            return null;
        }
    }

    private static string Reason(CredentialRefusal refusal) => refusal switch
    {
        CredentialRefusal.Malformed => "malformed credential",
        CredentialRefusal.UntrustedRoot => "signed for another root key",
        CredentialRefusal.SignatureInvalid => "bad signature",
        CredentialRefusal.Expired => "expired",
        CredentialRefusal.EndpointMismatch => "bound to another endpoint",
        CredentialRefusal.IdentityCheckFailed => "needs a cloud identity check",
        _ => refusal.ToString(),
    };

    private static Dictionary<string, string> ParseAttributes(string? json, string[]? pairs, string? role)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(string key, string value)
        {
            if (!result.TryAdd(key, value))
            {
                throw CliException.Usage($"attribute '{key}' is given twice");
            }
        }

        if (json is not null)
        {
            JsonElement element = RequestItems.ParseOne(json, "--attributes");
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw CliException.Usage("--attributes must be a JSON object");
            }

            foreach (JsonProperty property in element.EnumerateObject())
            {
                Add(property.Name, property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : throw CliException.Usage($"attribute '{property.Name}' is not a string"));
            }
        }

        foreach (string pair in pairs ?? [])
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw CliException.Usage($"--attr '{pair}' is not KEY=VALUE");
            }

            Add(pair[..eq], pair[(eq + 1)..]);
        }

        if (role is not null)
        {
            Add("aster.role", role);
        }

        return result;
    }

    /// <summary>A clock stopped at one instant, for <c>--at</c>.</summary>
    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
