using System.Globalization;
using System.Runtime.InteropServices;

namespace Aster.Trust;

/// <summary>
/// The durability machinery of the trust stores (trust.md section 5): a cross-process lock file, bounded reads, and
/// atomic replacement (temporary file in the same directory, flush to disk, rename over the target, flush the
/// directory so the rename itself survives a crash).
/// </summary>
internal static partial class DurableFile
{
    private static readonly TimeSpan _lockTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Takes the exclusive lock file <paramref name="lockPath"/>, waiting up to 5 s for another holder (in this or
    /// another process); dispose the stream to release it.
    /// </summary>
    /// <exception cref="IOException">The lock is still held after 5 s.</exception>
    public static FileStream AcquireLock(string lockPath)
    {
        DateTime until = DateTime.UtcNow + _lockTimeout;
        while (true)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < until)
            {
                Thread.Sleep(10);
            }
        }
    }

    /// <summary>Reads a whole store file without a UTF-8 byte-order mark, or null when it does not exist.</summary>
    /// <exception cref="TrustFormatException">The file is larger than <paramref name="maxSize"/>; the message names it.</exception>
    public static byte[]? ReadIfExists(string path, long maxSize, string what)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        byte[] data;
        using (FileStream fs = new(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            if (fs.Length > maxSize)
            {
                throw new TrustFormatException($"{what} '{path}' is larger than {maxSize} bytes");
            }

            data = new byte[fs.Length];
            fs.ReadExactly(data);
        }

        ReadOnlySpan<byte> bom = [0xEF, 0xBB, 0xBF];
        return data.AsSpan().StartsWith(bom) ? data[3..] : data;
    }

    /// <summary>Replaces <paramref name="path"/> with <paramref name="content"/> atomically and durably (mode 0600).</summary>
    /// <exception cref="IOException">A step failed; the target is unchanged.</exception>
    public static void WriteAtomic(string path, ReadOnlySpan<byte> content)
    {
        string temp = path + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            FileStreamOptions options = new() { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (FileStream fs = new(temp, options))
            {
                fs.Write(content);
                fs.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temp);
            }
            catch (IOException)
            {
                // Best effort; the original error matters.
            }

            throw;
        }

        FlushDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>
    /// Flushes a directory's entries to disk (POSIX <c>fsync</c> on the directory), so a completed rename survives a
    /// power loss. Windows has no such call (NTFS journals renames); there it does nothing.
    /// </summary>
    /// <exception cref="IOException">The directory could not be opened or flushed.</exception>
    public static void FlushDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        int fd = Open(directory, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory '{directory}' to flush it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"cannot flush directory '{directory}' (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
