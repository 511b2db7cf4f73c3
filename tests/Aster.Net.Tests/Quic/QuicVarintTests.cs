using Aster.Net.Quic;
using Aster.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Net.Tests.Quic;

public sealed class QuicVarintTests
{
    // RFC 9000, Appendix A.1 examples.
    [Theory]
    [InlineData("c2197c5eff14e88c", 151288809941952652UL)]
    [InlineData("9d7f3e7d", 494878333UL)]
    [InlineData("7bbd", 15293UL)]
    [InlineData("25", 37UL)]
    [InlineData("4025", 37UL)]
    public void TryRead_Rfc9000Examples_DecodesValue(string hex, ulong expected)
    {
        Assert.True(QuicVarint.TryRead(Hex.Decode(hex), out ulong value, out int length));
        Assert.Equal(expected, value);
        Assert.Equal(hex.Length / 2, length);
    }

    [Theory]
    [InlineData(151288809941952652UL, "c2197c5eff14e88c")]
    [InlineData(494878333UL, "9d7f3e7d")]
    [InlineData(15293UL, "7bbd")]
    [InlineData(37UL, "25")]
    public void Write_Rfc9000Examples_EncodesMinimally(ulong value, string expected)
    {
        byte[] buffer = new byte[8];
        int length = QuicVarint.Write(buffer, value);
        Assert.Equal(expected, Hex.Encode(buffer.AsSpan(0, length)));
    }

    [Fact]
    public void TryRead_Truncated_ReturnsFalse()
    {
        Assert.False(QuicVarint.TryRead(Hex.Decode("c2197c5eff14e8"), out _, out _));
        Assert.False(QuicVarint.TryRead([], out _, out _));
        Assert.False(QuicVarint.TryRead(Hex.Decode("40"), out _, out _));
    }

    [Fact]
    public void IsMinimal_NonMinimalTwoByteEncoding_ReturnsFalse()
    {
        Assert.False(QuicVarint.IsMinimal(37, 2));
        Assert.True(QuicVarint.IsMinimal(37, 1));
    }

    [Fact]
    public void GetLength_Boundaries_MatchSpec()
    {
        Assert.Equal(1, QuicVarint.GetLength(63));
        Assert.Equal(2, QuicVarint.GetLength(64));
        Assert.Equal(2, QuicVarint.GetLength(16383));
        Assert.Equal(4, QuicVarint.GetLength(16384));
        Assert.Equal(4, QuicVarint.GetLength(1073741823));
        Assert.Equal(8, QuicVarint.GetLength(1073741824));
        Assert.Equal(8, QuicVarint.GetLength(QuicVarint.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => QuicVarint.GetLength(QuicVarint.MaxValue + 1));
    }

    [Fact]
    public void WriteWithLength_ValueTooLargeForLength_Throws()
    {
        byte[] buffer = new byte[8];
        Assert.Throws<ArgumentException>(() => QuicVarint.WriteWithLength(buffer, 64, 1));
        Assert.Equal(4, QuicVarint.WriteWithLength(buffer, 5, 4));
        Assert.True(QuicVarint.TryRead(buffer, out ulong value, out int length));
        Assert.Equal(5UL, value);
        Assert.Equal(4, length);
    }

    [Fact]
    public void WriteThenRead_RandomValues_RoundTrip()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), Prop.ForAll(ArbMap.Default.ArbFor<ulong>(), raw =>
        {
            ulong value = raw & QuicVarint.MaxValue;
            Span<byte> buffer = stackalloc byte[8];
            int written = QuicVarint.Write(buffer, value);
            return QuicVarint.TryRead(buffer, out ulong read, out int length) && read == value && length == written
                && written == QuicVarint.GetLength(value);
        }));
    }

    [Fact]
    public void ReadVarintLengthPrefixed_LengthBeyondRemaining_ThrowsFrameEncoding()
    {
        byte[] data = Hex.Decode("05aabb");
        var ex = Assert.Throws<QuicProtocolException>(() =>
        {
            var reader = new QuicReader(data);
            reader.ReadVarintLengthPrefixed(100, "test");
        });
        Assert.Equal(QuicTransportError.FrameEncodingError, ex.Error);
    }

    [Fact]
    public void ReadVarintLengthPrefixed_LengthBeyondLimit_Throws()
    {
        byte[] data = Hex.Decode("03aabbcc");
        Assert.Throws<QuicProtocolException>(() =>
        {
            var reader = new QuicReader(data);
            reader.ReadVarintLengthPrefixed(2, "test");
        });
    }

    [Fact]
    public void Reader_ReadsPastEnd_ThrowsTypedException()
    {
        Assert.Throws<QuicProtocolException>(() =>
        {
            var reader = new QuicReader([1]);
            reader.ReadByte();
            reader.ReadByte();
        });
        Assert.Throws<QuicProtocolException>(() =>
        {
            var reader = new QuicReader([1, 2]);
            reader.ReadBytes(3);
        });
    }

    [Fact]
    public void Writer_Overflow_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() =>
        {
            var writer = new QuicWriter(new byte[2]);
            writer.WriteUInt32(1);
        });
    }
}
