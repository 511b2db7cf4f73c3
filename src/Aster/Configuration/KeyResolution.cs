using System.Text.Json;
using Aster.Configuration.Identity;
using Aster.Net.Identity;

namespace Aster.Configuration;

/// <summary>The root public key chosen by <see cref="KeyResolution.ResolveRootPubkey"/>.</summary>
/// <param name="Key">The key, or null when no source yields one (dev mode may then apply, trust.md section 10).</param>
/// <param name="Source">Where it came from (<see cref="ConfigSource.Default"/> when <paramref name="Key"/> is null).</param>
/// <param name="Warnings">One line per lower source that yields a different key (config-and-cli.md 4.1).</param>
public sealed record ResolvedRootPubkey(EndpointId? Key, ConfigSource Source, IReadOnlyList<string> Warnings);

/// <summary>The node key chosen by <see cref="KeyResolution.ResolveSecretKey"/>.</summary>
/// <param name="Key">The key.</param>
/// <param name="Source">Where it came from (<see cref="ConfigSource.Ephemeral"/> for a fresh key).</param>
/// <param name="EndpointIdMismatch">
/// True when an identity peer entry is bound to a different endpoint id than the key's: a client must fail before
/// dialling; a server logs an ERROR (config-and-cli.md 4.2).
/// </param>
public sealed record ResolvedSecretKey(SecretKey Key, ConfigSource Source, bool EndpointIdMismatch);

/// <summary>Root and node key resolution (config-and-cli.md sections 4.1 and 4.2).</summary>
public static class KeyResolution
{
    /// <summary>
    /// The first source that yields a root key: the argument layer; the selected identity peer's <c>root_pubkey</c>;
    /// <c>ASTER_ROOT_PUBKEY</c>, then TOML <c>root_pubkey</c> (both via <paramref name="config"/>); the
    /// <c>root_pubkey_file</c>.
    /// </summary>
    /// <param name="config">The configuration (its argument layer counts as the constructor argument).</param>
    /// <param name="peer">The selected identity peer entry, or null.</param>
    /// <param name="identityPath">The identity file path for provenance, or null.</param>
    /// <returns>The key, its source and any conflict warnings.</returns>
    /// <exception cref="ConfigurationException">A configured <c>root_pubkey_file</c> is missing or unparseable, or the peer's key is not 64 hex.</exception>
    public static ResolvedRootPubkey ResolveRootPubkey(AsterConfig config, AsterIdentityPeer? peer, string? identityPath = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var candidates = new List<(EndpointId Key, ConfigSource Source)>();
        var configSource = config.SourceOf("trust.root_pubkey");
        if (config.RootPubkey is { } arg && configSource.Kind == ConfigSourceKind.Argument)
        {
            candidates.Add((arg, configSource));
        }

        if (peer is not null)
        {
            var key = ConfigValueParser.ParsePublicKey(peer.RootPubkey, r => new ConfigurationException(r, identityPath, 0, 0, $"peers.{peer.Name}.root_pubkey"));
            candidates.Add((key, identityPath is null ? new ConfigSource(ConfigSourceKind.IdentityFile, ".aster-identity") : ConfigSource.FromIdentityFile(identityPath)));
        }

        if (config.RootPubkey is { } configured && configSource.Kind != ConfigSourceKind.Argument)
        {
            candidates.Add((configured, configSource));
        }

        if (config.RootPubkeyFile is { } file)
        {
            candidates.Add((ReadRootPubkeyFile(file), config.SourceOf("trust.root_pubkey_file")));
        }

        if (candidates.Count == 0)
        {
            return new ResolvedRootPubkey(null, ConfigSource.Default, []);
        }

        var winner = candidates[0];
        var warnings = candidates.Skip(1)
            .Where(c => c.Key != winner.Key)
            .Select(c => $"root public key from {c.Source} differs from the one used, from {winner.Source}")
            .ToList();
        return new ResolvedRootPubkey(winner.Key, winner.Source, warnings);
    }

