namespace Aster.Net.Quic.Streams;

/// <summary>The four stream types, the two low bits of a stream id (RFC 9000, section 2.1).</summary>
internal enum StreamType
{
    /// <summary>Client-initiated bidirectional (0x0).</summary>
    ClientBidirectional = 0,

    /// <summary>Server-initiated bidirectional (0x1).</summary>
    ServerBidirectional = 1,

    /// <summary>Client-initiated unidirectional (0x2).</summary>
    ClientUnidirectional = 2,

    /// <summary>Server-initiated unidirectional (0x3).</summary>
    ServerUnidirectional = 3,
}

/// <summary>Stream id arithmetic (RFC 9000, section 2.1).</summary>
internal static class StreamId
{
    /// <summary>The largest stream count a MAX_STREAMS frame may carry, 2^60.</summary>
    public const long MaxStreamCount = 1L << 60;

    /// <summary>The largest value of a QUIC variable-length integer, 2^62 − 1.</summary>
    public const long MaxVarInt = (1L << 62) - 1;

    /// <summary>Returns the type of a stream id.</summary>
    /// <param name="streamId">The stream id.</param>
    /// <returns>The type.</returns>
    public static StreamType TypeOf(long streamId) => (StreamType)(streamId & 3);

    /// <summary>Returns the index of a stream among streams of its type (id ÷ 4).</summary>
    /// <param name="streamId">The stream id.</param>
    /// <returns>The index.</returns>
    public static long IndexOf(long streamId) => streamId >> 2;

    /// <summary>Builds a stream id from its type and index.</summary>
    /// <param name="type">The type.</param>
    /// <param name="index">The index.</param>
    /// <returns>The stream id.</returns>
    public static long Make(StreamType type, long index) => (index << 2) | (long)type;

    /// <summary>Returns the stream type for an initiator and directionality.</summary>
    /// <param name="clientInitiated">Whether the client opens it.</param>
    /// <param name="bidirectional">Whether it is bidirectional.</param>
    /// <returns>The type.</returns>
    public static StreamType TypeFor(bool clientInitiated, bool bidirectional)
        => (StreamType)((clientInitiated ? 0 : 1) | (bidirectional ? 0 : 2));

    /// <summary>Tells whether a stream was opened by the client.</summary>
    /// <param name="streamId">The stream id.</param>
    /// <returns><see langword="true"/> for client-initiated streams.</returns>
    public static bool IsClientInitiated(long streamId) => (streamId & 1) == 0;

    /// <summary>Tells whether a stream is bidirectional.</summary>
    /// <param name="streamId">The stream id.</param>
    /// <returns><see langword="true"/> for bidirectional streams.</returns>
    public static bool IsBidirectional(long streamId) => (streamId & 2) == 0;

    /// <summary>Tells whether the local endpoint opened a stream.</summary>
    /// <param name="streamId">The stream id.</param>
    /// <param name="isClient">Whether the local endpoint is the client.</param>
    /// <returns><see langword="true"/> if locally initiated.</returns>
    public static bool IsLocallyInitiated(long streamId, bool isClient) => IsClientInitiated(streamId) == isClient;

    /// <summary>Tells whether the local endpoint has a sending part for a stream.</summary>
    /// <param name="streamId">The stream id.</param>
    /// <param name="isClient">Whether the local endpoint is the client.</param>
    /// <returns><see langword="true"/> for bidirectional and locally initiated unidirectional streams.</returns>
    public static bool HasSendPart(long streamId, bool isClient) => IsBidirectional(streamId) || IsLocallyInitiated(streamId, isClient);

    /// <summary>Tells whether the local endpoint has a receiving part for a stream.</summary>
    /// <param name="streamId">The stream id.</param>
    /// <param name="isClient">Whether the local endpoint is the client.</param>
    /// <returns><see langword="true"/> for bidirectional and peer-initiated unidirectional streams.</returns>
    public static bool HasReceivePart(long streamId, bool isClient) => IsBidirectional(streamId) || !IsLocallyInitiated(streamId, isClient);
}
