using System.Buffers;
using Aster.Compression.Zstd;
using Aster.Internal;

namespace Aster.Framing;

/// <summary>Turns the payload of a COMPRESSED frame (one zstd frame) back into plain bytes (wire-protocol.md 4.5).</summary>
internal static class CompressedPayload
{
    /// <summary>The decompressed payload in a pooled buffer the caller disposes.</summary>
    /// <exception cref="RpcException">
    /// INVALID_ARGUMENT when the payload is not valid zstd; RESOURCE_EXHAUSTED when it decompresses past
    /// <paramref name="maxLength"/> (rows 26 and 27 of section 19.1).
    /// </exception>
    public static PooledBufferWriter Decompress(in ReadOnlySequence<byte> payload, int maxLength)
    {
        var plain = new PooledBufferWriter();
        try
        {
            ZstdDecompressor.Decompress(payload, plain, maxLength);
            return plain;
        }
        catch (ZstdException ex)
        {
            plain.Dispose();
            throw new RpcException(
                ex.Error == ZstdError.OutputLimitExceeded ? StatusCode.ResourceExhausted : StatusCode.InvalidArgument,
                $"compressed payload: {ex.Message}",
                ex);
        }
    }
}
