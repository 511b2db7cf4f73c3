using System.Buffers;
using System.Text.Json;
using Aster.Codec;
using Aster.Fory;
using Aster.Fory.Dynamic;
using Aster.Protocol;

namespace Aster.Client.Dynamic;

/// <summary>
/// Wraps a client's codec provider so that <see cref="JsonElement"/> messages travel in the JSON mode and
/// <see cref="ForyValue"/> trees in XLANG, whatever the message types the inner provider knows. Every other type is
/// the inner provider's.
/// </summary>
internal sealed class DynamicCodecs(ICodecProvider inner) : ICodecProvider
{
    /// <summary>The largest nesting depth accepted in a JSON response.</summary>
    public const int MaxJsonDepth = 64;

    public ICodecProvider Inner { get; } = inner;

    public bool Supports(SerializationMode mode) => Inner.Supports(mode) || mode is SerializationMode.Json or SerializationMode.Xlang;

    public IMessageCodec<T> GetCodec<T>(SerializationMode mode)
    {
        if (typeof(T) == typeof(JsonElement))
        {
            return mode == SerializationMode.Json
                ? (IMessageCodec<T>)(object)JsonElementCodec.Instance
                : throw new NotSupportedException($"JSON values travel in the JSON serialization mode, not {mode}; use a ForyValue tree for XLANG.");
        }

        if (typeof(T) == typeof(ForyValue))
        {
            return mode == SerializationMode.Xlang
                ? (IMessageCodec<T>)(object)ForyValueCodec.Instance
                : throw new NotSupportedException($"ForyValue trees travel in XLANG, not {mode}; use a JsonElement for the JSON mode.");
        }

        return Inner.GetCodec<T>(mode);
    }

    private sealed class JsonElementCodec : IMessageCodec<JsonElement>
    {
        public static readonly JsonElementCodec Instance = new();

        public void Encode(JsonElement value, IBufferWriter<byte> output)
        {
            if (value.ValueKind == JsonValueKind.Undefined)
            {
                throw new ArgumentException("the request JSON value is undefined (a default JsonElement)", nameof(value));
            }

            using var writer = new Utf8JsonWriter(output);
            value.WriteTo(writer);
        }

        public JsonElement Decode(in ReadOnlySequence<byte> payload)
        {
            using JsonDocument document = JsonDocument.Parse(payload, new JsonDocumentOptions { MaxDepth = MaxJsonDepth });
            return document.RootElement.Clone();
        }
    }

    private sealed class ForyValueCodec : IMessageCodec<ForyValue>
    {
        public static readonly ForyValueCodec Instance = new();

        public void Encode(ForyValue value, IBufferWriter<byte> output) => ForyDynamic.Write(value, output);

        public ForyValue Decode(in ReadOnlySequence<byte> payload) => ForyDynamic.Read(payload);
    }
}
