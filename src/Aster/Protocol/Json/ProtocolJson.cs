using System.Buffers;
using System.Text.Json;

namespace Aster.Protocol.Json;

/// <summary>
/// The JSON forms (serialization mode 3) of the framework messages: StreamHeader in both dialects (wire-protocol.md
/// 5.3, 20.2) and RpcStatus (7.1). Writers use the reference key order; readers accept any valid JSON.
/// </summary>
internal static class ProtocolJson
{
    private const int MaxDepth = 8;
    /// <summary>The framework's own property names, matched without allocating a string per property.</summary>
    private static readonly string[] _knownNames =
    [
        "service", "method", "version", "callId", "deadline", "deadlineEpochMs", "serializationMode", "metadataKeys",
        "metadataValues", "sessionId", "code", "message", "detailKeys", "detailValues",
    ];

    private static readonly JsonReaderOptions _readerOptions = new() { MaxDepth = MaxDepth, AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>Writes <paramref name="header"/> in its dialect's JSON form.</summary>
    public static void WriteHeader(IBufferWriter<byte> output, StreamHeader header)
    {
        var writer = new CompactJsonWriter(output);
        writer.WriteStartObject();
        writer.WritePropertyName("service");
        writer.WriteString(header.Service);
        writer.WritePropertyName("method");
        writer.WriteString(header.Method);
        writer.WritePropertyName("version");
        writer.WriteNumber(header.Version);
        writer.WritePropertyName("callId");
        if (header.Dialect == WireDialect.Release012)
        {
            writer.WriteString(header.CallIdText ?? string.Empty);
            writer.WritePropertyName("deadlineEpochMs");
            writer.WriteNumber(header.DeadlineEpochMs);
        }
        else
        {
            writer.WriteNumber(header.CallId);
            writer.WritePropertyName("deadline");
            writer.WriteNumber(header.Deadline);
        }

        writer.WritePropertyName("serializationMode");
        writer.WriteNumber((long)header.SerializationMode);
        WriteStringList(writer, "metadataKeys", header.MetadataKeys);
        WriteStringList(writer, "metadataValues", header.MetadataValues);
        if (header.Dialect != WireDialect.Release012)
        {
            writer.WritePropertyName("sessionId");
            writer.WriteNumber(header.SessionId);
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// Writes the JSON CallHeader of a CALL frame in the 0.1.2 session protocol (wire-protocol.md 20.5) from a 0.1.2
    /// <paramref name="call"/> header: method, callId, deadlineEpochMs, metadataKeys, metadataValues.
    /// </summary>
    public static void WriteCallHeader(IBufferWriter<byte> output, StreamHeader call)
    {
        var writer = new CompactJsonWriter(output);
        writer.WriteStartObject();
        writer.WritePropertyName("method");
        writer.WriteString(call.Method);
        writer.WritePropertyName("callId");
        writer.WriteString(call.CallIdText ?? string.Empty);
        writer.WritePropertyName("deadlineEpochMs");
        writer.WriteNumber(call.DeadlineEpochMs);
        WriteStringList(writer, "metadataKeys", call.MetadataKeys);
        WriteStringList(writer, "metadataValues", call.MetadataValues);
        writer.WriteEndObject();
    }

    /// <summary>Reads a JSON StreamHeader and decides its dialect from its keys; known service and method names come from <paramref name="names"/>.</summary>
    /// <exception cref="ProtocolFormatException">Not a JSON object of the expected shape.</exception>
    public static StreamHeader ReadHeader(ReadOnlySpan<byte> json, WireNameTable? names = null)
    {
        if (json.IsEmpty)
        {
            throw new ProtocolFormatException("empty");
        }

        var fields = new HeaderFields(names);
        ReadObject(json, ref fields);
        if (fields.Mode is < sbyte.MinValue or > sbyte.MaxValue)
        {
            throw new ProtocolFormatException($"serializationMode {fields.Mode} out of range");
        }

        return new StreamHeader
        {
            Service = fields.Service,
            Method = fields.Method,
            Version = fields.Version,
            CallId = fields.CallId,
            Deadline = fields.Deadline,
            SerializationMode = (SerializationMode)fields.Mode,
            MetadataKeys = fields.Keys,
            MetadataValues = fields.Values,
            SessionId = fields.SessionId,
            Dialect = !fields.SawCurrentKey && fields.SawLegacyKey ? WireDialect.Release012 : WireDialect.Current,
            CallIdText = fields.CallIdText,
            DeadlineEpochMs = fields.DeadlineEpochMs,
        };
    }

    /// <summary>Writes an RpcStatus: <c>{"code":0,"message":"","detailKeys":[],"detailValues":[]}</c>.</summary>
    public static void WriteStatus(IBufferWriter<byte> output, RpcStatus status)
    {
        var writer = new CompactJsonWriter(output);
        writer.WriteStartObject();
        writer.WritePropertyName("code");
        writer.WriteNumber((long)status.Code);
        writer.WritePropertyName("message");
        writer.WriteString(status.Message);
        writer.WritePropertyName("detailKeys");
        writer.WriteStartArray();
        foreach (KeyValuePair<string, string> detail in status.Details)
        {
            writer.WriteString(detail.Key);
        }

        writer.WriteEndArray();
        writer.WritePropertyName("detailValues");
        writer.WriteStartArray();
        foreach (KeyValuePair<string, string> detail in status.Details)
        {
            writer.WriteString(detail.Value);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Reads an RpcStatus; an empty payload is OK.</summary>
    /// <exception cref="ProtocolFormatException">Not a JSON object of the expected shape.</exception>
    public static RpcStatus ReadStatus(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
        {
            return RpcStatus.Ok;
        }

        var fields = new StatusFields();
        ReadObject(json, ref fields);
        if (fields.Code is < int.MinValue or > int.MaxValue)
        {
            throw new ProtocolFormatException($"status code {fields.Code} out of range");
        }

        int count = Math.Min(fields.Keys.Count, fields.Values.Count);
        if (fields.Code == 0 && fields.Message.Length == 0 && count == 0)
        {
            return RpcStatus.Ok; // the usual trailer: no allocation
        }

        KeyValuePair<string, string>[] details = count == 0 ? [] : new KeyValuePair<string, string>[count];
        for (int i = 0; i < count; i++)
        {
            details[i] = new(fields.Keys[i], fields.Values[i]);
        }

        return new RpcStatus((StatusCode)fields.Code, fields.Message, details);
    }

    /// <summary>What one property of a framework object sets (a struct, so reading needs no closure).</summary>
    private interface IObjectFields
    {
        /// <summary>Reads the value of the property <paramref name="name"/>; false, reading nothing, when the name is not one of the object's.</summary>
        bool Read(ref Utf8JsonReader reader, string name);
    }

    /// <summary>Reads one JSON object into <paramref name="fields"/>; any JSON error becomes a <see cref="ProtocolFormatException"/>.</summary>
    private static void ReadObject<TFields>(ReadOnlySpan<byte> json, ref TFields fields)
        where TFields : struct, IObjectFields
    {
        try
        {
            var reader = new Utf8JsonReader(json, _readerOptions);
            ExpectStartObject(ref reader);
            while (NextProperty(ref reader, out string name))
            {
                if (!fields.Read(ref reader, name))
                {
                    reader.Read();
                    reader.Skip(); // unknown keys are ignored (D15)
                }
            }

            ExpectEnd(ref reader);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new ProtocolFormatException($"invalid JSON: {ex.Message}", ex);
        }
    }

    private struct HeaderFields(WireNameTable? names) : IObjectFields
    {
        public string Service = string.Empty;
        public string Method = string.Empty;
        public int Version = 1;
        public int CallId;
        public int SessionId;
        public short Deadline;
        public long DeadlineEpochMs;
        public long Mode;
        public string? CallIdText;
        public bool SawCurrentKey;
        public bool SawLegacyKey;
        public IReadOnlyList<string> Keys = [];
        public IReadOnlyList<string> Values = [];

        public bool Read(ref Utf8JsonReader reader, string name)
        {
            switch (name)
            {
                case "service":
                    Service = ReadName(ref reader, name, names);
                    break;
                case "method":
                    Method = ReadName(ref reader, name, names);
                    break;
                case "version":
                    Version = ReadInt32(ref reader, name);
                    break;
                case "callId":
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        CallIdText = reader.GetString();
                        SawLegacyKey = true;
                    }
                    else
                    {
                        CallId = ReadInt32Current(ref reader, name);
                        SawCurrentKey = true;
                    }

                    break;
                case "deadline":
                    SawCurrentKey = true;
                    int seconds = ReadInt32(ref reader, name);
                    if (seconds is < short.MinValue or > short.MaxValue)
                    {
                        throw new ProtocolFormatException($"deadline {seconds} out of the int16 range");
                    }

                    Deadline = (short)seconds;
                    break;
                case "deadlineEpochMs":
                    SawLegacyKey = true;
                    DeadlineEpochMs = ReadInt64(ref reader, name);
                    break;
                case "serializationMode":
                    Mode = ReadInt64(ref reader, name);
                    break;
                case "metadataKeys":
                    Keys = ReadStringList(ref reader, name);
                    break;
                case "metadataValues":
                    Values = ReadStringList(ref reader, name);
                    break;
                case "sessionId":
                    SawCurrentKey = true;
                    SessionId = ReadInt32(ref reader, name);
                    break;
                default:
                    return false;
            }

            return true;
        }
    }

    private struct StatusFields() : IObjectFields
    {
        public long Code;
        public string Message = string.Empty;
        public IReadOnlyList<string> Keys = [];
        public IReadOnlyList<string> Values = [];

        public bool Read(ref Utf8JsonReader reader, string name)
        {
            switch (name)
            {
                case "code":
                    Code = ReadInt64(ref reader, name);
                    break;
                case "message":
                    Message = ReadString(ref reader, name);
                    break;
                case "detailKeys":
                    Keys = ReadStringList(ref reader, name);
                    break;
                case "detailValues":
                    Values = ReadStringList(ref reader, name);
                    break;
                default:
                    return false;
            }

            return true;
        }
    }

    private static void WriteStringList(CompactJsonWriter writer, string name, IReadOnlyList<string> items)
    {
        writer.WritePropertyName(name);
        writer.WriteStartArray();
        foreach (string item in items)
        {
            writer.WriteString(item);
        }

        writer.WriteEndArray();
    }

    private static void ExpectStartObject(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new ProtocolFormatException("not a JSON object");
        }
    }

    private static bool NextProperty(ref Utf8JsonReader reader, out string name)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.EndObject)
        {
            name = string.Empty;
            return false;
        }

        name = KnownName(ref reader) ?? reader.GetString() ?? string.Empty;
        return true;
    }

    private static string? KnownName(ref Utf8JsonReader reader)
    {
        foreach (string known in _knownNames)
        {
            if (reader.ValueTextEquals(known))
            {
                return known;
            }
        }

        return null;
    }

    private static void ExpectEnd(ref Utf8JsonReader reader)
    {
        if (reader.Read())
        {
            throw new ProtocolFormatException("trailing data after the JSON object");
        }
    }

    private static string ReadString(ref Utf8JsonReader reader, string name)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new ProtocolFormatException($"'{name}' must be a string");
        }

