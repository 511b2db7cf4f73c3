using Aster.Configuration;
using Aster.Server;

namespace Aster.Tests.Configuration;

/// <summary>The node's exclusive lock on <c>&lt;StoragePath&gt;/.lock</c> (config-and-cli.md 8).</summary>
public sealed class StorageLockTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "aster-lock-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void Acquire_CreatesThePrivateDirectory_AndRefusesASecondHolderUntilReleased()
    {
        string storage = Path.Combine(_root, "node", "state");
        StorageLock first = StorageLock.Acquire(storage);
        Assert.Equal(Path.Combine(storage, ".lock"), first.Path);
        Assert.True(File.Exists(first.Path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(storage));
        }

        var ex = Assert.Throws<ConfigurationException>(() => StorageLock.Acquire(storage));
        Assert.Contains($"storage path '{storage}' is in use by another node", ex.Message);
        Assert.Contains(first.Path, ex.Message);

        first.Dispose();
        using StorageLock again = StorageLock.Acquire(storage);
        Assert.Equal(first.Path, again.Path);
    }

    [Fact]
    public void Acquire_PathThatIsAFile_IsAConfigurationError()
    {
        Directory.CreateDirectory(_root);
        string file = Path.Combine(_root, "not-a-directory");
        File.WriteAllText(file, "x");
        var ex = Assert.Throws<ConfigurationException>(() => StorageLock.Acquire(file));
        Assert.Contains($"storage path '{file}' cannot be used", ex.Message);
    }

    [Fact]
    public void ServerTrust_WithAStoragePath_HoldsTheLockForTheAuthoritysLifetime()
    {
        string storage = Path.Combine(_root, "store");
        var env = new DictionaryEnvironmentSource([KeyValuePair.Create("ASTER_STORAGE_PATH", storage)]);
        AsterConfig config = AsterConfig.FromEnvironment(env);

        // Dev mode (no root key anywhere) still takes the node's storage lock.
        var firstOptions = new AsterServerOptions();
        Aster.Trust.TrustAuthority first = config.ApplyIdentityAndTrust(firstOptions, env, _root);
        Assert.True(first.IsDevMode);
        var secondOptions = new AsterServerOptions();
        var ex = Assert.Throws<ConfigurationException>(() => config.ApplyIdentityAndTrust(secondOptions, env, _root));
        Assert.Contains("is in use by another node", ex.Message);
        Assert.Null(secondOptions.Admission);

        first.Dispose();
        firstOptions.SecretKey?.Dispose();
        var thirdOptions = new AsterServerOptions();
        using Aster.Trust.TrustAuthority third = config.ApplyIdentityAndTrust(thirdOptions, env, _root);
        thirdOptions.SecretKey?.Dispose();
    }
}
