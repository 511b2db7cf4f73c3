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
        // SHA-256 over NFC(c) + "\n" and NFC(c + U+0301) + "\n" for every scalar value, computed with CPython 3.11.
        using IncrementalHash single = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using IncrementalHash withAcute = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (int cp = 0; cp < 0x110000; cp++)
        {
            if (cp is >= 0xD800 and < 0xE000)
            {
                continue;
            }

            string c = new Rune(cp).ToString();
            single.AppendData(Encoding.UTF8.GetBytes(UnicodeNfc.Normalize(c) + "\n"));
            withAcute.AppendData(Encoding.UTF8.GetBytes(UnicodeNfc.Normalize(c + "\u0301") + "\n"));
        }

        Assert.Equal("9cc65524a9d8082bf10840c616cd199bd2ac12ee49a3381bd6fb7957711f342b", Hex.Encode(single.GetHashAndReset()));
        Assert.Equal("996936af7fd47edcd00126ff207bfa141d5d965063ddd664f55a0dbd7f744cc4", Hex.Encode(withAcute.GetHashAndReset()));
    }
}
