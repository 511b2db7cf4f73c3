using Aster.Client;
using Aster.Configuration;
using Aster.Configuration.Identity;
using Aster.Net.Identity;
using Aster.Server;
using Aster.Tests.Rpc;
using Aster.Trust;

namespace Aster.Tests.Configuration;

/// <summary>
/// The identity pickup of <see cref="AsterServer"/> and <see cref="AsterClient"/> (config-and-cli.md 4 and 6.3) with a
/// fake environment and working directory: where the file is found, which entry is used, and that what the options set
/// in code wins.
/// </summary>
public sealed class IdentityPickupTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aster-pickup-").FullName;
    private readonly RootKey _root = RootKey.Generate();

    public void Dispose()
    {
        _root.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private IdentitySources Sources(params (string Name, string Value)[] vars)
        => new(new DictionaryEnvironmentSource(vars.Append(("ASTER_NONCE_STORE", "memory")).Select(v => KeyValuePair.Create(v.Item1, v.Item2))), _dir);

    private AsterIdentityPeer Producer(string name, SecretKey node)
    {
        EnrollmentCredential credential = _root.SignProducer(node.PublicKey, 4_000_000_000, new Dictionary<string, string>());
        return new AsterIdentityPeer { Name = name, Role = "producer", RootPubkey = Hex(_root.PublicKey), EndpointId = node.PublicKey.ToString(), ExpiresAt = 4_000_000_000, Signature = Convert.ToHexStringLower(credential.Signature) };
    }

    private AsterIdentityPeer Consumer(string name, EndpointId bound)
    {
        ConsumerEnrollmentCredential credential = _root.SignPolicy(bound, 4_000_000_000, new Dictionary<string, string>());
        return new AsterIdentityPeer { Name = name, Role = "consumer", RootPubkey = Hex(_root.PublicKey), EndpointId = bound.ToString(), ExpiresAt = 4_000_000_000, Signature = Convert.ToHexStringLower(credential.Signature) };
    }

    private static string Hex(ReadOnlySpan<byte> key) => Convert.ToHexStringLower(key);

    /// <summary>Writes an identity file with <paramref name="peers"/> for a fresh node key; returns the path and the node id.</summary>
    private (string Path, EndpointId Node) Write(string fileName, Func<SecretKey, AsterIdentityPeer[]> peers)
    {
        using SecretKey node = SecretKey.Generate();
        string path = Path.Combine(_dir, fileName);
        new AsterIdentityFile(node, peers(node)).Write(path);
        return (path, node.PublicKey);
    }

    private static AsterServerOptions ServerOptions(IdentitySources sources, string? identityFile = null, string? peer = null)
        => new() { Codecs = JsonTestCodecProvider.Instance, IdentitySources = sources, IdentityFile = identityFile, PeerName = peer };

    private static AsterClientOptions ClientOptions(IdentitySources sources, string? identityFile = null, string? peer = null)
        => new() { Codecs = JsonTestCodecProvider.Instance, IdentitySources = sources, IdentityFile = identityFile, PeerName = peer };

    [Fact]
    public void Server_ExplicitPath_GivesGatedAuthorityAndNodeKey_OptionsUntouched()
    {
        var (path, node) = Write("srv.toml", k => [Producer("edge", k)]);
        AsterServerOptions options = ServerOptions(Sources(), identityFile: "srv.toml");

        using PickedIdentity picked = PickedIdentity.ForServer(options, out AsterServerOptions effective)!;

        Assert.NotSame(options, effective);
        Assert.Equal(node, effective.SecretKey!.PublicKey);
        TrustAuthority authority = Assert.IsType<TrustAuthority>(effective.Admission);
        Assert.True(authority.ConsumersGated);
        Assert.False(authority.IsDevMode);
        Assert.Equal(Hex(_root.PublicKey), authority.RootPublicKeyHex);
        Assert.Null(options.SecretKey);
        Assert.Null(options.Admission);
        Assert.True(File.Exists(path));
    }

    [Fact]
    public void Server_EnvironmentVariable_BeatsWorkingDirectoryFile()
    {
        var (_, fromEnv) = Write("env.aster-identity", k => [Producer("edge", k)]);
        var (_, fromCwd) = Write(AsterIdentityFile.DefaultFileName, k => [Producer("edge", k)]);

        using PickedIdentity envPicked = PickedIdentity.ForServer(ServerOptions(Sources(("ASTER_IDENTITY_FILE", Path.Combine(_dir, "env.aster-identity")))), out AsterServerOptions viaEnv)!;
        using PickedIdentity cwdPicked = PickedIdentity.ForServer(ServerOptions(Sources()), out AsterServerOptions viaCwd)!;

        Assert.Equal(fromEnv, viaEnv.SecretKey!.PublicKey);
        Assert.Equal(fromCwd, viaCwd.SecretKey!.PublicKey);
    }

    [Fact]
    public void EmptyEnvironmentVariableOrEmptyOption_DisablesLookup()
    {
        Write(AsterIdentityFile.DefaultFileName, k => [Producer("edge", k), Consumer("me", k.PublicKey)]);

        Assert.Null(PickedIdentity.ForServer(ServerOptions(Sources(("ASTER_IDENTITY_FILE", ""))), out _));
        Assert.Null(PickedIdentity.ForServer(ServerOptions(Sources(), identityFile: string.Empty), out _));
        Assert.Null(PickedIdentity.ForClient(ClientOptions(Sources(("ASTER_IDENTITY_FILE", ""))), out _));
        Assert.Null(PickedIdentity.ForClient(ClientOptions(Sources(), identityFile: string.Empty), out _));
    }

    [Fact]
    public void NoFileAndNoRootKey_LeavesDevModeToTheServer()
    {
        AsterServerOptions options = ServerOptions(Sources());

        Assert.Null(PickedIdentity.ForServer(options, out AsterServerOptions effective));
        Assert.Same(options, effective);
    }

    [Fact]
    public void ExplicitMissingFile_IsATypedErrorNamingThePath()
    {
        string missing = Path.Combine(_dir, "nope.aster-identity");

        var fromOption = Assert.Throws<ConfigurationException>(() => new AsterServer([Service()], ServerOptions(Sources(), identityFile: missing)));
        var fromEnv = Assert.Throws<ConfigurationException>(() => PickedIdentity.ForClient(ClientOptions(Sources(("ASTER_IDENTITY_FILE", missing))), out _));

        Assert.Contains(missing, fromOption.Message, StringComparison.Ordinal);
        Assert.Contains("not found", fromOption.Message, StringComparison.Ordinal);
        Assert.Contains(missing, fromEnv.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedFile_ErrorNamesLineAndColumn()
    {
        File.WriteAllText(Path.Combine(_dir, AsterIdentityFile.DefaultFileName), "[node]\nsecret_key = \"unterminated\n");

        var ex = Assert.Throws<ConfigurationException>(() => PickedIdentity.ForServer(ServerOptions(Sources()), out _));

        Assert.Equal(2, ex.Line);
        Assert.True(ex.Column > 0);
        Assert.EndsWith(AsterIdentityFile.DefaultFileName, ex.File, StringComparison.Ordinal);
    }

    [Fact]
    public void PeerByName_AndByRole_AndRoleWithNoMatch()
    {
        using RootKey other = RootKey.Generate();
        Write(AsterIdentityFile.DefaultFileName, k =>
        [
            Consumer("reader", k.PublicKey),
            Producer("first", k),
            Producer("billing", k) with { RootPubkey = Hex(other.PublicKey) },
        ]);

        using (PickedIdentity byRole = PickedIdentity.ForServer(ServerOptions(Sources()), out AsterServerOptions first)!)
        {
            Assert.Equal(Hex(_root.PublicKey), ((TrustAuthority)first.Admission!).RootPublicKeyHex);
        }

        using (PickedIdentity byName = PickedIdentity.ForServer(ServerOptions(Sources(), peer: "billing"), out AsterServerOptions billing)!)
        {
            Assert.Equal(Hex(other.PublicKey), ((TrustAuthority)billing.Admission!).RootPublicKeyHex);
        }

        Assert.Throws<ConfigurationException>(() => PickedIdentity.ForServer(ServerOptions(Sources(), peer: "missing"), out _));

        // Only consumer entries: the server's producer lookup selects nothing, so no root key and dev mode; the node key still comes from the file.
        var (_, node) = Write("consumers-only", k => [Consumer("reader", k.PublicKey)]);
        using PickedIdentity keyOnly = PickedIdentity.ForServer(ServerOptions(Sources(), identityFile: "consumers-only"), out AsterServerOptions devMode)!;
        Assert.Null(devMode.Admission);
        Assert.Equal(node, devMode.SecretKey!.PublicKey);
    }

    [Fact]
    public void Client_PicksTheConsumerEntry_AndTheNodeKey()
    {
        var (_, node) = Write(AsterIdentityFile.DefaultFileName, k => [Producer("edge", k), Consumer("reader", k.PublicKey)]);

        using PickedIdentity picked = PickedIdentity.ForClient(ClientOptions(Sources()), out AsterClientOptions effective)!;

        Assert.Equal(node, effective.SecretKey!.PublicKey);
        ConsumerEnrollmentCredential credential = ConsumerEnrollmentCredential.Parse(effective.CredentialJson!);
        Assert.Equal(node.ToString(), credential.EndpointId);
        Assert.True(credential.VerifySignature());
    }

    [Fact]
    public void Client_WithOnlyProducerEntries_UsesTheNodeKeyAndNoCredential()
    {
        var (_, node) = Write(AsterIdentityFile.DefaultFileName, k => [Producer("edge", k)]);

        using PickedIdentity picked = PickedIdentity.ForClient(ClientOptions(Sources()), out AsterClientOptions effective)!;

        Assert.Equal(node, effective.SecretKey!.PublicKey);
        Assert.Null(effective.CredentialJson);
    }

    [Fact]
    public void Client_EntryBoundToAnotherEndpoint_FailsBeforeDialling()
    {
        using SecretKey stranger = SecretKey.Generate();
        Write(AsterIdentityFile.DefaultFileName, _ => [Consumer("reader", stranger.PublicKey)]);

        var ex = Assert.Throws<ConfigurationException>(() => PickedIdentity.ForClient(ClientOptions(Sources()), out _));

        Assert.Contains("reader", ex.Message, StringComparison.Ordinal);
        Assert.Contains(stranger.PublicKey.ToString(), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KeySetInCode_WinsOverTheFileAndTheEnvironment_AndIsNotDisposed()
    {
        Write(AsterIdentityFile.DefaultFileName, k => [Producer("edge", k)]);
        using SecretKey fromEnv = SecretKey.Generate();
        using SecretKey mine = SecretKey.Generate();
        IdentitySources sources = Sources(("ASTER_SECRET_KEY", Convert.ToBase64String(fromEnv.ToBytes())));
        AsterServerOptions options = ServerOptions(sources);
        options.SecretKey = mine;

        using (PickedIdentity picked = PickedIdentity.ForServer(options, out AsterServerOptions effective)!)
        {
            Assert.Same(mine, effective.SecretKey);
            Assert.True(((TrustAuthority)effective.Admission!).ConsumersGated);
        }

        Assert.Equal(32, mine.ToBytes().Length); // still usable: the caller's key is never disposed
        using (PickedIdentity envKey = PickedIdentity.ForServer(ServerOptions(sources), out AsterServerOptions withEnv)!)
        {
            Assert.Equal(fromEnv.PublicKey, withEnv.SecretKey!.PublicKey); // ASTER_SECRET_KEY beats the file (4.2)
        }

        AsterClientOptions client = ClientOptions(Sources());
        client.SecretKey = mine;
        client.CredentialJson = string.Empty;
        Assert.Null(PickedIdentity.ForClient(client, out AsterClientOptions same));
        Assert.Same(client, same);
    }

    [Fact]
    public void AdmissionSetInCode_WinsOverTheFile_NodeKeyStillPickedUp()
    {
        var (_, node) = Write(AsterIdentityFile.DefaultFileName, k => [Producer("edge", k)]);
        using TrustAuthority mine = TrustAuthority.CreateDevMode();
        AsterServerOptions options = ServerOptions(Sources());
        options.Admission = mine;

        using PickedIdentity picked = PickedIdentity.ForServer(options, out AsterServerOptions effective)!;

        Assert.Same(mine, effective.Admission);
        Assert.Equal(node, effective.SecretKey!.PublicKey);
    }

    [Fact]
    public void ClosedGateWithoutRootKey_FailsAtConstruction()
    {
        var ex = Assert.Throws<ConfigurationException>(() => new AsterServer([Service()], ServerOptions(Sources(("ASTER_ALLOW_ALL_CONSUMERS", "false")))));

        Assert.Contains("consumer gate is closed", ex.Message, StringComparison.Ordinal);
    }

    private static ServiceDefinition Service()
        => ServiceDefinition.CreateShared("Echo", 1, new object())
            .AddUnary<HelloRequest, HelloResponse>("echo", (_, r, _) => ValueTask.FromResult(new HelloResponse(r.Name ?? string.Empty)))
            .Build();
}
