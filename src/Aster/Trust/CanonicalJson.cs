using System.Text;

namespace Aster.Trust;

/// <summary>
/// The canonical attribute JSON that credential signatures cover (trust.md section 3.5): keys sorted by Unicode code
/// point, no whitespace, raw UTF-8, only quote, backslash and control characters escaped.
/// </summary>
public static class CanonicalJson
{
    private const string HexDigits = "0123456789abcdef";

    /// <summary>Encodes an attribute map as canonical JSON bytes.</summary>
    /// <param name="attributes">The attributes; every key and value must be well-formed UTF-16.</param>
    /// <returns>The UTF-8 bytes.</returns>
    /// <exception cref="TrustFormatException">A key or value holds an unpaired surrogate.</exception>
    public static byte[] EncodeAttributes(IReadOnlyDictionary<string, string> attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        string[] keys = [.. attributes.Keys];
        Array.Sort(keys, CompareCodePoints);
        StringBuilder sb = new(2 + (keys.Length * 16));
        sb.Append('{');
        for (int i = 0; i < keys.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            AppendString(sb, keys[i]);
            sb.Append(':');
            AppendString(sb, attributes[keys[i]]);
        }

        sb.Append('}');
        try
        {
            return new UTF8Encoding(false, true).GetBytes(sb.ToString());
        }
        catch (EncoderFallbackException ex)
        {
            throw new TrustFormatException("attribute text holds an unpaired surrogate", ex);
        }
    }

    /// <summary>Compares two strings by Unicode code point (equivalently, by their UTF-8 bytes).</summary>
    /// <param name="left">The first string.</param>
    /// <param name="right">The second string.</param>
    /// <returns>Negative, zero or positive as for <see cref="string.CompareOrdinal(string, string)"/>.</returns>
    public static int CompareCodePoints(string? left, string? right)
    {
        if (left is null || right is null)
        {
            return left is null ? (right is null ? 0 : -1) : 1;
        }

        int n = Math.Min(left.Length, right.Length);
        for (int i = 0; i < n; i++)
        {
            char a = left[i];
            char b = right[i];
            if (a != b)
            {
                // Surrogates (D800–DFFF) encode code points above FFFF, which sort after E000–FFFF.
                bool sa = char.IsSurrogate(a);
                bool sb = char.IsSurrogate(b);
                if (sa != sb)
                {
                    if (sa)
                    {
                        return b >= 0xE000 ? 1 : (a < b ? -1 : 1);
                    }

                    return a >= 0xE000 ? -1 : (a < b ? -1 : 1);
                }

                return a < b ? -1 : 1;
            }
        }

        return left.Length.CompareTo(right.Length);
    }

    private static void AppendString(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\b':
                    sb.Append("\\b");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\f':
                    sb.Append("\\f");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                default:
                    if (c < 0x20)
                    {
                        sb.Append("\\u00").Append(HexDigits[c >> 4]).Append(HexDigits[c & 0xF]);
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }
}
