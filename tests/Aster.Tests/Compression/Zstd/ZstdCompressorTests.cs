using System.Buffers;
using System.Buffers.Binary;
using Aster.Compression.Zstd;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace Aster.Tests.Compression.Zstd;

public class ZstdCompressorTests(ITestOutputHelper output)
{
    private const int Limit = 32 * 1024 * 1024;

    /// <summary>Named inputs from 0 B to 9 MiB: text, binary, noise, zeros, long and far matches, block boundaries.</summary>
    public static TheoryData<string> Inputs => [.. _inputs.Keys];

    private static readonly Dictionary<string, Func<byte[]>> _inputs = new()
    {
        ["empty"] = () => [],
        ["one-byte"] = () => [0x42],
        ["three-bytes"] = () => [1, 2, 3],
        ["text-100"] = () => ZstdCorpus.Text(100, 1),
        ["text-5000"] = () => ZstdCorpus.Text(5_000, 2),
        ["text-128k"] = () => ZstdCorpus.Text(128 * 1024, 3),
        ["text-128k-plus-1"] = () => ZstdCorpus.Text((128 * 1024) + 1, 4),
        ["text-1m"] = () => ZstdCorpus.Text(1024 * 1024, 5),
        ["text-4m"] = () => ZstdCorpus.Text(4 * 1024 * 1024, 6),
        ["noise-4097"] = () => ZstdCorpus.Noise(4_097, 7),
        ["noise-300k"] = () => ZstdCorpus.Noise(300_000, 8),
        ["zeros-4097"] = () => new byte[4_097],
        ["zeros-1m"] = () => new byte[1024 * 1024],
        ["mixed"] = () => ZstdCorpus.Mixed(9),
        ["far-repeat-1m"] = () => ZstdCorpus.FarRepeat(1024 * 1024, 10),
        ["counting-ints"] = () => CountingIntegers(100_000),
        ["short-period"] = () => [.. Enumerable.Range(0, 70_000).Select(i => (byte)(i % 7))],
        ["long-run-then-text"] = () => [.. new byte[200_000].Select(_ => (byte)'a'), .. ZstdCorpus.Text(50_000, 11)],
        ["over-window-9m"] = () => [.. ZstdCorpus.Text(5 * 1024 * 1024, 12), .. ZstdCorpus.Noise(4 * 1024 * 1024, 13)],
    };

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Compress_OurDecoder_RestoresInput(string name)
    {
        byte[] input = _inputs[name]();

        byte[] frame = Compress(input);

        Assert.Equal(input, Decompress(frame));
        Assert.True(frame.Length <= ZstdCompressor.GetMaxCompressedLength(input.Length));
    }

    [ZstdCliTheory]
    [MemberData(nameof(Inputs))]
    public void Compress_ZstdCli_RestoresInput(string name)
    {
        byte[] input = _inputs[name]();

        byte[] frame = Compress(input);

        Assert.Equal(input, ZstdCli.Decompress(frame));
    }

    [Fact]
    public void Compress_Text_ShrinksAndReportsRatio()
    {
        byte[] input = ZstdCorpus.Text(1024 * 1024, 20);

        byte[] frame = Compress(input);

        output.WriteLine($"text 1 MiB: {frame.Length} bytes, ratio {(double)input.Length / frame.Length:F2}");
        if (ZstdCli.SkipReason is null)
        {
            foreach (string level in (string[])["-1", "-3"])
            {
                int reference = ZstdCli.Compress(input, [level]).Length;
                output.WriteLine($"zstd {level}: {reference} bytes, ratio {(double)input.Length / reference:F2}");
            }
        }

        Assert.True(frame.Length < input.Length * 2 / 5, $"text compressed to {frame.Length} of {input.Length} bytes");
    }

