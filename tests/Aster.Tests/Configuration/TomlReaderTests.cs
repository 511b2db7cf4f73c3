using Aster.Configuration;
using Aster.Configuration.Toml;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Tests.Configuration;

public sealed class TomlReaderTests
{
    private const string ValidDocument = """"
        # comment
        top = "level" # trailing comment

        [trust]
        root_pubkey = "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c"
        allow_all_consumers = false
        'literal key' = 'C:\path\no\escapes'
        "quoted.key" = "tab\there \u00e9 \U0001F600 \"q\" \\"

        [network]
        hook_timeout_ms = 5_000
        hex = 0xDEAD_beef
        oct = 0o755
        bin = 0b1010
        neg = -17
        pi = 3.14
        exp = 6.02e23
        inf = -inf
        list = [ "a", 'b',
          "c", # comment inside
        ]
        nested = [[1, 2], ["x"]]
        site.name = "dotted"
        site.port = 80
        point = { x = 1, y.z = "two" }
        empty = {}
        ml = """
        line1
        line2 \
          joined"""
        mll = '''
        raw \n text'''

        [[peers]]
        name = "a"

        [[peers]]
        name = "b"
        attributes = { "aster.role" = "ops.status,ops.logs" }

        [a.b.c]
        x = 1
        [a]
        y = 2
        """";

    [Fact]
    public void Parse_ValidDocument_ReadsEveryValueKind()
    {
        var root = TomlReader.Parse(ValidDocument.Replace("\r\n", "\n", StringComparison.Ordinal), "test.toml");

        Assert.Equal("level", root["top"].AsString);
        var trust = root["trust"].AsTable;
        Assert.False(trust["allow_all_consumers"].AsBoolean);
        Assert.Equal(@"C:\path\no\escapes", trust["literal key"].AsString);
        Assert.Equal("tab\there \u00e9 \U0001F600 \"q\" \\", trust["quoted.key"].AsString);
        Assert.Equal(5, trust.PositionOf("root_pubkey").Line);

        var net = root["network"].AsTable;
        Assert.Equal(5000, net["hook_timeout_ms"].AsInteger);
        Assert.Equal(0xDEADBEEF, net["hex"].AsInteger);
        Assert.Equal(493, net["oct"].AsInteger);
        Assert.Equal(10, net["bin"].AsInteger);
        Assert.Equal(-17, net["neg"].AsInteger);
        Assert.Equal(3.14, net["pi"].AsFloat);
        Assert.Equal(6.02e23, net["exp"].AsFloat);
        Assert.Equal(double.NegativeInfinity, net["inf"].AsFloat);
        Assert.Equal(["a", "b", "c"], net["list"].AsArray.Select(v => v.AsString));
        Assert.Equal(2, net["nested"].AsArray.Count);
        Assert.Equal("dotted", net["site"].AsTable["name"].AsString);
        Assert.Equal(80, net["site"].AsTable["port"].AsInteger);
        Assert.Equal("two", net["point"].AsTable["y"].AsTable["z"].AsString);
        Assert.Equal(0, net["empty"].AsTable.Count);
        Assert.Equal("line1\nline2 joined", net["ml"].AsString);
        Assert.Equal("raw \\n text", net["mll"].AsString);

        var peers = root["peers"];
        Assert.True(peers.IsArrayOfTables);
        Assert.Equal(["a", "b"], peers.AsArray.Select(p => p.AsTable["name"].AsString));
        Assert.Equal("ops.status,ops.logs", peers.AsArray[1].AsTable["attributes"].AsTable["aster.role"].AsString);
        Assert.Equal(2, root["a"].AsTable["y"].AsInteger);
        Assert.Equal(1, root["a"].AsTable["b"].AsTable["c"].AsTable["x"].AsInteger);
    }

    [Fact]
    public void Parse_CrLfAndBom_Accepted()
    {
        var root = TomlReader.Parse("\uFEFF[s]\r\nk = \"v\"\r\n");
        Assert.Equal("v", root["s"].AsTable["k"].AsString);
    }

    [Fact]
    public void Parse_MultiLineStringWithExtraQuotes_KeepsThem()
    {
        var root = TomlReader.Parse("s = \"\"\"a\"\"\"\"\"\nt = '''b'''''\n");
        Assert.Equal("a\"\"", root["s"].AsString);
        Assert.Equal("b''", root["t"].AsString);
    }

