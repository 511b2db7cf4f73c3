using System.Text.Json;
using Aster.Net.Identity;
using Aster.Testing;

namespace Aster.Net.Tests.Identity;

public sealed class SecretKeyTests
{
    private const string ZeroSeed = "0000000000000000000000000000000000000000000000000000000000000000";
    private const string ZeroSeedId = "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29";

    [Fact]
    public void PublicKey_ZeroSeed_MatchesTransportVector()
    {
        using SecretKey key = SecretKey.Parse(ZeroSeed);

        Assert.Equal(ZeroSeedId, key.PublicKey.ToString());
    }

    [VectorFact]
    public void PublicKey_TrustVectorSeeds_MatchPublishedPublicKeys()
    {
        using JsonDocument doc = Vectors.Load("trust.json");
        JsonElement keys = doc.RootElement.GetProperty("keys");

        foreach (string name in new[] { "root", "node" })
        {
            using SecretKey key = SecretKey.Parse(keys.GetProperty(name + "_seed").GetString()!);

            Assert.Equal(keys.GetProperty(name + "_public_key").GetString(), key.PublicKey.ToString());
        }
    }

    [Fact]
    public void Sign_ZeroSeedEmptyMessage_MatchesVectorAndVerifies()
    {
        using SecretKey key = SecretKey.FromBytes(new byte[32]);
        byte[] signature = new byte[64];

        key.Sign([], signature);

        Assert.Equal("8f895b3cafe2c9506039d0e2a66382568004674fe8d237785092e40d6aaf483e4fc60168705f31f101596138ce21aa357c0d32a064f423dc3ee4aa3abf53f803", Hex.Encode(signature));
        Assert.Equal(signature, key.Sign([]));
        Assert.True(key.PublicKey.Verify([], signature));
    }

    [Fact]
    public void Generate_TwoKeys_DifferAndSignVerifiably()
    {
        using SecretKey a = SecretKey.Generate();
        using SecretKey b = SecretKey.Generate();
        byte[] message = "hello"u8.ToArray();

        Assert.NotEqual(a, b);
        Assert.NotEqual(a.PublicKey, b.PublicKey);
        Assert.True(a.PublicKey.Verify(message, a.Sign(message)));
        Assert.False(b.PublicKey.Verify(message, a.Sign(message)));
    }

    [Fact]
    public void ToBytesAndCopyTo_ExportTheSeed()
    {
        byte[] seed = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        using SecretKey key = SecretKey.FromBytes(seed);
        byte[] copy = new byte[40];

        key.CopyTo(copy);

        Assert.Equal(seed, key.ToBytes());
        Assert.Equal(seed, copy.AsSpan(0, 32).ToArray());
        Assert.Throws<ArgumentException>(() => key.CopyTo(new byte[31]));
    }

    [Fact]
    public void Parse_UppercaseHexAndBase32_SameKey()
    {
        byte[] seed = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();
        string hex = Hex.Encode(seed);
        string base32 = EndpointId.FromBytes(seed).ToBase32();

        using SecretKey a = SecretKey.Parse(hex);
        using SecretKey b = SecretKey.Parse(hex.ToUpperInvariant());
        using SecretKey c = SecretKey.Parse(base32);

        Assert.Equal(a, b);
        Assert.Equal(a, c);
        Assert.True(SecretKey.TryParse(hex, out SecretKey? d));
        using (d)
        {
            Assert.Equal(a, d);
        }
    }

    [Fact]
    public void ToString_NeverShowsTheSecret()
    {
        byte[] seed = Enumerable.Range(0xa0, 32).Select(i => (byte)i).ToArray();
        using SecretKey key = SecretKey.FromBytes(seed);
        string hex = Hex.Encode(seed);

        string text = key.ToString();

        Assert.DoesNotContain(hex[..8], text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(hex, text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(key.PublicKey.ToString()[..8], text, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Malformed_MessageNamesIndexButNotTheText()
    {
        string text = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1bZ";

        KeyFormatException e = Assert.Throws<KeyFormatException>(() => SecretKey.Parse(text));

        Assert.Equal(63, e.CharacterIndex);
        Assert.DoesNotContain("a1b2c3d4", e.Message, StringComparison.Ordinal);
        Assert.Contains("secret key", e.Message, StringComparison.Ordinal);
        Assert.False(SecretKey.TryParse(text, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void FromBytes_WrongLength_ThrowsKeyFormatException(int length)
    {
        Assert.Throws<KeyFormatException>(() => SecretKey.FromBytes(new byte[length]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("00")]
    [InlineData("000000000000000000000000000000000000000000000000000000000000000")]
    public void Parse_WrongLength_ThrowsKeyFormatException(string text)
    {
        KeyFormatException e = Assert.Throws<KeyFormatException>(() => SecretKey.Parse(text));

        Assert.Null(e.CharacterIndex);
    }

    [Fact]
    public void Equals_SameSeed_TrueAndHashCodesMatch()
    {
        using SecretKey a = SecretKey.Parse(ZeroSeed);
        using SecretKey b = SecretKey.FromBytes(new byte[32]);
        using SecretKey c = SecretKey.Generate();

        Assert.True(a.Equals(b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.False(a.Equals(c));
        Assert.False(a.Equals((object?)null));
    }

    [Fact]
    public void Dispose_ZeroesAndRefusesFurtherUse()
    {
        SecretKey key = SecretKey.Generate();
        _ = key.PublicKey;
        using SecretKey twin = SecretKey.FromBytes(key.ToBytes());

        key.Dispose();
        key.Dispose();

        Assert.Throws<ObjectDisposedException>(() => key.ToBytes());
        Assert.Throws<ObjectDisposedException>(() => key.Sign([]));
        Assert.Throws<ObjectDisposedException>(() => key.CopyTo(new byte[32]));
        Assert.Throws<ObjectDisposedException>(() => key.PublicKey);
        Assert.Equal("SecretKey(disposed)", key.ToString());
        Assert.False(key.Equals(twin));
        Assert.True(key.Equals(key));
    }

    [Fact]
    public void Dispose_ZeroesTheSeedBuffer()
    {
        SecretKey key = SecretKey.FromBytes(Enumerable.Repeat((byte)0x5a, 32).ToArray());
        byte[] buffer = (byte[])typeof(SecretKey)
            .GetField("_seed", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .GetValue(key)!;

        key.Dispose();

        Assert.All(buffer, b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task PublicKey_ManyThreadsAtOnce_AllSeeTheSameId()
    {
        using SecretKey key = SecretKey.FromBytes(new byte[32]);

        EndpointId[] ids = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => key.PublicKey)));

        Assert.All(ids, id => Assert.Equal(ZeroSeedId, id.ToString()));
    }
}
