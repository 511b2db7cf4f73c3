namespace Aster.Configuration.Toml;

/// <summary>The kind of a <see cref="TomlValue"/>.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "These are the TOML type names.")]
public enum TomlValueKind
{
    /// <summary>A string.</summary>
    String,

    /// <summary>A 64-bit integer.</summary>
    Integer,

    /// <summary>A 64-bit float.</summary>
    Float,

    /// <summary>A boolean.</summary>
    Boolean,

    /// <summary>An array (also an array of tables).</summary>
    Array,

    /// <summary>A table (standard or inline).</summary>
    Table,
}

/// <summary>One parsed TOML value with the position where it starts.</summary>
public sealed class TomlValue
{
    private readonly string? _string;
    private readonly long _integer;
    private readonly double _float;
    private readonly bool _boolean;
    private readonly List<TomlValue>? _array;
    private readonly TomlTable? _table;

    private TomlValue(TomlValueKind kind, int line, int column, string? s = null, long i = 0, double f = 0, bool b = false, List<TomlValue>? array = null, TomlTable? table = null)
    {
        Kind = kind;
        Line = line;
        Column = column;
        _string = s;
        _integer = i;
        _float = f;
        _boolean = b;
        _array = array;
        _table = table;
    }

    /// <summary>The kind.</summary>
    public TomlValueKind Kind { get; }

    /// <summary>The 1-based line where the value starts.</summary>
    public int Line { get; }

    /// <summary>The 1-based column where the value starts.</summary>
    public int Column { get; }

    /// <summary>The string, if <see cref="Kind"/> is <see cref="TomlValueKind.String"/>.</summary>
    public string AsString => Kind == TomlValueKind.String ? _string! : throw WrongKind(TomlValueKind.String);

    /// <summary>The integer, if <see cref="Kind"/> is <see cref="TomlValueKind.Integer"/>.</summary>
    public long AsInteger => Kind == TomlValueKind.Integer ? _integer : throw WrongKind(TomlValueKind.Integer);

    /// <summary>The float, if <see cref="Kind"/> is <see cref="TomlValueKind.Float"/>.</summary>
    public double AsFloat => Kind == TomlValueKind.Float ? _float : throw WrongKind(TomlValueKind.Float);

    /// <summary>The boolean, if <see cref="Kind"/> is <see cref="TomlValueKind.Boolean"/>.</summary>
    public bool AsBoolean => Kind == TomlValueKind.Boolean ? _boolean : throw WrongKind(TomlValueKind.Boolean);

    /// <summary>The items, if <see cref="Kind"/> is <see cref="TomlValueKind.Array"/>.</summary>
    public IReadOnlyList<TomlValue> AsArray => Kind == TomlValueKind.Array ? _array! : throw WrongKind(TomlValueKind.Array);

    /// <summary>The table, if <see cref="Kind"/> is <see cref="TomlValueKind.Table"/>.</summary>
    public TomlTable AsTable => Kind == TomlValueKind.Table ? _table! : throw WrongKind(TomlValueKind.Table);

    /// <summary>True for an array created by <c>[[name]]</c> headers.</summary>
    public bool IsArrayOfTables { get; private init; }

    internal List<TomlValue> MutableArray => _array!;

    internal static TomlValue String(string value, int line, int column) => new(TomlValueKind.String, line, column, s: value);

    internal static TomlValue Integer(long value, int line, int column) => new(TomlValueKind.Integer, line, column, i: value);

    internal static TomlValue Float(double value, int line, int column) => new(TomlValueKind.Float, line, column, f: value);

    internal static TomlValue Boolean(bool value, int line, int column) => new(TomlValueKind.Boolean, line, column, b: value);

    internal static TomlValue Array(List<TomlValue> items, int line, int column, bool ofTables = false)
        => new(TomlValueKind.Array, line, column, array: items) { IsArrayOfTables = ofTables };

    internal static TomlValue Table(TomlTable table) => new(TomlValueKind.Table, table.Line, table.Column, table: table);

    /// <summary>A short name of the kind for messages: string, integer, float, boolean, array or table.</summary>
    /// <returns>The name.</returns>
    public string KindName() => KindName(Kind);

    internal static string KindName(TomlValueKind kind) => kind switch
    {
        TomlValueKind.String => "string",
        TomlValueKind.Integer => "integer",
        TomlValueKind.Float => "float",
        TomlValueKind.Boolean => "boolean",
        TomlValueKind.Array => "array",
        _ => "table",
    };

    private InvalidOperationException WrongKind(TomlValueKind wanted)
        => new($"the value is a {KindName()}, not a {KindName(wanted)}");
}

/// <summary>A TOML table: keys in document order, each with its value.</summary>
public sealed class TomlTable
{
    private readonly Dictionary<string, TomlValue> _values = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private readonly Dictionary<string, (int Line, int Column)> _keyPositions = new(StringComparer.Ordinal);

    internal TomlTable(int line, int column)
    {
        Line = line;
        Column = column;
    }

    /// <summary>The 1-based line where the table was first named (its header, key or inline brace).</summary>
    public int Line { get; }

    /// <summary>The 1-based column where the table was first named.</summary>
    public int Column { get; }

    /// <summary>The keys in document order.</summary>
    public IReadOnlyList<string> Keys => _order;

    /// <summary>The number of keys.</summary>
    public int Count => _order.Count;

    /// <summary>The value of <paramref name="key"/>.</summary>
    /// <param name="key">The key.</param>
    /// <exception cref="KeyNotFoundException">No such key.</exception>
    public TomlValue this[string key] => _values[key];

    internal bool HeaderDefined { get; set; }

    internal bool DottedDefined { get; set; }

    internal bool Inline { get; set; }

    /// <summary>Looks a key up.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value, or null.</param>
    /// <returns>Whether the key exists.</returns>
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TomlValue? value)
        => _values.TryGetValue(key, out value);

    /// <summary>Where <paramref name="key"/> itself is written (which for a table header is the header).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The 1-based line and column, or (0, 0) when unknown.</returns>
    public (int Line, int Column) PositionOf(string key)
        => _keyPositions.TryGetValue(key, out var p) ? p : (0, 0);

    internal void Add(string key, TomlValue value, int line, int column)
    {
        _values.Add(key, value);
        _order.Add(key);
        _keyPositions[key] = (line, column);
    }
}
