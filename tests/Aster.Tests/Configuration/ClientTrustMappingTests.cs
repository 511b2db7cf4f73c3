using Aster.Configuration;
using Aster.Configuration.Identity;
using Aster.Net.Identity;
using Aster.Trust;

namespace Aster.Tests.Configuration;

public sealed class ClientTrustMappingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aster-clicfg-").FullName;
    private readonly RootKey _root = RootKey.Generate();

    public void Dispose()
    {
        _root.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static DictionaryEnvironmentSource Env(params (string Name, string Value)[] vars)
        => new(vars.Select(v => KeyValuePair.Create(v.Name, v.Value)));

    private AsterIdentityPeer Consumer(string name, EndpointId? boundTo, long expiresAt = 1893456000)
    {
        ConsumerEnrollmentCredential cred = _root.SignConsumer(ConsumerCredentialType.Policy, boundTo, (ulong)expiresAt, new Dictionary<string, string>(), null);
        return new AsterIdentityPeer
        {
            Name = name,
            Role = "consumer",
            RootPubkey = Convert.ToHexStringLower(_root.PublicKey),
            EndpointId = boundTo?.ToString(),
            ExpiresAt = expiresAt,
            Signature = Convert.ToHexStringLower(cred.Signature),
        };
    }

    private string Write(AsterIdentityFile file, string name = AsterIdentityFile.DefaultFileName)
    {
        string path = Path.Combine(_dir, name);
        file.Write(path);
        return path;
    }

    [Fact]
    public void NoIdentityFile_EphemeralKeyNoCredential()
    {
        var r = ClientTrustMapping.ResolveClientIdentity(AsterConfig.FromEnvironment(Env()), environment: Env(), workingDirectory: _dir);
        using var key = r.SecretKey;
        Assert.Null(r.CredentialJson);
        Assert.Equal(ConfigSourceKind.Ephemeral, r.KeySource.Kind);
        Assert.Contains(r.Notes, n => n.Contains("no identity file", StringComparison.Ordinal));
    }

    [Fact]
    public void FirstConsumerEntry_IsPresented_WithTheFileNodeKey()
    {
        using var node = SecretKey.Generate();
        var producer = new AsterIdentityPeer { Name = "prod", Role = "producer", RootPubkey = Convert.ToHexStringLower(_root.PublicKey), EndpointId = node.PublicKey.ToString(), ExpiresAt = 1893456000, Signature = new string('a', 128) };
        Write(new AsterIdentityFile(node, [producer, Consumer("reader", node.PublicKey)]));
        var r = ClientTrustMapping.ResolveClientIdentity(AsterConfig.FromEnvironment(Env()), environment: Env(), workingDirectory: _dir);
        Assert.Equal("reader", r.Peer!.Name);
        Assert.Equal(node.PublicKey, r.SecretKey.PublicKey);
        var presented = ConsumerEnrollmentCredential.Parse(r.CredentialJson!);
        Assert.True(presented.VerifySignature());
        Assert.Empty(r.Notes);
    }

    [Fact]
    public void PeerByName_FromAsterIdentityFileVariable()
    {
        using var node = SecretKey.Generate();
        string path = Write(new AsterIdentityFile(node, [Consumer("a", null), Consumer("b", node.PublicKey)]), "elsewhere.aster-identity");
        var env = Env((AsterIdentityFile.EnvironmentVariable, path));
        var r = ClientTrustMapping.ResolveClientIdentity(AsterConfig.FromEnvironment(env), peerName: "b", environment: env, workingDirectory: Path.GetTempPath());
        Assert.Equal("b", r.Peer!.Name);
        Assert.Equal(path, r.IdentityPath);
        Assert.Equal(node.PublicKey.ToString(), ConsumerEnrollmentCredential.Parse(r.CredentialJson!).EndpointId);
    }

    [Fact]
    public void UnknownPeerName_Throws()
    {
        using var node = SecretKey.Generate();
        Write(new AsterIdentityFile(node, [Consumer("a", null)]));
        var ex = Assert.Throws<ConfigurationException>(() => ClientTrustMapping.ResolveClientIdentity(AsterConfig.FromEnvironment(Env()), peerName: "zzz", environment: Env(), workingDirectory: _dir));
        Assert.Contains("zzz", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProducerEntryByName_Throws()
    {
        using var node = SecretKey.Generate();
        var producer = new AsterIdentityPeer { Name = "prod", Role = "producer", RootPubkey = Convert.ToHexStringLower(_root.PublicKey), EndpointId = node.PublicKey.ToString(), ExpiresAt = 1893456000, Signature = new string('a', 128) };
        Write(new AsterIdentityFile(node, [producer]));
        Assert.Throws<ConfigurationException>(() => ClientTrustMapping.ResolveClientIdentity(AsterConfig.FromEnvironment(Env()), peerName: "prod", environment: Env(), workingDirectory: _dir));
    }

    [Fact]
    public void EntryBoundToAnotherKey_FailsBeforeDialling()
    {
        using var node = SecretKey.Generate();
        using var other = SecretKey.Generate();
        Write(new AsterIdentityFile(node, [Consumer("a", other.PublicKey)]));
        var ex = Assert.Throws<ConfigurationException>(() => ClientTrustMapping.ResolveClientIdentity(AsterConfig.FromEnvironment(Env()), environment: Env(), workingDirectory: _dir));
        Assert.Contains("bound", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExpiredEntry_IsPresentedWithAWarning()
    {
        using var node = SecretKey.Generate();
        Write(new AsterIdentityFile(node, [Consumer("old", node.PublicKey, expiresAt: 1_000_000)]));
        var r = ClientTrustMapping.ResolveClientIdentity(AsterConfig.FromEnvironment(Env()), environment: Env(), workingDirectory: _dir);
        Assert.NotNull(r.CredentialJson);
        Assert.Contains(r.Notes, n => n.Contains("expired", StringComparison.Ordinal));
    }

    [Fact]
    public void JsonEnrollmentCredentialFile_WinsOverIdentityEntries()
    {
        using var node = SecretKey.Generate();
        Write(new AsterIdentityFile(node, [Consumer("a", node.PublicKey)]));
        string json = _root.SignConsumer(ConsumerCredentialType.Policy, null, 1893456000, new Dictionary<string, string> { ["team"] = "x" }, null).ToFileJson();
        string credPath = Path.Combine(_dir, "reader.cred.json");
        File.WriteAllText(credPath, json);
        var env = Env(("ASTER_ENROLLMENT_CREDENTIAL", credPath));
        var r = ClientTrustMapping.ResolveClientIdentity(AsterConfig.FromEnvironment(env), environment: env, workingDirectory: _dir);
        Assert.Equal(json, r.CredentialJson);
        Assert.Null(r.Peer);
        Assert.Equal(node.PublicKey, r.SecretKey.PublicKey);
    }

    [Fact]
    public void MissingEnrollmentCredentialFile_Throws()
    {
        var env = Env(("ASTER_ENROLLMENT_CREDENTIAL", Path.Combine(_dir, "absent.json")));
        Assert.Throws<ConfigurationException>(() => ClientTrustMapping.ResolveClientIdentity(AsterConfig.FromEnvironment(env), environment: env, workingDirectory: _dir));
    }
}
