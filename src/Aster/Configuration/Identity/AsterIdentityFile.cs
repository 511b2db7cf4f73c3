using System.Globalization;
using System.Text;
using Aster.Configuration.Toml;
using Aster.Net.Identity;

namespace Aster.Configuration.Identity;

/// <summary>
/// An <c>.aster-identity</c> file (config-and-cli.md section 6): the node's secret key and its enrolment entries.
/// Reads the files the reference CLI writes; writes them escaped, attributes exactly as given, unknown data kept.
/// </summary>
public sealed class AsterIdentityFile
{
    /// <summary>The default file name, looked for in the working directory.</summary>
    public const string DefaultFileName = ".aster-identity";

    /// <summary>The environment variable naming the file.</summary>
    public const string EnvironmentVariable = "ASTER_IDENTITY_FILE";

    private static readonly string[] _peerKeys = ["name", "role", "type", "root_pubkey", "endpoint_id", "expires_at", "nonce", "signature", "attributes"];

    /// <summary>Creates an identity from its parts.</summary>
    /// <param name="secretKey">The node key (not copied; the caller keeps ownership).</param>
    /// <param name="peers">The enrolment entries.</param>
    /// <param name="publishedServices">The <c>[published_services.*]</c> tables.</param>
    public AsterIdentityFile(SecretKey secretKey, IEnumerable<AsterIdentityPeer>? peers = null, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? publishedServices = null)
    {
        ArgumentNullException.ThrowIfNull(secretKey);
        SecretKey = secretKey;
        Peers = [.. peers ?? []];
        PublishedServices = publishedServices ?? new Dictionary<string, IReadOnlyDictionary<string, string>>();
    }

    /// <summary>The node's secret key. Never printed.</summary>
    public SecretKey SecretKey { get; }

    /// <summary>The node's endpoint id, derived from <see cref="SecretKey"/>.</summary>
    public EndpointId EndpointId => SecretKey.PublicKey;

    /// <summary>The enrolment entries in file order.</summary>
    public IReadOnlyList<AsterIdentityPeer> Peers { get; private init; }

    /// <summary>The <c>[published_services.&lt;Service&gt;]</c> tables, preserved verbatim.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> PublishedServices { get; private init; }

    /// <summary>The file this was read from, or null.</summary>
    public string? Path { get; private init; }

    /// <summary>Top-level tables and keys this reader does not know, as TOML text; written back unchanged.</summary>
    public string UnknownContent { get; private init; } = string.Empty;

    /// <summary>Top-level keys (outside any table) this reader does not know, as TOML text; written back first.</summary>
    public string UnknownTopLevelKeys { get; private init; } = string.Empty;

    /// <summary>
    /// Finds the file to use (config-and-cli.md 6.3): <paramref name="explicitPath"/> (argument or configuration), else
    /// <c>ASTER_IDENTITY_FILE</c>, else <c>.aster-identity</c> in <paramref name="workingDirectory"/> if it exists.
    /// An empty explicit value disables lookup.
    /// </summary>
    /// <param name="explicitPath">An argument or configured path, or null.</param>
    /// <param name="environment">The environment; defaults to the process environment.</param>
    /// <param name="workingDirectory">The working directory; defaults to the current one.</param>
    /// <returns>The path, or null when there is no file to use.</returns>
    /// <exception cref="ConfigurationException">An explicitly named file does not exist.</exception>
    public static string? Discover(string? explicitPath = null, IEnvironmentSource? environment = null, string? workingDirectory = null)
    {
        environment ??= SystemEnvironmentSource.Instance;
        string? source = explicitPath is null ? null : "identity file";
        string? path = explicitPath;
        if (path is null)
        {
            string? fromEnv = environment.GetVariable(EnvironmentVariable);
            if (fromEnv is not null)
            {
                path = fromEnv.Trim();
                source = EnvironmentVariable;
            }
        }

        if (path is not null)
        {
            if (path.Length == 0)
            {
                return null;
            }

            path = ConfigValueParser.ExpandHome(path);
            return File.Exists(path) ? path : throw new ConfigurationException("identity file not found", path, 0, 0, source);
        }

        string candidate = System.IO.Path.Combine(workingDirectory ?? Directory.GetCurrentDirectory(), DefaultFileName);
        return File.Exists(candidate) ? candidate : null;
    }

