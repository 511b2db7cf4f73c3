using System.Globalization;
using System.Text;

namespace Aster.Configuration.Toml;

/// <summary>Writes TOML keys, strings and values (used by the identity-file writer).</summary>
internal static class TomlWriter
{
    /// <summary>A key, bare when possible, else a quoted basic string.</summary>
    internal static string Key(string key)
        => key.Length > 0 && key.All(c => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-') ? key : Quote(key);

    /// <summary>A basic string with every character TOML requires escaped.</summary>
    internal static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < ' ' || c == '\u007F')
                    {
                        sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }

    /// <summary>Any parsed value, with tables written inline.</summary>
    internal static string Value(TomlValue value) => value.Kind switch
    {
        TomlValueKind.String => Quote(value.AsString),
        TomlValueKind.Integer => value.AsInteger.ToString(CultureInfo.InvariantCulture),
        TomlValueKind.Float => Float(value.AsFloat),
        TomlValueKind.Boolean => value.AsBoolean ? "true" : "false",
        TomlValueKind.Array => "[" + string.Join(", ", value.AsArray.Select(Value)) + "]",
        _ => InlineTable(value.AsTable),
    };

    internal static string InlineTable(TomlTable table)
        => table.Count == 0 ? "{}" : "{ " + string.Join(", ", table.Keys.Select(k => Key(k) + " = " + Value(table[k]))) + " }";

    private static string Float(double d)
    {
        if (double.IsNaN(d))
        {
            return "nan";
        }

        if (double.IsInfinity(d))
        {
            return d > 0 ? "inf" : "-inf";
        }

        string s = d.ToString("R", CultureInfo.InvariantCulture);
        return s.Contains('.', StringComparison.Ordinal) || s.Contains('E', StringComparison.Ordinal) ? s.Replace("E", "e", StringComparison.Ordinal) : s + ".0";
    }
}
