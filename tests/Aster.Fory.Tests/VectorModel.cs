using System.Globalization;
using System.Text.Json;
using Aster.Fory.Dynamic;
using Aster.Fory.Types;
using Aster.Testing;

namespace Aster.Fory.Tests;

/// <summary>One golden vector of vectors/fory/*.json with helpers to build and check values from its type description.</summary>
public sealed class ForyVector
{
    public static readonly string[] Files = ["primitives", "strings-bytes", "nullable", "collections", "structs", "protocol", "examples"];

    private static readonly Lazy<Dictionary<string, ForyVector>> _all = new(LoadAll);

    private ForyVector(string file, JsonElement element)
    {
        File = file;
        Element = element;
        Id = element.GetProperty("id").GetString()!;
        Bytes = Hex.Decode(element.GetProperty("hex").GetString()!);
        RootType = element.GetProperty("root_type").GetString()!;
        foreach (JsonElement t in element.GetProperty("types").EnumerateArray())
        {
            Types[t.GetProperty("tag").GetString()!] = t;
        }

        foreach (JsonElement td in element.GetProperty("typedefs").EnumerateArray())
        {
            TypeDefs.Add((td.GetProperty("offset").GetInt32(), td.GetProperty("length").GetInt32(), td.GetProperty("body_size").GetInt32(), td.GetProperty("header_hex").GetString()!));
        }

        WriterVariant = element.TryGetProperty("writer_variant", out JsonElement wv) ? wv.GetString() : null;
    }

    public string File { get; }

    public string Id { get; }

    public JsonElement Element { get; }

    public byte[] Bytes { get; }

    public string RootType { get; }

    public string? WriterVariant { get; }

    public Dictionary<string, JsonElement> Types { get; } = [];

    public List<(int Offset, int Length, int BodySize, string HeaderHex)> TypeDefs { get; } = [];

    /// <summary>The value as Fory JS decodes it (decoded_value when the vector gives one).</summary>
    public JsonElement ExpectedValue => Element.TryGetProperty("decoded_value", out JsonElement d) ? d : Element.GetProperty("value");

    public static IEnumerable<string> AllIds => Vectors.SkipReason is null ? _all.Value.Keys : ["(vectors absent)"];

    public static IEnumerable<ForyVector> All => _all.Value.Values;

    public static ForyVector Get(string id) => _all.Value[id];

    public static TheoryData<string> Ids()
    {
        TheoryData<string> data = [];
        foreach (string id in AllIds)
        {
            data.Add(id);
        }

        return data;
    }

    private static Dictionary<string, ForyVector> LoadAll()
    {
        Dictionary<string, ForyVector> all = [];
        foreach (string file in Files)
        {
            using JsonDocument doc = Vectors.Load("fory", file + ".json");
            foreach (JsonElement v in doc.RootElement.GetProperty("vectors").EnumerateArray())
            {
                ForyVector vector = new(file, v.Clone());
                all[vector.Id] = vector;
            }
        }

        return all;
    }

    // ---- type grammar: bool, int8, ..., list<X>, set<X>, map<K, V>, struct ns/Name, enum ns/Name, X? ----

    /// <summary>Fory JS writes records nested in list and map types as NAMED_STRUCT (29), pyfory as 30 (B13).</summary>
    public bool ForyJsNestedRecords { get; set; }

