using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Aster.Fory.Types;

namespace Aster.Fory.Serialization;

/// <summary>Builds codecs by reflection, once per type. A source generator can later supply the same codec types.</summary>
internal sealed class CodecFactory
{
    private readonly Dictionary<(Type, bool), ForyCodec> _codecs = [];
    private readonly List<(ForyCodec Codec, WireTypeModel Model)> _pending = [];

    private readonly bool _useGenerated;

    public CodecFactory(IEnumerable<KeyValuePair<Type, ForyCodec>> existing, bool useGenerated = true)
    {
        _useGenerated = useGenerated;
        foreach (KeyValuePair<Type, ForyCodec> e in existing)
        {
            _codecs[(e.Key, false)] = e.Value;
        }
    }

    public IEnumerable<ForyCodec> Records => _codecs.Values.Where(c => c is IRecordCodec);

    [RequiresUnreferencedCode("Reflects over record types and their members.")]
    [RequiresDynamicCode("Instantiates generic codec types.")]
    public ForyCodec Get(Type type, bool fixedWidth = false)
    {
        bool widthMatters = !WireTypeModel.IsWireRecord(type);
        (Type, bool) key = (type, widthMatters && fixedWidth);
        if (_codecs.TryGetValue(key, out ForyCodec? codec))
        {
            return codec;
        }

        if (!type.IsEnum && type.GetCustomAttribute<WireTypeAttribute>() is not null)
        {
            WireTypeModel model = WireTypeModel.For(type);
            codec = (ForyCodec)Activator.CreateInstance(typeof(RecordCodec<>).MakeGenericType(type), model)!;
            _codecs[key] = codec;
            InitializeRecord(codec, model);
            return codec;
        }

        codec = Create(type, key.Item2);
        _codecs[key] = codec;
        return codec;
    }

    [RequiresUnreferencedCode("Reflects over record types and their members.")]
    [RequiresDynamicCode("Instantiates generic codec types.")]
    private void InitializeRecord(ForyCodec codec, WireTypeModel model)
    {
        Type t = model.ClrType;
        Type memberBase = typeof(MemberCodec<>).MakeGenericType(t);
        Array members = Array.CreateInstance(memberBase, model.Fields.Count);
        for (int i = 0; i < model.Fields.Count; i++)
        {
            WireFieldModel f = model.Fields[i];
            ForyCodec fieldCodec = Get(f.ClrType, f.FixedWidth);
            object member = Activator.CreateInstance(typeof(MemberCodec<,>).MakeGenericType(t, f.ClrType), f, fieldCodec)!;
            members.SetValue(member, i);
        }

        codec.GetType().GetMethod("Initialize")!.Invoke(codec, [members, _useGenerated]);
    }

    [RequiresUnreferencedCode("Reflects over generic arguments.")]
    [RequiresDynamicCode("Instantiates generic codec types.")]
    private ForyCodec Create(Type t, bool fixedWidth)
    {
        Type? underlying = Nullable.GetUnderlyingType(t);
        if (underlying is not null)
        {
            return Make(typeof(NullableCodec<>), [underlying], Get(underlying, fixedWidth));
        }

        if (t.IsEnum)
        {
            return Make(typeof(EnumCodec<>), [t]);
        }

        ForyCodec? simple = Type.GetTypeCode(t) switch
        {
            TypeCode.Boolean => new BoolCodec(),
            TypeCode.SByte => new Int8Codec(),
            TypeCode.Int16 => new Int16Codec(),
            TypeCode.Int32 => new Int32Codec(fixedWidth),
            TypeCode.Int64 => new Int64Codec(fixedWidth),
            TypeCode.Byte => new UInt8Codec(),
            TypeCode.UInt16 => new UInt16Codec(),
            TypeCode.UInt32 => new UInt32Codec(fixedWidth),
            TypeCode.UInt64 => new UInt64Codec(fixedWidth),
            TypeCode.Single => new Float32Codec(),
            TypeCode.Double => new Float64Codec(),
            TypeCode.String => new StringCodec(),
            TypeCode.DateTime => new DateTimeCodec(),
            _ => null,
        };
        if (simple is not null)
        {
            return simple;
        }

        if (t == typeof(byte[]))
        {
            return new BinaryCodec();
        }

        if (t == typeof(ReadOnlyMemory<byte>))
        {
            return new MemoryCodec();
        }

        if (t == typeof(Memory<byte>))
        {
            return new MutableMemoryCodec();
        }

        if (t == typeof(Guid))
        {
            return new GuidCodec();
        }

        if (t == typeof(DateTimeOffset))
        {
            return new DateTimeOffsetCodec();
        }

        if (t == typeof(DateOnly))
        {
            return new DateOnlyCodec();
        }

        if (t.IsArray && t.GetArrayRank() == 1)
        {
            Type e = t.GetElementType()!;
            return Make(typeof(ListCodec<,>), [t, e], Get(e, fixedWidth), ForyTypeId.List);
        }

        if (WireTypeModel.CollectionShape(t) is { } shape)
        {
            switch (shape.Kind)
            {
                case ForyTypeId.List:
                    return Make(typeof(ListCodec<,>), [t, shape.Value!], Get(shape.Value!, fixedWidth), ForyTypeId.List);
                case ForyTypeId.Set:
                    return Make(typeof(SetCodec<,>), [t, shape.Value!], Get(shape.Value!, fixedWidth));
                default:
                    return Make(typeof(MapCodec<,,>), [t, shape.Key!, shape.Value!], Get(shape.Key!, fixedWidth), Get(shape.Value!, fixedWidth));
            }
        }

        // Raises the A8 explanation for unsupported types.
        _ = WireTypeModel.FieldTypeOf(t);
        throw new NotSupportedException($"type {t.FullName} is not supported by the typed codec");
    }

    [RequiresDynamicCode("Instantiates generic codec types.")]
    [RequiresUnreferencedCode("Instantiates generic codec types.")]
    private static ForyCodec Make(Type open, Type[] args, params object[] ctorArgs) =>
        (ForyCodec)Activator.CreateInstance(open.MakeGenericType(args), ctorArgs)!;
}
