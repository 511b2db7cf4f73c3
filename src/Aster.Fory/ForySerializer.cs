using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Aster.Fory.Dynamic;
using Aster.Fory.IO;
using Aster.Fory.Serialization;
using Aster.Fory.Types;

namespace Aster.Fory;

/// <summary>
/// Serializes registered records (<see cref="WireTypeAttribute"/>) as Fory XLANG messages configured as Aster uses
/// them: reference tracking on, compatible mode, records registered by name; or, with
/// <see cref="ForyOptions.SchemaConsistent"/>, in the schema-consistent dialect of release 0.1.2 peers. Register types
/// first; afterwards the instance is thread-safe and per-type codecs are reused without reflection.
/// </summary>
public sealed class ForySerializer
{
    private readonly ConcurrentDictionary<Type, ForyCodec> _codecs = new();
    private readonly Lock _registrationLock = new();
    private readonly WriteContext _stateless;

    /// <summary>Creates a serializer. The framework types StreamHeader, CallHeader and RpcStatus are not registered automatically.</summary>
    public ForySerializer(ForyOptions? options = null)
    {
        Options = options ?? ForyOptions.Default;
        _stateless = WriteContext.Stateless(Options);
    }

    /// <summary>The limits and choices in force.</summary>
    public ForyOptions Options { get; }

    /// <summary>The registered record models.</summary>
    public IEnumerable<WireTypeModel> RegisteredTypes => _codecs.Values.OfType<IRecordCodec>().Select(c => c.Model);

