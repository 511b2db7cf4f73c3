using System.CommandLine;
using System.Globalization;
using Aster.Cli.Keys;
using Aster.Configuration.Identity;
using Aster.Net.Identity;
using Aster.Trust;

namespace Aster.Cli.Commands;

/// <summary><c>aster enroll node</c>: signs a producer or consumer credential and writes it into an <c>.aster-identity</c> (config-and-cli.md 10.4).</summary>
internal static class EnrollCommand
{
    public static Command Create(CliHost host, Option<string?> profile)
    {
        var role = new Option<string>("--role") { Description = "producer or consumer.", Required = true };
        role.AcceptOnlyFromAmong("producer", "consumer");
        var name = new Option<string>("--name") { Description = "The entry name (becomes aster.name and the peer label).", Required = true };
        var type = new Option<string>("--type", "-t") { Description = "policy (default) or ott (one-time token, consumers only).", DefaultValueFactory = _ => "policy" };
        type.AcceptOnlyFromAmong("policy", "ott");
        var attributes = new Option<string?>("--attributes", "-a") { Description = "Extra attributes, k=v,k=v." };
        var expires = new Option<string?>("--expires", "-e") { Description = "Expiry: ISO-8601 or 30d, 24h, 90m, 3600s. Default 30d." };
        var rootKey = new Option<string?>("--root-key") { Description = "Root key file that signs (default: the profile's key, else ~/.aster/root.key)." };
        var identity = new Option<string?>("--identity", "-i") { Description = "Reuse the [node] key of this identity file." };
        var capabilities = new Option<string?>("--capabilities", "-c") { Description = "Roles granted, comma-separated; sets aster.role (default: the role name)." };
        var output = new Option<string>("--out", "-o") { Description = "Identity file to create or update.", DefaultValueFactory = _ => AsterIdentityFile.DefaultFileName };
        var unbound = new Option<bool>("--unbound") { Description = "Consumer policy credentials only: do not bind the credential to this node's key." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print one line: PATH ENDPOINT_ID EXPIRES_ISO." };
        var noGitignore = new Option<bool>("--no-gitignore") { Description = "Do not add the identity file to the enclosing git work tree's .gitignore." };

        var node = new Command("node", "Enroll a node: sign a credential with the root key and add it to an .aster-identity file (the node key is reused or generated).")
        {
            role, name, type, attributes, expires, rootKey, identity, capabilities, output, unbound, quiet, noGitignore,
        };
        node.SetAction(parse =>
        {
            host.Quiet = parse.GetValue(quiet);
            var request = new EnrollRequest(
                parse.GetRequiredValue(role),
                parse.GetRequiredValue(name),
                parse.GetValue(type) ?? "policy",
                ParseAttributes(parse.GetValue(attributes)),
                KeyFiles.ParseExpiry(parse.GetValue(expires), DateTimeOffset.UtcNow),
                parse.GetValue(capabilities),
                parse.GetValue(unbound));
            string outPath = host.ResolvePath(parse.GetRequiredValue(output));
            string keyPath = ProfileKeys.ResolveSigningKey(host, parse.GetValue(rootKey), parse.GetValue(profile));
            string? identityPath = parse.GetValue(identity) is { } i ? host.ResolvePath(i) : null;

            AsterIdentityPeer entry = Enroll(host, request, keyPath, identityPath, outPath, out EndpointId endpoint);
            if (!parse.GetValue(noGitignore))
            {
                GitIgnore.Ensure(host, outPath);
            }

            string expiresIso = DateTimeOffset.FromUnixTimeSeconds(entry.ExpiresAt).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            if (host.Quiet)
            {
                host.Out.WriteLine($"{outPath} {endpoint} {expiresIso}");
            }
            else
            {
                host.Out.WriteLine($"Enrolled {entry.Role} '{entry.Name}' ({entry.Type}) in {outPath}");
                host.Out.WriteLine($"  endpoint id  {endpoint}");
                host.Out.WriteLine($"  root key     {entry.RootPubkey}");
                host.Out.WriteLine($"  bound        {(entry.EndpointId is null ? "no (any node may present it)" : "yes")}");
                host.Out.WriteLine($"  expires      {expiresIso}");
                host.Out.WriteLine($"  attributes   {string.Join(", ", entry.Attributes.Select(kv => kv.Key + "=" + kv.Value))}");
            }

            return ExitCodes.Ok;
        });

        return new Command("enroll", "Enroll producers and consumers into a deployment.") { node };
    }

    /// <summary>Signs the credential and writes the identity file; returns the new entry.</summary>
    internal static AsterIdentityPeer Enroll(CliHost host, EnrollRequest request, string rootKeyPath, string? identityPath, string outPath, out EndpointId endpoint)
    {
        bool producer = request.Role == "producer";
        if (producer && request.Type == "ott")
        {
            throw CliException.Usage("--type ott is for consumers; producer credentials are always policy");
        }

        if (request.Unbound && (producer || request.Type == "ott"))
        {
            throw CliException.Usage("--unbound applies to consumer policy credentials only");
        }

        var attrs = new Dictionary<string, string>(request.Attributes, StringComparer.Ordinal);
        if (attrs.ContainsKey("aster.role") && request.Capabilities is not null)
        {
            throw CliException.Usage("aster.role is given twice (--attributes and --capabilities)");
        }

        attrs.TryAdd("aster.role", request.Capabilities is { } caps ? NormaliseRoles(caps) : request.Role);
        attrs.TryAdd("aster.name", request.Name);

        using RootKey root = KeyFiles.ReadRootKey(rootKeyPath);
        AsterIdentityFile file = LoadOrCreate(identityPath, outPath);
        endpoint = file.EndpointId;
        SignedCredential signed = CredentialSigner.Sign(root, producer ? "producer" : request.Type, producer || !request.Unbound ? endpoint : null, request.ExpiresAt, attrs);
        AsterIdentityPeer entry = signed.Producer is { } p
            ? new AsterIdentityPeer
            {
                Name = request.Name,
                Role = "producer",
                Type = "policy",
                RootPubkey = Convert.ToHexStringLower(p.RootPublicKey),
                EndpointId = p.EndpointId,
                ExpiresAt = (long)p.ExpiresAt,
                Signature = Convert.ToHexStringLower(p.Signature),
                Attributes = attrs,
            }
            : new AsterIdentityPeer
            {
                Name = request.Name,
                Role = "consumer",
                Type = signed.Consumer!.TypeName,
                RootPubkey = Convert.ToHexStringLower(signed.Consumer.RootPublicKey),
                EndpointId = signed.Consumer.EndpointId,
                ExpiresAt = (long)signed.Consumer.ExpiresAt,
                Nonce = signed.Consumer.HasNonce ? Convert.ToHexStringLower(signed.Consumer.Nonce) : null,
                Signature = Convert.ToHexStringLower(signed.Consumer.Signature),
                Attributes = attrs,
            };
        file.WithPeer(entry).Write(outPath);
        return entry;
    }

    /// <summary>Parses <c>k=v,k=v</c>; a key given twice or without <c>=</c> is a usage error.</summary>
    internal static Dictionary<string, string> ParseAttributes(string? text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text))
        {
            return result;
        }

        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw CliException.Usage($"attribute '{part}' is not of the form key=value");
            }

            if (!result.TryAdd(part[..eq].Trim(), part[(eq + 1)..].Trim()))
            {
                throw CliException.Usage($"attribute '{part[..eq].Trim()}' is given twice");
            }
        }

        return result;
    }

    private static string NormaliseRoles(string caps)
        => string.Join(",", caps.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static AsterIdentityFile LoadOrCreate(string? identityPath, string outPath)
    {
        if (File.Exists(outPath))
        {
            AsterIdentityFile existing = AsterIdentityFile.Read(outPath);
            if (identityPath is not null && identityPath != outPath)
            {
                AsterIdentityFile source = AsterIdentityFile.Read(identityPath);
                if (source.EndpointId != existing.EndpointId)
                {
                    throw CliException.Usage($"{outPath} holds another node key than {identityPath}; choose a different --out");
                }
            }

            return existing;
        }

        if (identityPath is not null)
        {
            AsterIdentityFile source = AsterIdentityFile.Read(identityPath);
            return new AsterIdentityFile(source.SecretKey);
        }

        return new AsterIdentityFile(SecretKey.Generate());
    }
}

/// <summary>What <c>enroll node</c> signs.</summary>
internal sealed record EnrollRequest(string Role, string Name, string Type, IReadOnlyDictionary<string, string> Attributes, DateTimeOffset ExpiresAt, string? Capabilities, bool Unbound);
