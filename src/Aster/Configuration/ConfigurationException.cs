using System.Globalization;
using System.Text;

namespace Aster.Configuration;

/// <summary>
/// A configuration, TOML or identity file, or environment variable could not be used. The message names the file,
/// line, column and key where known, and never contains a secret value.
/// </summary>
public sealed class ConfigurationException : Exception
{
    /// <summary>Creates an exception with a message only.</summary>
    public ConfigurationException()
        : this("invalid configuration")
    {
    }

    /// <summary>Creates an exception with a message only.</summary>
    /// <param name="message">The message.</param>
    public ConfigurationException(string message)
        : base(message)
    {
        Reason = message;
    }

    /// <summary>Creates an exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = message;
    }

    /// <summary>Creates an exception that names where the problem is.</summary>
    /// <param name="reason">What is wrong, without location.</param>
    /// <param name="file">The file, or null.</param>
    /// <param name="line">The 1-based line, or 0 when unknown.</param>
    /// <param name="column">The 1-based column, or 0 when unknown.</param>
    /// <param name="key">The key or environment variable, or null.</param>
    public ConfigurationException(string reason, string? file, int line, int column, string? key)
        : base(Format(reason, file, line, column, key))
    {
        Reason = reason;
        File = file;
        Line = line;
        Column = column;
        Key = key;
    }

    /// <summary>What is wrong, without the location.</summary>
    public string Reason { get; }

    /// <summary>The file, when the problem is in a file.</summary>
    public string? File { get; }

    /// <summary>The 1-based line, or 0 when unknown.</summary>
    public int Line { get; }

    /// <summary>The 1-based column, or 0 when unknown.</summary>
    public int Column { get; }

    /// <summary>The key (dotted, e.g. <c>trust.root_pubkey</c>) or environment variable name, when known.</summary>
    public string? Key { get; }

    private static string Format(string reason, string? file, int line, int column, string? key)
    {
        var sb = new StringBuilder();
        if (file is not null)
        {
            sb.Append(file);
        }

        if (line > 0)
        {
            sb.Append(file is null ? "line " : ":").Append(line.ToString(CultureInfo.InvariantCulture));
            if (column > 0)
            {
                sb.Append(':').Append(column.ToString(CultureInfo.InvariantCulture));
            }
        }

        if (sb.Length > 0)
        {
            sb.Append(": ");
        }

        sb.Append(reason);
        if (key is not null)
        {
            sb.Append(" (key '").Append(key).Append("')");
        }

        return sb.ToString();
    }
}
