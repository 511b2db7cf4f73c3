using System.Buffers;
using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Aster.Fory.Types;

namespace Aster.Fory.Json;

/// <summary>
/// The JSON mode (serialization mode 3, wire-protocol.md 16.5): records as objects keyed by JSON keys (C1), written
/// byte for byte as Python's <c>json.dumps(..., separators=(",", ":"))</c>; read with the C4 matching rules (JSON key,
/// wire name, camelCase alias), unknown and duplicate keys rejected with <see cref="ForyJsonContractException"/>.
/// This first version walks the cached <see cref="WireTypeModel"/> with reflection per call.
/// </summary>
public static class ForyJson
{
    /// <summary>Writes <paramref name="value"/> as compact JSON.</summary>
    /// <exception cref="ForyEncodeException">A value has no JSON form (NaN, infinities) or a non-nullable member is null.</exception>
    [RequiresUnreferencedCode("Reflects over record types.")]
    public static void Serialize<T>(T value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        StringBuilder b = new(128);
        WriteValue(b, value, typeof(T), 0);
        byte[] bytes = Encoding.ASCII.GetBytes(b.ToString());
        output.Write(bytes);
    }

    /// <summary>Writes <paramref name="value"/> as compact JSON and returns the UTF-8 bytes.</summary>
    [RequiresUnreferencedCode("Reflects over record types.")]
    public static byte[] Serialize<T>(T value)
    {
        ArrayBufferWriter<byte> buffer = new(128);
        Serialize(value, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a JSON payload into <typeparamref name="T"/>.</summary>
    /// <exception cref="ForyJsonContractException">Unknown or duplicate keys.</exception>
    /// <exception cref="ForyDecodeException">Malformed JSON or a value of the wrong kind.</exception>
    [RequiresUnreferencedCode("Reflects over record types.")]
    public static T Deserialize<T>(ReadOnlySpan<byte> utf8Json)
    {
        Utf8JsonReader reader = new(utf8Json, new JsonReaderOptions { MaxDepth = ForyOptions.Default.MaxDepth + 1 });
        try
        {
            if (!reader.Read())
            {
                throw new ForyDecodeException("empty JSON payload");
            }

            object? value = ReadValue(ref reader, typeof(T), "$");
            if (reader.Read())
            {
                throw new ForyDecodeException("trailing data after the JSON value", reader.TokenStartIndex);
            }

            return (T)value!;
        }
        catch (JsonException e)
        {
            throw new ForyDecodeException("malformed JSON: " + e.Message, e.BytePositionInLine ?? -1, inner: e);
        }
    }

    // ---------------- writing ----------------

    [RequiresUnreferencedCode("Reflects over record types.")]
    private static void WriteValue(StringBuilder b, object? value, Type type, int depth)
    {
        if (depth > ForyOptions.Default.MaxDepth)
        {
            throw new ForyEncodeException("JSON nesting deeper than the limit (a cycle?)", type.Name);
        }

        if (value is null)
        {
            b.Append("null");
            return;
        }

        Type t = Nullable.GetUnderlyingType(type) ?? type;
        switch (value)
        {
            case string s:
                PythonJsonText.AppendString(b, s);
                return;
            case bool v:
                b.Append(v ? "true" : "false");
                return;
            case Enum e:
                b.Append(Convert.ToInt64(e, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
                return;
            case sbyte or short or int or long or byte or ushort or uint or ulong:
                b.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                return;
            case float f:
                WriteDouble(b, f);
                return;
            case double d:
                WriteDouble(b, d);
                return;
            case Guid g:
                PythonJsonText.AppendString(b, g.ToString("D"));
                return;
            case byte[] bytes:
                PythonJsonText.AppendString(b, Convert.ToBase64String(bytes));
                return;
            case ReadOnlyMemory<byte> rom:
                PythonJsonText.AppendString(b, Convert.ToBase64String(rom.Span));
                return;
            case Memory<byte> mem:
                PythonJsonText.AppendString(b, Convert.ToBase64String(mem.Span));
                return;
            case DateTime dt:
                PythonJsonText.AppendString(b, Rfc3339(dt.Kind == DateTimeKind.Local ? dt.ToUniversalTime() : DateTime.SpecifyKind(dt, DateTimeKind.Utc)));
                return;
            case DateTimeOffset dto:
                PythonJsonText.AppendString(b, Rfc3339(dto.UtcDateTime));
                return;
            case DateOnly day:
                PythonJsonText.AppendString(b, day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                return;
        }

        if (WireTypeModel.IsWireRecord(t))
        {
            WireTypeModel model = WireTypeModel.For(t);
            b.Append('{');
            bool first = true;
            foreach (WireFieldModel f in DeclarationOrder(model))
            {
                if (!first)
                {
                    b.Append(',');
                }

                first = false;
                PythonJsonText.AppendString(b, f.JsonKey);
                b.Append(':');
                object? member = f.Property.GetValue(value);
                if (member is null && !f.IsNullable)
                {
                    throw new ForyEncodeException($"member {f.MemberName} is null but not nullable", model.Tag);
                }

                WriteValue(b, member, f.ClrType, depth + 1);
            }

            b.Append('}');
            return;
        }

        if (value is IDictionary dict)
        {
            b.Append('{');
            bool first = true;
            Type valueType = t.IsGenericType ? t.GetGenericArguments()[^1] : typeof(object);
            foreach (DictionaryEntry e in dict)
            {
                if (!first)
                {
                    b.Append(',');
                }

                first = false;
                PythonJsonText.AppendString(b, e.Key is string ks ? ks : Convert.ToString(e.Key, CultureInfo.InvariantCulture)!);
                b.Append(':');
                WriteValue(b, e.Value, e.Value?.GetType() ?? valueType, depth + 1);
            }

            b.Append('}');
            return;
        }

        if (value is IEnumerable list)
        {
            b.Append('[');
            bool first = true;
            foreach (object? item in list)
            {
                if (!first)
                {
                    b.Append(',');
                }

                first = false;
                WriteValue(b, item, item?.GetType() ?? typeof(object), depth + 1);
            }

            b.Append(']');
            return;
        }

        throw new ForyEncodeException($"type {t.Name} has no JSON form");
    }

    private static IEnumerable<WireFieldModel> DeclarationOrder(WireTypeModel model) =>
        model.Fields.OrderBy(f => f.Property.MetadataToken);

    private static string Rfc3339(DateTime utc)
    {
        string s = utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture).TrimEnd('0');
        return (s.EndsWith('.') ? s[..^1] : s) + "Z";
    }

    private static void WriteDouble(StringBuilder b, double d)
        => b.Append(double.IsFinite(d) ? PythonJsonText.FormatDouble(d) : throw new ForyEncodeException("NaN and infinities have no JSON form"));

    // ---------------- reading ----------------

    [RequiresUnreferencedCode("Reflects over record types.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "JSON mode is reflection-based; records are registered through RequiresUnreferencedCode APIs.")]
    private static object? ReadValue(ref Utf8JsonReader r, Type type, string path)
    {
        Type? underlying = Nullable.GetUnderlyingType(type);
        if (r.TokenType == JsonTokenType.Null)
        {
            return type.IsValueType && underlying is null ? Fail<object>(path, "null for a non-nullable value") : null;
        }

        Type t = underlying ?? type;
        try
        {
            if (t == typeof(string))
            {
                return r.TokenType == JsonTokenType.String ? r.GetString() : Fail<object>(path, "expected a string");
            }

            if (t == typeof(bool))
            {
                return r.TokenType is JsonTokenType.True or JsonTokenType.False ? r.GetBoolean() : Fail<object>(path, "expected a boolean");
            }

            if (t.IsEnum)
            {
                if (r.TokenType == JsonTokenType.String)
                {
                    return Enum.TryParse(t, r.GetString(), true, out object? named) ? named : Fail<object>(path, "unknown enum member");
                }

                long raw = r.GetInt64();
                object member = Enum.ToObject(t, raw);
                return Enum.IsDefined(t, member) ? member : Fail<object>(path, $"unknown enum value {raw}");
            }

            switch (Type.GetTypeCode(t))
            {
                case TypeCode.SByte: return r.GetSByte();
                case TypeCode.Int16: return r.GetInt16();
                case TypeCode.Int32: return r.GetInt32();
                case TypeCode.Int64: return r.GetInt64();
                case TypeCode.Byte: return r.GetByte();
                case TypeCode.UInt16: return r.GetUInt16();
                case TypeCode.UInt32: return r.GetUInt32();
                case TypeCode.UInt64: return r.GetUInt64();
                case TypeCode.Single: return (float)ReadDouble(ref r);
                case TypeCode.Double: return ReadDouble(ref r);
                case TypeCode.DateTime: return DateTimeOffset.Parse(r.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).UtcDateTime;
            }

            if (t == typeof(DateTimeOffset))
            {
                return DateTimeOffset.Parse(r.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUniversalTime();
            }

            if (t == typeof(DateOnly))
            {
                return DateOnly.ParseExact(r.GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            }

            if (t == typeof(Guid))
            {
                return Guid.Parse(r.GetString()!);
            }

            if (t == typeof(byte[]))
            {
                return r.GetBytesFromBase64();
            }

            if (t == typeof(ReadOnlyMemory<byte>))
            {
                return new ReadOnlyMemory<byte>(r.GetBytesFromBase64());
            }

            if (t == typeof(Memory<byte>))
            {
                return new Memory<byte>(r.GetBytesFromBase64());
            }
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or OverflowException or ArgumentException)
        {
            throw new ForyDecodeException($"invalid JSON value at {path}: {e.Message}", inner: e);
        }

        if (WireTypeModel.IsWireRecord(t))
        {
            return ReadRecord(ref r, WireTypeModel.For(t), path);
        }

        if (t.IsArray || WireTypeModel.CollectionShape(t) is not null)
        {
            return ReadCollection(ref r, t, path);
        }

        throw new ForyDecodeException($"type {t.Name} has no JSON form (at {path})");
    }

    private static double ReadDouble(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.String)
        {
            return r.GetString() switch
            {
                "NaN" => double.NaN,
                "Infinity" => double.PositiveInfinity,
                "-Infinity" => double.NegativeInfinity,
                _ => throw new FormatException("not a number"),
            };
        }

        return r.GetDouble();
    }

    private static TResult Fail<TResult>(string path, string message) => throw new ForyDecodeException($"{message} at {path}");

    [RequiresUnreferencedCode("Reflects over record types.")]
    private static object ReadRecord(ref Utf8JsonReader r, WireTypeModel model, string path)
    {
        if (r.TokenType != JsonTokenType.StartObject)
        {
            throw new ForyDecodeException($"expected an object for {model.Tag} at {path}");
        }

        Type type = model.ClrType;
        bool hasCtor = type.IsValueType || type.GetConstructor(Type.EmptyTypes) is not null;
        object obj = hasCtor ? Activator.CreateInstance(type)! : RuntimeHelpers.GetUninitializedObject(type);
        HashSet<WireFieldModel> set = [];
        List<string> unexpected = [];
        while (r.Read() && r.TokenType != JsonTokenType.EndObject)
        {
            string key = r.GetString()!;
            r.Read();
            WireFieldModel? f = Match(model, key);
            if (f is null || !set.Add(f))
            {
                unexpected.Add(key);
                r.Skip();
                continue;
            }

            object? v = ReadValue(ref r, f.ClrType, path + "." + key);
            if (v is null && !f.IsNullable)
            {
                throw new ForyDecodeException($"null for non-nullable {key} at {path}");
            }

            f.Property.SetValue(obj, v);
        }

        if (unexpected.Count > 0)
        {
            throw new ForyJsonContractException(path, unexpected, DeclarationOrder(model).Select(f => f.JsonKey).ToArray(), model.Tag);
        }

        if (!hasCtor)
        {
            foreach (WireFieldModel f in model.Fields)
            {
                if (!set.Contains(f) && !f.IsNullable)
                {
                    f.Property.SetValue(obj, EmptyValue(f.ClrType));
                }
            }
        }

        return obj;
    }

    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "JSON mode is reflection-based.")]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "JSON mode is reflection-based.")]
    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "JSON mode is reflection-based.")]
    private static object? EmptyValue(Type t)
    {
        if (t == typeof(string))
        {
            return string.Empty;
        }

        if (t == typeof(byte[]))
        {
            return Array.Empty<byte>();
        }

        if (t.IsArray)
        {
            return Array.CreateInstance(t.GetElementType()!, 0);
        }

        if (WireTypeModel.CollectionShape(t) is { } shape)
        {
            return shape.Kind switch
            {
                ForyTypeId.List => Activator.CreateInstance(typeof(List<>).MakeGenericType(shape.Value!)),
                ForyTypeId.Set => Activator.CreateInstance(typeof(HashSet<>).MakeGenericType(shape.Value!)),
                _ => Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(shape.Key!, shape.Value!)),
            };
        }

        return t.IsValueType ? Activator.CreateInstance(t) : null;
    }

