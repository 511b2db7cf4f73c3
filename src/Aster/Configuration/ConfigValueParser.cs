using System.Globalization;
using Aster.Configuration.Toml;
using Aster.Net.Identity;

namespace Aster.Configuration;

/// <summary>Parses field values from environment text and TOML values (config-and-cli.md sections 2 and 3).</summary>
internal static class ConfigValueParser
{
    /// <summary>Parses an environment variable's text. Returns null when the value means "unset".</summary>
    internal static object? FromText(ConfigField field, string raw, string variable)
    {
        string text = raw.Trim();
        if (text.Length == 0)
        {
            // An empty ASTER_IDENTITY_FILE disables lookup; every other empty value means unset.
            return field.Name == "identity_file" ? string.Empty : null;
        }

        return Convert(field, text, e => new ConfigurationException(e, null, 0, 0, variable));
    }

    /// <summary>Parses a TOML value with the strict typing of section 3.</summary>
    internal static object FromToml(ConfigField field, TomlValue value, string file, string key)
    {
        ConfigurationException Fail(string reason) => new(reason, file, value.Line, value.Column, key);
        switch (field.Type)
        {
            case FieldType.Bool:
                if (value.Kind == TomlValueKind.Boolean)
                {
                    return value.AsBoolean;
                }

                if (value.Kind == TomlValueKind.String)
                {
                    return Convert(field, value.AsString.Trim(), Fail);
                }

                throw Fail($"expected a boolean, found a {value.KindName()}");
            case FieldType.Int or FieldType.Port or FieldType.PositiveInt:
                if (value.Kind != TomlValueKind.Integer)
                {
                    throw Fail($"expected an integer, found a {value.KindName()}");
                }

                return CheckInt(field, value.AsInteger, Fail);
            case FieldType.List:
                if (value.Kind == TomlValueKind.String)
                {
                    return Convert(field, value.AsString, Fail);
                }

                if (value.Kind != TomlValueKind.Array)
                {
                    throw Fail($"expected an array of strings, found a {value.KindName()}");
                }

                var items = new List<string>();
                foreach (var item in value.AsArray)
                {
                    if (item.Kind != TomlValueKind.String)
                    {
                        throw Fail($"expected an array of strings, found an element that is a {item.KindName()}");
                    }

                    items.Add(item.AsString.Trim());
                }

                return items.AsReadOnly();
            default:
                if (value.Kind != TomlValueKind.String)
                {
                    throw Fail($"expected a string, found a {value.KindName()}");
                }

                return Convert(field, field.Type is FieldType.SecretKey ? value.AsString : value.AsString.Trim(), Fail);
        }
    }

    private static object Convert(ConfigField field, string text, Func<string, ConfigurationException> fail)
    {
        switch (field.Type)
        {
            case FieldType.Bool:
                return ParseBool(text) ?? throw fail("invalid boolean; expected 1, true, yes, on, 0, false, no or off");
            case FieldType.Int or FieldType.Port or FieldType.PositiveInt:
                if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n))
                {
                    throw fail("invalid integer; expected decimal digits");
                }

                return CheckInt(field, n, fail);
            case FieldType.Path:
                return ExpandHome(text);
            case FieldType.NonceStore:
                return string.Equals(text, "memory", StringComparison.Ordinal) ? text : ExpandHome(text);
            case FieldType.SecretKey:
                return ParseSecretKey(text, fail);
            case FieldType.PublicKey:
                return ParsePublicKey(text, fail);
            case FieldType.LogFormat:
                return text.ToUpperInvariant() switch
                {
                    "TEXT" => AsterLogFormat.Text,
                    "JSON" => AsterLogFormat.Json,
                    _ => throw fail("invalid log format; expected text or json"),
                };
            case FieldType.LogLevel:
                return text.ToUpperInvariant() switch
                {
                    "DEBUG" => AsterLogLevel.Debug,
                    "INFO" => AsterLogLevel.Info,
                    "WARNING" or "WARN" => AsterLogLevel.Warning,
                    "ERROR" => AsterLogLevel.Error,
                    _ => throw fail("invalid log level; expected debug, info, warning or error"),
                };
            case FieldType.List:
                return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList().AsReadOnly();
            default:
                return text;
        }
    }

    internal static bool? ParseBool(string text) => text.Trim().ToUpperInvariant() switch
    {
        "1" or "TRUE" or "YES" or "ON" => true,
        "0" or "FALSE" or "NO" or "OFF" => false,
        _ => null,
    };

    private static int CheckInt(ConfigField field, long n, Func<string, ConfigurationException> fail)
    {
        (long min, long max) = field.Type switch
        {
            FieldType.Port => (0L, 65535L),
            FieldType.PositiveInt => (1L, int.MaxValue),
            _ => (0L, int.MaxValue),
        };
        if (n < min || n > max)
        {
            throw fail($"integer out of range; expected {min} to {max}");
        }

        return (int)n;
    }

    /// <summary>Decodes standard base64 of a 32-byte seed. The message never contains the value.</summary>
    internal static SecretKey ParseSecretKey(string text, Func<string, ConfigurationException> fail)
    {
        byte[] seed = new byte[SecretKey.Length];
        try
        {
            if (!System.Convert.TryFromBase64String(text.Trim(), seed, out int written) || written != SecretKey.Length)
            {
                throw fail("invalid secret key; expected standard base64 of 32 bytes");
            }

            return SecretKey.FromBytes(seed);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(seed);
        }
    }

    internal static EndpointId ParsePublicKey(string text, Func<string, ConfigurationException> fail)
    {
        if (text.Length != 64 || !text.All(char.IsAsciiHexDigit))
        {
            throw fail("invalid public key; expected 64 hex characters");
        }

        return EndpointId.FromBytes(System.Convert.FromHexString(text));
    }

    internal static string ExpandHome(string path)
    {
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal))
        {
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return path.Length == 1 ? home : Path.Combine(home, path[2..]);
        }

        return path;
    }
}
