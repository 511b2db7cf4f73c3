namespace Aster.Net.Quic.Packets;

/// <summary>Packet-number truncation and recovery (RFC 9000, section 17.1 and Appendix A.2/A.3).</summary>
internal static class QuicPacketNumber
{
    /// <summary>The largest packet number, 2^62 - 1.</summary>
    public const long MaxValue = (1L << 62) - 1;

    /// <summary>
    /// The number of bytes (1 to 4) needed so that twice the range of unacknowledged packets stays unambiguous
    /// (Appendix A.2). <paramref name="largestAcknowledged"/> is -1 when nothing in the space was acknowledged.
    /// </summary>
    public static int GetEncodedLength(long packetNumber, long largestAcknowledged)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(packetNumber);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(packetNumber, MaxValue);
        long unacknowledged = largestAcknowledged < 0 ? packetNumber + 1 : packetNumber - largestAcknowledged;
        for (int length = 1; length < 4; length++)
        {
            if (unacknowledged <= 1L << ((8 * length) - 1))
            {
                return length;
            }
        }

        return 4;
    }

    /// <summary>Writes the low <paramref name="length"/> bytes of <paramref name="packetNumber"/>, big-endian.</summary>
    public static void Write(Span<byte> destination, long packetNumber, int length)
    {
        if (length is < 1 or > 4 || destination.Length < length)
        {
            throw new ArgumentException("Packet-number length must be 1 to 4 and fit the destination.", nameof(length));
        }

        for (int i = length - 1; i >= 0; i--)
        {
            destination[i] = (byte)packetNumber;
            packetNumber >>= 8;
        }
    }

    /// <summary>Reads a truncated packet number of <paramref name="length"/> bytes.</summary>
    public static uint ReadTruncated(ReadOnlySpan<byte> source, int length)
    {
        uint value = 0;
        for (int i = 0; i < length; i++)
        {
            value = (value << 8) | source[i];
        }

        return value;
    }

    /// <summary>
    /// Recovers the full packet number closest to the next expected one (Appendix A.3).
    /// <paramref name="largestPacketNumber"/> is the largest successfully processed in the space, or -1.
    /// </summary>
    public static long Decode(long largestPacketNumber, uint truncatedPacketNumber, int lengthInBytes)
    {
        int bits = lengthInBytes * 8;
        long expected = largestPacketNumber + 1;
        long window = 1L << bits;
        long halfWindow = window / 2;
        long mask = window - 1;
        long candidate = (expected & ~mask) | truncatedPacketNumber;
        if (candidate <= expected - halfWindow && candidate < (1L << 62) - window)
        {
            return candidate + window;
        }

        if (candidate > expected + halfWindow && candidate >= window)
        {
            return candidate - window;
        }

        return candidate;
    }
}
