using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Aster.Fory;
using Aster.Fory.Json;
using Aster.Protocol;
using ForyProtocol = Aster.Fory.Protocol;

namespace Aster.Codec;

/// <summary>
/// The default codecs: Fory XLANG (mode 0) through a <see cref="ForySerializer"/>, and the JSON mode (mode 3) through
/// <see cref="ForyJson"/>. Record types are registered on first use. This is the reflection-based path; creating it is
/// the opt-in (its constructor carries the trimming and AOT annotations), and generated codecs will replace it under
/// Native AOT.
/// </summary>
public sealed class ForyCodecProvider : ICodecProvider
{
    private readonly ForySerializer _serializer;
    private readonly ConcurrentDictionary<(Type Type, SerializationMode Mode), object> _codecs = new();

    /// <summary>Creates the provider with its own serializer.</summary>
    [RequiresUnreferencedCode("Reflects over message record types.")]
    [RequiresDynamicCode("Instantiates generic codecs at run time.")]
    public ForyCodecProvider(ForyOptions? options = null)
    {
        _serializer = new ForySerializer(options);
        _serializer.Register<ForyProtocol.StreamHeader>();
        _serializer.Register<ForyProtocol.CallHeader>();
        _serializer.Register<ForyProtocol.RpcStatus>();
        XlangProtocol = new XlangProtocolCodec(_serializer);
        Release012 = new Release012ForyCodecs(options);
    }

    /// <summary>The XLANG dialect of release 0.1.2 peers (wire-protocol.md 20.6), for calls whose header used it.</summary>
    internal Release012ForyCodecs Release012 { get; }

    /// <summary>The XLANG forms of StreamHeader and RpcStatus.</summary>
    internal IProtocolCodec XlangProtocol { get; }

    /// <inheritdoc/>
    public bool Supports(SerializationMode mode) => mode is SerializationMode.Xlang or SerializationMode.Json;

    /// <inheritdoc/>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The constructor carries RequiresUnreferencedCode: creating this provider opts in to reflection over message types.")]
    [UnconditionalSuppressMessage("Trimming", "IL2087", Justification = "As above.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "The constructor carries RequiresDynamicCode.")]
    public IMessageCodec<T> GetCodec<T>(SerializationMode mode)
    {
        // Every call asks for its codecs (four times per unary call); the last answer per T is kept in a static slot so
        // the common case skips hashing the (type, mode) key.
        LastCodec<T>? last = LastCodec<T>.Value;
        if (last is not null && ReferenceEquals(last.Owner, this) && last.Mode == mode)
        {
            return last.Codec;
        }

        var codec = (IMessageCodec<T>)_codecs.GetOrAdd((typeof(T), mode), static (key, self) => self.Create<T>(key.Mode), this);
        LastCodec<T>.Value = new LastCodec<T>(this, mode, codec);
        return codec;
    }

    [RequiresUnreferencedCode("Reflects over message record types.")]
    [RequiresDynamicCode("Instantiates generic codecs at run time.")]
    private object Create<T>(SerializationMode mode)
    {
        switch (mode)
        {
            case SerializationMode.Xlang:
                if (!Fory.Types.WireTypeModel.IsWireRecord(typeof(T)))
                {
                    throw new NotSupportedException($"{typeof(T).FullName} is not a [WireType] record, so it has no XLANG form.");
                }

#pragma warning disable CA2263 // the generic overload demands an annotated T, which GetCodec<T> cannot promise
                _serializer.Register(typeof(T));
#pragma warning restore CA2263
                return new XlangCodec<T>(_serializer);
            case SerializationMode.Json:
                return new JsonCodec<T>();
            default:
                throw new NotSupportedException($"Serialization mode {mode} is not supported.");
        }
    }

    /// <summary>The codec a provider last returned for <typeparamref name="T"/>, with its provider and mode.</summary>
    private sealed class LastCodec<T>(ForyCodecProvider owner, SerializationMode mode, IMessageCodec<T> codec)
    {
        public static LastCodec<T>? Value;

        public ForyCodecProvider Owner { get; } = owner;

        public SerializationMode Mode { get; } = mode;

        public IMessageCodec<T> Codec { get; } = codec;
    }

    /// <summary>One record type through a serializer (either dialect).</summary>
    internal sealed class XlangCodec<T>(ForySerializer serializer) : IMessageCodec<T>
    {
        public void Encode(T value, IBufferWriter<byte> output) => serializer.Serialize(value, output);

        public T Decode(in ReadOnlySequence<byte> payload) => serializer.Deserialize<T>(payload);
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Created only through the annotated provider.")]
    private sealed class JsonCodec<T> : IMessageCodec<T>
    {
        public void Encode(T value, IBufferWriter<byte> output) => ForyJson.Serialize(value, output);

        public T Decode(in ReadOnlySequence<byte> payload)
        {
            try
            {
                return ForyJson.Deserialize<T>(payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray());
            }
            catch (ForyJsonContractException ex)
            {
                throw new ContractViolationException(ex.Message,
                [
                    new("unexpected_fields", string.Join(",", ex.UnexpectedFields.Take(5).Select(f => "'" + f + "'"))),
                    new("location", ex.Location),
                    new("expected_class", ex.ExpectedClass),
                ]);
            }
        }
    }
}