    /// <summary>Reads and validates a file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The identity.</returns>
    /// <exception cref="ConfigurationException">The file is missing or invalid; the message names file, line and key.</exception>
    public static AsterIdentityFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new ConfigurationException("identity file not found", path, 0, 0, null);
        }

        return FromTable(TomlReader.ParseFile(path), path);
    }

    /// <summary>Parses identity text.</summary>
    /// <param name="text">The TOML text.</param>
    /// <param name="fileName">The name used in errors, or null.</param>
    /// <returns>The identity.</returns>
    /// <exception cref="ConfigurationException">The text is invalid.</exception>
    public static AsterIdentityFile Parse(string text, string? fileName = null) => FromTable(TomlReader.Parse(text, fileName), fileName);

    private static AsterIdentityFile FromTable(TomlTable root, string? file)
    {
        ConfigurationException Fail(string reason, TomlValue? at, string key) => new(reason, file, at?.Line ?? 0, at?.Column ?? 0, key);

        if (!root.TryGetValue("node", out var nodeValue) || nodeValue.Kind != TomlValueKind.Table)
        {
            throw new ConfigurationException("missing [node] table", file, 0, 0, "node");
        }

        var node = nodeValue.AsTable;
        if (!node.TryGetValue("secret_key", out var skValue) || skValue.Kind != TomlValueKind.String)
        {
            throw Fail("missing or non-string secret_key", skValue ?? nodeValue, "node.secret_key");
        }

        SecretKey key = ConfigValueParser.ParseSecretKey(skValue.AsString, r => Fail(r, skValue, "node.secret_key"));
        if (node.TryGetValue("endpoint_id", out var idValue))
        {
            if (idValue.Kind != TomlValueKind.String || !string.Equals(idValue.AsString, key.PublicKey.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                key.Dispose();
                throw Fail("endpoint_id does not match the id derived from secret_key", idValue, "node.endpoint_id");
            }
        }

        var peers = new List<AsterIdentityPeer>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (root.TryGetValue("peers", out var peersValue))
        {
            if (peersValue.Kind != TomlValueKind.Array)
            {
                throw Fail("peers must be an array of tables", peersValue, "peers");
            }

            for (int i = 0; i < peersValue.AsArray.Count; i++)
            {
                var item = peersValue.AsArray[i];
                if (item.Kind != TomlValueKind.Table)
                {
                    throw Fail("peers must be an array of tables", item, "peers");
                }

                var peer = ReadPeer(item.AsTable, file, $"peers[{i}]");
                if (!names.Add(peer.Name))
                {
                    throw Fail($"duplicate peer name '{peer.Name}'", item.AsTable["name"], $"peers[{i}].name");
                }

                peers.Add(peer);
            }
        }

        var published = new SortedDictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        if (root.TryGetValue("published_services", out var psValue))
        {
            if (psValue.Kind != TomlValueKind.Table)
            {
                throw Fail("published_services must be a table", psValue, "published_services");
            }

            foreach (string service in psValue.AsTable.Keys)
            {
                var entry = psValue.AsTable[service];
                if (entry.Kind != TomlValueKind.Table)
                {
                    throw Fail("expected a table", entry, $"published_services.{service}");
                }

                var fields = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (string k in entry.AsTable.Keys)
                {
                    var v = entry.AsTable[k];
                    fields[k] = v.Kind == TomlValueKind.String ? v.AsString : throw Fail("expected a string", v, $"published_services.{service}.{k}");
                }

                published[service] = fields;
            }
        }

        var unknown = new StringBuilder();
        var unknownTop = new StringBuilder();
        foreach (string k in root.Keys)
        {
            if (k is "node" or "peers" or "published_services")
            {
                continue;
            }

            var v = root[k];
            if (v.Kind == TomlValueKind.Table)
            {
                unknown.Append('[').Append(TomlWriter.Key(k)).Append("]\n");
                foreach (string sub in v.AsTable.Keys)
                {
                    unknown.Append(TomlWriter.Key(sub)).Append(" = ").Append(TomlWriter.Value(v.AsTable[sub])).Append('\n');
                }

                unknown.Append('\n');
            }
            else if (v.Kind == TomlValueKind.Array && v.IsArrayOfTables)
            {
                foreach (var t in v.AsArray)
                {
                    unknown.Append("[[").Append(TomlWriter.Key(k)).Append("]]\n");
                    foreach (string sub in t.AsTable.Keys)
                    {
                        unknown.Append(TomlWriter.Key(sub)).Append(" = ").Append(TomlWriter.Value(t.AsTable[sub])).Append('\n');
                    }

                    unknown.Append('\n');
                }
            }
            else
            {
                unknownTop.Append(TomlWriter.Key(k)).Append(" = ").Append(TomlWriter.Value(v)).Append('\n');
            }
        }

        return new AsterIdentityFile(key, peers, published) { Path = file, UnknownContent = unknown.ToString(), UnknownTopLevelKeys = unknownTop.ToString() };
    }

    private static AsterIdentityPeer ReadPeer(TomlTable t, string? file, string prefix)
    {
        ConfigurationException Fail(string reason, TomlValue? at, string key)
            => new(reason, file, at?.Line ?? t.Line, at?.Column ?? t.Column, $"{prefix}.{key}");

        string? Str(string key, bool required)
        {
            if (!t.TryGetValue(key, out var v))
            {
                return required ? throw Fail($"missing {key}", null, key) : null;
            }

            return v.Kind == TomlValueKind.String ? v.AsString : throw Fail($"expected a string, found a {v.KindName()}", v, key);
        }

        string Hex(string key, int length, bool required, out bool present)
        {
            string? s = Str(key, required);
            present = s is not null;
            if (s is not null && (s.Length != length || !s.All(char.IsAsciiHexDigit)))
            {
                throw Fail($"expected {length} hex characters", t[key], key);
            }

            return s ?? string.Empty;
        }

        string name = Str("name", true)!;
        string role = Str("role", true)!;
        if (role is not ("producer" or "consumer"))
        {
            throw Fail("role must be producer or consumer", t["role"], "role");
        }

        string type = Str("type", false) ?? "policy";
        if (type is not ("policy" or "ott"))
        {
            throw Fail("type must be policy or ott", t["type"], "type");
        }

        string root = Hex("root_pubkey", 64, true, out _);
        string endpoint = Hex("endpoint_id", 64, false, out bool hasEndpoint);
        string nonce = Hex("nonce", 64, false, out bool hasNonce);
        string signature = Hex("signature", 128, true, out _);
        if (!t.TryGetValue("expires_at", out var exp) || exp.Kind != TomlValueKind.Integer)
        {
            throw Fail("missing or non-integer expires_at", exp, "expires_at");
        }

        var attributes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (t.TryGetValue("attributes", out var attrs))
        {
            if (attrs.Kind != TomlValueKind.Table)
            {
                throw Fail("attributes must be a table", attrs, "attributes");
            }

            foreach (string k in attrs.AsTable.Keys)
            {
                var v = attrs.AsTable[k];
                attributes[k] = v.Kind == TomlValueKind.String ? v.AsString : throw Fail("attribute values must be strings", v, $"attributes.{k}");
            }
        }

        var extra = t.Keys.Where(k => !_peerKeys.Contains(k)).Select(k => KeyValuePair.Create(k, TomlWriter.Value(t[k]))).ToList();
        return new AsterIdentityPeer
        {
            Name = name,
            Role = role,
            Type = type,
            RootPubkey = root,
            EndpointId = hasEndpoint ? endpoint : null,
            ExpiresAt = exp.AsInteger,
            Nonce = hasNonce ? nonce : null,
            Signature = signature,
            Attributes = attributes,
            ExtraKeys = extra,
        };
    }

    /// <summary>
    /// Selects a peer entry (config-and-cli.md 6.3): by <paramref name="name"/> when given; otherwise the first entry
    /// with <paramref name="role"/>; otherwise, when neither is given, the first entry. A role with no match selects nothing.
    /// </summary>
    /// <param name="name">The entry name, or null.</param>
    /// <param name="role"><c>producer</c> or <c>consumer</c>, or null.</param>
    /// <returns>The entry, or null.</returns>
    public AsterIdentityPeer? FindPeer(string? name = null, string? role = null)
    {
        if (name is not null)
        {
            return Peers.FirstOrDefault(p => p.Name == name);
        }

        if (role is not null)
        {
            return Peers.FirstOrDefault(p => p.Role == role);
        }

        return Peers.Count > 0 ? Peers[0] : null;
    }

    /// <summary>Returns a copy with <paramref name="peer"/> added; an entry with the same name is replaced (and the new one goes last, as in the reference).</summary>
    /// <param name="peer">The entry.</param>
    /// <returns>The new identity.</returns>
    public AsterIdentityFile WithPeer(AsterIdentityPeer peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        return new AsterIdentityFile(SecretKey, Peers.Where(p => p.Name != peer.Name).Append(peer), PublishedServices)
        {
            Path = Path,
            UnknownContent = UnknownContent,
            UnknownTopLevelKeys = UnknownTopLevelKeys,
        };
    }

    /// <summary>Returns a copy without the entry named <paramref name="name"/>; unknown content is kept.</summary>
    /// <param name="name">The entry name.</param>
    /// <returns>The new identity (the same entries when none has that name).</returns>
    public AsterIdentityFile WithoutPeer(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return new AsterIdentityFile(SecretKey, Peers.Where(p => p.Name != name), PublishedServices)
        {
            Path = Path,
            UnknownContent = UnknownContent,
            UnknownTopLevelKeys = UnknownTopLevelKeys,
        };
    }

    /// <summary>The file text (config-and-cli.md 6.2): LF endings, <c>[node]</c>, then peers, then published services, then unknown tables.</summary>
    /// <returns>The TOML text. It contains the secret key: never log it.</returns>
    public string Serialize()
    {
        var sb = new StringBuilder();
        sb.Append("# .aster-identity -- node identity and enrolment credentials. Keep secret.\n\n");
        if (UnknownTopLevelKeys.Length > 0)
        {
            sb.Append(UnknownTopLevelKeys).Append('\n');
        }

        sb.Append("[node]\n");
        byte[] seed = SecretKey.ToBytes();
        try
        {
            sb.Append("secret_key = ").Append(TomlWriter.Quote(Convert.ToBase64String(seed))).Append('\n');
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(seed);
        }

        sb.Append("endpoint_id = ").Append(TomlWriter.Quote(EndpointId.ToString())).Append("\n\n");
        foreach (var p in Peers)
        {
            sb.Append("[[peers]]\n");
            Line(sb, "name", TomlWriter.Quote(p.Name));
            Line(sb, "role", TomlWriter.Quote(p.Role));
            Line(sb, "type", TomlWriter.Quote(p.Type));
            Line(sb, "root_pubkey", TomlWriter.Quote(p.RootPubkey));
            if (p.EndpointId is not null)
            {
                Line(sb, "endpoint_id", TomlWriter.Quote(p.EndpointId));
            }

            Line(sb, "expires_at", p.ExpiresAt.ToString(CultureInfo.InvariantCulture));
            if (p.Nonce is not null)
            {
                Line(sb, "nonce", TomlWriter.Quote(p.Nonce));
            }

            Line(sb, "signature", TomlWriter.Quote(p.Signature));
            var attrs = p.Attributes.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
            Line(sb, "attributes", attrs.Count == 0 ? "{}" : "{ " + string.Join(", ", attrs.Select(kv => TomlWriter.Quote(kv.Key) + " = " + TomlWriter.Quote(kv.Value))) + " }");
            foreach (var extra in p.ExtraKeys)
            {
                Line(sb, TomlWriter.Key(extra.Key), extra.Value);
            }

            sb.Append('\n');
        }

        foreach (var service in PublishedServices.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            sb.Append("[published_services.").Append(TomlWriter.Key(service.Key)).Append("]\n");
            foreach (var field in service.Value)
            {
                Line(sb, TomlWriter.Key(field.Key), TomlWriter.Quote(field.Value));
            }

            sb.Append('\n');
        }

        sb.Append(UnknownContent);
        return sb.ToString();
    }

    /// <summary>Writes the file atomically (<c>&lt;path&gt;.tmp</c>, then rename) with mode 0600 on Unix.</summary>
    /// <param name="path">The destination.</param>
    public void Write(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string? dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        string tmp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(tmp, options))
        {
            byte[] bytes = new UTF8Encoding(false).GetBytes(Serialize());
            stream.Write(bytes);
            stream.Flush(true);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>A summary: endpoint id and peer names, never the secret key or signatures.</summary>
    /// <returns>The text.</returns>
    public override string ToString()
        => $"AsterIdentityFile {{ EndpointId = {EndpointId}, SecretKey = ***, Peers = [{string.Join(", ", Peers.Select(p => $"{p.Name} ({p.Role})"))}] }}";

    private static void Line(StringBuilder sb, string key, string value) => sb.Append(key).Append(" = ").Append(value).Append('\n');
}
