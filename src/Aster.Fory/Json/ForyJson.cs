using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Aster.Fory.IO;

namespace Aster.Fory.Json;

/// <summary>
/// The JSON mode (serialization mode 3, wire-protocol.md 16.5): records as objects keyed by JSON keys (C1), written
/// byte for byte as Python's <c>json.dumps(..., separators=(",", ":"))</c>; read with the C4 matching rules (JSON key,
/// wire name, camelCase alias), unknown and duplicate keys rejected with <see cref="ForyJsonContractException"/>.
/// Each type's reader and writer plan is built by reflection on first use and cached (thread-safe); calls after that
/// use no reflection and write straight into the output buffer.
/// </summary>
public static class ForyJson
{
    /// <summary>Writes <paramref name="value"/> as compact JSON.</summary>
    /// <exception cref="ForyEncodeException">A value has no JSON form (NaN, infinities) or a non-nullable member is null.</exception>
    [RequiresUnreferencedCode("Reflects over record types.")]
    public static void Serialize<T>(T value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        JsonPlan<T> plan = JsonPlans.For<T>();
        ForyWriter w = new(output);
        plan.Write(ref w, value, 0);
        w.Flush();
    }

    /// <summary>Writes <paramref name="value"/> as compact JSON and returns the UTF-8 bytes.</summary>
    [RequiresUnreferencedCode("Reflects over record types.")]
    public static byte[] Serialize<T>(T value)
    {
        ArrayBufferWriter<byte> buffer = new(128);
        Serialize(value, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a JSON payload into <typeparamref name="T"/>.</summary>
    /// <exception cref="ForyJsonContractException">Unknown or duplicate keys.</exception>
    /// <exception cref="ForyDecodeException">Malformed JSON or a value of the wrong kind.</exception>
    [RequiresUnreferencedCode("Reflects over record types.")]
    public static T Deserialize<T>(ReadOnlySpan<byte> utf8Json)
    {
        JsonPlan<T> plan = JsonPlans.For<T>();
        Utf8JsonReader reader = new(utf8Json, new JsonReaderOptions { MaxDepth = ForyOptions.Default.MaxDepth + 1 });
        try
        {
            if (!reader.Read())
            {
                throw new ForyDecodeException("empty JSON payload");
            }

            T value = plan.Read(ref reader, JsonPath.Root);
            if (reader.Read())
            {
                throw new ForyDecodeException("trailing data after the JSON value", reader.TokenStartIndex);
            }

            return value;
        }
        catch (JsonException e)
        {
            throw new ForyDecodeException("malformed JSON: " + e.Message, e.BytePositionInLine ?? -1, inner: e);
        }
    }
}
