using System.Buffers;
using System.Text;
using Aster.Fory.Json;
using Aster.Protocol.Json;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Tests.Protocol;

public sealed class CompactJsonWriterTests
{
    [Theory]
    [InlineData(1.0, "1.0")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e-07, "1e-07")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(123.456, "123.456")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    [InlineData(1.2345678901234568e17, "1.2345678901234568e+17")]
    [InlineData(0.0, "0.0")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(100.0, "100.0")]
    [InlineData(3.14159, "3.14159")]
    [InlineData(1.5e-5, "1.5e-05")]
    public void FormatPythonDouble_MatchesPythonRepr(double value, string expected)
    {
        Assert.Equal(expected, PythonJsonText.FormatDouble(value));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void FormatPythonDouble_NonFinite_Throws(double value)
    {
        Assert.Throws<ArgumentException>(() => new CompactJsonWriter(new ArrayBufferWriter<byte>()).WriteNumber(value));
    }

    [Fact]
    public void FormatPythonDouble_RandomDoubles_RoundTrip()
    {
        var random = new Random(20261121);
        for (int i = 0; i < 20_000; i++)
        {
            double value = BitConverter.Int64BitsToDouble(random.NextInt64());
            if (!double.IsFinite(value))
            {
                continue;
            }

            string text = PythonJsonText.FormatDouble(value);
            Assert.Equal(value, double.Parse(text, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("caf\u00e9", "\"caf\\u00e9\"")]
    [InlineData("\U0001F600", "\"\\ud83d\\ude00\"")]
    [InlineData("a/b", "\"a/b\"")]
    [InlineData("q\"b\\", "\"q\\\"b\\\\\"")]
    [InlineData("\b\t\n\f\r\u0001\u007f", "\"\\b\\t\\n\\f\\r\\u0001\\u007f\"")]
    public void WriteString_EscapesAsPythonEnsureAscii(string value, string expected)
    {
        var output = new ArrayBufferWriter<byte>();
        new CompactJsonWriter(output).WriteString(value);
        Assert.Equal(expected, Encoding.ASCII.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Writer_NestedValues_HaveNoWhitespaceAndCorrectSeparators()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new CompactJsonWriter(output);
        writer.WriteStartObject();
        writer.WritePropertyName("a");
        writer.WriteStartArray();
        writer.WriteNumber(1L);
        writer.WriteNumber(2.5);
        writer.WriteNull();
        writer.WriteBoolean(true);
        writer.WriteEndArray();
        writer.WritePropertyName("b");
        writer.WriteStartObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        Assert.Equal("{\"a\":[1,2.5,null,true],\"b\":{}}", Encoding.ASCII.GetString(output.WrittenSpan));
    }

    /// <summary>The plain-ASCII fast path writes exactly what the escaping path (Python's json.dumps) writes.</summary>
    [Fact]
    public void WriteString_AnyText_MatchesPythonEscaping()
    {
        Gen<string> text = Gen.OneOf(
            ArbMap.Default.ArbFor<string>().Generator,
            Gen.Elements("", "Hello", "a/b", "quote\"", "back\\slash", "tab\t", "é", "\u007f", "~ !"));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2_000), Prop.ForAll(text.ToArbitrary(), value =>
        {
            value ??= string.Empty;
            var output = new ArrayBufferWriter<byte>();
            new CompactJsonWriter(output).WriteString(value);
            var expected = new StringBuilder();
            PythonJsonText.AppendString(expected, value);
            Assert.Equal(expected.ToString(), Encoding.ASCII.GetString(output.WrittenSpan));
        }));
    }
}
