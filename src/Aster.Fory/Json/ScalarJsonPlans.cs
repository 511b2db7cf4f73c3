using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Aster.Fory.IO;

namespace Aster.Fory.Json;

internal sealed class StringJsonPlan : JsonPlan<string>
{
    public override string Empty => string.Empty;

    public override void WriteNonNull(ref ForyWriter w, string value, int depth) => PythonJsonText.WriteString(ref w, value);

    protected override string ReadNonNull(ref Utf8JsonReader r, JsonPath path) =>
        r.TokenType == JsonTokenType.String ? r.GetString()! : throw Fail(path, "expected a string");
}

internal sealed class BoolJsonPlan : JsonPlan<bool>
{
    public override void WriteNonNull(ref ForyWriter w, bool value, int depth) => w.WriteAscii(value ? "true" : "false");

    protected override bool ReadNonNull(ref Utf8JsonReader r, JsonPath path) =>
        r.TokenType is JsonTokenType.True or JsonTokenType.False ? r.GetBoolean() : throw Fail(path, "expected a boolean");
}

/// <summary>Every integer type: decimal text; read with the reader's range-checked accessors.</summary>
internal sealed class IntegerJsonPlan<T> : JsonPlan<T>
    where T : struct, IBinaryInteger<T>, IUtf8SpanFormattable
{
    public override void WriteNonNull(ref ForyWriter w, T value, int depth) => w.WriteFormatted(value);

    protected override T ReadNonNull(ref Utf8JsonReader r, JsonPath path)
    {
        if (typeof(T) == typeof(sbyte))
        {
            return (T)(object)r.GetSByte();
        }

        if (typeof(T) == typeof(short))
        {
            return (T)(object)r.GetInt16();
        }

        if (typeof(T) == typeof(int))
        {
            return (T)(object)r.GetInt32();
        }

        if (typeof(T) == typeof(long))
        {
            return (T)(object)r.GetInt64();
        }

        if (typeof(T) == typeof(byte))
        {
            return (T)(object)r.GetByte();
        }

        if (typeof(T) == typeof(ushort))
        {
            return (T)(object)r.GetUInt16();
        }

        if (typeof(T) == typeof(uint))
        {
            return (T)(object)r.GetUInt32();
        }

        return (T)(object)r.GetUInt64();
    }
}

internal static class JsonDoubles
{
    public static void Write(ref ForyWriter w, double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ForyEncodeException("NaN and infinities have no JSON form");
        }

        // Fast path without allocation: where .NET's shortest round-trip text has no exponent and Python's repr is
        // positional too (1e-4 <= |value| < 1e16), the digits agree; Python adds ".0" to whole numbers.
        Span<char> text = stackalloc char[32];
        if (value != 0 && Math.Abs(value) >= 1e-4 && Math.Abs(value) < 1e16
            && value.TryFormat(text, out int length, "R", CultureInfo.InvariantCulture)
            && text[..length].IndexOfAny('E', 'e') < 0)
        {
            w.WriteAscii(text[..length]);
            if (text[..length].IndexOf('.') < 0)
            {
                w.WriteAscii(".0");
            }

            return;
        }

        w.WriteAscii(PythonJsonText.FormatDouble(value));
    }

    /// <summary>A number, or the strings <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c> (Python's extension).</summary>
    public static double Read(ref Utf8JsonReader r)
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
}

internal sealed class FloatJsonPlan : JsonPlan<float>
{
    public override void WriteNonNull(ref ForyWriter w, float value, int depth) => JsonDoubles.Write(ref w, value);

    protected override float ReadNonNull(ref Utf8JsonReader r, JsonPath path) => (float)JsonDoubles.Read(ref r);
}

internal sealed class DoubleJsonPlan : JsonPlan<double>
{
    public override void WriteNonNull(ref ForyWriter w, double value, int depth) => JsonDoubles.Write(ref w, value);

    protected override double ReadNonNull(ref Utf8JsonReader r, JsonPath path) => JsonDoubles.Read(ref r);
}

/// <summary>Enums as their integer value; read from the value (a defined member) or a member name (any case).</summary>
internal sealed class EnumJsonPlan<TEnum> : JsonPlan<TEnum>
    where TEnum : struct, Enum
{
    public override void WriteNonNull(ref ForyWriter w, TEnum value, int depth) =>
        w.WriteFormatted(Convert.ToInt64(value, CultureInfo.InvariantCulture));

    protected override TEnum ReadNonNull(ref Utf8JsonReader r, JsonPath path)
    {
        if (r.TokenType == JsonTokenType.String)
        {
            return Enum.TryParse(r.GetString(), true, out TEnum named) ? named : throw Fail(path, "unknown enum member");
        }

        long raw = r.GetInt64();
        TEnum member = (TEnum)Enum.ToObject(typeof(TEnum), raw);
        return Enum.IsDefined(member) ? member : throw Fail(path, $"unknown enum value {raw}");
    }
}