    [Fact]
    public void Compress_Noise_FallsBackToRawBlocksWithSmallOverhead()
    {
        byte[] input = ZstdCorpus.Noise(300_000, 21);

        byte[] frame = Compress(input);

        Assert.Equal(4 + 1 + 4 + input.Length + (3 * 3) + 4, frame.Length); // header, three raw blocks, checksum
        Assert.Equal(input, Decompress(frame));
    }

    [Fact]
    public void Compress_Zeros_UsesRleBlocks()
    {
        byte[] frame = Compress(new byte[1024 * 1024]);

        Assert.True(frame.Length < 64, $"1 MiB of zeros took {frame.Length} bytes");
    }

    [Fact]
    public void Compress_FrameHeader_DeclaresSizeAndChecksum()
    {
        byte[] frame = Compress(ZstdCorpus.Text(1000, 22));

        Assert.Equal(ZstdDecompressor.FrameMagic, BinaryPrimitives.ReadUInt32LittleEndian(frame));
        byte descriptor = frame[4];
        Assert.Equal(0x64, descriptor); // 2-byte content size, single segment, checksum
        Assert.Equal(1000 - 256, BinaryPrimitives.ReadUInt16LittleEndian(frame.AsSpan(5)));
    }

    [Fact]
    public void TryCompress_ShorterThanInputForNoise_ReturnsFalse()
    {
        byte[] input = ZstdCorpus.Noise(10_000, 23);
        byte[] destination = new byte[input.Length];

        Assert.False(ZstdCompressor.TryCompress(input, destination, out int written));
        Assert.Equal(0, written);
    }

    [Fact]
    public void TryCompress_ShorterThanInputForText_ReturnsTheFrame()
    {
        byte[] input = ZstdCorpus.Text(10_000, 24);
        byte[] destination = new byte[input.Length];

        Assert.True(ZstdCompressor.TryCompress(input, destination, out int written));
        Assert.Equal(input, Decompress(destination[..written]));
    }

    [Fact]
    public void Compress_RandomInputs_RoundTrip()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2_000), Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), input =>
            Decompress(Compress(input)).AsSpan().SequenceEqual(input)));
    }

    [Fact]
    public void Compress_RandomRepetitiveInputs_RoundTrip()
    {
        // Pieces drawn from a small alphabet and copied back at random distances: many matches, repeat offsets and
        // overlapping copies.
        Arbitrary<(byte[] Seed, int[] Steps)> inputs = (
            from seed in Gen.ArrayOf(Gen.Choose(0, 3).Select(b => (byte)b))
            from steps in Gen.ArrayOf(Gen.Choose(0, 5000))
            select (seed, steps)).ToArbitrary();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1_000), Prop.ForAll(inputs, c =>
        {
            byte[] input = Repetitive(c.Seed, c.Steps);
            return Decompress(Compress(input)).AsSpan().SequenceEqual(input);
        }));
    }

    private static byte[] Repetitive(byte[] seed, int[] steps)
    {
        var data = new List<byte>(seed);
        foreach (int step in steps)
        {
            int distance = 1 + (step % Math.Max(1, data.Count));
            int length = 3 + (step % 300);
            if (data.Count == 0)
            {
                data.Add((byte)step);
            }

            int from = Math.Max(0, data.Count - distance);
            for (int i = 0; i < length; i++)
            {
                data.Add(data[from + i]);
            }

            data.Add((byte)step);
        }

        return [.. data];
    }

    private static byte[] CountingIntegers(int count)
    {
        byte[] data = new byte[count * 4];
        for (int i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(i * 4), i);
        }

        return data;
    }

    private static byte[] Compress(byte[] input)
    {
        var writer = new ArrayBufferWriter<byte>();
        int written = ZstdCompressor.Compress(input, writer);
        Assert.Equal(written, writer.WrittenCount);
        return writer.WrittenSpan.ToArray();
    }

    private static byte[] Decompress(byte[] frame)
    {
        var writer = new ArrayBufferWriter<byte>();
        ZstdDecompressor.Decompress(frame, writer, Limit);
        return writer.WrittenSpan.ToArray();
    }
}
