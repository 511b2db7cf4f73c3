using System.Buffers;
using System.Globalization;
using System.Text;

namespace Aster.Protocol.Json;

/// <summary>
/// Writes compact JSON byte-for-byte as Python's <c>json.dumps(value, separators=(",", ":"))</c> does with its
/// default <c>ensure_ascii</c> (wire-protocol.md, section 16.5): no whitespace, non-ASCII and control characters as
/// lower-case <c>\uXXXX</c>, <c>/</c> unescaped, doubles as Python's <c>repr</c>.
/// </summary>
/// <remarks>The caller is responsible for well-formed nesting; separators are inserted automatically.</remarks>
internal sealed class CompactJsonWriter
{
    private const string HexDigits = "0123456789abcdef";
    private readonly IBufferWriter<byte> _output;
    private bool _needsComma;

    /// <summary>Creates a writer that appends to <paramref name="output"/>.</summary>
    public CompactJsonWriter(IBufferWriter<byte> output)
    {
        _output = output;
    }

    public void WriteStartObject()
    {
        Separator();
        WriteByte((byte)'{');
        _needsComma = false;
    }

    public void WriteEndObject()
    {
        WriteByte((byte)'}');
        _needsComma = true;
    }

    public void WriteStartArray()
    {
        Separator();
        WriteByte((byte)'[');
        _needsComma = false;
    }

    public void WriteEndArray()
    {
        WriteByte((byte)']');
        _needsComma = true;
    }

    /// <summary>Writes <c>"name":</c>; the value that follows gets no comma before it.</summary>
    public void WritePropertyName(string name)
    {
        Separator();
        WriteQuoted(name);
        WriteByte((byte)':');
        _needsComma = false;
    }

    public void WriteString(string value)
    {
        Separator();
        WriteQuoted(value);
        _needsComma = true;
    }

    public void WriteNumber(long value)
    {
        Separator();
        Span<byte> span = _output.GetSpan(20);
        value.TryFormat(span, out int written, provider: CultureInfo.InvariantCulture);
        _output.Advance(written);
        _needsComma = true;
    }

    public void WriteNumber(ulong value)
    {
        Separator();
        Span<byte> span = _output.GetSpan(20);
        value.TryFormat(span, out int written, provider: CultureInfo.InvariantCulture);
        _output.Advance(written);
        _needsComma = true;
    }

    /// <summary>Writes a double as Python's <c>repr</c> would.</summary>
    /// <exception cref="ArgumentException">NaN or an infinity (they have no JSON form; section 16.5).</exception>
    public void WriteNumber(double value)
    {
        Separator();
        WriteAscii(FormatPythonDouble(value));
        _needsComma = true;
    }

    public void WriteBoolean(bool value)
    {
        Separator();
        WriteAscii(value ? "true" : "false");
        _needsComma = true;
    }

    public void WriteNull()
    {
        Separator();
        WriteAscii("null");
        _needsComma = true;
    }

    /// <summary>Writes a pre-encoded JSON value verbatim.</summary>
    public void WriteRaw(ReadOnlySpan<byte> json)
    {
        Separator();
        _output.Write(json);
        _needsComma = true;
    }

    /// <summary>Formats a finite double as Python's <c>repr</c>: shortest round-trip digits, exponent form below 1e-4 or from 1e16.</summary>
    public static string FormatPythonDouble(double value)
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

    private void Separator()
    {
        if (_needsComma)
        {
            WriteByte((byte)',');
        }
    }

    private void WriteQuoted(string value)
    {
        // Worst case: every char becomes \uXXXX (6 bytes), plus quotes.
        Span<byte> span = _output.GetSpan((value.Length * 6) + 2);
        int n = 0;
        span[n++] = (byte)'"';
        foreach (char c in value)
        {
            switch (c)
            {
                case '"':
                    span[n++] = (byte)'\\';
                    span[n++] = (byte)'"';
                    break;
                case '\\':
                    span[n++] = (byte)'\\';
                    span[n++] = (byte)'\\';
                    break;
                case '\b':
                    span[n++] = (byte)'\\';
                    span[n++] = (byte)'b';
                    break;
                case '\t':
                    span[n++] = (byte)'\\';
                    span[n++] = (byte)'t';
                    break;
                case '\n':
                    span[n++] = (byte)'\\';
                    span[n++] = (byte)'n';
                    break;
                case '\f':
                    span[n++] = (byte)'\\';
                    span[n++] = (byte)'f';
                    break;
                case '\r':
                    span[n++] = (byte)'\\';
                    span[n++] = (byte)'r';
                    break;
                default:
                    if (c >= 0x20 && c <= 0x7e)
                    {
                        span[n++] = (byte)c;
                    }
                    else
                    {
                        // UTF-16 code units map one to one onto Python's \uXXXX escapes (surrogates stay pairs).
                        span[n++] = (byte)'\\';
                        span[n++] = (byte)'u';
                        span[n++] = (byte)HexDigits[c >> 12];
                        span[n++] = (byte)HexDigits[(c >> 8) & 0xf];
                        span[n++] = (byte)HexDigits[(c >> 4) & 0xf];
                        span[n++] = (byte)HexDigits[c & 0xf];
                    }

                    break;
            }
        }

        span[n++] = (byte)'"';
        _output.Advance(n);
    }

    private void WriteAscii(string text)
    {
        Span<byte> span = _output.GetSpan(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            span[i] = (byte)text[i];
        }

        _output.Advance(text.Length);
    }

    private void WriteByte(byte value)
    {
        _output.GetSpan(1)[0] = value;
        _output.Advance(1);
    }
}
