using Aster.Configuration;
using Aster.Configuration.Identity;
using Aster.Net.Identity;
using Aster.Server;

namespace Aster.Tests.Configuration;

public sealed class ServerTrustMappingTests : IDisposable
{
    private const string RootA = "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c";
    private const string RootB = "ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d1";
    private readonly string _dir = Directory.CreateTempSubdirectory("aster-srvcfg-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private DictionaryEnvironmentSource Env(params (string Name, string Value)[] vars)
        => new(vars.Append((Name: "ASTER_STORAGE_PATH", Value: _dir)).Select(v => KeyValuePair.Create(v.Name, v.Value)));

    private AsterConfig Config(params (string Name, string Value)[] vars) => AsterConfig.FromEnvironment(Env(vars));

    private string WriteIdentity(string root, string role = "producer")
    {
        using var key = SecretKey.Generate();
        var peer = new AsterIdentityPeer { Name = "edge", Role = role, RootPubkey = root, EndpointId = key.PublicKey.ToString(), ExpiresAt = 1893456000, Signature = new string('a', 128) };
        var file = new AsterIdentityFile(key, [peer]);
        string path = Path.Combine(_dir, "server.aster-identity");
        file.Write(path);
        return path;
    }

    [Fact]
    public void ProducersGated_MeshFromConfigKeys_AndTheProducerCredentialFile()
    {
        using Aster.Trust.RootKey root = Aster.Trust.RootKey.Generate();
        byte[] seed = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        using SecretKey node = SecretKey.FromBytes(seed);
        string credentialPath = Path.Combine(_dir, "producer.json");
        File.WriteAllText(credentialPath, root.SignProducer(node.PublicKey, 4_000_000_000, new Dictionary<string, string> { ["aster.name"] = "edge" }).ToFileJson());
        (string, string)[] vars =
        [
            ("ASTER_ROOT_PUBKEY", Convert.ToHexStringLower(root.PublicKey)),
            ("ASTER_ALLOW_ALL_PRODUCERS", "false"),
            ("ASTER_SECRET_KEY", Convert.ToBase64String(seed)),
            ("ASTER_ENROLLMENT", credentialPath),
            ("ASTER_MESH_BOOTSTRAP", RootB),
            ("ASTER_ROTATION_OVERLAP_MS", "5000"),
            ("ASTER_REPLAY_WINDOW_MS", "20000"),
        ];
        var options = new AsterServerOptions();

        using var authority = Config(vars).ApplyIdentityAndTrust(options, Env(vars), _dir);

        Assert.True(authority.ProducersGated);
        Aster.Trust.Mesh.MeshOptions mesh = options.Mesh!;
        Assert.Equal(Path.Combine(_dir, "mesh"), mesh.StateDirectory);
        Assert.True(Directory.Exists(mesh.StateDirectory));
        Assert.Equal(root.PublicKey.ToArray(), mesh.RootPublicKey.ToArray());
        Assert.Equal(node.PublicKey.ToString(), mesh.Credential!.EndpointId);
        Assert.Equal(RootB, Assert.Single(mesh.BootstrapPeers).Id.ToString());
        Assert.Equal(TimeSpan.FromSeconds(5), mesh.Limits.RotationOverlap);
        Assert.Equal(TimeSpan.FromSeconds(20), mesh.Limits.ReplayWindow);
    }

    [Fact]
    public void ProducersOpen_NoMesh()
    {
        var options = new AsterServerOptions();
        using var authority = Config(("ASTER_ROOT_PUBKEY", RootA)).ApplyIdentityAndTrust(options, Env(), _dir);
        Assert.Null(options.Mesh);
    }

    [Fact]
    public void ProducersGated_BadBootstrapAddress_FailsStartup()
    {
        (string, string)[] vars = [("ASTER_ROOT_PUBKEY", RootA), ("ASTER_ALLOW_ALL_PRODUCERS", "false"), ("ASTER_MESH_BOOTSTRAP", "nowhere")];
        var ex = Assert.Throws<ConfigurationException>(() => Config(vars).ApplyIdentityAndTrust(new AsterServerOptions(), Env(vars), _dir));
        Assert.Contains("mesh.bootstrap", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoRootKey_AllowAllConsumersUnset_EntersDevMode()
    {
        var options = new AsterServerOptions();
        using var authority = Config().ApplyIdentityAndTrust(options, Env(), _dir);
        Assert.True(authority.IsDevMode);
        Assert.False(authority.ConsumersGated);
        Assert.Same(authority, options.Admission);
        Assert.NotNull(options.SecretKey);
    }

    [Fact]
    public void PeerName_SelectsThatEntry_AndAnUnknownNameFailsStartup()
    {
        using var key = SecretKey.Generate();
        AsterIdentityPeer Entry(string name, string root) => new() { Name = name, Role = "producer", RootPubkey = root, EndpointId = key.PublicKey.ToString(), ExpiresAt = 1893456000, Signature = new string('a', 128) };
        string path = Path.Combine(_dir, "two.aster-identity");
        new AsterIdentityFile(key, [Entry("edge", RootA), Entry("billing-producer", RootB)]).Write(path);
        var env = Env(("ASTER_IDENTITY_FILE", path));

        var named = new AsterServerOptions();
        using (var authority = AsterConfig.FromEnvironment(env).ApplyIdentityAndTrust(named, env, _dir, peerName: "billing-producer"))
        {
            Assert.Equal(RootB, authority.RootPublicKeyHex);
        }

        var first = new AsterServerOptions();
        using (var authority = AsterConfig.FromEnvironment(env).ApplyIdentityAndTrust(first, env, _dir))
        {
            Assert.Equal(RootA, authority.RootPublicKeyHex);
        }

        var ex = Assert.Throws<ConfigurationException>(() => AsterConfig.FromEnvironment(env).ApplyIdentityAndTrust(new AsterServerOptions(), env, _dir, peerName: "nope"));
        Assert.Contains($"no entry named 'nope' in {path}", ex.Message);
    }

    [Fact]
    public void NoRootKey_AllowAllConsumersExplicitlyFalse_FailsStartup()
    {
        var ex = Assert.Throws<ConfigurationException>(() => Config(("ASTER_ALLOW_ALL_CONSUMERS", "false")).ApplyIdentityAndTrust(new AsterServerOptions(), Env(), _dir));
        Assert.Contains("no root public key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoRootKey_ProducerGateClosed_FailsStartup()
    {
        var config = Config(("ASTER_ALLOW_ALL_CONSUMERS", "true"), ("ASTER_ALLOW_ALL_PRODUCERS", "false"));
        var ex = Assert.Throws<ConfigurationException>(() => config.ApplyIdentityAndTrust(new AsterServerOptions(), Env(), _dir));
        Assert.Contains("producer gate", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoRootKey_AllowAllConsumersExplicitlyTrue_OpenGateWithoutDevMode()
    {
        using var authority = Config(("ASTER_ALLOW_ALL_CONSUMERS", "true")).ApplyIdentityAndTrust(new AsterServerOptions(), Env(), _dir);
        Assert.False(authority.IsDevMode);
        Assert.False(authority.ConsumersGated);
        Assert.Equal(new string('0', 64), authority.RootPublicKeyHex);
    }

    [Fact]
    public void RootKeyFromEnvironment_GatesConsumers_WithDurableStoresUnderStoragePath()
    {
        using var authority = Config(("ASTER_ROOT_PUBKEY", RootA)).ApplyIdentityAndTrust(new AsterServerOptions(), Env(), _dir);
        Assert.False(authority.IsDevMode);
        Assert.True(authority.ConsumersGated);
        Assert.Equal(RootA, authority.RootPublicKeyHex);
        Assert.True(Directory.Exists(Path.Combine(_dir, "trust")));
    }

    [Fact]
    public void RootKeyKnown_AllowAllConsumers_NeverDevMode()
    {
        using var authority = Config(("ASTER_ROOT_PUBKEY", RootA), ("ASTER_ALLOW_ALL_CONSUMERS", "true")).ApplyIdentityAndTrust(new AsterServerOptions(), Env(), _dir);
        Assert.False(authority.IsDevMode);
        Assert.False(authority.ConsumersGated);
        Assert.Equal(RootA, authority.RootPublicKeyHex);
    }

    [Fact]
    public void IdentityFileFromEnvironment_SuppliesNodeKeyAndRootKey()
    {
        string path = WriteIdentity(RootB);
        var env = Env((AsterIdentityFile.EnvironmentVariable, path));
        var options = new AsterServerOptions();
        using var authority = AsterConfig.FromEnvironment(env).ApplyIdentityAndTrust(options, env, workingDirectory: Path.GetTempPath());
        Assert.True(authority.ConsumersGated);
        Assert.Equal(RootB, authority.RootPublicKeyHex);
        Assert.Equal(AsterIdentityFile.Read(path).EndpointId, options.SecretKey!.PublicKey);
    }

    [Fact]
    public void IdentityFileInWorkingDirectory_IsPickedUp()
    {
        string path = WriteIdentity(RootA);
        File.Move(path, Path.Combine(_dir, AsterIdentityFile.DefaultFileName));
        var options = new AsterServerOptions();
        using var authority = Config().ApplyIdentityAndTrust(options, Env(), _dir);
        Assert.Equal(RootA, authority.RootPublicKeyHex);
        Assert.True(authority.ConsumersGated);
    }

    [Fact]
    public void NonceStoreMemory_GatedWithInMemoryStores()
    {
        using var authority = Config(("ASTER_ROOT_PUBKEY", RootA), ("ASTER_NONCE_STORE", "memory")).ApplyIdentityAndTrust(new AsterServerOptions(), Env(), _dir);
        Assert.True(authority.ConsumersGated);
        Assert.False(Directory.Exists(Path.Combine(_dir, "trust")));
    }

    [Fact]
    public void MissingRootPubkeyFile_FailsStartup()
    {
        var config = Config(("ASTER_ROOT_PUBKEY_FILE", Path.Combine(_dir, "absent.pub")));
        Assert.Throws<ConfigurationException>(() => config.ApplyIdentityAndTrust(new AsterServerOptions(), Env(), _dir));
    }
}
