using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Aster.Fory;
using Aster.Protocol;
using ForyProtocol = Aster.Fory.Protocol;

namespace Aster.Codec;

/// <summary>
/// The XLANG dialect of release 0.1.2 peers (wire-protocol.md 20.6, contracts-and-fory.md B12): schema-consistent
/// named structs with inline names and a schema hash, through a second <see cref="ForySerializer"/> with
/// <see cref="ForyOptions.SchemaConsistent"/> set. Payload codecs for mode 0 and the 0.1.2 forms of StreamHeader,
/// CallHeader and RpcStatus. A server picks these for a call whose header arrived in this dialect.
/// </summary>
internal sealed class Release012ForyCodecs : ICodecProvider
{
    private readonly ForySerializer _serializer;
    private readonly ConcurrentDictionary<Type, object> _codecs = new();

    [RequiresUnreferencedCode("Reflects over message record types.")]
    [RequiresDynamicCode("Instantiates generic codecs at run time.")]
    public Release012ForyCodecs(ForyOptions? options)
    {
        ForyOptions o = options ?? ForyOptions.Default;
        _serializer = new ForySerializer(new ForyOptions
        {
            MaxDepth = o.MaxDepth,
            MaxCollectionLength = o.MaxCollectionLength,
            MaxStringBytes = o.MaxStringBytes,
            MaxBinaryBytes = o.MaxBinaryBytes,
            MaxMessageBytes = o.MaxMessageBytes,
            MaxTypeDefs = o.MaxTypeDefs,
            MaxFieldsPerType = o.MaxFieldsPerType,
            SchemaConsistent = true,
        });
        _serializer.Register<ForyProtocol.Release012StreamHeader>();
        _serializer.Register<ForyProtocol.Release012CallHeader>();
        _serializer.Register<ForyProtocol.Release012RpcStatus>();
        Protocol = new Release012XlangProtocol(_serializer);
    }

    /// <summary>StreamHeader, CallHeader and RpcStatus in the 0.1.2 XLANG form.</summary>
    public Release012XlangProtocol Protocol { get; }

    /// <inheritdoc/>
    public bool Supports(SerializationMode mode) => mode == SerializationMode.Xlang;