internal sealed class GuidJsonPlan : JsonPlan<Guid>
{
    public override void WriteNonNull(ref ForyWriter w, Guid value, int depth)
    {
        Span<char> text = stackalloc char[36];
        value.TryFormat(text, out _, "D");
        w.WriteByte((byte)'"');
        w.WriteAscii(text);
        w.WriteByte((byte)'"');
    }

    protected override Guid ReadNonNull(ref Utf8JsonReader r, JsonPath path) => Guid.Parse(r.GetString()!);
}

/// <summary>Binary values as standard base64 strings.</summary>
internal static class JsonBase64
{
    public static void Write(ref ForyWriter w, ReadOnlySpan<byte> bytes) => PythonJsonText.WriteString(ref w, Convert.ToBase64String(bytes));
}

internal sealed class BinaryJsonPlan : JsonPlan<byte[]>
{
    public override byte[] Empty => [];

    public override void WriteNonNull(ref ForyWriter w, byte[] value, int depth) => JsonBase64.Write(ref w, value);

    protected override byte[] ReadNonNull(ref Utf8JsonReader r, JsonPath path) => r.GetBytesFromBase64();
}

internal sealed class ReadOnlyMemoryJsonPlan : JsonPlan<ReadOnlyMemory<byte>>
{
    public override void WriteNonNull(ref ForyWriter w, ReadOnlyMemory<byte> value, int depth) => JsonBase64.Write(ref w, value.Span);

    protected override ReadOnlyMemory<byte> ReadNonNull(ref Utf8JsonReader r, JsonPath path) => r.GetBytesFromBase64();
}

internal sealed class MemoryJsonPlan : JsonPlan<Memory<byte>>
{
    public override void WriteNonNull(ref ForyWriter w, Memory<byte> value, int depth) => JsonBase64.Write(ref w, value.Span);

    protected override Memory<byte> ReadNonNull(ref Utf8JsonReader r, JsonPath path) => r.GetBytesFromBase64();
}

/// <summary>RFC 3339 in UTC with the shortest fraction and <c>Z</c>, as the reference writes timestamps.</summary>
internal static class JsonTimes
{
    public static void Write(ref ForyWriter w, DateTime utc)
    {
        string s = utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture).TrimEnd('0');
        PythonJsonText.WriteString(ref w, (s.EndsWith('.') ? s[..^1] : s) + "Z");
    }

    public static DateTimeOffset Parse(ref Utf8JsonReader r) =>
        DateTimeOffset.Parse(r.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}

internal sealed class DateTimeJsonPlan : JsonPlan<DateTime>
{
    public override void WriteNonNull(ref ForyWriter w, DateTime value, int depth) =>
        JsonTimes.Write(ref w, value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc));

    protected override DateTime ReadNonNull(ref Utf8JsonReader r, JsonPath path) => JsonTimes.Parse(ref r).UtcDateTime;
}

internal sealed class DateTimeOffsetJsonPlan : JsonPlan<DateTimeOffset>
{
    public override void WriteNonNull(ref ForyWriter w, DateTimeOffset value, int depth) => JsonTimes.Write(ref w, value.UtcDateTime);

    protected override DateTimeOffset ReadNonNull(ref Utf8JsonReader r, JsonPath path) => JsonTimes.Parse(ref r).ToUniversalTime();
}

internal sealed class DateOnlyJsonPlan : JsonPlan<DateOnly>
{
    public override void WriteNonNull(ref ForyWriter w, DateOnly value, int depth) =>
        PythonJsonText.WriteString(ref w, value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

    protected override DateOnly ReadNonNull(ref Utf8JsonReader r, JsonPath path) =>
        DateOnly.ParseExact(r.GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
}

internal sealed class NullableJsonPlan<T>(JsonPlan<T> inner) : JsonPlan<T?>
    where T : struct
{
    public override void WriteNonNull(ref ForyWriter w, T? value, int depth) => inner.WriteNonNull(ref w, value!.Value, depth);

    protected override T? ReadNonNull(ref Utf8JsonReader r, JsonPath path) => inner.Read(ref r, path);
}

/// <summary>A type without a JSON form: fails when used, with the direction's exception.</summary>
internal sealed class UnsupportedJsonPlan<T> : JsonPlan<T>
{
    public override void WriteNonNull(ref ForyWriter w, T value, int depth) =>
        throw new ForyEncodeException($"type {typeof(T).Name} has no JSON form");

    protected override T ReadNonNull(ref Utf8JsonReader r, JsonPath path) =>
        throw new ForyDecodeException($"type {typeof(T).Name} has no JSON form (at {path})");
}
