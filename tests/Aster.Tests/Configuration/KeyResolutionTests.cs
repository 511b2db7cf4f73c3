using Aster.Configuration;
using Aster.Configuration.Identity;
using Aster.Net.Identity;

namespace Aster.Tests.Configuration;

public sealed class KeyResolutionTests : IDisposable
{
    private const string SeedBase64 = "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI="; // 02 x 32
    private const string NodeId = "8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394";
    private const string RootA = "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c";
    private const string RootB = "ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d1";
    private readonly string _dir = Directory.CreateTempSubdirectory("aster-keys-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static DictionaryEnvironmentSource Env(params (string Name, string Value)[] vars)
        => new(vars.Select(v => KeyValuePair.Create(v.Name, v.Value)));

    private static AsterIdentityPeer Peer(string root, string? endpoint = NodeId)
        => new() { Name = "p", Role = "producer", RootPubkey = root, EndpointId = endpoint, Signature = new string('a', 128) };

    [Fact]
    public void ResolveRootPubkey_NoSource_ReturnsNull()
    {
        var r = KeyResolution.ResolveRootPubkey(AsterConfig.FromEnvironment(Env()), null);
        Assert.Null(r.Key);
        Assert.Empty(r.Warnings);
    }

    [Fact]
    public void ResolveRootPubkey_IdentityPeerBeatsEnvironment_AndWarns()
    {
        var config = AsterConfig.FromEnvironment(Env(("ASTER_ROOT_PUBKEY", RootB)));
        var r = KeyResolution.ResolveRootPubkey(config, Peer(RootA), "/x/.aster-identity");
        Assert.Equal(RootA, r.Key!.Value.ToString());
        Assert.Equal(ConfigSourceKind.IdentityFile, r.Source.Kind);
        var warning = Assert.Single(r.Warnings);
        Assert.Contains("ASTER_ROOT_PUBKEY", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveRootPubkey_ArgumentBeatsIdentityPeer()
    {
        var config = AsterConfig.Defaults.With(new AsterConfigArguments { RootPubkey = EndpointId.Parse(RootB) });
        var r = KeyResolution.ResolveRootPubkey(config, Peer(RootA));
        Assert.Equal(RootB, r.Key!.Value.ToString());
        Assert.Equal(ConfigSource.Argument, r.Source);
    }

    [Fact]
    public void ResolveRootPubkey_SameKeyTwice_NoWarning()
    {
        var config = AsterConfig.FromEnvironment(Env(("ASTER_ROOT_PUBKEY", RootA)));
        Assert.Empty(KeyResolution.ResolveRootPubkey(config, Peer(RootA)).Warnings);
    }

    [Theory]
    [InlineData("  " + RootA + "\n")]
    [InlineData("{\n  \"public_key\": \"" + RootA + "\"\n}")]
    [InlineData("{\"private_key\": \"" + NodeId + "\", \"public_key\": \"" + RootA + "\"}")]
    public void ReadRootPubkeyFile_HexOrJson_Accepted(string content)
    {
        string path = Path.Combine(_dir, "root.pub");
        File.WriteAllText(path, content);
        var config = AsterConfig.FromEnvironment(Env(("ASTER_ROOT_PUBKEY_FILE", path)));
        var r = KeyResolution.ResolveRootPubkey(config, null);
        Assert.Equal(RootA, r.Key!.Value.ToString());
        Assert.Equal("ASTER_ROOT_PUBKEY_FILE", r.Source.Label);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not a key")]
    [InlineData("{\"other\": 1}")]
    [InlineData("{broken")]
    public void ReadRootPubkeyFile_MissingOrBad_Throws(string? content)
    {
        string path = Path.Combine(_dir, "root.pub");
        if (content is not null)
        {
            File.WriteAllText(path, content);
        }

        var e = Assert.Throws<ConfigurationException>(() => KeyResolution.ReadRootPubkeyFile(path));
        Assert.Equal(path, e.File);
    }

    [Fact]
    public void ResolveSecretKey_ConfigBeatsIdentity()
    {
        using var identityKey = SecretKey.Generate();
        var identity = new AsterIdentityFile(identityKey);
        var config = AsterConfig.FromEnvironment(Env(("ASTER_SECRET_KEY", SeedBase64)));
        var r = KeyResolution.ResolveSecretKey(config, identity, Peer(RootA));
        Assert.Equal(NodeId, r.Key.PublicKey.ToString());
        Assert.Equal("ASTER_SECRET_KEY", r.Source.Label);
        Assert.False(r.EndpointIdMismatch);
    }

    [Fact]
    public void ResolveSecretKey_IdentityUsed_MismatchDetected()
    {
        using var identityKey = SecretKey.Generate();
        var r = KeyResolution.ResolveSecretKey(AsterConfig.Defaults, new AsterIdentityFile(identityKey), Peer(RootA));
        Assert.Same(identityKey, r.Key);
        Assert.Equal(ConfigSourceKind.IdentityFile, r.Source.Kind);
        Assert.True(r.EndpointIdMismatch);
        Assert.False(KeyResolution.ResolveSecretKey(AsterConfig.Defaults, new AsterIdentityFile(identityKey), Peer(RootA, endpoint: null)).EndpointIdMismatch);
    }

    [Fact]
    public void ResolveSecretKey_ClientCredentialToml_UsedOnlyForClients()
    {
        string path = Path.Combine(_dir, "credential.toml");
        File.WriteAllText(path, $"[node]\nsecret_key = \"{SeedBase64}\"\n");
        var config = AsterConfig.FromEnvironment(Env(("ASTER_ENROLLMENT_CREDENTIAL", path)));

        var client = KeyResolution.ResolveSecretKey(config, null, isClient: true);
        Assert.Equal(NodeId, client.Key.PublicKey.ToString());

        var server = KeyResolution.ResolveSecretKey(config, null, isClient: false);
        Assert.Equal(ConfigSource.Ephemeral, server.Source);
        server.Key.Dispose();
    }
}
