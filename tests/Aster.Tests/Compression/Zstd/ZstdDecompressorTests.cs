using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using Aster.Compression.Zstd;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Tests.Compression.Zstd;

public class ZstdDecompressorTests
{
    private const int Limit = 16 * 1024 * 1024;

    /// <summary>Name, original length and SHA-256 of each committed blob (printed by Data/make.py).</summary>
    public static TheoryData<string, int, string> Blobs => new()
    {
        { "text-l1", 40_000, "bdeb1210c108e3065dd4a9c626731f41c39d26213b743904b24ed12cfd83ce17" },
        { "text-l19", 40_000, "bdeb1210c108e3065dd4a9c626731f41c39d26213b743904b24ed12cfd83ce17" },
        { "mixed-l3", 320_000, "820701309863eb8a900b2d9d1cc403aeef2b325ac8ad571f5555fa304ad5a1bc" },
        { "nosize-nocheck-l3", 10_000, "b2ae0e71e99cad4411c01d6fbf8340234746951118db8a9ccfc47e63076ed3fc" },
        { "long-l1", 1_132_768, "8f02a78d2cd3ec7d14d619f3662a46b6404b3d63c1aba0c7f9288516a05dfe57" },
        { "tiny-l3", 12, "ef89360a7ef2064fd462f11a69ecfbe724709f055c45c52ac68884dc11c10293" },
    };

