using System.Buffers;

namespace Aster.Protocol;

/// <summary>Writes and reads the framework messages (StreamHeader, RpcStatus) in one encoding.</summary>
internal interface IProtocolCodec
{
    /// <summary>Writes a StreamHeader payload.</summary>
    void WriteHeader(IBufferWriter<byte> output, StreamHeader header);

    /// <summary>Reads a StreamHeader payload; service and method names found in <paramref name="names"/> are not allocated anew.</summary>
    /// <exception cref="ProtocolFormatException">The payload is malformed.</exception>
    StreamHeader ReadHeader(in ReadOnlySequence<byte> payload, WireNameTable? names = null);

    /// <summary>Writes an RpcStatus payload.</summary>
    void WriteStatus(IBufferWriter<byte> output, RpcStatus status);

    /// <summary>Reads an RpcStatus payload; empty means OK.</summary>
    /// <exception cref="ProtocolFormatException">The payload is malformed.</exception>
    RpcStatus ReadStatus(in ReadOnlySequence<byte> payload);
}

/// <summary>The JSON (mode 3) forms of the framework messages.</summary>
internal sealed class JsonProtocolCodec : IProtocolCodec
{
    public static JsonProtocolCodec Instance { get; } = new();

    public void WriteHeader(IBufferWriter<byte> output, StreamHeader header) => Json.ProtocolJson.WriteHeader(output, header);

    public StreamHeader ReadHeader(in ReadOnlySequence<byte> payload, WireNameTable? names = null) => Json.ProtocolJson.ReadHeader(Linearize(payload), names);

    public void WriteStatus(IBufferWriter<byte> output, RpcStatus status) => Json.ProtocolJson.WriteStatus(output, status);

    public RpcStatus ReadStatus(in ReadOnlySequence<byte> payload) => Json.ProtocolJson.ReadStatus(Linearize(payload));

    private static ReadOnlySpan<byte> Linearize(in ReadOnlySequence<byte> payload) => payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray();
}
