using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Aster.Configuration.Toml;

/// <summary>
/// Reads the TOML 1.0 subset used by Aster's configuration and identity files: tables, arrays of tables, dotted
/// keys, bare and quoted keys, basic and literal strings (single- and multi-line) with escapes, integers (decimal,
/// hex, octal, binary), floats, booleans, arrays and inline tables, and comments. Dates and times are rejected.
/// Every error is a <see cref="ConfigurationException"/> with the line and column.
/// </summary>
public sealed partial class TomlReader
{
    /// <summary>The default size limit of a document: 1 MiB.</summary>
    public const int DefaultMaxLength = 1 << 20;

    private const int MaxDepth = 32;

    private readonly string _text;
    private readonly string? _file;
    private int _pos;
    private int _line = 1;
    private int _lineStart;
    private int _depth;

    private TomlReader(string text, string? file)
    {
        _text = text;
        _file = file;
    }

    /// <summary>Parses a document held in memory.</summary>
    /// <param name="text">The document.</param>
    /// <param name="file">The file name used in error messages, or null.</param>
    /// <param name="maxLength">The most characters accepted.</param>
    /// <returns>The root table.</returns>
    /// <exception cref="ConfigurationException">The document is too large or is not valid in the supported subset.</exception>
    public static TomlTable Parse(string text, string? file = null, int maxLength = DefaultMaxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > maxLength)
        {
            throw new ConfigurationException($"document is larger than {maxLength} characters", file, 0, 0, null);
        }

        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        return new TomlReader(text, file).ParseDocument();
    }

    /// <summary>Reads and parses a UTF-8 file, checking its size before reading it.</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The most bytes accepted.</param>
    /// <returns>The root table.</returns>
    /// <exception cref="ConfigurationException">The file cannot be read, is too large, is not UTF-8, or is not valid.</exception>
    public static TomlTable ParseFile(string path, int maxBytes = DefaultMaxLength)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (stream.Length > maxBytes)
            {
                throw new ConfigurationException($"file is larger than {maxBytes} bytes", path, 0, 0, null);
            }

            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
        }
        catch (IOException e)
        {
            throw new ConfigurationException($"cannot read file: {e.Message}", path, 0, 0, null);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ConfigurationException($"cannot read file: {e.Message}", path, 0, 0, null);
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new ConfigurationException("file is not valid UTF-8", path, 0, 0, null);
        }

        return Parse(text, path, maxBytes);
    }

    private int Column => _pos - _lineStart + 1;

    private bool AtEnd => _pos >= _text.Length;

    private char Peek(int offset = 0) => _pos + offset < _text.Length ? _text[_pos + offset] : '\0';

    private ConfigurationException Error(string reason, string? key = null) => new(reason, _file, _line, Column, key);

    private static ConfigurationException Error(string reason, string? file, int line, int column, string? key = null)
        => new(reason, file, line, column, key);

    private TomlTable ParseDocument()
    {
        var root = new TomlTable(1, 1);
        TomlTable current = root;
        string currentName = string.Empty;
        while (true)
        {
            SkipSpaces();
            if (AtEnd)
            {
                return root;
            }

            char c = Peek();
            if (c == '#')
            {
                SkipComment();
            }
            else if (c is '\n' or '\r')
            {
                ConsumeNewline();
            }
            else if (c == '[')
            {
                (current, currentName) = ParseHeader(root);
                ExpectLineEnd();
            }
            else
            {
                ParseKeyValue(current, currentName);
                ExpectLineEnd();
            }
        }
    }

    private void SkipSpaces()
    {
        while (!AtEnd && (Peek() == ' ' || Peek() == '\t'))
        {
            _pos++;
        }
    }

    private void SkipComment()
    {
        _pos++; // '#'
        while (!AtEnd && Peek() != '\n')
        {
            char c = Peek();
            if (c == '\r' && Peek(1) == '\n')
            {
                break;
            }

            if ((c < ' ' && c != '\t') || c == '\u007F')
            {
                throw Error("control character in comment");
            }

            _pos++;
        }
    }

    private void ConsumeNewline()
    {
        if (Peek() == '\r')
        {
            if (Peek(1) != '\n')
            {
                throw Error("carriage return without line feed");
            }

            _pos++;
        }

        _pos++;
        _line++;
        _lineStart = _pos;
    }

    private void ExpectLineEnd()
    {
        SkipSpaces();
        if (AtEnd)
        {
            return;
        }

        if (Peek() == '#')
        {
            SkipComment();
        }

        if (AtEnd)
        {
            return;
        }

        if (Peek() is '\n' or '\r')
        {
            ConsumeNewline();
            return;
        }

        throw Error($"unexpected '{Printable(Peek())}' after the value; expected a new line or a comment");
    }

    private static string Printable(char c) => c < ' ' || c == '\u007F' ? $"\\u{(int)c:X4}" : c.ToString();

    private (TomlTable Table, string Name) ParseHeader(TomlTable root)
    {
        int line = _line;
        int column = Column;
        _pos++;
        bool arrayOfTables = Peek() == '[';
        if (arrayOfTables)
        {
            _pos++;
        }

        SkipSpaces();
        var parts = ParseKey();
        SkipSpaces();
        if (Peek() != ']' || (arrayOfTables && Peek(1) != ']'))
        {
            throw Error(arrayOfTables ? "expected ']]' to close the table header" : "expected ']' to close the table header");
        }

        _pos += arrayOfTables ? 2 : 1;
        string name = string.Join('.', parts.Select(p => p.Name));

        TomlTable table = root;
        for (int i = 0; i < parts.Count - 1; i++)
        {
            var part = parts[i];
            if (!table.TryGetValue(part.Name, out var existing))
            {
                var created = new TomlTable(line, column);
                table.Add(part.Name, TomlValue.Table(created), part.Line, part.Column);
                table = created;
            }
            else if (existing.Kind == TomlValueKind.Table && !existing.AsTable.Inline)
            {
                table = existing.AsTable;
            }
            else if (existing.Kind == TomlValueKind.Array && existing.IsArrayOfTables)
            {
                table = existing.AsArray[^1].AsTable;
            }
            else
            {
                throw Error($"cannot define table [{name}]: '{part.Name}' is already a value", _file, part.Line, part.Column, name);
            }
        }

        var last = parts[^1];
        if (arrayOfTables)
        {
            var element = new TomlTable(line, column) { HeaderDefined = true };
            if (!table.TryGetValue(last.Name, out var existing))
            {
                table.Add(last.Name, TomlValue.Array([TomlValue.Table(element)], line, column, ofTables: true), line, column);
            }
            else if (existing.Kind == TomlValueKind.Array && existing.IsArrayOfTables)
            {
                existing.MutableArray.Add(TomlValue.Table(element));
            }
            else
            {
                throw Error($"cannot define array of tables [[{name}]]: the key is already defined", _file, line, column, name);
            }

            return (element, name);
        }

        if (!table.TryGetValue(last.Name, out var current))
        {
            var created = new TomlTable(line, column) { HeaderDefined = true };
            table.Add(last.Name, TomlValue.Table(created), line, column);
            return (created, name);
        }

        if (current.Kind == TomlValueKind.Table)
        {
            var t = current.AsTable;
            if (!t.HeaderDefined && !t.DottedDefined && !t.Inline)
            {
                t.HeaderDefined = true;
                return (t, name);
            }
        }

        throw Error($"table [{name}] is defined more than once", _file, line, column, name);
    }

    private readonly record struct KeyPart(string Name, int Line, int Column);

    private List<KeyPart> ParseKey()
    {
        var parts = new List<KeyPart>();
        while (true)
        {
            int line = _line;
            int column = Column;
            char c = Peek();
            string name;
            if (c == '"')
            {
                if (Peek(1) == '"' && Peek(2) == '"')
                {
                    throw Error("a key cannot be a multi-line string");
                }

                name = ParseBasicString();
            }
            else if (c == '\'')
            {
                if (Peek(1) == '\'' && Peek(2) == '\'')
                {
                    throw Error("a key cannot be a multi-line string");
                }

                name = ParseLiteralString();
            }
            else
            {
                int start = _pos;
                while (!AtEnd && IsBareKeyChar(Peek()))
                {
                    _pos++;
                }

                if (_pos == start)
                {
                    throw AtEnd || Peek() is '\n' or '\r'
                        ? Error("expected a key")
                        : Error($"invalid character '{Printable(Peek())}' in a key");
                }

                name = _text[start.._pos];
            }

            parts.Add(new KeyPart(name, line, column));
            SkipSpaces();
            if (Peek() != '.')
            {
                return parts;
            }

            _pos++;
            SkipSpaces();
        }
    }

    private static bool IsBareKeyChar(char c) => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-';

    private void ParseKeyValue(TomlTable current, string currentName)
    {
        var parts = ParseKey();
        SkipSpaces();
        if (Peek() != '=')
        {
            throw Error("expected '=' after the key");
        }

        _pos++;
        SkipSpaces();
        string fullKey = (currentName.Length > 0 ? currentName + "." : string.Empty) + string.Join('.', parts.Select(p => p.Name));
        if (AtEnd || Peek() is '\n' or '\r' or '#')
        {
            throw Error("expected a value after '='", fullKey);
        }

        TomlTable table = current;
        for (int i = 0; i < parts.Count - 1; i++)
        {
            var part = parts[i];
            if (!table.TryGetValue(part.Name, out var existing))
            {
                var created = new TomlTable(part.Line, part.Column) { DottedDefined = true };
                table.Add(part.Name, TomlValue.Table(created), part.Line, part.Column);
                table = created;
            }
            else if (existing.Kind == TomlValueKind.Table && existing.AsTable.DottedDefined && !existing.AsTable.Inline)
            {
                table = existing.AsTable;
            }
            else
            {
                throw Error($"duplicate key '{part.Name}'", _file, part.Line, part.Column, fullKey);
            }
        }

        var last = parts[^1];
        if (table.TryGetValue(last.Name, out _))
        {
            throw Error($"duplicate key '{last.Name}'", _file, last.Line, last.Column, fullKey);
        }

        var value = ParseValue(fullKey);
        table.Add(last.Name, value, last.Line, last.Column);
    }

    private TomlValue ParseValue(string key)
    {
        int line = _line;
        int column = Column;
        char c = Peek();
        switch (c)
        {
            case '"':
                return TomlValue.String(Peek(1) == '"' && Peek(2) == '"' ? ParseMultiLineBasicString() : ParseBasicString(), line, column);
            case '\'':
                return TomlValue.String(Peek(1) == '\'' && Peek(2) == '\'' ? ParseMultiLineLiteralString() : ParseLiteralString(), line, column);
            case '[':
                return ParseArray(key);
            case '{':
                return ParseInlineTable(key);
            default:
                return ParseScalar(key, line, column);
        }
    }

    private TomlValue ParseScalar(string key, int line, int column)
    {
        int start = _pos;
        while (!AtEnd && Peek() is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '+' or '-' or '.' or ':')
        {
            _pos++;
        }

        string token = _text[start.._pos];
        if (token.Length == 0)
        {
            throw Error(AtEnd ? "unexpected end of document; expected a value" : $"unexpected '{Printable(Peek())}'; expected a value", _file, line, column, key);
        }

        switch (token)
        {
            case "true":
                return TomlValue.Boolean(true, line, column);
            case "false":
                return TomlValue.Boolean(false, line, column);
            case "inf" or "+inf":
                return TomlValue.Float(double.PositiveInfinity, line, column);
            case "-inf":
                return TomlValue.Float(double.NegativeInfinity, line, column);
            case "nan" or "+nan" or "-nan":
                return TomlValue.Float(double.NaN, line, column);
            default:
                break;
        }

        if (DateLike().IsMatch(token) || token.Contains(':', StringComparison.Ordinal))
        {
            throw Error("dates and times are not supported", _file, line, column, key);
        }

        if (DecimalInteger().IsMatch(token))
        {
            if (!long.TryParse(token.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            {
                throw Error("integer out of the 64-bit range", _file, line, column, key);
            }

            return TomlValue.Integer(value, line, column);
        }

        if (PrefixedInteger().IsMatch(token))
        {
            string digits = token[2..].Replace("_", string.Empty, StringComparison.Ordinal);
            int radix = token[1] switch { 'x' => 16, 'o' => 8, _ => 2 };
            ulong value = 0;
            foreach (char d in digits)
            {
                int v = d <= '9' ? d - '0' : (char.ToLowerInvariant(d) - 'a' + 10);
                if (value > (long.MaxValue - (ulong)v) / (ulong)radix)
                {
                    throw Error("integer out of the 64-bit range", _file, line, column, key);
                }

                value = (value * (ulong)radix) + (ulong)v;
            }

            return TomlValue.Integer((long)value, line, column);
        }

        if (FloatPattern().IsMatch(token))
        {
            double value = double.Parse(token.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture);
            return TomlValue.Float(value, line, column);
        }

        throw Error($"invalid value '{Truncate(token)}'", _file, line, column, key);
    }

    private static string Truncate(string s) => s.Length <= 32 ? s : s[..32] + "…";

    private TomlValue ParseArray(string key)
    {
        int line = _line;
        int column = Column;
        Enter();
        _pos++;
        var items = new List<TomlValue>();
        while (true)
        {
            SkipArrayWhitespace();
            if (Peek() == ']')
            {
                _pos++;
                break;
            }

            if (AtEnd)
            {
                throw Error("unterminated array", _file, line, column, key);
            }

            items.Add(ParseValue(key));
            SkipArrayWhitespace();
            if (Peek() == ',')
            {
                _pos++;
                continue;
            }

            if (Peek() == ']')
            {
                _pos++;
                break;
            }

            throw AtEnd ? Error("unterminated array", _file, line, column, key) : Error($"unexpected '{Printable(Peek())}' in an array; expected ',' or ']'", key);
        }

        _depth--;
        return TomlValue.Array(items, line, column);
    }

    private void SkipArrayWhitespace()
    {
        while (!AtEnd)
        {
            char c = Peek();
            if (c is ' ' or '\t')
            {
                _pos++;
            }
            else if (c is '\n' or '\r')
            {
                ConsumeNewline();
            }
            else if (c == '#')
            {
                SkipComment();
            }
            else
            {
                return;
            }
        }
    }

    private void Enter()
    {
        if (++_depth > MaxDepth)
        {
            throw Error($"arrays and inline tables are nested more than {MaxDepth} deep");
        }
    }

    private TomlValue ParseInlineTable(string key)
    {
        int line = _line;
        int column = Column;
        Enter();
        _pos++;
        var table = new TomlTable(line, column);
        SkipSpaces();
        if (Peek() == '}')
        {
            _pos++;
        }
        else
        {
            while (true)
            {
                SkipSpaces();
                if (AtEnd || Peek() is '\n' or '\r')
                {
                    throw Error("unterminated inline table (inline tables must be on one line)", _file, line, column, key);
                }

                ParseKeyValue(table, key);
                SkipSpaces();
                if (Peek() == ',')
                {
                    _pos++;
                    continue;
                }

                if (Peek() == '}')
                {
                    _pos++;
                    break;
                }

                throw AtEnd || Peek() is '\n' or '\r'
                    ? Error("unterminated inline table (inline tables must be on one line)", _file, line, column, key)
                    : Error($"unexpected '{Printable(Peek())}' in an inline table; expected ',' or '}}'", key);
            }
        }

        _depth--;
        Seal(table);
        return TomlValue.Table(table);
    }

    private static void Seal(TomlTable table)
    {
        table.Inline = true;
        foreach (string k in table.Keys)
        {
            if (table[k].Kind == TomlValueKind.Table)
            {
                Seal(table[k].AsTable);
            }
        }
    }

    private string ParseBasicString()
    {
        int line = _line;
        int column = Column;
        _pos++;
        var sb = new StringBuilder();
        while (true)
        {
            if (AtEnd || Peek() is '\n' or '\r')
            {
                throw Error("unterminated string", _file, line, column);
            }

            char c = Peek();
            if (c == '"')
            {
                _pos++;
                return sb.ToString();
            }

            if (c == '\\')
            {
                ParseEscape(sb);
                continue;
            }

            CheckStringChar(c);
            sb.Append(c);
            _pos++;
        }
    }

    private void CheckStringChar(char c)
    {
        if ((c < ' ' && c != '\t') || c == '\u007F')
        {
            throw Error($"control character {Printable(c)} in a string; use an escape");
        }
    }

    private void ParseEscape(StringBuilder sb)
    {
        int column = Column;
        _pos++;
        char e = Peek();
        switch (e)
        {
            case 'b': sb.Append('\b'); _pos++; return;
            case 't': sb.Append('\t'); _pos++; return;
            case 'n': sb.Append('\n'); _pos++; return;
            case 'f': sb.Append('\f'); _pos++; return;
            case 'r': sb.Append('\r'); _pos++; return;
            case '"': sb.Append('"'); _pos++; return;
            case '\\': sb.Append('\\'); _pos++; return;
            case 'u':
            case 'U':
                {
                    int n = e == 'u' ? 4 : 8;
                    _pos++;
                    int value = 0;
                    for (int i = 0; i < n; i++)
                    {
                        int d = HexValue(Peek());
                        if (d < 0)
                        {
                            throw Error($"invalid escape: \\{e} needs {n} hex digits", _file, _line, column);
                        }

                        value = (value << 4) | d;
                        _pos++;
                    }

                    if (value is < 0 or > 0x10FFFF or (>= 0xD800 and <= 0xDFFF))
                    {
                        throw Error("invalid escape: not a Unicode scalar value", _file, _line, column);
                    }

                    sb.Append(char.ConvertFromUtf32(value));
                    return;
                }

            default:
                throw Error(AtEnd ? "unterminated string" : $"invalid escape '\\{Printable(e)}'", _file, _line, column);
        }
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private string ParseLiteralString()
    {
        int line = _line;
        int column = Column;
        _pos++;
        int start = _pos;
        while (true)
        {
            if (AtEnd || Peek() is '\n' or '\r')
            {
                throw Error("unterminated string", _file, line, column);
            }

            char c = Peek();
            if (c == '\'')
            {
                string s = _text[start.._pos];
                _pos++;
                return s;
            }

            CheckStringChar(c);
            _pos++;
        }
    }

    private string ParseMultiLineBasicString()
    {
        int line = _line;
        int column = Column;
        _pos += 3;
        SkipFirstNewline();
        var sb = new StringBuilder();
        while (true)
        {
            if (AtEnd)
            {
                throw Error("unterminated multi-line string", _file, line, column);
            }

            char c = Peek();
            if (c == '"' && Peek(1) == '"' && Peek(2) == '"')
            {
                int quotes = CountQuotes('"');
                if (quotes > 5)
                {
                    throw Error("too many quotes at the end of a multi-line string");
                }

                sb.Append('"', quotes - 3);
                _pos += quotes;
                return sb.ToString();
            }

            if (c == '\\')
            {
                int save = _pos;
                _pos++;
                SkipSpaces();
                if (Peek() is '\n' or '\r')
                {
                    // Line-ending backslash: drop the newline and all following whitespace.
                    while (!AtEnd && Peek() is ' ' or '\t' or '\n' or '\r')
                    {
                        if (Peek() is '\n' or '\r')
                        {
                            ConsumeNewline();
                        }
                        else
                        {
                            _pos++;
                        }
                    }

                    continue;
                }

                _pos = save;
                ParseEscape(sb);
                continue;
            }

            if (c is '\n' or '\r')
            {
                ConsumeNewline();
                sb.Append('\n');
                continue;
            }

            CheckStringChar(c);
            sb.Append(c);
            _pos++;
        }
    }

    private string ParseMultiLineLiteralString()
    {
        int line = _line;
        int column = Column;
        _pos += 3;
        SkipFirstNewline();
        var sb = new StringBuilder();
        while (true)
        {
            if (AtEnd)
            {
                throw Error("unterminated multi-line string", _file, line, column);
            }

            char c = Peek();
            if (c == '\'' && Peek(1) == '\'' && Peek(2) == '\'')
            {
                int quotes = CountQuotes('\'');
                if (quotes > 5)
                {
                    throw Error("too many quotes at the end of a multi-line string");
                }

                sb.Append('\'', quotes - 3);
                _pos += quotes;
                return sb.ToString();
            }

            if (c is '\n' or '\r')
            {
                ConsumeNewline();
                sb.Append('\n');
                continue;
            }

            CheckStringChar(c);
            sb.Append(c);
            _pos++;
        }
    }

    private void SkipFirstNewline()
    {
        if (Peek() is '\n' or '\r')
        {
            ConsumeNewline();
        }
    }

    private int CountQuotes(char quote)
    {
        int n = 0;
        while (Peek(n) == quote)
        {
            n++;
        }

        return n;
    }

    [GeneratedRegex(@"^[0-9]{4}-|^[0-9]{2}:")]
    private static partial Regex DateLike();

    [GeneratedRegex(@"^[+-]?(0|[1-9](_?[0-9])*)$")]
    private static partial Regex DecimalInteger();

    [GeneratedRegex(@"^(0x[0-9A-Fa-f](_?[0-9A-Fa-f])*|0o[0-7](_?[0-7])*|0b[01](_?[01])*)$")]
    private static partial Regex PrefixedInteger();

    [GeneratedRegex(@"^[+-]?(0|[1-9](_?[0-9])*)((\.[0-9](_?[0-9])*)([eE][+-]?[0-9](_?[0-9])*)?|[eE][+-]?[0-9](_?[0-9])*)$")]
    private static partial Regex FloatPattern();
}