    /// <summary>Registers a record type and every record type it uses.</summary>
    /// <exception cref="NotSupportedException">A member type cannot be carried (A8).</exception>
    [RequiresUnreferencedCode("Reflects over the record type and its members; use generated serializers when trimming.")]
    [RequiresDynamicCode("Instantiates generic codecs; use generated serializers under Native AOT.")]
    public ForySerializer Register<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicConstructors)] T>() =>
        Register(typeof(T));

    /// <summary>Registers a record type and every record type it uses.</summary>
    /// <exception cref="NotSupportedException">A member type cannot be carried (A8).</exception>
    [RequiresUnreferencedCode("Reflects over the record type and its members; use generated serializers when trimming.")]
    [RequiresDynamicCode("Instantiates generic codecs; use generated serializers under Native AOT.")]
    public ForySerializer Register([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicConstructors)] Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (!WireTypeModel.IsWireRecord(type))
        {
            throw new NotSupportedException($"{type.FullName} has no [WireType] attribute");
        }

        lock (_registrationLock)
        {
            if (_codecs.ContainsKey(type))
            {
                return this;
            }

            CodecFactory factory = new(_codecs, Options.UseGeneratedSerializers);
            factory.Get(type);
            foreach (ForyCodec codec in factory.Records)
            {
                _codecs.TryAdd(codec.ClrType, codec);
            }
        }

        return this;
    }

    /// <summary>The registered record codecs.</summary>
    internal IEnumerable<IRecordCodec> RecordCodecs => _codecs.Values.OfType<IRecordCodec>();

    /// <summary>Whether a type is registered.</summary>
    public bool IsRegistered(Type type) => _codecs.ContainsKey(type);

    private RecordCodec<T> CodecFor<T>(bool encoding)
    {
        CodecSlot<T>.Entry? entry = CodecSlot<T>.Last;
        if (entry is not null && ReferenceEquals(entry.Owner, this))
        {
            return entry.Codec;
        }

        if (_codecs.TryGetValue(typeof(T), out ForyCodec? codec))
        {
            RecordCodec<T> typed = (RecordCodec<T>)codec;
            CodecSlot<T>.Last = new CodecSlot<T>.Entry(this, typed);
            return typed;
        }

        string message = $"{typeof(T).FullName} is not registered with this ForySerializer";
        throw encoding ? new ForyEncodeException(message) : new ForyDecodeException(message);
    }

    /// <summary>Writes <paramref name="value"/> as one XLANG message.</summary>
    /// <exception cref="ForyEncodeException">The type is not registered, or a value cannot be written.</exception>
    public void Serialize<T>(T value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        RecordCodec<T> codec = CodecFor<T>(true);
        if (value is not null && !codec.NestsRecords)
        {
            // Nothing inside can repeat a TypeDef or refer to an object: no per-message state to rent.
            codec.WriteFlatMessage(output, value, _stateless);
            return;
        }

        ForyWriter w = new(output, Options.Dialect, Options.MaxDepth);
        if (value is null)
        {
            w.WriteByte(0x03);
            w.WriteByte(0xFD);
            w.Flush();
            return;
        }

        w.WriteBytes(Options.SchemaConsistent ? codec.SchemaConsistentRootPrefix : codec.RootPrefix);

        WriteContext ctx = WriteContext.Rent(Options);
        try
        {
            codec.AddRootTypeInfo(ctx);
            if (!typeof(T).IsValueType && !Options.SchemaConsistent)
            {
                ctx.AddRootRef(value);
            }
            else
            {
                ctx.SkipRefId();
            }

            codec.WriteFields(ref w, value, ctx);
            w.Flush();
        }
        finally
        {
            WriteContext.Return(ctx);
        }
    }

    /// <summary>Writes <paramref name="value"/> as one XLANG message and returns the bytes.</summary>
    public byte[] Serialize<T>(T value)
    {
        ArrayBufferWriter<byte> buffer = new(256);
        Serialize(value, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads one message whose root is a <typeparamref name="T"/>.</summary>
    /// <exception cref="ForyDecodeException">The data is malformed, exceeds a limit, or holds another type.</exception>
    public T Deserialize<T>(ReadOnlySpan<byte> data)
    {
        RecordCodec<T> codec = CodecFor<T>(false);
        if (data.Length > Options.MaxMessageBytes)
        {
            throw new ForyDecodeException($"message of {data.Length} bytes exceeds the limit {Options.MaxMessageBytes}", limit: "MaxMessageBytes");
        }

        ReadContext ctx = ReadContext.Rent(Options, this);
        try
        {
            ForyReader r = new(data);
            if (!codec.NestsRecords && !Options.SchemaConsistent && data.StartsWith(codec.RootPrefix))
            {
                // What this codec writes: bitmap, root reference 0, our TypeDef byte for byte. A record that cannot
                // hold records never needs the TypeDef again, so the meta-share table stays empty; and none of its
                // members can hold the root, so reference 0 is counted but not stored (a back-reference to it fails).
                r.ReadSpan(codec.RootPrefix.Length);
                _ = ctx.ReserveRef();
                T flat = codec.ReadFieldsLocal(ref r, ctx, -1);
                CheckEnd(ref r);
                return flat;
            }

            if (DynamicReader.ReadBitmap(ref r))
            {
                if (r.Remaining > 0 && r.PeekByte() == 0xFD)
                {
                    r.ReadByte();
                }

                CheckEnd(ref r);
                return default!;
            }

            byte flag = r.ReadByte();
            int refId = -1;
            switch (flag)
            {
                case 0x00:
                    refId = ctx.ReserveRef();
                    break;
                case 0xFF:
                    break;
                case 0xFD:
                    CheckEnd(ref r);
                    return default!;
                default:
                    r.Fail($"invalid root reference flag 0x{flag:x2}");
                    break;
            }

            int meta = codec.ReadTypeInfo(ref r, ctx);
            T value = codec.ReadFields(ref r, ctx, meta, refId);
            CheckEnd(ref r);
            return value;
        }
        finally
        {
            ReadContext.Return(ctx);
        }
    }

    /// <summary>Reads one message held in a sequence (copied only when it spans several segments).</summary>
    /// <exception cref="ForyDecodeException">The data is malformed, exceeds a limit, or holds another type.</exception>
    public T Deserialize<T>(in ReadOnlySequence<byte> data)
    {
        if (data.IsSingleSegment)
        {
            return Deserialize<T>(data.FirstSpan);
        }

        if (data.Length > Options.MaxMessageBytes)
        {
            throw new ForyDecodeException($"message of {data.Length} bytes exceeds the limit {Options.MaxMessageBytes}", limit: "MaxMessageBytes");
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent((int)data.Length);
        try
        {
            data.CopyTo(rented);
            return Deserialize<T>(rented.AsSpan(0, (int)data.Length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static void CheckEnd(ref ForyReader r)
    {
        if (r.Remaining != 0)
        {
            r.Fail($"{r.Remaining} trailing byte(s) after the root value");
        }
    }

    /// <summary>A one-entry cache of the last serializer and codec used for <typeparamref name="T"/> (one reference write, so atomic).</summary>
    private static class CodecSlot<T>
    {
        public static Entry? Last;

        public sealed class Entry(ForySerializer owner, RecordCodec<T> codec)
        {
            public ForySerializer Owner { get; } = owner;

            public RecordCodec<T> Codec { get; } = codec;
        }
    }
}
