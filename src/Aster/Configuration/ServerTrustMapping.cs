using Aster.Configuration.Identity;
using Aster.Net.Identity;
using Aster.Server;
using Aster.Trust;
using Aster.Trust.Mesh;
using Microsoft.Extensions.Logging;

namespace Aster.Configuration;

/// <summary>
/// Fills a server's identity and admission from <see cref="AsterConfig"/> and the <c>.aster-identity</c> file
/// (config-and-cli.md sections 4, 6.3 and 8; trust.md section 10).
/// </summary>
public static class ServerTrustMapping
{
    /// <summary>
    /// Sets <see cref="AsterServerOptions.SecretKey"/> and <see cref="AsterServerOptions.Admission"/>, plus the limits of
    /// <see cref="ServerOptionsMapping.ApplyTo"/>. The identity file is the configured <c>identity_file</c>, else
    /// <c>ASTER_IDENTITY_FILE</c>, else <c>./.aster-identity</c>; the entry named <paramref name="peerName"/> (the product
    /// documents' <c>peer="billing-producer"</c>), else its first producer entry, supplies a root key. A known
    /// root key yields a durable <see cref="TrustAuthority"/> (consumers gated unless <c>allow_all_consumers</c>); no root
    /// key and <c>allow_all_consumers</c> never set yields dev mode; a closed gate with no root key fails. With
    /// <c>allow_all_producers = false</c> it also sets <see cref="AsterServerOptions.Mesh"/> from the <c>[mesh]</c> keys
    /// (state directory, bootstrap addresses, clock and rotation settings) and the producer credential (the identity
    /// file's producer entry, else <c>[mesh] enrollment</c> / <c>ASTER_ENROLLMENT</c>).
    /// With a <c>storage_path</c>, the node's <see cref="StorageLock"/> is taken first and held until the authority is
    /// disposed, so a second process with the same storage path fails here.
    /// </summary>
    /// <param name="config">The configuration.</param>
    /// <param name="options">The options to update; the caller owns the authority placed in <see cref="AsterServerOptions.Admission"/>.</param>
    /// <param name="environment">The environment for <c>ASTER_IDENTITY_FILE</c>; defaults to the process environment.</param>
    /// <param name="workingDirectory">Where <c>.aster-identity</c> is looked for; defaults to the current directory.</param>
    /// <param name="peerName">The identity entry to serve as, or null for the first producer entry.</param>
    /// <returns>The authority that was created (also in <see cref="AsterServerOptions.Admission"/>).</returns>
    /// <exception cref="ConfigurationException">A gate is closed and no root key resolves, a key source is invalid,
    /// <paramref name="peerName"/> names no entry, or the storage path is locked by another node.</exception>
    public static TrustAuthority ApplyIdentityAndTrust(this AsterConfig config, AsterServerOptions options, IEnvironmentSource? environment = null, string? workingDirectory = null, string? peerName = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        config.ApplyTo(options);
        ServerIdentity resolved = Resolve(config, options, environment, workingDirectory, peerName, ServerTrustScope.WithDevModeAuthority);
        options.SecretKey = resolved.Node.Key;
        options.Mesh = resolved.Mesh ?? options.Mesh;
        options.Admission = resolved.Authority;
        return resolved.Authority!;
    }

