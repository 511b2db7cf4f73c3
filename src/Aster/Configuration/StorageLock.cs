namespace Aster.Configuration;

/// <summary>
/// The exclusive lock a node holds on <c>&lt;StoragePath&gt;/.lock</c> for as long as it runs (config-and-cli.md 8),
/// so a second process using the same storage path fails at startup instead of sharing state it does not expect to
/// share. The lock is an open file handle with no sharing (an OS file lock), so it is released when the process ends,
/// however it ends.
/// </summary>
public sealed class StorageLock : IDisposable
{
    /// <summary>The lock file's name inside the storage path.</summary>
    public const string FileName = ".lock";

    private readonly FileStream _handle;

    private StorageLock(string path, FileStream handle)
    {
        Path = path;
        _handle = handle;
    }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>
    /// Creates the storage directory if needed (mode 0700) and takes the lock at once, without waiting.
    /// </summary>
    /// <param name="storagePath">The node's storage path.</param>
    /// <returns>The held lock; dispose it to release.</returns>
    /// <exception cref="ConfigurationException">Another process (or another node in this one) holds the lock, or the
    /// directory or lock file cannot be created.</exception>
    public static StorageLock Acquire(string storagePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(storagePath);
        string path = System.IO.Path.Combine(storagePath, FileName);
        try
        {
            CreatePrivateDirectory(storagePath);
            var handle = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return new StorageLock(path, handle);
        }
        catch (IOException ex) when (File.Exists(path))
        {
            throw new ConfigurationException($"storage path '{storagePath}' is in use by another node: {path} is locked (give each node its own storage_path / ASTER_STORAGE_PATH)", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"storage path '{storagePath}' cannot be used: {ex.Message}", ex);
        }
    }

    /// <summary>Releases the lock (the file stays, empty and unlocked).</summary>
    public void Dispose() => _handle.Dispose();

    /// <summary>Creates a directory (and its parents) with mode 0700 where the OS has modes.</summary>
    /// <param name="path">The directory.</param>
    internal static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
