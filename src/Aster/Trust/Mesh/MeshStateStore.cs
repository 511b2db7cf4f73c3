namespace Aster.Trust.Mesh;

/// <summary>
/// <c>mesh_state.json</c> in the mesh state directory (trust.md 9.3), written with <see cref="DurableFile"/> (temporary
/// file, flush, rename, mode 0600) under an exclusive sibling lock file, as the nonce store does.
/// </summary>
internal sealed class MeshStateStore
{
    /// <summary>The state file's name.</summary>
    public const string FileName = "mesh_state.json";

    /// <summary>The reference's legacy 32-byte salt file, adopted when founding (trust.md 9.1).</summary>
    public const string LegacySaltFileName = "mesh_salt";

    /// <summary>The largest state file read (16 MiB).</summary>
    public const long MaxFileSize = 16L * 1024 * 1024;

    private readonly string _lockPath;

    public MeshStateStore(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
        FilePath = Path.Combine(Directory, FileName);
        _lockPath = FilePath + ".lock";
    }

    public string Directory { get; }

    public string FilePath { get; }

    /// <summary>Loads the state, or null when no state file exists.</summary>
    /// <exception cref="MeshException">The file exists but is unreadable or corrupt; the message names it.</exception>
    public MeshState? Load()
    {
        using FileStream guard = DurableFile.AcquireLock(_lockPath);
        byte[]? data;
        try
        {
            data = DurableFile.ReadIfExists(FilePath, MaxFileSize, "mesh state");
        }
        catch (TrustFormatException ex)
        {
            throw new MeshException(ex.Message, ex);
        }
        catch (IOException ex)
        {
            throw new MeshException($"mesh state '{FilePath}' cannot be read", ex);
        }

        try
        {
            return data is null ? null : MeshState.Parse(data);
        }
        catch (TrustFormatException ex)
        {
            throw new MeshException($"mesh state '{FilePath}' is corrupt: {ex.Message}", ex);
        }
    }

    /// <summary>Writes the state durably before returning.</summary>
    /// <exception cref="IOException">The write failed; the previous file is intact.</exception>
    public void Save(MeshState state)
    {
        byte[] json = state.ToJson();
        using FileStream guard = DurableFile.AcquireLock(_lockPath);
        DurableFile.WriteAtomic(FilePath, json);
    }

    /// <summary>The reference's legacy salt file when it holds exactly 32 bytes, else null.</summary>
    public byte[]? ReadLegacySalt()
    {
        string path = Path.Combine(Directory, LegacySaltFileName);
        if (!File.Exists(path) || new FileInfo(path).Length != 32)
        {
            return null;
        }

        return File.ReadAllBytes(path);
    }
}