    [Theory]
    [MemberData(nameof(Blobs))]
    public void Decompress_CommittedBlob_MatchesOriginal(string name, int length, string sha256)
    {
        byte[] output = Decompress(Blob(name));

        Assert.Equal(length, output.Length);
        Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(output)));
    }

    [Fact]
    public void Decompress_MultiSegmentSequence_SameAsContiguous()
    {
        byte[] blob = Blob("mixed-l3");
        var writer = new ArrayBufferWriter<byte>();

        int written = ZstdDecompressor.Decompress(Framing.FrameReaderTests.Segmented(blob, 1000), writer, Limit);

        Assert.Equal(Decompress(blob), writer.WrittenSpan.ToArray());
        Assert.Equal(written, writer.WrittenCount);
    }

    [Fact]
    public void Decompress_SkippableFramesAndConcatenatedFrames_AreHandled()
    {
        byte[] skippable = [0x5A, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 0xAA, 0xBB, 0xCC];
        byte[] tiny = Blob("tiny-l3");

        byte[] output = Decompress([.. skippable, .. tiny, .. tiny, .. skippable]);

        Assert.Equal("hello, asterhello, aster"u8.ToArray(), output);
    }

    [Fact]
    public void Decompress_ChecksumAltered_ThrowsChecksumMismatch()
    {
        byte[] blob = Blob("text-l1");
        blob[^1] ^= 0x01;

        var ex = Assert.Throws<ZstdException>(() => Decompress(blob));

        Assert.Equal(ZstdError.ChecksumMismatch, ex.Error);
    }

    [Fact]
    public void Decompress_OutputOverLimit_ThrowsOutputLimitExceeded()
    {
        var declared = Assert.Throws<ZstdException>(() => ZstdDecompressor.Decompress(Blob("text-l1"), new ArrayBufferWriter<byte>(), 39_999));
        var undeclared = Assert.Throws<ZstdException>(() => ZstdDecompressor.Decompress(Blob("nosize-nocheck-l3"), new ArrayBufferWriter<byte>(), 9_999));

        Assert.Equal(ZstdError.OutputLimitExceeded, declared.Error);
        Assert.Equal(ZstdError.OutputLimitExceeded, undeclared.Error);
    }

    [Fact]
    public void Decompress_RleBlockPastLimit_StopsWithoutAllocatingTheClaim()
    {
        // 200 RLE blocks of 128 KiB: 4 bytes of input each, 25 MiB of output.
        byte[] frame = ZstdTestFrames.Rle(0x41, 200);

        var ex = Assert.Throws<ZstdException>(() => ZstdDecompressor.Decompress(frame, new ArrayBufferWriter<byte>(), Limit));

        Assert.Equal(ZstdError.OutputLimitExceeded, ex.Error);
    }

    [Fact]
    public void Decompress_DictionaryFrame_ThrowsDictionaryNotSupported()
    {
        // Single segment, 1-byte dictionary id 7, 1-byte content size 0, then an empty last raw block.
        byte[] frame = [0x28, 0xB5, 0x2F, 0xFD, 0x21, 0x07, 0x00, 0x01, 0x00, 0x00];

        var ex = Assert.Throws<ZstdException>(() => Decompress(frame));

        Assert.Equal(ZstdError.DictionaryNotSupported, ex.Error);
    }

    [Fact]
    public void Decompress_HandBuiltRawFrame_GivesItsContent()
    {
        byte[] data = ZstdCorpus.Noise(300_000, 9);

        Assert.Equal(data, Decompress(ZstdTestFrames.Raw(data)));
    }

    [Fact]
    public void Decompress_EmptyFrame_GivesNothing()
    {
        byte[] frame = [0x28, 0xB5, 0x2F, 0xFD, 0x20, 0x00, 0x01, 0x00, 0x00];

        Assert.Empty(Decompress(frame));
    }

    [Theory]
    [InlineData(new byte[] { 0x28, 0xB5, 0x2F, 0xFC }, ZstdError.Corrupt)]
    [InlineData(new byte[] { 0x28, 0xB5, 0x2F, 0xFD, 0x28, 0x00, 0x01, 0x00, 0x00 }, ZstdError.Corrupt)] // reserved bit
    [InlineData(new byte[] { 0x28, 0xB5, 0x2F, 0xFD, 0x20, 0x00, 0x07, 0x00, 0x00 }, ZstdError.Corrupt)] // reserved block type
    [InlineData(new byte[] { 0x28, 0xB5, 0x2F }, ZstdError.Truncated)]
    [InlineData(new byte[] { }, ZstdError.Truncated)]
    public void Decompress_InvalidInput_ThrowsTypedError(byte[] input, ZstdError error)
    {
        var ex = Assert.Throws<ZstdException>(() => Decompress(input));

        Assert.Equal(error, ex.Error);
    }

    [Theory]
    [InlineData("tiny-l3")]
    [InlineData("text-l19")]
    public void Decompress_EveryTruncation_ThrowsZstdException(string name)
    {
        byte[] blob = Blob(name);
        for (int length = 0; length < blob.Length; length++)
        {
            Assert.Throws<ZstdException>(() => Decompress(blob[..length]));
        }
    }

    [Fact]
    public void Decompress_MutatedBlobs_OnlyZstdExceptionEscapes()
    {
        byte[][] blobs = [Blob("text-l1"), Blob("text-l19"), Blob("nosize-nocheck-l3"), Blob("tiny-l3")];
        Arbitrary<(int Blob, int[] Positions, byte[] Values)> mutations = (
            from blob in Gen.Choose(0, blobs.Length - 1)
            from positions in Gen.ArrayOf(Gen.Choose(0, int.MaxValue), 3)
            from values in Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), 3)
            select (blob, positions, values)).ToArbitrary();

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(3_000), Prop.ForAll(mutations, m =>
        {
            byte[] input = (byte[])blobs[m.Blob].Clone();
            for (int i = 0; i < m.Positions.Length; i++)
            {
                input[m.Positions[i] % input.Length] = m.Values[i % m.Values.Length];
            }

            return DecodesOrThrowsTyped(input);
        }));
    }

    [Fact]
    public void Decompress_RandomBytesAfterMagic_OnlyZstdExceptionEscapes()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(5_000), Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), tail =>
            DecodesOrThrowsTyped([0x28, 0xB5, 0x2F, 0xFD, .. tail])));
    }

    public static TheoryData<string, string[], bool> CliCases => new()
    {
        { "text", ["-1"], true },
        { "text", ["-3"], true },
        { "text", ["-19"], true },
        { "text", ["--ultra", "-22"], true },
        { "text", ["-3", "--no-check"], false },
        { "mixed", ["-1"], true },
        { "mixed", ["-3"], false },
        { "mixed", ["-19"], true },
        { "noise", ["-3"], true },
        { "zeros", ["-3"], true },
        { "far", ["-3", "--long=22"], true },
        { "far", ["-9", "--long=22"], false },
        { "small", ["-3"], true },
        { "empty", ["-3"], true },
    };

    [ZstdCliTheory]
    [MemberData(nameof(CliCases))]
    public void Decompress_ZstdCliOutput_RoundTrips(string corpus, string[] arguments, bool viaFile)
    {
        byte[] original = corpus switch
        {
            "text" => ZstdCorpus.Text(600_000, 11),
            "mixed" => ZstdCorpus.Mixed(12),
            "noise" => ZstdCorpus.Noise(300_000, 13),
            "zeros" => new byte[400_000],
            "far" => ZstdCorpus.FarRepeat(3_000_000, 14),
            "small" => ZstdCorpus.Text(100, 15),
            _ => [],
        };
        byte[] compressed = ZstdCli.Compress(original, arguments, viaFile);

        byte[] output = Decompress(compressed);

        Assert.Equal(original.Length, output.Length);
        Assert.True(original.AsSpan().SequenceEqual(output), "decompressed bytes differ from the original");
    }

    [ZstdCliFact]
    public void Decompress_ManySizesAndSeeds_RoundTrip()
    {
        for (int seed = 0; seed < 12; seed++)
        {
            int length = seed * seed * 997;
            byte[] original = seed % 2 == 0 ? ZstdCorpus.Text(length, seed) : [.. ZstdCorpus.Text(length / 2, seed), .. ZstdCorpus.Noise(length / 2, seed)];
            byte[] compressed = ZstdCli.Compress(original, [$"-{1 + (seed % 19)}"]);

            Assert.True(original.AsSpan().SequenceEqual(Decompress(compressed)), $"seed {seed}");
        }
    }

    internal static byte[] Blob(string name)
    {
        using Stream stream = typeof(ZstdDecompressorTests).Assembly.GetManifestResourceStream($"zstd/{name}.zst")
            ?? throw new InvalidOperationException($"missing embedded blob {name}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static byte[] Decompress(byte[] input)
    {
        var writer = new ArrayBufferWriter<byte>();
        int written = ZstdDecompressor.Decompress(input, writer, Limit);
        Assert.Equal(written, writer.WrittenCount);
        return writer.WrittenSpan.ToArray();
    }

    private static bool DecodesOrThrowsTyped(byte[] input)
    {
        try
        {
            ZstdDecompressor.Decompress(input, new ArrayBufferWriter<byte>(), 4 * 1024 * 1024);
        }
        catch (ZstdException)
        {
        }

        return true;
    }
}
