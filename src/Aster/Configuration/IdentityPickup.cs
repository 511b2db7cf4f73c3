using Aster.Client;
using Aster.Configuration.Identity;
using Aster.Net.Identity;
using Aster.Server;
using Aster.Trust;
using Aster.Trust.Mesh;
using Microsoft.Extensions.Logging;

namespace Aster.Configuration;

/// <summary>Where the identity pickup reads <c>ASTER_*</c> variables and looks for <c>./.aster-identity</c>.</summary>
/// <param name="Environment">The environment.</param>
/// <param name="WorkingDirectory">The working directory; relative identity paths are resolved against it.</param>
internal sealed record IdentitySources(IEnvironmentSource Environment, string WorkingDirectory)
{
    /// <summary>The process environment and current directory.</summary>
    public static IdentitySources Process => new(SystemEnvironmentSource.Instance, Directory.GetCurrentDirectory());
}

/// <summary>How much of a server's trust <see cref="ServerTrustMapping.Resolve"/> builds.</summary>
internal enum ServerTrustScope
{
    /// <summary>The node key only (the caller set the admission authority in code).</summary>
    KeyOnly,

    /// <summary>Key, authority and mesh, but no authority when the result would be dev mode (the server makes its own).</summary>
    UnlessDevMode,

    /// <summary>Key, authority (dev mode's included) and mesh.</summary>
    WithDevModeAuthority,
}

/// <summary>What <see cref="ServerTrustMapping.Resolve"/> found.</summary>
/// <param name="Node">The node key and its source (a key from a code argument is the caller's; any other the receiver's to dispose).</param>
/// <param name="Root">The root key and its source.</param>
/// <param name="Authority">The authority built, or null (not asked for, or dev mode left to the server).</param>
/// <param name="Mesh">The producer mesh options built, or null.</param>
/// <param name="IdentityPath">The identity file used, or null.</param>
/// <param name="Peer">The selected entry, or null.</param>
internal sealed record ServerIdentity(ResolvedSecretKey Node, ResolvedRootPubkey Root, TrustAuthority? Authority, MeshOptions? Mesh, string? IdentityPath, AsterIdentityPeer? Peer);

/// <summary>
/// The identity and trust a server or client took from its environment and <c>.aster-identity</c> file, and owns:
/// the node key and the authority are disposed with it.
/// </summary>
internal sealed class PickedIdentity : IDisposable
{
    private static readonly ConfigSource _none = new(ConfigSourceKind.Default, "none");
    private readonly SecretKey? _ownedKey;
    private readonly TrustAuthority? _ownedAuthority;
    private int _disposed;

    private PickedIdentity(SecretKey? ownedKey, TrustAuthority? ownedAuthority)
    {
        _ownedKey = ownedKey;
        _ownedAuthority = ownedAuthority;
    }

    /// <summary>
    /// Fills what <paramref name="options"/> leaves unset (config-and-cli.md 4 and 6.3): the node key (after
    /// <c>ASTER_SECRET_KEY</c>, the identity file's <c>[node] secret_key</c>), the admission authority (root key from the
    /// selected producer entry, else <c>ASTER_ROOT_PUBKEY</c>/<c>ASTER_ROOT_PUBKEY_FILE</c>; gates from
    /// <c>ASTER_ALLOW_ALL_*</c>) and the producer mesh. Dev mode (no root key, no gate set) is left to the server.
    /// </summary>
    /// <param name="options">The caller's options; never modified.</param>
    /// <param name="effective">The options to run with: <paramref name="options"/> itself, or a filled copy.</param>
    /// <returns>What was picked up (to dispose with the server), or null for nothing.</returns>
    /// <exception cref="ConfigurationException">An explicit identity file is missing or invalid, the named entry is missing, a variable is invalid, or a gate is closed without a root key.</exception>
    public static PickedIdentity? ForServer(AsterServerOptions options, out AsterServerOptions effective)
    {
        effective = options;
        if (options.SecretKey is not null && options.Admission is not null)
        {
            return null;
        }

        IdentitySources sources = options.IdentitySources ?? IdentitySources.Process;
        AsterConfig config = Config(sources, options.IdentityFile);
        ServerTrustScope scope = options.Admission is null ? ServerTrustScope.UnlessDevMode : ServerTrustScope.KeyOnly;
        ServerIdentity found = ServerTrustMapping.Resolve(config, options, sources.Environment, sources.WorkingDirectory, options.PeerName, scope);
        ILogger logger = options.LoggerFactory.CreateLogger(typeof(PickedIdentity).FullName!);
        SecretKey? ownedKey = OwnedKey(found.Node);
        if (ownedKey is null && found.Authority is null)
        {
            PickupLog.NothingPickedUp(logger, "server", found.IdentityPath ?? "none");
            return null;
        }

        AsterServerOptions filled = options.ShallowCopy();
        filled.SecretKey = ownedKey ?? options.SecretKey;
        filled.Admission = found.Authority ?? options.Admission;
        filled.Mesh = found.Mesh ?? options.Mesh;
        string trust = found.Authority is null ? "set in code" : found.Authority.ConsumersGated ? "consumers gated" : "consumer gate open";
        PickupLog.ServerIdentity(logger, found.IdentityPath ?? "none", found.Peer?.Name ?? "none", found.Node.Source, found.Root.Key is null ? _none : found.Root.Source, trust);
        effective = filled;
        return new PickedIdentity(ownedKey, found.Authority);
    }

