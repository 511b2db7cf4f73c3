using System.Globalization;
using System.Text;

namespace Aster.Fory.Json;

/// <summary>
/// Where a JSON value sits (<c>$</c>, <c>$.items[2].name</c>), for error messages only. A value's path is a struct
/// naming its parent container and its key or index; a container turns its own path into a <see cref="JsonPathNode"/>
/// once, so reading leaves allocates nothing for paths and the text is built only when an error is reported.
/// </summary>
internal readonly struct JsonPath
{
    private readonly JsonPathNode? _parent;
    private readonly string? _key;
    private readonly int _index;

    private JsonPath(JsonPathNode? parent, string? key, int index)
    {
        _parent = parent;
        _key = key;
        _index = index;
    }

    /// <summary>The root value, <c>$</c>.</summary>
    public static JsonPath Root => new(null, null, -1);

    /// <summary>A member or map value of <paramref name="parent"/>.</summary>
    public static JsonPath Member(JsonPathNode parent, string key) => new(parent, key, -1);

    /// <summary>An element of <paramref name="parent"/>.</summary>
    public static JsonPath Element(JsonPathNode parent, int index) => new(parent, null, index);

    /// <summary>A node for this path, to name the children of the container found here.</summary>
    public JsonPathNode ToNode() => new(this);

    /// <inheritdoc/>
    public override string ToString()
    {
        StringBuilder b = new();
        Append(b);
        return b.ToString();
    }

    internal void Append(StringBuilder b)
    {
        if (_parent is null)
        {
            b.Append('$');
            return;
        }

        _parent.Path.Append(b);
        if (_key is not null)
        {
            b.Append('.').Append(_key);
        }
        else
        {
            b.Append('[').Append(_index.ToString(CultureInfo.InvariantCulture)).Append(']');
        }
    }
}

/// <summary>The path of a container whose children are being read (see <see cref="JsonPath"/>).</summary>
internal sealed class JsonPathNode(JsonPath path)
{
    public JsonPath Path { get; } = path;

    public override string ToString() => Path.ToString();
}
