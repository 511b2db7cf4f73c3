using System.Globalization;
using System.Text;

namespace Aster.Contracts;

/// <summary>An ordered JSON object for <see cref="PythonJson"/>.</summary>
internal sealed class JsonObjectBuilder : List<KeyValuePair<string, object?>>
{
    public void Add(string key, object? value) => Add(new KeyValuePair<string, object?>(key, value));
}

/// <summary>
/// Writes JSON exactly as Python's <c>json.dumps(value, indent=2)</c> does: 2-space indentation, <c>", "</c>-free
/// separators at line ends, <c>": "</c> after keys, non-ASCII and control characters escaped as <c>\uXXXX</c>, floats
/// in Python's repr form.
/// </summary>
internal static class PythonJson
{
    public static string Serialize(object? value)
    {
        StringBuilder builder = new();
        Write(builder, value, 0);
        return builder.ToString();
    }

    private static void Write(StringBuilder builder, object? value, int depth)
    {
        switch (value)
        {
            case null:
                builder.Append("null");
                break;
            case bool b:
                builder.Append(b ? "true" : "false");
                break;
            case string s:
                WriteString(builder, s);
                break;
            case double d:
                builder.Append(FormatFloat(d));
                break;
            case float f:
                builder.Append(FormatFloat(f));
                break;
            case int or long or uint or ulong or short or ushort or byte or sbyte:
                builder.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
            case JsonObjectBuilder obj:
                WriteObject(builder, obj, depth);
                break;
            case System.Collections.IEnumerable list:
                WriteList(builder, list.Cast<object?>().ToList(), depth);
                break;
            default:
                WriteString(builder, Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty);
                break;
        }
    }

    private static void WriteObject(StringBuilder builder, JsonObjectBuilder obj, int depth)
    {
        if (obj.Count == 0)
        {
            builder.Append("{}");
            return;
        }

        builder.Append('{');
        for (int i = 0; i < obj.Count; i++)
        {
            builder.Append(i == 0 ? "\n" : ",\n").Append(' ', (depth + 1) * 2);
            WriteString(builder, obj[i].Key);
            builder.Append(": ");
            Write(builder, obj[i].Value, depth + 1);
        }

        builder.Append('\n').Append(' ', depth * 2).Append('}');
    }

    private static void WriteList(StringBuilder builder, List<object?> list, int depth)
    {
        if (list.Count == 0)
        {
            builder.Append("[]");
            return;
        }

        builder.Append('[');
        for (int i = 0; i < list.Count; i++)
        {
            builder.Append(i == 0 ? "\n" : ",\n").Append(' ', (depth + 1) * 2);
            Write(builder, list[i], depth + 1);
        }

        builder.Append('\n').Append(' ', depth * 2).Append(']');
    }

    private static void WriteString(StringBuilder builder, string value)
    {
        builder.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case '\b':
                    builder.Append("\\b");
                    break;
                case '\f':
                    builder.Append("\\f");
                    break;
                default:
                    if (c < ' ' || c > '~')
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }

    /// <summary>Python's float repr: shortest round-trip digits, <c>.0</c> on integral values, exponent form outside 1e-4 ≤ |x| &lt; 1e16.</summary>
    internal static string FormatFloat(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "Infinity" : "-Infinity";
        }

        double magnitude = Math.Abs(value);
        if (magnitude == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }

        string shortest = value.ToString("R", CultureInfo.InvariantCulture);
        if (magnitude >= 1e-4 && magnitude < 1e16)
        {
            if (value == Math.Floor(value))
            {
                return ((long)value).ToString(CultureInfo.InvariantCulture) + ".0";
            }

            return shortest.Contains('E', StringComparison.Ordinal)
                ? value.ToString("0.#################", CultureInfo.InvariantCulture)
                : shortest;
        }

        // Exponent form: C# writes "1E-05" where Python writes "1e-05", and may write large values without an exponent.
        if (shortest.Contains('E', StringComparison.Ordinal))
        {
            return shortest.Replace('E', 'e');
        }

        string sign = value < 0 ? "-" : string.Empty;
        string digits = shortest.TrimStart('-');
        int point = digits.IndexOf('.', StringComparison.Ordinal);
        string integral = point < 0 ? digits : digits[..point];
        string all = (integral + (point < 0 ? string.Empty : digits[(point + 1)..])).TrimEnd('0');
        int exponent = integral.Length - 1;
        string mantissa = all.Length <= 1 ? all : all[0] + "." + all[1..];
        return sign + mantissa + "e+" + exponent.ToString("00", CultureInfo.InvariantCulture);
    }
}
