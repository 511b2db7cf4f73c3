namespace Aster.Tests.Compression.Zstd;

/// <summary>Deterministic test data: word text, noise, and mixtures that exercise every block and literal type.</summary>
internal static class ZstdCorpus
{
    private static readonly string[] _words = "aster frame stream header trailer call service method deadline cancel session quic key peer".Split(' ');

    public static byte[] Text(int length, int seed)
    {
        var random = new Random(seed);
        var output = new List<byte>(length + 16);
        while (output.Count < length)
        {
            output.AddRange(System.Text.Encoding.ASCII.GetBytes(_words[random.Next(_words.Length)] + (random.Next(10) == 0 ? ". " : " ")));
        }

        return [.. output.Take(length)];
    }

    public static byte[] Noise(int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>Noise (raw blocks), zeros (RLE blocks) and text (compressed blocks), over several 128 KiB blocks.</summary>
    public static byte[] Mixed(int seed) => [.. Noise(50_000, seed), .. new byte[300_000], .. Text(400_000, seed), .. Noise(1_000, seed + 1)];

    /// <summary>The same noise twice, far apart: only a long-distance match can compress the second copy.</summary>
    public static byte[] FarRepeat(int distance, int seed)
    {
        byte[] noise = Noise(32_768, seed);
        return [.. noise, .. Text(distance, seed), .. noise];
    }
}
