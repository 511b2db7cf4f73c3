using System.Buffers;
using Aster.Fory;
using Aster.Fory.IO;
using ForyProtocol = Aster.Fory.Protocol;

namespace Aster.Protocol;

/// <summary>
/// StreamHeader and RpcStatus as Fory XLANG messages (wire-protocol.md 5.2, 7.1). Any form is written and read through
/// the <see cref="ForySerializer"/>; the forms of almost every call take a direct path that allocates nothing but the
/// returned header:
/// <list type="bullet">
/// <item>a header without metadata is written field by field after the serializer's own prefix (bitmap, root
/// reference, type id, meta marker and TypeDef), and a header that starts with that prefix is read the same way, with
/// service and method names taken from the server's <see cref="WireNameTable"/>;</item>
/// <item>the OK trailer is written from, and recognised by, the bytes the serializer produces for it.</item>
/// </list>
/// The direct path is enabled only when the serializer's bytes for a set of sample headers equal the direct writer's
/// (checked once, here), so a change in the serializer's layout falls back to it instead of producing other bytes.
/// Headers from other producers (another TypeDef) and headers with metadata are read by the serializer.
/// </summary>
internal sealed class XlangProtocolCodec : IProtocolCodec
{
    /// <summary>The fields of an all-default header after the prefix: deadline (2), mode, version, call id, session id, service, method, two empty lists.</summary>
    private const int DefaultFieldsLength = 10;
    private readonly ForySerializer _serializer;
    private readonly byte[] _headerPrefix;
    private readonly bool _direct;
    private readonly byte[] _okStatus;

    public XlangProtocolCodec(ForySerializer serializer)
    {
        _serializer = serializer;
        byte[] empty = serializer.Serialize(new ForyProtocol.StreamHeader());
        _headerPrefix = empty.AsSpan(0, Math.Max(0, empty.Length - DefaultFieldsLength)).ToArray();
        _okStatus = serializer.Serialize(ToFory(RpcStatus.Ok));
        _direct = empty.Length > DefaultFieldsLength && !empty.AsSpan(_headerPrefix.Length).ContainsAnyExcept((byte)0) && DirectWriterMatches();
    }

    /// <summary>Whether the direct path is in use (the serializer's layout is the one it writes).</summary>
    internal bool DirectPath => _direct;

    public void WriteHeader(IBufferWriter<byte> output, StreamHeader header)
    {
        if (_direct && header.MetadataKeys.Count == 0 && header.MetadataValues.Count == 0)
        {
            WriteDirect(output, header);
            return;
        }

        _serializer.Serialize(ToFory(header), output);
    }

    public StreamHeader ReadHeader(in ReadOnlySequence<byte> payload, WireNameTable? names = null)
    {
        try
        {
            if (_direct && payload.IsSingleSegment && payload.FirstSpan.StartsWith(_headerPrefix)
                && ReadDirect(payload.FirstSpan[_headerPrefix.Length..], names) is { } direct)
            {
                return direct;
            }

            return FromFory(_serializer.Deserialize<ForyProtocol.StreamHeader>(payload));
        }
        catch (ForyException ex)
        {
            throw new ProtocolFormatException(ex.Message, ex);
        }
    }

    public void WriteStatus(IBufferWriter<byte> output, RpcStatus status)
    {
        if (status.Code == StatusCode.OK && status.Message.Length == 0 && status.Details.Count == 0)
        {
            output.Write(_okStatus);
            return;
        }

        _serializer.Serialize(ToFory(status), output);
    }

    public RpcStatus ReadStatus(in ReadOnlySequence<byte> payload)
    {
        if (payload.IsEmpty || (payload.IsSingleSegment && payload.FirstSpan.SequenceEqual(_okStatus)))
        {
            return RpcStatus.Ok;
        }

        ForyProtocol.RpcStatus status;
        try
        {
            status = _serializer.Deserialize<ForyProtocol.RpcStatus>(payload);
        }
        catch (ForyException ex)
        {
            throw new ProtocolFormatException(ex.Message, ex);
        }

        int count = Math.Min(status.DetailKeys.Count, status.DetailValues.Count);
        if (status.Code == 0 && string.IsNullOrEmpty(status.Message) && count == 0)
        {
            return RpcStatus.Ok; // the usual trailer from another producer
        }

        var details = new KeyValuePair<string, string>[count];
        for (int i = 0; i < count; i++)
        {
            details[i] = new(status.DetailKeys[i], status.DetailValues[i]);
        }

        return new RpcStatus((StatusCode)status.Code, status.Message, details);
    }