    public ForyFieldType ParseType(string text, bool nullable = false, bool nested = false)
    {
        text = text.Trim();
        if (text.EndsWith('?'))
        {
            return ParseType(text[..^1], true, nested);
        }

        if (text.StartsWith("list<", StringComparison.Ordinal) || text.StartsWith("set<", StringComparison.Ordinal))
        {
            int lt = text.IndexOf('<', StringComparison.Ordinal);
            ForyFieldType element = ParseType(text[(lt + 1)..^1], false, true);
            return new ForyFieldType(text.StartsWith('l') ? ForyTypeId.List : ForyTypeId.Set, nullable, false, element);
        }

        if (text.StartsWith("map<", StringComparison.Ordinal))
        {
            string inner = text[4..^1];
            int comma = TopLevelComma(inner);
            return new ForyFieldType(ForyTypeId.Map, nullable, false, ParseType(inner[(comma + 1)..], false, true), ParseType(inner[..comma], false, true));
        }

        if (text.StartsWith("struct ", StringComparison.Ordinal))
        {
            return new ForyFieldType(nested && ForyJsNestedRecords ? ForyTypeId.NamedStruct : ForyTypeId.NamedCompatibleStruct, nullable);
        }

        if (text.StartsWith("enum ", StringComparison.Ordinal))
        {
            return new ForyFieldType(ForyTypeId.Enum, nullable);
        }

        ForyTypeId id = text switch
        {
            "bool" => ForyTypeId.Bool,
            "int8" => ForyTypeId.Int8,
            "int16" => ForyTypeId.Int16,
            "int32" => ForyTypeId.Int32,
            "varint32" => ForyTypeId.VarInt32,
            "int64" => ForyTypeId.Int64,
            "varint64" => ForyTypeId.VarInt64,
            "tagged_int64" => ForyTypeId.TaggedInt64,
            "uint8" => ForyTypeId.UInt8,
            "uint16" => ForyTypeId.UInt16,
            "uint32" => ForyTypeId.UInt32,
            "var_uint32" => ForyTypeId.VarUInt32,
            "uint64" => ForyTypeId.UInt64,
            "var_uint64" => ForyTypeId.VarUInt64,
            "tagged_uint64" => ForyTypeId.TaggedUInt64,
            "float32" => ForyTypeId.Float32,
            "float64" => ForyTypeId.Float64,
            "string" => ForyTypeId.String,
            "binary" => ForyTypeId.Binary,
            _ => throw new InvalidOperationException("unknown type " + text),
        };
        return new ForyFieldType(id, nullable);
    }

