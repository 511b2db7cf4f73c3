using System.Buffers;
using System.Globalization;
using System.Text;
using Aster.Fory.Json;

namespace Aster.Protocol.Json;

/// <summary>
/// Writes compact JSON byte-for-byte as Python's <c>json.dumps(value, separators=(",", ":"))</c> does with its
/// default <c>ensure_ascii</c> (wire-protocol.md, section 16.5): no whitespace, non-ASCII and control characters as
/// lower-case <c>\uXXXX</c>, <c>/</c> unescaped, doubles as Python's <c>repr</c>.
/// </summary>
/// <remarks>The caller is responsible for well-formed nesting; separators are inserted automatically.</remarks>
internal sealed class CompactJsonWriter
{
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
        WriteAscii(double.IsFinite(value) ? PythonJsonText.FormatDouble(value) : throw new ArgumentException("NaN and infinities have no JSON form.", nameof(value)));
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

    private void Separator()
    {
        if (_needsComma)
        {
            WriteByte((byte)',');
        }
    }

    private void WriteQuoted(string value)
    {
        if (IsPlainAscii(value))
        {
            // The usual case (names, empty messages): printable ASCII needs no escape, so no intermediate string.
            Span<byte> span = _output.GetSpan(value.Length + 2);
            span[0] = (byte)'"';
            for (int i = 0; i < value.Length; i++)
            {
                span[i + 1] = (byte)value[i];
            }

            span[value.Length + 1] = (byte)'"';
            _output.Advance(value.Length + 2);
            return;
        }

        var text = new StringBuilder(value.Length + 2);
        PythonJsonText.AppendString(text, value);
        WriteAscii(text.ToString());
    }

    /// <summary>True when every character is printable ASCII other than <c>"</c> and <c>\</c>: written as is.</summary>
    private static bool IsPlainAscii(string value)
    {
        foreach (char c in value)
        {
            if (c is < (char)0x20 or > (char)0x7E or '"' or '\\')
            {
                return false;
            }
        }

        return true;
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
