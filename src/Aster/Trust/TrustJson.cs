using System.Text.Json;
using System.Text.Unicode;

namespace Aster.Trust;

/// <summary>Strict JSON reading for untrusted trust documents (trust.md section 3.7).</summary>
internal static class TrustJson
{
    /// <summary>The largest document accepted (64 KiB).</summary>
    public const int MaxDocumentSize = 64 * 1024;

    /// <summary>The deepest nesting accepted.</summary>
    public const int MaxDepth = 50;

    /// <summary>
    /// Parses a document: valid UTF-8, at most <see cref="MaxDocumentSize"/> bytes, nesting at most 50, no trailing
    /// data, no repeated key in any object.
    /// </summary>
    public static JsonDocument Parse(ReadOnlySpan<byte> utf8, string what)
    {
        if (utf8.Length > MaxDocumentSize)
        {
            throw new TrustFormatException($"{what} is larger than {MaxDocumentSize} bytes");
        }

        if (!Utf8.IsValid(utf8))
        {
            throw new TrustFormatException($"{what} is not valid UTF-8");
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8.ToArray(), new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException ex)
        {
            throw new TrustFormatException($"{what} is not valid JSON or is nested too deeply", ex);
        }

        try
        {
            CheckNoDuplicateKeys(doc.RootElement, what);
        }
        catch
        {
            doc.Dispose();
            throw;
        }

        return doc;
    }

    /// <summary>The string value of a property, or throws naming the key.</summary>
    public static string GetString(JsonElement element, string key, string what)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            throw new TrustFormatException($"{what}: '{key}' is not a string");
        }

        return ReadString(element, key, what);
    }

    /// <summary>Reads a JSON string, rejecting escaped unpaired surrogates.</summary>
    public static string ReadString(JsonElement element, string key, string what)
    {
        try
        {
            string s = element.GetString()!;
            for (int i = 0; i < s.Length; i++)
            {
                if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                {
                    i++;
                }
                else if (char.IsSurrogate(s[i]))
                {
                    throw new TrustFormatException($"{what}: '{key}' holds an unpaired surrogate");
                }
            }

            return s;
        }
        catch (InvalidOperationException ex)
        {
            throw new TrustFormatException($"{what}: '{key}' is not a valid string", ex);
        }
    }

    /// <summary>A JSON integer in 0..2^64−1.</summary>
    public static ulong GetUInt64(JsonElement element, string key, string what)
    {
        if (element.ValueKind != JsonValueKind.Number)
        {
            throw new TrustFormatException($"{what}: '{key}' is not an integer");
        }

        string raw = element.GetRawText();
        foreach (char c in raw)
        {
            if (c is < '0' or > '9')
            {
                throw new TrustFormatException($"{what}: '{key}' is not a non-negative integer");
            }
        }

        if (!element.TryGetUInt64(out ulong value))
        {
            throw new TrustFormatException($"{what}: '{key}' is out of range");
        }

        return value;
    }

    /// <summary>Decodes lowercase-or-uppercase hex of an exact byte length.</summary>
    public static byte[] GetHex(JsonElement element, string key, int byteLength, string what)
    {
        string s = GetString(element, key, what);
        return DecodeHex(s, key, byteLength, what);
    }

    /// <summary>Decodes hex text of an exact byte length.</summary>
    public static byte[] DecodeHex(string s, string key, int byteLength, string what)
    {
        if (s.Length != byteLength * 2)
        {
            throw new TrustFormatException($"{what}: '{key}' must be {byteLength * 2} hex characters");
        }

        foreach (char c in s)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                throw new TrustFormatException($"{what}: '{key}' holds a non-hex character");
            }
        }

        return Convert.FromHexString(s);
    }

    /// <summary>True for exactly 64 lowercase hex characters.</summary>
    public static bool IsLowerHex64(string s)
    {
        if (s.Length != 64)
        {
            return false;
        }

        foreach (char c in s)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Reads an object whose values are all strings.</summary>
    public static Dictionary<string, string> GetStringMap(JsonElement element, string key, string what)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new TrustFormatException($"{what}: '{key}' is not an object");
        }

        Dictionary<string, string> map = new(StringComparer.Ordinal);
        foreach (JsonProperty p in element.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String)
            {
                throw new TrustFormatException($"{what}: a value in '{key}' is not a string");
            }

            string name = CheckedName(p, what);
            map[name] = ReadString(p.Value, key, what);
        }

        return map;
    }

    private static string CheckedName(JsonProperty p, string what)
    {
        string name = p.Name;
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsHighSurrogate(name[i]) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(name[i]))
            {
                throw new TrustFormatException($"{what}: a key holds an unpaired surrogate");
            }
        }

        return name;
    }

    private static void CheckNoDuplicateKeys(JsonElement element, string what)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                HashSet<string> seen = new(StringComparer.Ordinal);
                foreach (JsonProperty p in element.EnumerateObject())
                {
                    if (!seen.Add(p.Name))
                    {
                        throw new TrustFormatException($"{what} repeats a key");
                    }

                    CheckNoDuplicateKeys(p.Value, what);
                }

                break;
            case JsonValueKind.Array:
                foreach (JsonElement e in element.EnumerateArray())
                {
                    CheckNoDuplicateKeys(e, what);
                }

                break;
            default:
                break;
        }
    }
}
