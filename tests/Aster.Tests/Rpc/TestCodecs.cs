using System.Buffers;
using System.Text.Json;
using Aster.Codec;
using Aster.Protocol;

namespace Aster.Tests.Rpc;

/// <summary>A JSON-mode codec over System.Text.Json with snake_case names, standing in for the Fory JSON mode in runtime tests.</summary>
internal sealed class JsonTestCodecProvider : ICodecProvider
{
    public static readonly JsonTestCodecProvider Instance = new();

    private static readonly JsonSerializerOptions _options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    public bool Supports(SerializationMode mode) => mode == SerializationMode.Json;

    public IMessageCodec<T> GetCodec<T>(SerializationMode mode)
        => mode == SerializationMode.Json ? new Codec<T>() : throw new NotSupportedException($"mode {mode}");

    private sealed class Codec<T> : IMessageCodec<T>
    {
        public void Encode(T value, IBufferWriter<byte> output)
        {
            using var writer = new Utf8JsonWriter(output);
            JsonSerializer.Serialize(writer, value, _options);
        }

        public T Decode(in ReadOnlySequence<byte> payload)
        {
            var reader = new Utf8JsonReader(payload);
            try
            {
                return JsonSerializer.Deserialize<T>(ref reader, _options)!;
            }
            catch (JsonException ex) when (ex.Message.Contains("could not be mapped", StringComparison.Ordinal))
            {
                throw new ContractViolationException($"contract violation at {typeof(T).Name}: {ex.Message}", [new("location", typeof(T).Name)]);
            }
        }
    }
}