    private static WireFieldModel? Match(WireTypeModel model, string key)
    {
        foreach (WireFieldModel f in model.Fields)
        {
            if (f.JsonKey == key)
            {
                return f;
            }
        }

        foreach (WireFieldModel f in model.Fields)
        {
            if (f.Name == key || WireNaming.ToCamelCaseAlias(f.Name) == key)
            {
                return f;
            }
        }

        return null;
    }

    [RequiresUnreferencedCode("Reflects over collection types.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "JSON mode is reflection-based.")]
    private static object ReadCollection(ref Utf8JsonReader r, Type t, string path)
    {
        if (t.IsArray || WireTypeModel.CollectionShape(t)!.Value.Kind != ForyTypeId.Map)
        {
            Type element = t.IsArray ? t.GetElementType()! : WireTypeModel.CollectionShape(t)!.Value.Value!;
            if (r.TokenType != JsonTokenType.StartArray)
            {
                throw new ForyDecodeException($"expected an array at {path}");
            }

            IList list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
            int i = 0;
            while (r.Read() && r.TokenType != JsonTokenType.EndArray)
            {
                list.Add(ReadValue(ref r, element, $"{path}[{i++}]"));
            }

            if (t.IsArray)
            {
                Array array = Array.CreateInstance(element, list.Count);
                list.CopyTo(array, 0);
                return array;
            }

            if (WireTypeModel.CollectionShape(t)!.Value.Kind == ForyTypeId.Set)
            {
                object set = Activator.CreateInstance(typeof(HashSet<>).MakeGenericType(element))!;
                MethodInfo add = set.GetType().GetMethod("Add")!;
                foreach (object? item in list)
                {
                    add.Invoke(set, [item]);
                }

                return set;
            }

            return list;
        }

        WireTypeModel.Shape shape = WireTypeModel.CollectionShape(t)!.Value;
        if (r.TokenType != JsonTokenType.StartObject)
        {
            throw new ForyDecodeException($"expected an object at {path}");
        }

        IDictionary dict = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(shape.Key!, shape.Value!))!;
        while (r.Read() && r.TokenType != JsonTokenType.EndObject)
        {
            string keyText = r.GetString()!;
            object key;
            try
            {
                key = shape.Key == typeof(string) ? keyText
                    : shape.Key!.IsEnum ? Enum.Parse(shape.Key, keyText, true)
                    : Convert.ChangeType(keyText, shape.Key!, CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException or ArgumentException)
            {
                throw new ForyDecodeException($"invalid map key '{keyText}' at {path}", inner: e);
            }

            r.Read();
            if (dict.Contains(key))
            {
                throw new ForyDecodeException($"duplicate map key '{keyText}' at {path}");
            }

            dict.Add(key, ReadValue(ref r, shape.Value!, $"{path}.{keyText}"));
        }

        return dict;
    }
}
