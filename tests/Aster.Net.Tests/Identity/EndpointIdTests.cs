using Aster.Net.Identity;
using Aster.Testing;

namespace Aster.Net.Tests.Identity;

/// <summary>EndpointId text, SPKI and TLS-name forms; vectors from transport.md §1.4 (iroh's own snapshot test).</summary>
public sealed class EndpointIdTests
{
    private const string ZeroSeedId = "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29";
    private const string ZeroSeedSpki = "302a300506032b65700321003b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29";
    private const string ZeroSeedServerName = "7dl2ff6emqi2qol3l382krodedij45bn3nh479hqo14a32qpr8kg.iroh.invalid";
    private const string ZeroSeedEmptySignature = "8f895b3cafe2c9506039d0e2a66382568004674fe8d237785092e40d6aaf483e4fc60168705f31f101596138ce21aa357c0d32a064f423dc3ee4aa3abf53f803";

    [Fact]
    public void Parse_LowercaseHex_RoundTripsThroughToString()
    {
        EndpointId id = EndpointId.Parse(ZeroSeedId);

        Assert.Equal(ZeroSeedId, id.ToString());
        Assert.Equal(Hex.Decode(ZeroSeedId), id.ToArray());
        Assert.Equal(Hex.Decode(ZeroSeedId), id.AsSpan().ToArray());
    }

    [Fact]
    public void Parse_UppercaseHex_Accepted()
    {
        Assert.Equal(EndpointId.Parse(ZeroSeedId), EndpointId.Parse(ZeroSeedId.ToUpperInvariant()));
    }

    [Fact]
    public void ToBase32_ZeroSeedId_Is52LowercaseRfc4648CharactersAndParsesBackInEitherCase()
    {
        EndpointId id = EndpointId.Parse(ZeroSeedId);

        string base32 = id.ToBase32();

        Assert.Equal(52, base32.Length);
        Assert.Matches("^[a-z2-7]{52}$", base32);
        Assert.Equal(Convert.ToBase64String(id.ToArray()), Convert.ToBase64String(EndpointId.Parse(base32).ToArray()));
        Assert.Equal(id, EndpointId.Parse(base32.ToUpperInvariant()));
    }

    [Fact]
    public void ToBase32_KnownBytes_MatchesRfc4648Encoding()
    {
        // 32 bytes 00..1f; RFC 4648 base32 computed independently (Python base64.b32encode, padding removed, lowercased).
        EndpointId id = EndpointId.FromBytes(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());

        Assert.Equal("aaaqeayeaudaocajbifqydiob4ibceqtcqkrmfyydenbwha5dypq", id.ToBase32());
    }

    [Fact]
    public void ToSubjectPublicKeyInfo_ZeroSeedId_MatchesVector()
    {
        EndpointId id = EndpointId.Parse(ZeroSeedId);

        Assert.Equal(ZeroSeedSpki, Hex.Encode(id.ToSubjectPublicKeyInfo()));
        Assert.Equal(id, EndpointId.FromSubjectPublicKeyInfo(Hex.Decode(ZeroSeedSpki)));
    }

    [Fact]
    public void ToTlsServerName_ZeroSeedId_MatchesIrohSnapshot()
    {
        EndpointId id = EndpointId.Parse(ZeroSeedId);

        Assert.Equal(ZeroSeedServerName, id.ToTlsServerName());
        Assert.Equal(id, EndpointId.FromTlsServerName(ZeroSeedServerName));
        Assert.True(EndpointId.TryFromTlsServerName(ZeroSeedServerName.ToUpperInvariant().Replace(".IROH.INVALID", ".iroh.invalid", StringComparison.Ordinal), out EndpointId upper));
        Assert.Equal(id, upper);
    }

    [Fact]
    public void Verify_ZeroSeedEmptyMessageSignature_True()
    {
        EndpointId id = EndpointId.Parse(ZeroSeedId);
        byte[] signature = Hex.Decode(ZeroSeedEmptySignature);

        Assert.True(id.Verify([], signature));
        signature[0] ^= 1;
        Assert.False(id.Verify([], signature));
        Assert.False(id.Verify([], signature.AsSpan(0, 63)));
    }

    [Fact]
    public void IsValidPublicKey_RealKeyAndSmallOrderPoints_Distinguished()
    {
        Assert.True(EndpointId.Parse(ZeroSeedId).IsValidPublicKey);

        // The identity point (y = 1) and y = 0 (order 4) are small-order points.
        byte[] identity = new byte[32];
        identity[0] = 1;
        Assert.False(EndpointId.FromBytes(identity).IsValidPublicKey);
        Assert.False(default(EndpointId).IsValidPublicKey);
    }

    [Fact]
    public void Default_IsAllZero()
    {
        EndpointId id = default;

        Assert.Equal(new string('0', 64), id.ToString());
        Assert.Equal(EndpointId.FromBytes(new byte[32]), id);
        Assert.Equal(32, id.AsSpan().Length);
    }

