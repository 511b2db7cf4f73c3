using System.Globalization;
using System.Text;
using Aster.Fory.Json;

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
                PythonJsonText.AppendString(builder, s);
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
                PythonJsonText.AppendString(builder, Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty);
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
            PythonJsonText.AppendString(builder, obj[i].Key);
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

    /// <summary>Python's float repr; NaN and the infinities as Python's <c>json.dumps</c> writes them.</summary>
    internal static string FormatFloat(double value)
        => double.IsNaN(value) ? "NaN"
            : double.IsInfinity(value) ? (value > 0 ? "Infinity" : "-Infinity")
            : PythonJsonText.FormatDouble(value);
}
