using System.Buffers;
using System.Text;
using Aster.Protocol.Json;

namespace Aster.Trust;

/// <summary>Helpers that write JSON as the reference Python code does (ensure_ascii, compact or indent=2).</summary>
internal static class PythonJson
{
    /// <summary>Builds compact JSON with a <see cref="CompactJsonWriter"/>.</summary>
    public static byte[] Compact(Action<CompactJsonWriter> write)
    {
        ArrayBufferWriter<byte> buffer = new(256);
        write(new CompactJsonWriter(buffer));
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Re-indents compact ASCII JSON as Python's <c>json.dumps(indent=2)</c> does.</summary>
    public static string Indent(ReadOnlySpan<byte> compact)
    {
        StringBuilder sb = new(compact.Length * 2);
        int depth = 0;
        bool inString = false;
        for (int i = 0; i < compact.Length; i++)
        {
            char c = (char)compact[i];
            if (inString)
            {
                sb.Append(c);
                if (c == '\\')
                {
                    sb.Append((char)compact[++i]);
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    inString = true;
                    sb.Append(c);
                    break;
                case '{' or '[':
                    if (i + 1 < compact.Length && compact[i + 1] is (byte)'}' or (byte)']')
                    {
                        sb.Append(c).Append((char)compact[++i]);
                    }
                    else
                    {
                        depth++;
                        sb.Append(c).Append('\n').Append(' ', depth * 2);
                    }

                    break;
                case '}' or ']':
                    depth--;
                    sb.Append('\n').Append(' ', depth * 2).Append(c);
                    break;
                case ',':
                    sb.Append(",\n").Append(' ', depth * 2);
                    break;
                case ':':
                    sb.Append(": ");
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }

        return sb.ToString();
    }

    /// <summary>Writes a string map as an object, keys in the given order.</summary>
    public static void WriteMap(CompactJsonWriter w, IEnumerable<KeyValuePair<string, string>> map)
    {
        w.WriteStartObject();
        foreach (KeyValuePair<string, string> kv in map)
        {
            w.WritePropertyName(kv.Key);
            w.WriteString(kv.Value);
        }

        w.WriteEndObject();
    }
}
