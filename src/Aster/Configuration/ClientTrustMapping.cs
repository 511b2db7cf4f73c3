using Aster.Configuration.Identity;
using Aster.Trust;

namespace Aster.Configuration;

/// <summary>Who a client connects as, chosen by <see cref="ClientTrustMapping.ResolveClientIdentity"/>.</summary>
/// <param name="SecretKey">The node key (the caller disposes it).</param>
/// <param name="KeySource">Where the key came from.</param>
/// <param name="CredentialJson">The consumer credential file JSON to present, or null for none.</param>
/// <param name="Peer">The identity entry the credential came from, or null.</param>
/// <param name="IdentityPath">The identity file used, or null.</param>
/// <param name="Notes">Human-readable remarks (no identity file, no consumer entry, an entry that will be refused).</param>
public sealed record ResolvedClientIdentity(
    Net.Identity.SecretKey SecretKey,
    ConfigSource KeySource,
    string? CredentialJson,
    AsterIdentityPeer? Peer,
    string? IdentityPath,
    IReadOnlyList<string> Notes);

/// <summary>Fills a client's identity from <see cref="AsterConfig"/> and the <c>.aster-identity</c> file (trust.md 4.2 steps 1 and 2).</summary>
public static class ClientTrustMapping
{
    /// <summary>
    /// Chooses the node key (config-and-cli.md 4.2, client sources) and the consumer credential: the JSON credential file
    /// named by <c>enrollment_credential_file</c>, else the identity entry named <paramref name="peerName"/>, else the
    /// first entry with <c>role = "consumer"</c>, else none. The identity file is <paramref name="identityPath"/>, else
    /// the configured <c>identity_file</c>, else <c>ASTER_IDENTITY_FILE</c>, else <c>./.aster-identity</c>.
    /// </summary>
    /// <param name="config">The configuration.</param>
    /// <param name="identityPath">An explicit identity file, or null.</param>
    /// <param name="peerName">The entry to present, or null for the first consumer entry.</param>
    /// <param name="environment">The environment; defaults to the process environment.</param>
    /// <param name="workingDirectory">Where <c>.aster-identity</c> is looked for; defaults to the current directory.</param>
    /// <returns>The key, credential and notes.</returns>
    /// <exception cref="ConfigurationException">
    /// The named entry is missing or not a consumer entry, an entry cannot be rebuilt, the entry is bound to another key,
    /// or a credential file is missing.
    /// </exception>
    public static ResolvedClientIdentity ResolveClientIdentity(AsterConfig config, string? identityPath = null, string? peerName = null, IEnvironmentSource? environment = null, string? workingDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        string? path = AsterIdentityFile.Discover(identityPath ?? config.IdentityFile, environment, workingDirectory);
        AsterIdentityFile? identity = path is null ? null : AsterIdentityFile.Read(path);
        var notes = new List<string>();
        if (identity is null && peerName is not null)
        {
            throw new ConfigurationException($"identity entry '{peerName}' was asked for but there is no identity file");
        }

        string? credentialFile = config.EnrollmentCredentialFile;
        bool jsonCredential = credentialFile is not null && ReadJsonCredential(credentialFile) is not null;
        AsterIdentityPeer? peer = jsonCredential ? null : identity?.FindPeer(peerName, peerName is null ? "consumer" : null);
        if (identity is not null && peer is null && peerName is not null)
        {
            throw new ConfigurationException($"no entry named '{peerName}' in {path}");
        }

        if (peer is not null && peer.Role != "consumer")
        {
            throw new ConfigurationException($"entry '{peer.Name}' is a {peer.Role} credential; a client presents a consumer credential");
        }

        ResolvedSecretKey key = KeyResolution.ResolveSecretKey(config, identity, peer, isClient: true);
        if (key.EndpointIdMismatch)
        {
            DisposeUnlessArgument(key);
            throw new ConfigurationException($"identity entry '{peer!.Name}' is bound to endpoint {peer.EndpointId}, not to the node key from {key.Source}");
        }

        string? credential = jsonCredential ? ReadJsonCredential(credentialFile!) : null;
        if (peer is not null)
        {
            EntryCheck check = IdentityCredentials.Check(peer, key.Key.PublicKey, DateTimeOffset.UtcNow);
            if (check.CredentialFileJson is null)
            {
                DisposeUnlessArgument(key);
                throw new ConfigurationException($"identity entry '{peer.Name}' is unusable: {check.Status}");
            }

            credential = check.CredentialFileJson;
            if (!check.Ok)
            {
                notes.Add($"warning: entry '{peer.Name}' is {check.Status}; the server will refuse it");
            }
        }
        else if (identity is null && !jsonCredential)
        {
            notes.Add("no identity file: calling with an ephemeral key and no credential (open-gate servers only)");
        }
        else if (!jsonCredential)
        {
            notes.Add($"{path} has no consumer entry: calling with its node key and no credential");
        }

        return new ResolvedClientIdentity(key.Key, key.Source, credential, peer, path, notes);
    }

    /// <summary>Disposes a key this resolution made or read; a key from the argument layer is the caller's.</summary>
    private static void DisposeUnlessArgument(ResolvedSecretKey key)
    {
        if (key.Source.Kind != ConfigSourceKind.Argument)
        {
            key.Key.Dispose();
        }
    }

    private static string? ReadJsonCredential(string path)
    {
        if (!File.Exists(path))
        {
            throw new ConfigurationException("enrollment credential file not found", path, 0, 0, "enrollment_credential_file");
        }

        string text = File.ReadAllText(path);
        return text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n').StartsWith('{') ? text : null;
    }
}