    /// <inheritdoc/>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The constructor carries RequiresUnreferencedCode: creating these codecs opts in to reflection over message types.")]
    [UnconditionalSuppressMessage("Trimming", "IL2087", Justification = "As above.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "The constructor carries RequiresDynamicCode.")]
    public IMessageCodec<T> GetCodec<T>(SerializationMode mode)
        => mode == SerializationMode.Xlang
            ? (IMessageCodec<T>)_codecs.GetOrAdd(typeof(T), static (_, self) => self.Create<T>(), this)
            : throw new NotSupportedException($"Serialization mode {mode} has no 0.1.2 XLANG form.");

    [RequiresUnreferencedCode("Reflects over message record types.")]
    [RequiresDynamicCode("Instantiates generic codecs at run time.")]
    private ForyCodecProvider.XlangCodec<T> Create<T>()
    {
        if (!Fory.Types.WireTypeModel.IsWireRecord(typeof(T)))
        {
            throw new NotSupportedException($"{typeof(T).FullName} is not a [WireType] record, so it has no XLANG form.");
        }

#pragma warning disable CA2263 // the generic overload demands an annotated T, which GetCodec<T> cannot promise
        _serializer.Register(typeof(T));
#pragma warning restore CA2263
        return new ForyCodecProvider.XlangCodec<T>(_serializer);
    }

    /// <summary>The framework messages as release 0.1.2 peers encode them (B12 table): every integer a VARINT64.</summary>
    internal sealed class Release012XlangProtocol(ForySerializer serializer) : IProtocolCodec, ICallHeaderReader
    {
        public void WriteHeader(IBufferWriter<byte> output, StreamHeader header)
            => serializer.Serialize(
                new ForyProtocol.Release012StreamHeader
                {
                    Service = header.Service,
                    Method = header.Method,
                    Version = header.Version,
                    CallId = header.CallIdText ?? string.Empty,
                    DeadlineEpochMs = header.DeadlineEpochMs,
                    SerializationMode = (long)header.SerializationMode,
                    MetadataKeys = header.MetadataKeys,
                    MetadataValues = header.MetadataValues,
                },
                output);

        public StreamHeader ReadHeader(in ReadOnlySequence<byte> payload, WireNameTable? names = null)
        {
            ForyProtocol.Release012StreamHeader header = Read<ForyProtocol.Release012StreamHeader>(payload);
            if (header.Version is < int.MinValue or > int.MaxValue || header.SerializationMode is < sbyte.MinValue or > sbyte.MaxValue)
            {
                throw new ProtocolFormatException("version or serializationMode out of range");
            }

            return new StreamHeader
            {
                Service = header.Service,
                Method = header.Method,
                Version = (int)header.Version,
                SerializationMode = (SerializationMode)header.SerializationMode,
                MetadataKeys = header.MetadataKeys,
                MetadataValues = header.MetadataValues,
                Dialect = WireDialect.Release012,
                CallIdText = header.CallId,
                DeadlineEpochMs = header.DeadlineEpochMs,
            };
        }

        public StreamHeader ReadCallHeader(in ReadOnlySequence<byte> payload)
        {
            ForyProtocol.Release012CallHeader call = Read<ForyProtocol.Release012CallHeader>(payload);
            return new StreamHeader
            {
                Method = call.Method,
                MetadataKeys = call.MetadataKeys,
                MetadataValues = call.MetadataValues,
                Dialect = WireDialect.Release012,
                CallIdText = call.CallId,
                DeadlineEpochMs = call.DeadlineEpochMs,
            };
        }

        /// <summary>Writes a 0.1.2 CallHeader (for clients and tests).</summary>
        public void WriteCallHeader(IBufferWriter<byte> output, StreamHeader call)
            => serializer.Serialize(
                new ForyProtocol.Release012CallHeader
                {
                    Method = call.Method,
                    CallId = call.CallIdText ?? string.Empty,
                    DeadlineEpochMs = call.DeadlineEpochMs,
                    MetadataKeys = call.MetadataKeys,
                    MetadataValues = call.MetadataValues,
                },
                output);

        public void WriteStatus(IBufferWriter<byte> output, RpcStatus status)
            => serializer.Serialize(
                new ForyProtocol.Release012RpcStatus
                {
                    Code = (int)status.Code,
                    Message = status.Message,
                    DetailKeys = status.Details.Count == 0 ? [] : [.. status.Details.Select(d => d.Key)],
                    DetailValues = status.Details.Count == 0 ? [] : [.. status.Details.Select(d => d.Value)],
                },
                output);

        public RpcStatus ReadStatus(in ReadOnlySequence<byte> payload)
        {
            if (payload.IsEmpty)
            {
                return RpcStatus.Ok;
            }

            ForyProtocol.Release012RpcStatus status = Read<ForyProtocol.Release012RpcStatus>(payload);
            if (status.Code is < int.MinValue or > int.MaxValue)
            {
                throw new ProtocolFormatException($"status code {status.Code} out of range");
            }

            int count = Math.Min(status.DetailKeys.Count, status.DetailValues.Count);
            var details = new KeyValuePair<string, string>[count];
            for (int i = 0; i < count; i++)
            {
                details[i] = new(status.DetailKeys[i], status.DetailValues[i]);
            }

            return new RpcStatus((StatusCode)status.Code, status.Message, details);
        }

        private T Read<T>(in ReadOnlySequence<byte> payload)
        {
            try
            {
                return serializer.Deserialize<T>(payload);
            }
            catch (ForyException ex)
            {
                throw new ProtocolFormatException(ex.Message, ex);
            }
        }
    }
}