        return reader.GetString() ?? string.Empty;
    }

    /// <summary>A string that is usually one of the server's names: the table's instance when it is one.</summary>
    private static string ReadName(ref Utf8JsonReader reader, string name, WireNameTable? names)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new ProtocolFormatException($"'{name}' must be a string");
        }

        return names is not null && !reader.ValueIsEscaped && names.Find(reader.ValueSpan) is { } known
            ? known
            : reader.GetString() ?? string.Empty;
    }

    private static int ReadInt32(ref Utf8JsonReader reader, string name)
    {
        reader.Read();
        return ReadInt32Current(ref reader, name);
    }

    private static int ReadInt32Current(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out int value))
        {
            throw new ProtocolFormatException($"'{name}' must be a 32-bit integer");
        }

        return value;
    }

    private static long ReadInt64(ref Utf8JsonReader reader, string name)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long value))
        {
            throw new ProtocolFormatException($"'{name}' must be an integer");
        }

        return value;
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1859", Justification = "The usual empty list is the shared empty array, not a new List.")]
    private static IReadOnlyList<string> ReadStringList(ref Utf8JsonReader reader, string name)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new ProtocolFormatException($"'{name}' must be a list of strings");
        }

        if (reader.Read() && reader.TokenType == JsonTokenType.EndArray)
        {
            return []; // the usual case: no metadata, no details
        }

        var items = new List<string>();
        while (reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new ProtocolFormatException($"'{name}' must be a list of strings");
            }

            items.Add(reader.GetString() ?? string.Empty);
            if (!reader.Read())
            {
                throw new ProtocolFormatException($"'{name}' is not closed");
            }
        }

        return items;
    }
}
