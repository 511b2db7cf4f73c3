namespace Aster.Tests.Compression.Zstd;

/// <summary>Valid zstd frames built by hand from raw and RLE blocks, for tests that must not need the zstd CLI.</summary>
internal static class ZstdTestFrames
{
    private const int BlockSize = 128 * 1024;

    /// <summary>A single-segment frame with a 4-byte content size holding <paramref name="data"/> in raw blocks.</summary>
    public static byte[] Raw(byte[] data)
    {
        var frame = new List<byte> { 0x28, 0xB5, 0x2F, 0xFD, 0xA0 };
        frame.AddRange(BitConverter.GetBytes((uint)data.Length));
        int position = 0;
        do
        {
            int size = Math.Min(BlockSize, data.Length - position);
            bool last = position + size == data.Length;
            AddBlockHeader(frame, last, type: 0, size);
            frame.AddRange(data.AsSpan(position, size).ToArray());
            position += size;
        }
        while (position < data.Length);

        return [.. frame];
    }

    /// <summary>A frame without a content size made of <paramref name="blocks"/> RLE blocks of 128 KiB.</summary>
    public static byte[] Rle(byte value, int blocks)
    {
        var frame = new List<byte> { 0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x70 };
        for (int i = 0; i < blocks; i++)
        {
            AddBlockHeader(frame, i == blocks - 1, type: 1, BlockSize);
            frame.Add(value);
        }

        return [.. frame];
    }

    private static void AddBlockHeader(List<byte> frame, bool last, int type, int size)
    {
        uint header = ((uint)size << 3) | ((uint)type << 1) | (last ? 1u : 0u);
        frame.AddRange([(byte)header, (byte)(header >> 8), (byte)(header >> 16)]);
    }
}