    [Theory]
    [InlineData("a = 1\na = 2\n", 2, 1, "duplicate key")]
    [InlineData("[t]\nx = 1\n[t]\n", 3, 1, "defined more than once")]
    [InlineData("s = \"a\\qb\"\n", 1, 7, "invalid escape")]
    [InlineData("s = \"\\u12\"\n", 1, 6, "hex digits")]
    [InlineData("s = \"\\uD800\"\n", 1, 6, "scalar")]
    [InlineData("s = \"abc\n", 1, 5, "unterminated string")]
    [InlineData("s = 'abc\n", 1, 5, "unterminated string")]
    [InlineData("s = \"\"\"abc\n", 1, 5, "unterminated multi-line")]
    [InlineData("a = 1 x\n", 1, 7, "after the value")]
    [InlineData("[t] x\n", 1, 5, "after the value")]
    [InlineData("d = 1979-05-27\n", 1, 5, "dates and times")]
    [InlineData("d = 07:32:00\n", 1, 5, "dates and times")]
    [InlineData("a = [1, 2\n", 1, 5, "unterminated array")]
    [InlineData("a = [1 2]\n", 1, 8, "expected ','")]
    [InlineData("t = { a = 1\n", 1, 5, "inline table")]
    [InlineData("t = { a = 1, }\n", 1, 14, "in a key")]
    [InlineData("a = 1\n[[a]]\n", 2, 1, "array of tables")]
    [InlineData("a = 1\n[a.b]\n", 2, 2, "already a value")]
    [InlineData("a = 99999999999999999999\n", 1, 5, "64-bit")]
    [InlineData("a = 0x\n", 1, 5, "invalid value")]
    [InlineData("a = 01\n", 1, 5, "invalid value")]
    [InlineData("a = 1__0\n", 1, 5, "invalid value")]
    [InlineData("a = tru\n", 1, 5, "invalid value")]
    [InlineData("a =\n", 1, 4, "expected a value")]
    [InlineData("a\n", 1, 2, "expected '='")]
    [InlineData("a.b = 1\na.b.c = 2\n", 2, 3, "duplicate key")]
    [InlineData("t = { a = 1 }\n[t]\n", 2, 1, "defined more than once")]
    [InlineData("[a]\nb.c = 1\n[a.b]\n", 3, 1, "defined more than once")]
    [InlineData("s = \"a\u0001b\"\n", 1, 7, "control character")]
    [InlineData("a = 1\rb = 2\n", 1, 6, "carriage return")]
    [InlineData("[a\n", 1, 3, "']'")]
    [InlineData("k = @\n", 1, 5, "expected a value")]
    [InlineData("\"\"\"k\"\"\" = 1\n", 1, 1, "multi-line")]
    public void Parse_InvalidDocument_ThrowsWithLineAndColumn(string text, int line, int column, string fragment)
    {
        var e = Assert.Throws<ConfigurationException>(() => TomlReader.Parse(text, "f.toml"));
        Assert.Equal("f.toml", e.File);
        Assert.Equal((line, column), (e.Line, e.Column));
        Assert.Contains(fragment, e.Reason, StringComparison.Ordinal);
        Assert.StartsWith($"f.toml:{line}:{column}: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicateKey_NamesKey()
    {
        var e = Assert.Throws<ConfigurationException>(() => TomlReader.Parse("[trust]\nroot_pubkey = \"a\"\nroot_pubkey = \"b\"\n"));
        Assert.Equal("trust.root_pubkey", e.Key);
    }

    [Fact]
    public void Parse_TooLarge_Rejected()
    {
        var e = Assert.Throws<ConfigurationException>(() => TomlReader.Parse(new string('#', 101), "big.toml", maxLength: 100));
        Assert.Contains("larger than", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseFile_TooLarge_RejectedBeforeParsing()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, new string('#', 200));
            Assert.Throws<ConfigurationException>(() => TomlReader.ParseFile(path, maxBytes: 100));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ParseFile_InvalidUtf8_Rejected()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, [(byte)'a', (byte)'=', (byte)'"', 0xFF, (byte)'"']);
            var e = Assert.Throws<ConfigurationException>(() => TomlReader.ParseFile(path));
            Assert.Contains("UTF-8", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Parse_DeepNesting_RejectedWithoutStackOverflow()
    {
        var e = Assert.Throws<ConfigurationException>(() => TomlReader.Parse("a = " + new string('[', 10_000)));
        Assert.Contains("nested", e.Message, StringComparison.Ordinal);
    }

    private const string Alphabet = "abc =[]{}.,\"'\\#\n\r\t0123456789_-+:xoeEinf\u00e9\u0001tu";

    [Fact]
    public void Parse_RandomText_OnlyConfigurationException()
    {
        Check.One(FsCheck.Config.QuickThrowOnFailure.WithMaxTest(3_000), Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
        {
            string text = new(bytes.Select(b => Alphabet[b % Alphabet.Length]).ToArray());
            return ParsesOrConfigurationException(text);
        }));
    }

    [Fact]
    public void Parse_MutatedValidDocument_OnlyConfigurationException()
    {
        string valid = ValidDocument.Replace("\r\n", "\n", StringComparison.Ordinal);
        Check.One(FsCheck.Config.QuickThrowOnFailure.WithMaxTest(3_000), Prop.ForAll(ArbMap.Default.ArbFor<int[]>(), ops =>
        {
            var chars = new List<char>(valid);
            for (int i = 0; i + 1 < ops.Length && chars.Count > 0; i += 2)
            {
                int pos = (int)((uint)ops[i] % (uint)chars.Count);
                char c = Alphabet[(int)((uint)ops[i + 1] % (uint)Alphabet.Length)];
                switch ((uint)ops[i + 1] % 3)
                {
                    case 0: chars.RemoveAt(pos); break;
                    case 1: chars.Insert(pos, c); break;
                    default: chars[pos] = c; break;
                }
            }

            return ParsesOrConfigurationException(new string([.. chars]));
        }));
    }

    private static bool ParsesOrConfigurationException(string text)
    {
        try
        {
            TomlReader.Parse(text);
        }
        catch (ConfigurationException e)
        {
            return e.Line >= 1 && e.Column >= 1;
        }

        return true;
    }
}
