using System.Security.Cryptography;
using System.Text;
using Aster.Contracts;
using Aster.Testing;

namespace Aster.Tests.Contracts;

public sealed class UnicodeNfcTests
{
    // Expected values from CPython 3.11 unicodedata.normalize("NFC", …) (Unicode 14.0.0).
    [Theory]
    [InlineData("cafe\u0301", "caf\u00e9")]
    [InlineData("\u1100\u1161\u11a8", "\uac01")]
    [InlineData("A\u030a", "\u00c5")]
    [InlineData("\u212b", "\u00c5")]
    [InlineData("\u0344", "\u0308\u0301")]
    [InlineData("q\u0307\u0323", "q\u0323\u0307")]
    [InlineData("\u1e0b\u0323", "\u1e0d\u0307")]
    [InlineData("\u0958", "\u0915\u093c")]
    [InlineData("\u0b47\u0b3e", "\u0b4b")]
    [InlineData("e\u0301\u0301", "\u00e9\u0301")]
    [InlineData("\U0001d15e", "\U0001d157\U0001d165")]
    [InlineData("\uff21wide", "\uff21wide")]
    [InlineData("\u0301abc", "\u0301abc")]
    [InlineData("a\u0328\u0301\u0304", "\u0105\u0301\u0304")]
    [InlineData("\uac00\u11a8", "\uac01")]
    [InlineData("\u1100\u1161", "\uac00")]
    [InlineData("\u00e9", "\u00e9")]
    [InlineData("\U00020000cjk", "\U00020000cjk")]
    [InlineData("A\u0300\u0316", "\u00c0\u0316")]
    [InlineData("plain ascii", "plain ascii")]
    public void Normalize_Cases_MatchPython(string input, string expected)
    {
        Assert.Equal(expected, UnicodeNfc.Normalize(input));
    }

    [Fact]
    public void Normalize_EveryCodePoint_MatchesPythonDigest()
    {
        // SHA-256 over NFC(c) + "\n" and NFC(c + U+0301) + "\n" for every scalar value in the planes that hold
        // anything normalization touches (BMP, SMP, CJK compatibility supplement, tags), computed with CPython 3.11.
        StringBuilder single = new(600_000);
        StringBuilder withAcute = new(800_000);
        foreach (int cp in Enumerable.Range(0, 0x20000).Concat(Enumerable.Range(0x2F800, 0x220)).Concat(Enumerable.Range(0xE0000, 0x1000)))
        {
            if (cp is >= 0xD800 and < 0xE000)
            {
                continue;
            }

            string c = new Rune(cp).ToString();
            single.Append(UnicodeNfc.Normalize(c)).Append('\n');
            withAcute.Append(UnicodeNfc.Normalize(c + "\u0301")).Append('\n');
        }

        Assert.Equal("c0854677b52ae54023d1f8c5215b4dd6003f4307903d648f03332009f492e8ba", Hex.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(single.ToString()))));
        Assert.Equal("a6cd749c4c52a75b8fe350eeb76fb5e5230b5070afdfaa1002cf7ebf66b1112f", Hex.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(withAcute.ToString()))));
    }
}
