using System.Text.Json;
using Aster.Protocol.Json;

namespace Aster.Trust;

/// <summary>
/// The durable nonce store (trust.md section 5): <c>nonces.json</c> version 2, rewritten atomically (temporary file,
/// flush to disk, rename over the store) under an exclusive sibling <c>.lock</c> file before a consume returns.
/// It reloads the file on every consume, so several processes may share it.
/// </summary>
public sealed class FileNonceStore : NonceStoreBase, IDisposable
{
    /// <summary>The largest store file read (64 MiB).</summary>
    public const long MaxFileSize = 64L * 1024 * 1024;

    private static readonly TimeSpan _lockTimeout = TimeSpan.FromSeconds(5);
    private readonly string _path;
    private readonly string _lockPath;
    private bool _disposed;

    /// <summary>Opens (or creates on first write) the store at <paramref name="path"/>, loading it and collecting expired entries.</summary>
    /// <param name="path">The store file, e.g. <c>~/.aster/nonces.json</c>.</param>
    /// <param name="time">The clock; the system clock when null.</param>
    /// <param name="maxEntries">Maximum live entries.</param>
    /// <exception cref="TrustFormatException">The file exists but cannot be parsed; the message names the file.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public FileNonceStore(string path, TimeProvider? time = null, int maxEntries = DefaultMaxEntries)
        : base(time, maxEntries)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _path = Path.GetFullPath(path);
        _lockPath = _path + ".lock";
        string? dir = Path.GetDirectoryName(_path);
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        using FileStream guard = AcquireLock();
        Load();
        if (CollectInTable() > 0)
        {
            Save();
        }
    }

    /// <summary>The store file's full path.</summary>
    public string FilePath => _path;

    /// <inheritdoc />
    public void Dispose() => _disposed = true;

    private protected override NonceConsumeResult ConsumeLocked(string key, ulong expiresAt, string endpointId)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using FileStream guard = AcquireLock();
        Load();
        int collected = CollectInTable();
        NonceConsumeResult result = ConsumeInTable(key, expiresAt, endpointId);
        if (result == NonceConsumeResult.Consumed || collected > 0)
        {
            Save();
        }

        return result;
    }

    private protected override bool IsConsumedLocked(string key)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using FileStream guard = AcquireLock();
        Load();
        return Entries.ContainsKey(key);
    }

    private protected override int CollectLocked()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using FileStream guard = AcquireLock();
        Load();
        int n = CollectInTable();
        if (n > 0)
        {
            Save();
        }

        return n;
    }

    private FileStream AcquireLock() => DurableFile.AcquireLock(_lockPath, _lockTimeout);

    private void Load()
    {
        Entries.Clear();
        if (!File.Exists(_path))
        {
            return;
        }

        byte[] data;
        using (FileStream fs = new(_path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            if (fs.Length > MaxFileSize)
            {
                throw new TrustFormatException($"nonce store '{_path}' is larger than {MaxFileSize} bytes");
            }

            data = new byte[fs.Length];
            fs.ReadExactly(data);
        }

        try
        {
            ReadOnlySpan<byte> bom = [0xEF, 0xBB, 0xBF];
            Parse(data.AsSpan().StartsWith(bom) ? data[3..] : data);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            Entries.Clear();
            throw new TrustFormatException($"nonce store '{_path}' is corrupt", ex);
        }
    }

    private void Parse(byte[] data)
    {
        using JsonDocument doc = JsonDocument.Parse(data, new JsonDocumentOptions { MaxDepth = 8 });
        JsonElement root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("consumed", out JsonElement consumed))
        {
            throw new FormatException("no 'consumed' member");
        }

        if (consumed.ValueKind == JsonValueKind.Array)
        {
            // The reference format: a sorted list of hex nonces with no expiry; kept forever.
            foreach (JsonElement e in consumed.EnumerateArray())
            {
                string hex = e.GetString() ?? throw new FormatException("null nonce");
                Entries[CheckedNonce(hex)] = new NonceEntry(ulong.MaxValue, string.Empty);
            }

            return;
        }

        if (!root.TryGetProperty("version", out JsonElement version) || version.GetInt32() != 2 || consumed.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("unsupported version");
        }

        foreach (JsonProperty p in consumed.EnumerateObject())
        {
            ulong expires = p.Value.GetProperty("expires_at").GetUInt64();
            string endpoint = p.Value.GetProperty("endpoint_id").GetString() ?? throw new FormatException("null endpoint");
            if (endpoint.Length != 0 && !TrustJson.IsLowerHex64(endpoint))
            {
                throw new FormatException("bad endpoint id");
            }

            Entries[CheckedNonce(p.Name)] = new NonceEntry(expires, endpoint);
        }
    }

    private static string CheckedNonce(string hex)
    {
        if (!TrustJson.IsLowerHex64(hex.ToLowerInvariant()))
        {
            throw new FormatException("bad nonce");
        }

        return hex.ToLowerInvariant();
    }

    private void Save()
    {
        byte[] json = PythonJson.Compact(w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("version");
            w.WriteNumber(2L);
            w.WritePropertyName("consumed");
            w.WriteStartObject();
            foreach (KeyValuePair<string, NonceEntry> kv in Entries.OrderBy(k => k.Key, StringComparer.Ordinal))
            {
                // A reference-format entry (unknown expiry and endpoint) is written with expires_at 2^64-1 and
                // endpoint_id "", so it is kept forever.
                w.WritePropertyName(kv.Key);
                w.WriteStartObject();
                w.WritePropertyName("expires_at");
                w.WriteNumber(kv.Value.ExpiresAt);
                w.WritePropertyName("endpoint_id");
                w.WriteString(kv.Value.EndpointId);
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        });
        DurableFile.WriteAtomic(_path, json);
    }
}

/// <summary>
/// Atomic, durable file replacement (temporary file, flush to disk, rename over the target) and
/// the cross-process exclusive lock file that guards a load-check-save sequence.
/// </summary>
internal static class DurableFile
{
    /// <summary>
    /// Opens <paramref name="lockPath"/> exclusively, retrying every 10 ms until <paramref name="timeout"/> passes;
    /// disposing the returned stream releases the lock.
    /// </summary>
    /// <exception cref="IOException">The lock stayed held by another process or thread for the whole timeout.</exception>
    public static FileStream AcquireLock(string lockPath, TimeSpan timeout)
    {
        DateTime until = DateTime.UtcNow + timeout;
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

    /// <summary>Replaces <paramref name="path"/> with <paramref name="content"/> atomically and durably.</summary>
    public static void WriteAtomic(string path, ReadOnlySpan<byte> content)
    {
        string temp = path + "." + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "." + Guid.NewGuid().ToString("N") + ".tmp";
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
    }
}

