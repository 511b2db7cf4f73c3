using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Aster.Fory.IO;

namespace Aster.Fory.Json;

/// <summary>Writes the elements of a sequence as a JSON array.</summary>
internal static class JsonArrays
{
    public static void Write<TE>(ref ForyWriter w, JsonPlan<TE> element, ReadOnlySpan<TE> items, int depth)
    {
        if (items.Length > 0)
        {
            JsonPlan.CheckChildDepth(depth + 1, typeof(TE).Name);
        }

        w.WriteByte((byte)'[');
        for (int i = 0; i < items.Length; i++)
        {
            if (i > 0)
            {
                w.WriteByte((byte)',');
            }

            element.Write(ref w, items[i], depth + 1);
        }

        w.WriteByte((byte)']');
    }

    /// <summary>Reads a JSON array into a new list.</summary>
    public static List<TE> Read<TE>(ref Utf8JsonReader r, JsonPlan<TE> element, JsonPath path, Func<JsonPath, string, ForyDecodeException> fail)
    {
        if (r.TokenType != JsonTokenType.StartArray)
        {
            throw fail(path, "expected an array");
        }

        List<TE> list = [];
        JsonPathNode? node = null;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            node ??= path.ToNode();
            list.Add(element.Read(ref r, JsonPath.Element(node, list.Count)));
        }

        return list;
    }
}

/// <summary>Lists, arrays and the read-only list shapes.</summary>
internal sealed class ListJsonPlan<TList, TE>(JsonPlan<TE> element) : JsonPlan<TList>
    where TList : IEnumerable<TE>
{
    private static readonly bool _isArray = typeof(TList) == typeof(TE[]);

    public override TList Empty => _isArray ? (TList)(object)Array.Empty<TE>() : (TList)(object)new List<TE>();

    public override void WriteNonNull(ref ForyWriter w, TList value, int depth)
    {
        switch (value)
        {
            case List<TE> list:
                JsonArrays.Write(ref w, element, CollectionsMarshal.AsSpan(list), depth);
                return;
            case TE[] array:
                JsonArrays.Write(ref w, element, array, depth);
                return;
            default:
                JsonArrays.Write(ref w, element, value.ToArray(), depth);
                return;
        }
    }

    protected override TList ReadNonNull(ref Utf8JsonReader r, JsonPath path)
    {
        List<TE> list = JsonArrays.Read(ref r, element, path, Fail);
        return _isArray ? (TList)(object)list.ToArray() : (TList)(object)list;
    }
}

/// <summary>Sets: written in enumeration order; read into a <see cref="HashSet{T}"/>.</summary>
internal sealed class SetJsonPlan<TSet, TE>(JsonPlan<TE> element) : JsonPlan<TSet>
    where TSet : IEnumerable<TE>
{
    public override TSet Empty => (TSet)(object)new HashSet<TE>();

    public override void WriteNonNull(ref ForyWriter w, TSet value, int depth)
    {
        JsonArrays.Write(ref w, element, value.ToArray(), depth);
    }

    protected override TSet ReadNonNull(ref Utf8JsonReader r, JsonPath path) =>
        (TSet)(object)JsonArrays.Read(ref r, element, path, Fail).ToHashSet();
}

/// <summary>Maps as JSON objects: keys as text (strings as they are, others in invariant form), values by plan.</summary>
internal sealed class MapJsonPlan<TMap, TK, TV>(JsonPlan<TV> value) : JsonPlan<TMap>
    where TMap : IEnumerable<KeyValuePair<TK, TV>>
    where TK : notnull
{
    public override TMap Empty => (TMap)(object)new Dictionary<TK, TV>();

    public override void WriteNonNull(ref ForyWriter w, TMap map, int depth)
    {
        w.WriteByte((byte)'{');
        bool first = true;
        if (map is Dictionary<TK, TV> dictionary)
        {
            foreach (KeyValuePair<TK, TV> e in dictionary)
            {
                WriteEntry(ref w, e, ref first, depth);
            }
        }
        else
        {
            foreach (KeyValuePair<TK, TV> e in map)
            {
                WriteEntry(ref w, e, ref first, depth);
            }
        }

        w.WriteByte((byte)'}');
    }

    private void WriteEntry(ref ForyWriter w, KeyValuePair<TK, TV> e, ref bool first, int depth)
    {
        if (!first)
        {
            w.WriteByte((byte)',');
        }
        else
        {
            CheckChildDepth(depth + 1, typeof(TV).Name);
        }

        first = false;
        PythonJsonText.WriteString(ref w, e.Key is string s ? s : Convert.ToString(e.Key, CultureInfo.InvariantCulture)!);
        w.WriteByte((byte)':');
        value.Write(ref w, e.Value, depth + 1);
    }

    protected override TMap ReadNonNull(ref Utf8JsonReader r, JsonPath path)
    {
        if (r.TokenType != JsonTokenType.StartObject)
        {
            throw Fail(path, "expected an object");
        }

        Dictionary<TK, TV> dict = [];
        JsonPathNode? node = null;
        while (r.Read() && r.TokenType != JsonTokenType.EndObject)
        {
            string keyText = r.GetString()!;
            TK key = ParseKey(keyText, path);
            r.Read();
            if (dict.ContainsKey(key))
            {
                throw Fail(path, $"duplicate map key '{keyText}'");
            }

            node ??= path.ToNode();
            dict.Add(key, value.Read(ref r, JsonPath.Member(node, keyText)));
        }

        return (TMap)(object)dict;
    }

    private static TK ParseKey(string text, JsonPath path)
    {
        if (typeof(TK) == typeof(string))
        {
            return (TK)(object)text;
        }

        try
        {
            return typeof(TK).IsEnum
                ? (TK)Enum.Parse(typeof(TK), text, true)
                : (TK)Convert.ChangeType(text, typeof(TK), CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException or ArgumentException)
        {
            throw new ForyDecodeException($"invalid map key '{text}' at {path}", inner: e);
        }
    }
}