    /// <summary>
    /// The shared resolution behind <see cref="ApplyIdentityAndTrust"/> and the identity pickup of
    /// <see cref="AsterServer"/>: the identity file and entry, the node key (a key already in
    /// <paramref name="options"/> is the constructor argument and wins), the root key, and, unless
    /// <paramref name="scope"/> says otherwise, the authority and the producer mesh (when <paramref name="options"/> has none).
    /// </summary>
    internal static ServerIdentity Resolve(AsterConfig config, AsterServerOptions options, IEnvironmentSource? environment, string? workingDirectory, string? peerName, ServerTrustScope scope)
    {
        if (options.SecretKey is { } codeKey)
        {
            config = config.With(new AsterConfigArguments { SecretKey = codeKey });
        }

        string? identityPath = AsterIdentityFile.Discover(config.IdentityFile, environment, workingDirectory);
        AsterIdentityFile? identity = identityPath is null ? null : AsterIdentityFile.Read(identityPath);
        if (peerName is not null && identity is null)
        {
            throw new ConfigurationException($"identity entry '{peerName}' was asked for but there is no identity file");
        }

        AsterIdentityPeer? peer = identity?.FindPeer(peerName, peerName is null ? "producer" : null);
        if (peerName is not null && peer is null)
        {
            throw new ConfigurationException($"no entry named '{peerName}' in {identityPath}");
        }

        ResolvedSecretKey node = KeyResolution.ResolveSecretKey(config, identity, peer);
        ILogger logger = options.LoggerFactory.CreateLogger(typeof(ServerTrustMapping).FullName!);
        if (node.EndpointIdMismatch)
        {
            ConfigLog.EndpointMismatch(logger, peer!.Name);
        }

        ResolvedRootPubkey root;
        StorageLock? storage = null;
        TrustAuthority? authority = null;
        MeshOptions? mesh = null;
        try
        {
            root = KeyResolution.ResolveRootPubkey(config, peer, identityPath);
            foreach (string warning in root.Warnings)
            {
                ConfigLog.RootKeyConflict(logger, warning);
            }

            if (scope != ServerTrustScope.KeyOnly && (scope == ServerTrustScope.WithDevModeAuthority || !IsDevMode(config, root)))
            {
                storage = config.StoragePath is { } storagePath ? StorageLock.Acquire(storagePath) : null;
                authority = CreateAuthority(config, root, options);
                if (storage is not null)
                {
                    authority.Own(storage);
                    storage = null;
                }

                if (!config.AllowAllProducers && root.Key is { } rootKey && options.Mesh is null)
                {
                    mesh = CreateMesh(config, rootKey, node.Key, peer, options);
                }
            }
        }
        catch
        {
            authority?.Dispose();
            storage?.Dispose();
            if (node.Source.Kind != ConfigSourceKind.Argument)
            {
                node.Key.Dispose();
            }

            throw;
        }

        return new ServerIdentity(node, root, authority, mesh, identityPath, peer);
    }

    /// <summary>True when <see cref="CreateAuthority"/> would give dev mode: no root key in any source, the consumer gate never set, producers open (trust.md 10).</summary>
    private static bool IsDevMode(AsterConfig config, ResolvedRootPubkey root)
        => root.Key is null && config.AllowAllProducers && config.SourceOf("trust.allow_all_consumers").Kind == ConfigSourceKind.Default;

    /// <summary>The producer mesh of a gated producer (trust.md 9.1; config-and-cli.md 1.2 and 8).</summary>
    private static MeshOptions CreateMesh(AsterConfig config, EndpointId root, SecretKey node, AsterIdentityPeer? producer, AsterServerOptions server)
    {
        var mesh = new MeshOptions
        {
            StateDirectory = config.MeshStateDir ?? DefaultStateDirectory(config, "mesh"),
            RootPublicKey = root.ToArray(),
            Credential = ProducerCredential(config, node, producer),
            TimeProvider = server.TimeProvider,
            LoggerFactory = server.LoggerFactory,
            Limits = new MeshLimits
            {
                ReplayWindow = TimeSpan.FromMilliseconds(config.ReplayWindowMs),
                DriftTolerance = TimeSpan.FromMilliseconds(config.ClockDriftToleranceMs),
                DriftGracePeriod = TimeSpan.FromMilliseconds(config.GracePeriodMs),
                LeaseHeartbeat = TimeSpan.FromMilliseconds(config.LeaseHeartbeatMs),
                RotationOverlap = TimeSpan.FromMilliseconds(config.RotationOverlapMs),
            },
        };
        foreach (string address in config.MeshBootstrap)
        {
            try
            {
                mesh.BootstrapPeers.Add(EndpointAddr.Parse(address));
            }
            catch (AddressFormatException ex)
            {
                throw new ConfigurationException($"mesh.bootstrap: '{address}' is not an address: {ex.Message}", ex);
            }
        }

        StorageLock.CreatePrivateDirectory(mesh.StateDirectory);
        return mesh;
    }