    /// <summary>
    /// Reads a root public key file (config-and-cli.md 7.1): 64 hex characters (surrounding whitespace ignored) or a JSON
    /// object with <c>"public_key"</c>, so both <c>root.pub</c> and <c>root.key</c> work.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ConfigurationException">The file is missing, too large or unparseable.</exception>
    public static EndpointId ReadRootPubkeyFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        ConfigurationException Fail(string reason) => new(reason, path, 0, 0, "root_pubkey_file");
        string text;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw Fail("root public key file not found");
            }

            if (info.Length > 64 * 1024)
            {
                throw Fail("root public key file is too large");
            }

            text = File.ReadAllText(path).Trim();
        }
        catch (IOException e)
        {
            throw Fail($"cannot read root public key file: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            throw Fail($"cannot read root public key file: {e.Message}");
        }

        if (text.StartsWith('{'))
        {
            try
            {
                using var doc = JsonDocument.Parse(text);
                if (doc.RootElement.TryGetProperty("public_key", out var pk) && pk.ValueKind == JsonValueKind.String)
                {
                    text = pk.GetString()!.Trim();
                }
                else
                {
                    throw Fail("root public key file has no \"public_key\" string");
                }
            }
            catch (JsonException)
            {
                throw Fail("root public key file is neither 64 hex characters nor JSON");
            }
        }

        return ConfigValueParser.ParsePublicKey(text, _ => Fail("root public key file is neither 64 hex characters nor JSON with \"public_key\""));
    }

    /// <summary>
    /// The first source that yields a node key: the argument layer, <c>ASTER_SECRET_KEY</c>, TOML <c>secret_key</c> (all
    /// via <paramref name="config"/>); the identity file's <c>[node] secret_key</c>; for clients, the <c>[node]
    /// secret_key</c> of a TOML file named by <c>enrollment_credential_file</c>; a fresh random key.
    /// </summary>
    /// <param name="config">The configuration.</param>
    /// <param name="identity">The identity file, or null.</param>
    /// <param name="peer">The selected peer entry, or null (used for the binding check).</param>
    /// <param name="isClient">Whether the caller is a client (enables source 5).</param>
    /// <returns>The key, its source and the binding check.</returns>
    /// <exception cref="ConfigurationException">A client's credential file is TOML but invalid.</exception>
    public static ResolvedSecretKey ResolveSecretKey(AsterConfig config, AsterIdentityFile? identity, AsterIdentityPeer? peer = null, bool isClient = false)
    {
        ArgumentNullException.ThrowIfNull(config);
        SecretKey key;
        ConfigSource source;
        if (config.SecretKey is { } configured)
        {
            (key, source) = (configured, config.SourceOf("network.secret_key"));
        }
        else if (identity is not null)
        {
            (key, source) = (identity.SecretKey, identity.Path is null ? new ConfigSource(ConfigSourceKind.IdentityFile, ".aster-identity") : ConfigSource.FromIdentityFile(identity.Path));
        }
        else if (isClient && config.EnrollmentCredentialFile is { } credential && LooksLikeToml(credential))
        {
            var file = AsterIdentityFile.Read(credential);
            (key, source) = (file.SecretKey, ConfigSource.FromIdentityFile(credential));
        }
        else
        {
            (key, source) = (SecretKey.Generate(), ConfigSource.Ephemeral);
        }

        bool mismatch = peer?.EndpointId is { } bound && !string.Equals(bound, key.PublicKey.ToString(), StringComparison.OrdinalIgnoreCase);
        return new ResolvedSecretKey(key, source, mismatch);
    }

    private static bool LooksLikeToml(string path)
    {
        try
        {
            if (!File.Exists(path))
            {
                return false;
            }

            using var reader = new StreamReader(path);
            var buffer = new char[256];
            int n = reader.Read(buffer, 0, buffer.Length);
            string head = new string(buffer, 0, n).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
            return !head.StartsWith('{');
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
