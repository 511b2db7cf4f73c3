using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Aster.Net.Identity;
using Aster.Trust;

namespace Aster.Cli.Keys;

/// <summary>The key files of config-and-cli.md 7.1: the root key and its <c>.pub</c>, and the node key file.</summary>
internal static class KeyFiles
{
    /// <summary>The default root key file name under <c>~/.aster</c>.</summary>
    public const string RootKeyFileName = "root.key";

    /// <summary>The default node key file name under <c>~/.aster</c>.</summary>
    public const string NodeKeyFileName = "node.key";

    /// <summary>The public file next to a key file: the extension replaced by <c>.pub</c>.</summary>
    public static string PublicFileFor(string keyPath) => Path.ChangeExtension(keyPath, ".pub");

    /// <summary>Writes a new root key file (exclusive create, mode 0600) and its <c>.pub</c>.</summary>
    /// <exception cref="CliException">The key file exists already; it is never overwritten.</exception>
    public static void WriteRootKey(string path, RootKey key)
    {
        WriteSecret(path, key.ToKeyFileJson() + "\n");
        File.WriteAllText(PublicFileFor(path), key.ToPublicKeyFileJson() + "\n", new UTF8Encoding(false));
    }

    /// <summary>Reads a root key file.</summary>
    /// <exception cref="CliException">The file does not exist.</exception>
    /// <exception cref="TrustFormatException">The file is malformed.</exception>
    public static RootKey ReadRootKey(string path)
    {
        if (!File.Exists(path))
        {
            throw CliException.Failed($"root key file not found: {path} (create one with 'aster keygen root')");
        }

        return RootKey.FromKeyFileJson(File.ReadAllText(path));
    }

    /// <summary>Writes a new node key file <c>{"secret_key": hex, "node_id": hex}</c> (exclusive create, mode 0600).</summary>
    public static void WriteNodeKey(string path, SecretKey key)
    {
        byte[] seed = key.ToBytes();
        try
        {
            WriteSecret(path, Indented(w =>
            {
                w.WriteString("secret_key", Convert.ToHexStringLower(seed));
                w.WriteString("node_id", key.PublicKey.ToString());
            }));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>A JSON object with two-space indentation and a final newline.</summary>
    public static string Indented(Action<Utf8JsonWriter> writeProperties)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, IndentSize = 2 }))
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>Parses an expiry: ISO-8601 (no offset means UTC) or a relative duration <c>30d</c>, <c>24h</c>, <c>90m</c>, <c>3600s</c>.</summary>
    /// <exception cref="CliException">Neither form (usage error), or not in the future.</exception>
    public static DateTimeOffset ParseExpiry(string? text, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return now.AddDays(30);
        }

        text = text.Trim();
        if (text.Length >= 2 && char.IsAsciiLetter(text[^1])
            && long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out long amount))
        {
            TimeSpan unit = char.ToLowerInvariant(text[^1]) switch
            {
                'd' => TimeSpan.FromDays(1),
                'h' => TimeSpan.FromHours(1),
                'm' => TimeSpan.FromMinutes(1),
                's' => TimeSpan.FromSeconds(1),
                _ => throw CliException.Usage($"--expires '{text}': the unit must be d, h, m or s"),
            };
            if (amount <= 0 || amount > 36500L * 86400 / (long)unit.TotalSeconds)
            {
                throw CliException.Usage($"--expires '{text}': the duration must be positive and under 100 years");
            }

            return now + TimeSpan.FromSeconds(amount * unit.TotalSeconds);
        }

        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset at))
        {
            throw CliException.Usage($"--expires '{text}' is neither ISO-8601 nor a duration like 30d, 24h, 90m or 3600s");
        }

        return at > now ? at : throw CliException.Usage($"--expires '{text}' is in the past");
    }

    private static void WriteSecret(string path, string content)
    {
        string? dir = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        FileStream stream;
        try
        {
            stream = new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            throw CliException.Failed($"{path} exists already; it is never overwritten");
        }

        using (stream)
        {
            stream.Write(new UTF8Encoding(false).GetBytes(content));
        }
    }
}
