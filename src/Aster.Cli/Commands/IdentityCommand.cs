using System.CommandLine;
using System.Globalization;
using System.Text;
using Aster.Cli.Keys;
using Aster.Trust;
using Aster.Configuration.Identity;
using Spectre.Console;

namespace Aster.Cli.Commands;

/// <summary><c>aster identity show|verify|export|remove</c> (config-and-cli.md 10.5). Never prints the secret key or signatures.</summary>
internal static class IdentityCommand
{
    public static Command Create(CliHost host)
    {
        Option<string?> File() => new("--file", "-f") { Description = "The identity file (default: ASTER_IDENTITY_FILE, else ./.aster-identity)." };

        var showFile = File();
        var json = new Option<bool>("--json") { Description = "Machine-readable output." };
        var show = new Command("show", "Show the node id and every enrolment entry with its verification status.") { showFile, json };
        show.SetAction(parse =>
        {
            (string path, AsterIdentityFile identity) = Load(host, parse.GetValue(showFile));
            var rows = identity.Peers.Select(p => (Peer: p, Check: IdentityCredentials.Check(p, identity.EndpointId, DateTimeOffset.UtcNow))).ToList();
            if (parse.GetValue(json))
            {
                host.Out.Write(KeyFiles.Indented(w =>
                {
                    w.WriteString("file", path);
                    w.WriteString("endpoint_id", identity.EndpointId.ToString());
                    w.WriteStartArray("peers");
                    foreach (var (p, check) in rows)
                    {
                        w.WriteStartObject();
                        w.WriteString("name", p.Name);
                        w.WriteString("role", p.Role);
                        w.WriteString("type", p.Type);
                        w.WriteString("root_pubkey", p.RootPubkey);
                        if (p.EndpointId is null)
                        {
                            w.WriteNull("endpoint_id");
                        }
                        else
                        {
                            w.WriteString("endpoint_id", p.EndpointId);
                        }

                        w.WriteNumber("expires_at", p.ExpiresAt);
                        w.WriteStartObject("attributes");
                        foreach (var kv in (check.SignedAttributes ?? p.Attributes).OrderBy(kv => kv.Key, StringComparer.Ordinal))
                        {
                            w.WriteString(kv.Key, kv.Value);
                        }

                        w.WriteEndObject();
                        w.WriteString("status", check.Status);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                }));
                return ExitCodes.Ok;
            }

            IAnsiConsole console = host.AnsiOutput();
            console.WriteLine($"Identity file  {path}");
            console.WriteLine($"Node id        {identity.EndpointId}");
            console.WriteLine("Secret key     **** (never shown)");
            if (rows.Count == 0)
            {
                console.WriteLine("No enrolment entries. Add one with 'aster enroll node'.");
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("Name", "Role", "Type", "Root key", "Bound", "Expires (UTC)", "Roles", "Status");
            foreach (var (p, check) in rows)
            {
                IReadOnlyDictionary<string, string> attrs = check.SignedAttributes ?? p.Attributes;
                table.AddRow(
                    Markup.Escape(p.Name),
                    p.Role,
                    p.Type,
                    Short(p.RootPubkey),
                    p.EndpointId is null ? "no" : p.EndpointId.Equals(identity.EndpointId.ToString(), StringComparison.OrdinalIgnoreCase) ? "this node" : Short(p.EndpointId),
                    DateTimeOffset.FromUnixTimeSeconds(p.ExpiresAt).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                    Markup.Escape(attrs.TryGetValue("aster.role", out string? r) ? r : string.Empty),
                    Markup.Escape(check.Status));
            }

            console.Write(table);
            return ExitCodes.Ok;
        });

        var verifyFile = File();
        var verify = new Command("verify", "Check every entry's signature, expiry and binding offline; exit 1 if any fails.") { verifyFile };
        verify.SetAction(parse =>
        {
            (string path, AsterIdentityFile identity) = Load(host, parse.GetValue(verifyFile));
            bool allOk = true;
            foreach (AsterIdentityPeer p in identity.Peers)
            {
                EntryCheck check = IdentityCredentials.Check(p, identity.EndpointId, DateTimeOffset.UtcNow);
                allOk &= check.Ok;
                string how = check.SignedAttributes is { } a && a.Count != p.Attributes.Count ? " (signed attributes recovered: aster.role/aster.name re-added)" : string.Empty;
                host.Out.WriteLine($"{p.Name}: {check.Status}{how}");
            }

            if (identity.Peers.Count == 0)
            {
                host.Out.WriteLine($"{path}: no enrolment entries");
            }

            return allOk ? ExitCodes.Ok : ExitCodes.Failed;
        });

        var exportFile = File();
        var exportName = new Argument<string>("name") { Description = "The entry to export." };
        var exportOut = new Option<string>("--out", "-o") { Description = "The credential file to write.", Required = true };
        var export = new Command("export", "Write one entry as a credential file (trust.md 3.8.3).") { exportName, exportFile, exportOut };
        export.SetAction(parse =>
        {
            (_, AsterIdentityFile identity) = Load(host, parse.GetValue(exportFile));
            string name = parse.GetRequiredValue(exportName);
            AsterIdentityPeer peer = identity.FindPeer(name) ?? throw CliException.Failed($"no entry named '{name}'");
            EntryCheck check = IdentityCredentials.Check(peer, identity.EndpointId, DateTimeOffset.UtcNow);
            string json = check.CredentialFileJson ?? throw CliException.Failed($"entry '{name}' cannot be exported: {check.Status}");
            string outPath = host.ResolvePath(parse.GetRequiredValue(exportOut));
            System.IO.File.WriteAllText(outPath, json + "\n", new UTF8Encoding(false));
            host.Note($"wrote {outPath} ({check.Status})");
            return ExitCodes.Ok;
        });

        var removeFile = File();
        var removeName = new Argument<string>("name") { Description = "The entry to remove." };
        var remove = new Command("remove", "Remove one enrolment entry.") { removeName, removeFile };
        remove.SetAction(parse =>
        {
            (string path, AsterIdentityFile identity) = Load(host, parse.GetValue(removeFile));
            string name = parse.GetRequiredValue(removeName);
            if (identity.FindPeer(name) is null)
            {
                throw CliException.Failed($"no entry named '{name}' in {path}");
            }

            identity.WithoutPeer(name).Write(path);
            host.Note($"removed '{name}' from {path}");
            return ExitCodes.Ok;
        });

        return new Command("identity", "Inspect and maintain .aster-identity files.") { show, verify, export, remove };
    }

    internal static (string Path, AsterIdentityFile Identity) Load(CliHost host, string? explicitPath)
    {
        string? path = AsterIdentityFile.Discover(explicitPath is null ? null : host.ResolvePath(explicitPath), host.Environment, host.WorkingDirectory)
            ?? throw CliException.Failed("no identity file: pass --file, set ASTER_IDENTITY_FILE, or run in a directory with .aster-identity");
        return (path, AsterIdentityFile.Read(path));
    }

    private static string Short(string hex) => hex.Length > 12 ? $"{hex[..8]}…{hex[^4..]}" : hex;
}
