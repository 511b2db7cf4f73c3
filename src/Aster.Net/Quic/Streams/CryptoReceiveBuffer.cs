namespace Aster.Net.Quic.Streams;

/// <summary>
/// Reassembly of CRYPTO frame data for one encryption level: like a stream without FIN or flow control, but data more
/// than <see cref="Limit"/> bytes beyond what TLS has consumed is CRYPTO_BUFFER_EXCEEDED (RFC 9000, section 7.5;
/// 16 KiB as noq's <c>crypto_buffer_size</c>).
/// </summary>
internal sealed class CryptoReceiveBuffer
{
    /// <summary>The default limit: 16 KiB per encryption level.</summary>
    public const int DefaultLimit = 16 * 1024;

    private readonly ReceiveStream _inner;

    /// <summary>Initializes a new instance of the <see cref="CryptoReceiveBuffer"/> class.</summary>
    /// <param name="limit">How far beyond the consumed offset data may arrive.</param>
    public CryptoReceiveBuffer(int limit = DefaultLimit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        Limit = limit;
        _inner = new ReceiveStream(limit);
    }

    /// <summary>Gets how far beyond the consumed offset data may arrive.</summary>
    public int Limit { get; }

    /// <summary>Gets the offset of the next byte TLS will read.</summary>
    public long ReadOffset => _inner.ReadOffset;

    /// <summary>Processes a CRYPTO frame; duplicates and overlaps are handled as for streams.</summary>
    /// <param name="offset">The frame's offset.</param>
    /// <param name="data">Its data (copied).</param>
    /// <exception cref="QuicStreamStateException">CRYPTO_BUFFER_EXCEEDED: data beyond the read offset plus the limit.</exception>
    public void OnCryptoFrame(long offset, ReadOnlySpan<byte> data)
    {
        long readOffset = _inner.ReadOffset;
        if (offset < 0 || offset > StreamId.MaxVarInt - data.Length || offset + data.Length > readOffset + Limit)
        {
            throw new QuicStreamStateException(
                QuicTransportError.CryptoBufferExceeded,
                $"CRYPTO data up to offset {offset + data.Length} is more than {Limit} bytes beyond offset {readOffset}.");
        }

        _inner.RaiseLimit(readOffset + Limit);
        _inner.OnStreamFrame(offset, data, fin: false);
    }

    /// <summary>Returns the next in-order bytes without copying them.</summary>
    /// <param name="data">The bytes; valid until <see cref="Advance"/>.</param>
    /// <returns><see langword="false"/> if none is buffered.</returns>
    public bool TryPeek(out ReadOnlyMemory<byte> data) => _inner.TryPeek(out data);

    /// <summary>Consumes bytes returned by <see cref="TryPeek"/>.</summary>
    /// <param name="count">The byte count.</param>
    public void Advance(int count) => _inner.Advance(count);

    /// <summary>Copies in-order bytes into <paramref name="destination"/>.</summary>
    /// <param name="destination">The destination.</param>
    /// <returns>The bytes copied.</returns>
    public int Read(Span<byte> destination) => _inner.Read(destination);
}
