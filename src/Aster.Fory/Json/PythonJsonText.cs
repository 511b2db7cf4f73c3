using System.Globalization;
using System.Text;

namespace Aster.Fory.Json;

/// <summary>
/// Text exactly as Python's <c>json</c> module writes it with its default <c>ensure_ascii</c>: strings with
/// <c>\uXXXX</c> escapes (lower-case hex) for everything outside printable ASCII, and floats as <c>repr</c>. The one
/// implementation behind the JSON mode, the protocol headers and the contract manifests.
/// </summary>
internal static class PythonJsonText
{
    /// <summary>Appends <paramref name="s"/> as a quoted JSON string.</summary>
    public static void AppendString(StringBuilder b, string s)
    {
        b.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"':
                    b.Append("\\\"");
                    break;
                case '\\':
                    b.Append("\\\\");
                    break;
                case '\b':
                    b.Append("\\b");
                    break;
                case '\t':
                    b.Append("\\t");
                    break;
                case '\n':
                    b.Append("\\n");
                    break;
                case '\f':
                    b.Append("\\f");
                    break;
                case '\r':
                    b.Append("\\r");
                    break;
                default:
                    if (c < 0x20 || c > 0x7E)
                    {
                        // UTF-16 code units map one to one onto Python's escapes (surrogates stay pairs).
                        b.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        b.Append(c);
                    }

                    break;
            }
        }

        b.Append('"');
    }

    /// <summary>Writes <paramref name="s"/> as a quoted JSON string (ASCII bytes) in one pass when nothing needs escaping.</summary>
    internal static void WriteString(ref IO.ForyWriter w, string s)
    {
        ReadOnlySpan<char> chars = s.AsSpan();
        if (chars.IndexOfAnyExceptInRange(' ', '~') < 0 && chars.IndexOfAny('"', '\\') < 0)
        {
            w.WriteByte((byte)'"');
            w.WriteAscii(chars);
            w.WriteByte((byte)'"');
            return;
        }

        StringBuilder b = new(s.Length + 16);
        AppendString(b, s);
        foreach (ReadOnlyMemory<char> chunk in b.GetChunks())
        {
            w.WriteAscii(chunk.Span);
        }
    }

    /// <summary>Formats a finite double as Python's <c>repr</c>: shortest round-trip digits, exponent form below 1e-4 or from 1e16.</summary>
    public static string FormatDouble(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentException("NaN and infinities have no JSON form.", nameof(value));
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }

        // "E16" is not shortest; "R" is shortest but uses .NET's exponent rules. Take the digits and exponent from "R".
        string r = value.ToString("R", CultureInfo.InvariantCulture);
        bool negative = r[0] == '-';
        if (negative)
        {
            r = r[1..];
        }

        int exponentAt = r.IndexOfAny(['E', 'e']);
        int exponent = exponentAt < 0 ? 0 : int.Parse(r.AsSpan(exponentAt + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        string mantissa = exponentAt < 0 ? r : r[..exponentAt];
        int point = mantissa.IndexOf('.', StringComparison.Ordinal);
        string digits = point < 0 ? mantissa : mantissa.Remove(point, 1);
        int integerDigits = point < 0 ? mantissa.Length : point;
        int leadingZeros = 0;
        while (leadingZeros < digits.Length - 1 && digits[leadingZeros] == '0')
        {
            leadingZeros++;
        }

        digits = digits[leadingZeros..].TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }

        // decimalExponent: value = 0.d1d2d3... × 10^decimalExponent  →  scientific exponent is decimalExponent - 1.
        int decimalExponent = integerDigits - leadingZeros + exponent;
        int scientific = decimalExponent - 1;
        var builder = new StringBuilder(32);
        if (negative)
        {
            builder.Append('-');
        }

        if (scientific < -4 || scientific >= 16)
        {
            builder.Append(digits[0]);
            if (digits.Length > 1)
            {
                builder.Append('.').Append(digits, 1, digits.Length - 1);
            }

            builder.Append('e').Append(scientific < 0 ? '-' : '+');
            builder.Append(Math.Abs(scientific).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (decimalExponent <= 0)
        {
            builder.Append("0.").Append('0', -decimalExponent).Append(digits);
        }
        else if (decimalExponent >= digits.Length)
        {
            builder.Append(digits).Append('0', decimalExponent - digits.Length).Append(".0");
        }
        else
        {
            builder.Append(digits, 0, decimalExponent).Append('.').Append(digits, decimalExponent, digits.Length - decimalExponent);
        }

        return builder.ToString();
    }
}