    /// <summary>The serializer's field order: fixed-size fields by size, the varints, then strings and lists (tag order within each group).</summary>
    private void WriteDirect(IBufferWriter<byte> output, StreamHeader header)
    {
        ForyOptions options = _serializer.Options;
        var w = new ForyWriter(output, options.Dialect, options.MaxDepth);
        w.WriteBytes(_headerPrefix);
        w.WriteInt16(header.Deadline);
        w.WriteInt8((sbyte)header.SerializationMode);
        w.WriteVarInt32(header.Version);
        w.WriteVarInt32(header.CallId);
        w.WriteVarInt32(header.SessionId);
        w.WriteString(header.Service);
        w.WriteString(header.Method);
        w.WriteByte(0); // metadata keys: empty list
        w.WriteByte(0); // metadata values: empty list
        w.Flush();
    }

    /// <summary>Reads the fields after our prefix; null when the header carries metadata (left to the serializer).</summary>
    private StreamHeader? ReadDirect(ReadOnlySpan<byte> fields, WireNameTable? names)
    {
        int maxString = _serializer.Options.MaxStringBytes;
        var r = new ForyReader(fields);
        short deadline = r.ReadInt16();
        sbyte mode = r.ReadInt8();
        int version = r.ReadVarInt32();
        int callId = r.ReadVarInt32();
        int sessionId = r.ReadVarInt32();
        string service = ReadName(ref r, names, maxString);
        string method = ReadName(ref r, names, maxString);
        if (r.ReadVarUInt32() != 0 || r.ReadVarUInt32() != 0)
        {
            return null;
        }

        if (r.Remaining != 0)
        {
            r.Fail($"{r.Remaining} trailing byte(s) after the root value");
        }

        return new StreamHeader
        {
            Service = service,
            Method = method,
            Version = version,
            CallId = callId,
            Deadline = deadline,
            SerializationMode = (SerializationMode)mode,
            SessionId = sessionId,
        };
    }

    /// <summary>A string field; a LATIN1 or UTF-8 name found in <paramref name="names"/> is the table's string.</summary>
    private static string ReadName(ref ForyReader r, WireNameTable? names, int maxBytes)
    {
        if (names is not null)
        {
            ForyReader start = r;
            uint header = r.ReadVarUInt32();
            uint length = header >> 2;
            uint encoding = header & 3;
            if (length > 0 && length <= (uint)r.Remaining && encoding is 0 or 2)
            {
                ReadOnlySpan<byte> bytes = r.ReadSpan((int)length);
                if ((encoding == 0 ? names.FindLatin1(bytes) : names.Find(bytes)) is { } known)
                {
                    return known;
                }
            }

            r = start;
        }

        return r.ReadString(maxBytes);
    }

    /// <summary>Whether the direct writer produces the serializer's bytes for headers that exercise every field and string encoding.</summary>
    private bool DirectWriterMatches()
    {
        StreamHeader[] samples =
        [
            new() { Service = "Bench", Method = "echo", Version = 1, CallId = 300, Deadline = 30, SerializationMode = SerializationMode.Json, SessionId = 7 },
            new() { Service = "Sërvïcé", Method = "método✓", Version = int.MaxValue, CallId = int.MinValue, Deadline = short.MinValue, SerializationMode = (SerializationMode)(-1), SessionId = -1 },
            new() { Service = "😀", Method = string.Empty, Version = 0, CallId = 65536, Deadline = short.MaxValue, SessionId = int.MaxValue },
        ];
        var direct = new ArrayBufferWriter<byte>(128);
        foreach (StreamHeader sample in samples)
        {
            direct.ResetWrittenCount();
            WriteDirect(direct, sample);
            if (!direct.WrittenSpan.SequenceEqual(_serializer.Serialize(ToFory(sample))))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The Fory record of a header (the reflection-built path the direct writer is checked against).</summary>
    internal static ForyProtocol.StreamHeader ToFory(StreamHeader header) => new()
    {
        Service = header.Service,
        Method = header.Method,
        Version = header.Version,
        CallId = header.CallId,
        Deadline = header.Deadline,
        SerializationMode = (sbyte)header.SerializationMode,
        MetadataKeys = header.MetadataKeys,
        MetadataValues = header.MetadataValues,
        SessionId = header.SessionId,
    };

    private static StreamHeader FromFory(ForyProtocol.StreamHeader header) => new()
    {
        Service = header.Service,
        Method = header.Method,
        Version = header.Version,
        CallId = header.CallId,
        Deadline = header.Deadline,
        SerializationMode = (SerializationMode)header.SerializationMode,
        MetadataKeys = header.MetadataKeys,
        MetadataValues = header.MetadataValues,
        SessionId = header.SessionId,
    };

    private static ForyProtocol.RpcStatus ToFory(RpcStatus status) => new()
    {
        Code = (int)status.Code,
        Message = status.Message,
        DetailKeys = status.Details.Count == 0 ? [] : [.. status.Details.Select(d => d.Key)],
        DetailValues = status.Details.Count == 0 ? [] : [.. status.Details.Select(d => d.Value)],
    };
}