    [Fact]
    public void CompareTo_OrdersLexicographicallyByBytes()
    {
        byte[] a = new byte[32];
        byte[] b = new byte[32];
        b[0] = 1;
        a[31] = 0xff;
        EndpointId low = EndpointId.FromBytes(a);
        EndpointId high = EndpointId.FromBytes(b);

        Assert.True(low < high);
        Assert.True(high > low);
        Assert.True(low <= high);
        Assert.True(high >= low);
        Assert.True(low != high);
        Assert.Equal(-1, Math.Sign(low.CompareTo(high)));
        Assert.Equal(1, low.CompareTo(null));
        Assert.NotEqual(low.GetHashCode(), high.GetHashCode());
    }

    [Fact]
    public void SpanParsable_GenericParse_Works()
    {
        Assert.Equal(EndpointId.Parse(ZeroSeedId), ParseGeneric<EndpointId>(ZeroSeedId));

        static T ParseGeneric<T>(string s)
            where T : ISpanParsable<T> => T.Parse(s.AsSpan(), null);
    }

    [Theory]
    [InlineData("", -1)]
    [InlineData("3b6a", -1)]
    [InlineData("3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da2", -1)]
    [InlineData("3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da299", -1)]
    [InlineData("3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da2g", 63)]
    [InlineData("xb6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29", 0)]
    [InlineData("3b6a27bcceb6a42d62a3a8d02a6f0d7365321577 de243a63ac048a18b59da29", 40)]
    [InlineData("aaaqeayeaudaocajbifqydiob4ibceqtcqkrmfyydenbwha5dyp1", 51)]
    [InlineData("aaaqeay0audaocajbifqydiob4ibceqtcqkrmfyydenbwha5dypq", 7)]
    [InlineData("aaaqeayeaudaocajbifqydiob4ibceqtcqkrmfyydenbwha5dypr", 51)]
    public void Parse_Malformed_ThrowsKeyFormatExceptionNamingTheCharacter(string text, int index)
    {
        KeyFormatException e = Assert.Throws<KeyFormatException>(() => EndpointId.Parse(text));

        Assert.Equal(index < 0 ? null : index, e.CharacterIndex);
        Assert.Null(e.ByteOffset);
        Assert.Contains("endpoint id", e.Message, StringComparison.Ordinal);
        Assert.False(EndpointId.TryParse(text, out _));
        Assert.False(EndpointId.TryParse(text.AsSpan(), out _));
    }

    [Fact]
    public void TryParse_Null_False()
    {
        Assert.False(EndpointId.TryParse((string?)null, out _));
        Assert.Throws<ArgumentNullException>(() => EndpointId.Parse((string)null!));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void FromBytes_WrongLength_ThrowsKeyFormatException(int length)
    {
        KeyFormatException e = Assert.Throws<KeyFormatException>(() => EndpointId.FromBytes(new byte[length]));

        Assert.Contains("32 bytes", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void FromSubjectPublicKeyInfo_WrongPrefixByte_NamesItsOffset()
    {
        for (int i = 0; i < 12; i++)
        {
            byte[] spki = Hex.Decode(ZeroSeedSpki);
            spki[i] ^= 0x40;

            KeyFormatException e = Assert.Throws<KeyFormatException>(() => EndpointId.FromSubjectPublicKeyInfo(spki));

            Assert.Equal(i, e.ByteOffset);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(43)]
    [InlineData(45)]
    public void FromSubjectPublicKeyInfo_WrongLength_Throws(int length)
    {
        Assert.Throws<KeyFormatException>(() => EndpointId.FromSubjectPublicKeyInfo(new byte[length]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("7dl2ff6emqi2qol3l382krodedij45bn3nh479hqo14a32qpr8kg.iroh.invalid.")]
    [InlineData("7dl2ff6emqi2qol3l382krodedij45bn3nh479hqo14a32qpr8kg.iroh.example")]
    [InlineData("7dl2ff6emqi2qol3l382krodedij45bn3nh479hqo14a32qpr8k.iroh.invalid")]
    [InlineData("7dl2ff6emqi2qol3l382krodedij45bn3nh479hqo14a32qpr8kgg.iroh.invalid")]
    [InlineData("localhost")]
    public void FromTlsServerName_WrongShape_Throws(string name)
    {
        Assert.Throws<KeyFormatException>(() => EndpointId.FromTlsServerName(name));
        Assert.False(EndpointId.TryFromTlsServerName(name, out _));
    }

    [Theory]
    [InlineData("wdl2ff6emqi2qol3l382krodedij45bn3nh479hqo14a32qpr8kg.iroh.invalid", 0)]
    [InlineData("7dl2ff6emqi2qol3l382krodedij45bn3nh479hqo14a32qpr8kh.iroh.invalid", 51)]
    public void FromTlsServerName_BadCharacterOrTrailingBits_NamesTheCharacter(string name, int index)
    {
        KeyFormatException e = Assert.Throws<KeyFormatException>(() => EndpointId.FromTlsServerName(name));

        Assert.Equal(index, e.CharacterIndex);
    }
}