    /// <summary>
    /// Fills what <paramref name="options"/> leaves unset (config-and-cli.md 4.2 and 6.3; trust.md 4.2): the node key
    /// and, unless <see cref="AsterClientOptions.CredentialJson"/> is set, the consumer credential (the JSON file of
    /// <c>ASTER_ENROLLMENT_CREDENTIAL</c>, else the named or first <c>consumer</c> entry). An entry bound to another
    /// endpoint than the node key fails here, before dialling.
    /// </summary>
    /// <param name="options">The caller's options; never modified.</param>
    /// <param name="effective">The options to connect with: <paramref name="options"/> itself, or a filled copy.</param>
    /// <returns>What was picked up (its key is the connection's to dispose), or null for nothing.</returns>
    /// <exception cref="ConfigurationException">An explicit identity file is missing or invalid, the entry is missing, unusable or bound to another key, or a variable is invalid.</exception>
    public static PickedIdentity? ForClient(AsterClientOptions options, out AsterClientOptions effective)
    {
        effective = options;
        bool keySet = options.SecretKey is not null || options.Endpoint is not null;
        if (options.Endpoint is not null || (keySet && options.CredentialJson is not null))
        {
            return null;
        }

        IdentitySources sources = options.IdentitySources ?? IdentitySources.Process;
        AsterConfig config = Config(sources, options.IdentityFile);
        if (options.SecretKey is { } codeKey)
        {
            config = config.With(new AsterConfigArguments { SecretKey = codeKey });
        }

        ILogger logger = options.LoggerFactory.CreateLogger(typeof(PickedIdentity).FullName!);
        ResolvedSecretKey key;
        string? credential = options.CredentialJson;
        string? path;
        string entry = "none";
        if (credential is null)
        {
            ResolvedClientIdentity resolved = ClientTrustMapping.ResolveClientIdentity(config, null, options.PeerName, sources.Environment, sources.WorkingDirectory);
            key = new ResolvedSecretKey(resolved.SecretKey, resolved.KeySource, false);
            credential = resolved.CredentialJson;
            path = resolved.IdentityPath;
            entry = resolved.Peer?.Name ?? "none";
            foreach (string note in path is null ? [] : resolved.Notes)
            {
                PickupLog.ClientNote(logger, note);
            }
        }
        else
        {
            path = AsterIdentityFile.Discover(config.IdentityFile, sources.Environment, sources.WorkingDirectory);
            key = KeyResolution.ResolveSecretKey(config, path is null ? null : AsterIdentityFile.Read(path), null, isClient: true);
        }

        SecretKey? ownedKey = OwnedKey(key);
        if (ownedKey is null && credential is null)
        {
            PickupLog.NothingPickedUp(logger, "client", path ?? "none");
            return null;
        }

        AsterClientOptions filled = options.ShallowCopy();
        filled.SecretKey = ownedKey ?? options.SecretKey;
        filled.CredentialJson = credential;
        PickupLog.ClientIdentity(logger, path ?? "none", entry, key.Source, credential is null ? "none" : options.CredentialJson is null ? "picked up" : "set in code");
        effective = filled;
        return new PickedIdentity(ownedKey, null);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _ownedAuthority?.Dispose();
        _ownedKey?.Dispose();
    }

    /// <summary>The environment layer, with an explicit identity file as the argument layer (relative to the working directory).</summary>
    private static AsterConfig Config(IdentitySources sources, string? identityFile)
    {
        AsterConfig config = AsterConfig.FromEnvironment(sources.Environment);
        if (identityFile is null)
        {
            return config;
        }

        string path = identityFile.Length == 0 ? string.Empty : Path.GetFullPath(ConfigValueParser.ExpandHome(identityFile), sources.WorkingDirectory);
        return config.With(new AsterConfigArguments { IdentityFile = path });
    }

    /// <summary>A key from a file or variable (ours to keep); a code argument is the caller's and a fresh one is dropped (the endpoint makes its own).</summary>
    private static SecretKey? OwnedKey(ResolvedSecretKey key)
    {
        switch (key.Source.Kind)
        {
            case ConfigSourceKind.Argument:
                return null;
            case ConfigSourceKind.Ephemeral:
                key.Key.Dispose();
                return null;
            default:
                return key.Key;
        }
    }
}

/// <summary>Source-generated log messages of the identity pickup. Keys are named by their source, never printed.</summary>
internal static partial class PickupLog
{
    [LoggerMessage(EventId = 6003, Level = LogLevel.Information, Message = "Server identity picked up: identity file {Path}, entry '{Peer}', node key from {KeySource}, root key from {RootSource}, {Trust}")]
    public static partial void ServerIdentity(ILogger logger, string path, string peer, ConfigSource keySource, ConfigSource rootSource, string trust);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Information, Message = "Client identity picked up: identity file {Path}, entry '{Peer}', node key from {KeySource}, credential {Credential}")]
    public static partial void ClientIdentity(ILogger logger, string path, string peer, ConfigSource keySource, string credential);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Debug, Message = "No {Side} identity picked up (identity file: {Path}); using what the options set")]
    public static partial void NothingPickedUp(ILogger logger, string side, string path);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Information, Message = "{Note}")]
    public static partial void ClientNote(ILogger logger, string note);
}