    /// <summary>The identity file's producer entry when it verifies for this node, else the <c>[mesh] enrollment</c> file; null for neither.</summary>
    private static EnrollmentCredential? ProducerCredential(AsterConfig config, SecretKey node, AsterIdentityPeer? producer)
    {
        if (producer is not null)
        {
            EntryCheck check = IdentityCredentials.Check(producer, node.PublicKey, DateTimeOffset.UtcNow);
            if (!check.Ok || check.CredentialFileJson is null)
            {
                throw new ConfigurationException($"the producer entry '{producer.Name}' of the identity file is unusable: {check.Status}");
            }

            return EnrollmentCredential.Parse(check.CredentialFileJson);
        }

        if (config.ProducerCredentialFile is not { } path)
        {
            return null;
        }

        try
        {
            return EnrollmentCredential.Parse(File.ReadAllText(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or TrustFormatException)
        {
            throw new ConfigurationException($"mesh.enrollment: cannot read the producer credential '{path}': {ex.Message}", ex);
        }
    }

    private static TrustAuthority CreateAuthority(AsterConfig config, ResolvedRootPubkey root, AsterServerOptions server)
    {
        if (!config.AllowAllProducers && root.Key is null)
        {
            throw new ConfigurationException("the producer gate is closed (allow_all_producers = false) but no root public key is configured: set root_pubkey, root_pubkey_file or an .aster-identity entry");
        }

        if (root.Key is not { } key)
        {
            bool consumersSet = config.SourceOf("trust.allow_all_consumers").Kind != ConfigSourceKind.Default;
            if (!consumersSet)
            {
                return TrustAuthority.CreateDevMode(server.LoggerFactory, server.TimeProvider);
            }

            if (!config.AllowAllConsumers)
            {
                throw new ConfigurationException("the consumer gate is closed (allow_all_consumers = false) but no root public key is configured: set root_pubkey, root_pubkey_file or an .aster-identity entry");
            }
        }

        var options = new TrustAuthorityOptions
        {
            RootPublicKey = root.Key is { } k ? k.ToArray() : ReadOnlyMemory<byte>.Empty,
            AllowAllConsumers = config.AllowAllConsumers,
            AllowAllProducers = config.AllowAllProducers,
            HookTimeout = TimeSpan.FromMilliseconds(config.HookTimeoutMs),
            LogMask = config.LogMask,
            TimeProvider = server.TimeProvider,
            LoggerFactory = server.LoggerFactory,
        };
        TimeSpan peerTtl = TimeSpan.FromSeconds(config.PeerTtlSeconds);
        if (string.Equals(config.NonceStore, "memory", StringComparison.Ordinal))
        {
            options.NonceStore = new InMemoryNonceStore(server.TimeProvider);
            options.Peers = new PeerStore(server.TimeProvider, peerTtl);
            return new TrustAuthority(options);
        }

        string stateDirectory = config.NonceStore ?? DefaultStateDirectory(config, "trust");
        StorageLock.CreatePrivateDirectory(stateDirectory);
        return TrustAuthority.OpenDurable(options, stateDirectory, peerTtl);
    }

    /// <summary><c>&lt;storage_path&gt;/<paramref name="folder"/></c> with a storage path, else <c>~/.aster</c> (config-and-cli.md 8).</summary>
    private static string DefaultStateDirectory(AsterConfig config, string folder)
        => config.StoragePath is { } storage ? Path.Combine(storage, folder) : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".aster");
}

/// <summary>Source-generated log messages for configuration mapping.</summary>
internal static partial class ConfigLog
{
    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "{Warning}")]
    public static partial void RootKeyConflict(ILogger logger, string warning);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Error, Message = "identity entry '{Peer}' is bound to a different endpoint id than the node key")]
    public static partial void EndpointMismatch(ILogger logger, string peer);
}
