namespace Aster.Internal;

/// <summary>Reads a whole stream (to FIN) into memory, refusing to hold more than a limit: the admission exchanges' read.</summary>
internal static class BoundedStreamReader
{
    /// <summary>
    /// Reads <paramref name="stream"/> to its end. Returns the bytes, or null as soon as more than
    /// <paramref name="limit"/> bytes have arrived (reading stops there; at most <paramref name="limit"/> + 1 bytes are held).
    /// </summary>
    public static async Task<byte[]?> ReadToEndAsync(Stream stream, int limit, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[Math.Min(limit + 1, 4096)];
        int length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > limit)
                {
                    return null;
                }

                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, limit + 1));
            }

            int read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return length > limit ? null : buffer.AsSpan(0, length).ToArray();
            }

            length += read;
        }
    }
}
