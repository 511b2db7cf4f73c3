namespace Aster.Net.Quic.Streams;

/// <summary>
/// Outgoing CRYPTO data for one encryption level: TLS writes are never refused or delayed, CRYPTO frames are cut from
/// it, acknowledged bytes are freed, and lost ranges are sent again at the same offsets before new data
/// (transport.md, section 7.1). There is no flow control and no FIN.
/// </summary>
internal sealed class CryptoSendBuffer
{
    private readonly SendStream _inner = new(StreamId.MaxVarInt, highWaterMark: int.MaxValue);

    /// <summary>Gets the bytes written and not yet acknowledged.</summary>
    public long BufferedBytes => _inner.BufferedBytes;

    /// <summary>Gets a value indicating whether lost or new data is waiting to be sent.</summary>
    public bool HasDataToSend => _inner.HasDataToSend;

    /// <summary>Appends handshake bytes from TLS.</summary>
    /// <param name="data">The bytes.</param>
    public void Write(ReadOnlySpan<byte> data) => _inner.TryWrite(data);

    /// <summary>Takes the next range to put in a CRYPTO frame (lost data first) and marks it sent.</summary>
    /// <param name="maxLength">The most bytes that fit.</param>
    /// <param name="offset">The CRYPTO frame offset.</param>
    /// <param name="length">The byte count.</param>
    /// <returns><see langword="false"/> if nothing is waiting.</returns>
    public bool TryTakeNextRange(int maxLength, out long offset, out int length)
    {
        bool taken = _inner.TryTakeNextChunk(maxLength, long.MaxValue, out StreamChunk chunk);
        offset = chunk.Offset;
        length = chunk.Length;
        return taken;
    }

    /// <summary>Copies buffered bytes into a packet.</summary>
    /// <param name="offset">The offset of the first byte.</param>
    /// <param name="destination">Where to copy; its length is the byte count.</param>
    public void CopyTo(long offset, Span<byte> destination) => _inner.CopyTo(offset, destination);

    /// <summary>Records that a CRYPTO frame was acknowledged.</summary>
    /// <param name="offset">Its offset.</param>
    /// <param name="length">Its length.</param>
    public void OnAcked(long offset, int length) => _inner.OnAcked(offset, length, fin: false);

    /// <summary>Records that a CRYPTO frame was lost; its bytes are sent again at the same offsets.</summary>
    /// <param name="offset">Its offset.</param>
    /// <param name="length">Its length.</param>
    public void OnLost(long offset, int length) => _inner.OnLost(offset, length, fin: false);

    /// <summary>Marks every sent, unacknowledged byte for sending again (a handshake probe timeout).</summary>
    public void RequeueUnacknowledged() => _inner.OnLost(0, (int)Math.Min(_inner.SentOffset, int.MaxValue), fin: false);
}