    private static int TopLevelComma(string s)
    {
        int depth = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '<')
            {
                depth++;
            }
            else if (s[i] == '>')
            {
                depth--;
            }
            else if (s[i] == ',' && depth == 0)
            {
                return i;
            }
        }

        throw new InvalidOperationException("no comma in " + s);
    }

    private static string Inner(string text, string prefix) => text.Trim().TrimEnd('?')[prefix.Length..];

    // ---- JSON value -> ForyValue (for encoding) ----

    public ForyValue BuildRoot(bool foryJs = false)
    {
        ForyJsNestedRecords = foryJs;
        return BuildStruct(RootType, Element.GetProperty("value"));
    }

    public ForyStruct BuildStruct(string tag, JsonElement value)
    {
        JsonElement type = Types[tag];
        List<ForyField> fields = [];
        foreach (JsonElement f in type.GetProperty("fields").EnumerateArray())
        {
            string name = f.GetProperty("name").GetString()!;
            string foryType = f.GetProperty("fory_type").GetString()!;
            ForyFieldType ft = ParseType(foryType, f.GetProperty("nullable").GetBoolean());
            ForyValue v = Build(value.GetProperty(name), foryType);
            fields.Add(f.TryGetProperty("tag_id", out JsonElement tagId)
                ? new ForyField(tagId.GetInt32(), ft, v)
                : new ForyField(WireNaming.ToSnakeCase(name), ft, v));
        }

        return new ForyStruct(type.GetProperty("namespace").GetString()!, type.GetProperty("type_name").GetString()!, fields);
    }

    public ForyValue Build(JsonElement value, string foryType)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return ForyNull.Instance;
        }

        string t = foryType.Trim().TrimEnd('?');
        if (t.StartsWith("list<", StringComparison.Ordinal) || t.StartsWith("set<", StringComparison.Ordinal))
        {
            string element = t[(t.IndexOf('<', StringComparison.Ordinal) + 1)..^1];
            return new ForyList(value.EnumerateArray().Select(e => Build(e, element)).ToArray(), t.StartsWith('l') ? ForyTypeId.List : ForyTypeId.Set);
        }

        if (t.StartsWith("map<", StringComparison.Ordinal))
        {
            string inner = t[4..^1];
            int comma = TopLevelComma(inner);
            return new ForyMap(value.EnumerateArray()
                .Select(p => new KeyValuePair<ForyValue, ForyValue>(Build(p[0], inner[..comma]), Build(p[1], inner[(comma + 1)..])))
                .ToArray());
        }

        if (t.StartsWith("struct ", StringComparison.Ordinal))
        {
            return BuildStruct(Inner(t, "struct "), value);
        }

        if (t.StartsWith("enum ", StringComparison.Ordinal))
        {
            return new ForyEnumValue(EnumOrdinal(Inner(t, "enum "), value.GetString()!));
        }

        ForyFieldType ft = ParseType(t);
        return ft.TypeId switch
        {
            ForyTypeId.Bool => new ForyBool(value.GetBoolean()),
            ForyTypeId.Int8 or ForyTypeId.Int16 or ForyTypeId.Int32 or ForyTypeId.VarInt32 => new ForyInt(value.GetInt64(), ft.TypeId),
            ForyTypeId.Int64 or ForyTypeId.VarInt64 or ForyTypeId.TaggedInt64 => new ForyInt(long.Parse(value.GetString()!, CultureInfo.InvariantCulture), ft.TypeId),
            ForyTypeId.UInt8 or ForyTypeId.UInt16 or ForyTypeId.UInt32 or ForyTypeId.VarUInt32 => new ForyUInt(value.GetUInt64(), ft.TypeId),
            ForyTypeId.UInt64 or ForyTypeId.VarUInt64 or ForyTypeId.TaggedUInt64 => new ForyUInt(ulong.Parse(value.GetString()!, CultureInfo.InvariantCulture), ft.TypeId),
            ForyTypeId.Float32 or ForyTypeId.Float64 => new ForyFloat(ParseDouble(value), ft.TypeId),
            ForyTypeId.String => new ForyString(value.GetString()!),
            ForyTypeId.Binary => new ForyBinary(Hex.Decode(value.GetString()!)),
            _ => throw new InvalidOperationException(t),
        };
    }

    public static double ParseDouble(JsonElement value) => value.ValueKind == JsonValueKind.String
        ? value.GetString() switch
        {
            "NaN" => BitConverter.Int64BitsToDouble(0x7FF8000000000000),
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            "-0.0" => -0.0,
            var s => double.Parse(s!, CultureInfo.InvariantCulture),
        }
        : value.GetDouble();

    public uint EnumOrdinal(string tag, string member)
    {
        foreach (JsonElement m in Types[tag].GetProperty("members").EnumerateArray())
        {
            if (m.GetProperty("name").GetString() == member)
            {
                return m.GetProperty("ordinal").GetUInt32();
            }
        }

        throw new InvalidOperationException(member);
    }

    // ---- decoded ForyValue vs expected JSON ----

    public void AssertRootMatches(ForyValue actual) => AssertStruct(RootType, ExpectedValue, actual, "$");

    private void AssertStruct(string tag, JsonElement expected, ForyValue actual, string path)
    {
        ForyStruct s = Assert.IsType<ForyStruct>(actual);
        JsonElement type = Types[tag];
        Assert.Equal(tag, s.Tag);
        foreach (JsonElement f in type.GetProperty("fields").EnumerateArray())
        {
            string name = f.GetProperty("name").GetString()!;
            ForyField? field = f.TryGetProperty("tag_id", out JsonElement tagId)
                ? s.Fields.FirstOrDefault(x => x.TagId == tagId.GetInt32())
                : s.Fields.FirstOrDefault(x => x.Name is not null && WireNaming.Normalize(x.Name) == WireNaming.Normalize(name));
            Assert.True(field is not null, $"{path}.{name} missing");
            AssertValue(expected.GetProperty(name), f.GetProperty("fory_type").GetString()!, field.Value, $"{path}.{name}");
        }

        Assert.Equal(type.GetProperty("fields").GetArrayLength(), s.Fields.Count);
    }

    public void AssertValue(JsonElement expected, string foryType, ForyValue actual, string path)
    {
        if (expected.ValueKind == JsonValueKind.Null)
        {
            Assert.True(actual is ForyNull, $"{path}: expected null, got {actual}");
            return;
        }

        string t = foryType.Trim().TrimEnd('?');
        if (t.StartsWith("list<", StringComparison.Ordinal) || t.StartsWith("set<", StringComparison.Ordinal))
        {
            string element = t[(t.IndexOf('<', StringComparison.Ordinal) + 1)..^1];
            ForyList list = Assert.IsType<ForyList>(actual);
            Assert.Equal(expected.GetArrayLength(), list.Items.Count);
            int i = 0;
            foreach (JsonElement e in expected.EnumerateArray())
            {
                AssertValue(e, element, list.Items[i], $"{path}[{i}]");
                i++;
            }

            return;
        }

        if (t.StartsWith("map<", StringComparison.Ordinal))
        {
            string inner = t[4..^1];
            int comma = TopLevelComma(inner);
            ForyMap map = Assert.IsType<ForyMap>(actual);
            Assert.Equal(expected.GetArrayLength(), map.Entries.Count);
            int i = 0;
            foreach (JsonElement e in expected.EnumerateArray())
            {
                AssertValue(e[0], inner[..comma], map.Entries[i].Key, $"{path}{{{i}}}.key");
                AssertValue(e[1], inner[(comma + 1)..], map.Entries[i].Value, $"{path}{{{i}}}.value");
                i++;
            }

            return;
        }

        if (t.StartsWith("struct ", StringComparison.Ordinal))
        {
            AssertStruct(Inner(t, "struct "), expected, actual, path);
            return;
        }

        if (t.StartsWith("enum ", StringComparison.Ordinal))
        {
            Assert.Equal(EnumOrdinal(Inner(t, "enum "), expected.GetString()!), Assert.IsType<ForyEnumValue>(actual).Value);
            return;
        }

        ForyFieldType ft = ParseType(t);
        switch (ft.TypeId)
        {
            case ForyTypeId.Bool:
                Assert.Equal(expected.GetBoolean(), Assert.IsType<ForyBool>(actual).Value);
                break;
            case ForyTypeId.Int8 or ForyTypeId.Int16 or ForyTypeId.Int32 or ForyTypeId.VarInt32:
                Assert.Equal(expected.GetInt64(), Assert.IsType<ForyInt>(actual).Value);
                break;
            case ForyTypeId.Int64 or ForyTypeId.VarInt64 or ForyTypeId.TaggedInt64:
                Assert.Equal(long.Parse(expected.GetString()!, CultureInfo.InvariantCulture), Assert.IsType<ForyInt>(actual).Value);
                break;
            case ForyTypeId.UInt8 or ForyTypeId.UInt16 or ForyTypeId.UInt32 or ForyTypeId.VarUInt32:
                Assert.Equal(expected.GetUInt64(), Assert.IsType<ForyUInt>(actual).Value);
                break;
            case ForyTypeId.UInt64 or ForyTypeId.VarUInt64 or ForyTypeId.TaggedUInt64:
                Assert.Equal(ulong.Parse(expected.GetString()!, CultureInfo.InvariantCulture), Assert.IsType<ForyUInt>(actual).Value);
                break;
            case ForyTypeId.Float32 or ForyTypeId.Float64:
            {
                double e = ParseDouble(expected);
                double a = Assert.IsType<ForyFloat>(actual).Value;
                if (ft.TypeId == ForyTypeId.Float32)
                {
                    e = (float)e;
                }

                Assert.True((double.IsNaN(e) && double.IsNaN(a)) || (e.Equals(a) && double.IsNegative(e) == double.IsNegative(a)), $"{path}: expected {e}, got {a}");
                break;
            }

            case ForyTypeId.String:
                Assert.Equal(expected.GetString(), Assert.IsType<ForyString>(actual).Value);
                break;
            case ForyTypeId.Binary:
                Assert.Equal(expected.GetString(), Hex.Encode(Assert.IsType<ForyBinary>(actual).Value.Span));
                break;
            default:
                throw new InvalidOperationException(t);
        }
    }

    // ---- byte comparison with TypeDef headers masked ----

    /// <summary>Returns the bytes with every TypeDef header (8 bytes at each typedef offset) zeroed.</summary>
    public byte[] Masked(byte[] bytes, IEnumerable<int>? offsets = null)
    {
        byte[] copy = (byte[])bytes.Clone();
        foreach (int offset in offsets ?? TypeDefs.Select(t => t.Offset))
        {
            Array.Clear(copy, offset, 8);
        }

        return copy;
    }
}
