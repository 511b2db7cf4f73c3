using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Aster.Fory.IO;
using Aster.Fory.Types;

namespace Aster.Fory.Json;

/// <summary>Untyped view of a JSON plan.</summary>
internal abstract class JsonPlan
{
    /// <summary>Nesting limit on write, as on read (the reader's <c>MaxDepth</c>).</summary>
    protected static int MaxDepth => ForyOptions.Default.MaxDepth;

    public abstract Type ClrType { get; }

    /// <summary>Checks the nesting level of a child about to be written.</summary>
    internal static void CheckChildDepth(int childDepth, string typeName)
    {
        if (childDepth > MaxDepth)
        {
            throw new ForyEncodeException("JSON nesting deeper than the limit (a cycle?)", typeName);
        }
    }
}

/// <summary>
/// How one CLR type is written and read in the JSON mode. Built once per type by <see cref="JsonPlans"/> and
/// cached; immutable and thread-safe afterwards, so no reflection happens per call.
/// </summary>
internal abstract class JsonPlan<T> : JsonPlan
{
    private static readonly bool _nullable = !typeof(T).IsValueType || Nullable.GetUnderlyingType(typeof(T)) is not null;

    public override Type ClrType => typeof(T);

    /// <summary>The value a non-nullable member the message lacks receives when the record has no parameterless constructor.</summary>
    public virtual T Empty => default!;

    /// <summary>Writes a non-null value; <paramref name="depth"/> is the value's nesting level.</summary>
    public abstract void WriteNonNull(ref ForyWriter w, T value, int depth);

    /// <summary>Reads a value whose first token is not <c>null</c>.</summary>
    protected abstract T ReadNonNull(ref Utf8JsonReader r, JsonPath path);

    /// <summary>Writes a value or <c>null</c>.</summary>
    public void Write(ref ForyWriter w, T value, int depth)
    {
        if (value is null)
        {
            w.WriteAscii("null");
            return;
        }

        WriteNonNull(ref w, value, depth);
    }

    /// <summary>Reads a value at the current token; <c>null</c> only where the type admits it.</summary>
    public T Read(ref Utf8JsonReader r, JsonPath path)
    {
        if (r.TokenType == JsonTokenType.Null)
        {
            return _nullable ? default! : throw Fail(path, "null for a non-nullable value");
        }

        try
        {
            return ReadNonNull(ref r, path);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or OverflowException or ArgumentException)
        {
            throw new ForyDecodeException($"invalid JSON value at {path}: {e.Message}", inner: e);
        }
    }

    protected static ForyDecodeException Fail(JsonPath path, string message) => new($"{message} at {path}");
}

/// <summary>The per-type plan cache: one plan per CLR type, built under a lock (records may refer to themselves).</summary>
internal static class JsonPlans
{
    private static readonly ConcurrentDictionary<Type, JsonPlan> _plans = new();
    private static readonly Lock _buildLock = new();

    /// <summary>Plans of the build in progress (under the lock); published together once complete.</summary>
    private static readonly Dictionary<Type, JsonPlan> _building = [];

    /// <summary>The plan for <typeparamref name="T"/>, cached in a static field after the first call.</summary>
    [RequiresUnreferencedCode("Reflects over record types.")]
    public static JsonPlan<T> For<T>() => Slot<T>.Plan ??= (JsonPlan<T>)For(typeof(T));

    [RequiresUnreferencedCode("Reflects over record types.")]
    public static JsonPlan For(Type type)
    {
        if (_plans.TryGetValue(type, out JsonPlan? plan))
        {
            return plan;
        }

        lock (_buildLock)
        {
            try
            {
                JsonPlan built = Build(type);
                foreach (KeyValuePair<Type, JsonPlan> e in _building)
                {
                    _plans[e.Key] = e.Value;
                }

                return built;
            }
            finally
            {
                _building.Clear();
            }
        }
    }

    /// <summary>Builds (under the lock) and registers a plan; records register before their members are built.</summary>
    [RequiresUnreferencedCode("Reflects over record types.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "JSON mode is reflection-based; records are registered through RequiresUnreferencedCode APIs.")]
    [UnconditionalSuppressMessage("Trimming", "IL2055", Justification = "JSON mode is reflection-based.")]
    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "JSON mode is reflection-based.")]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "JSON mode is reflection-based.")]
    internal static JsonPlan Build(Type type)
    {
        if (_plans.TryGetValue(type, out JsonPlan? existing) || _building.TryGetValue(type, out existing))
        {
            return existing;
        }

        JsonPlan plan;
        if (!type.IsEnum && WireTypeModel.IsWireRecord(type))
        {
            WireTypeModel model = WireTypeModel.For(type);
            JsonPlan record = (JsonPlan)Activator.CreateInstance(typeof(JsonRecordPlan<>).MakeGenericType(type), model)!;
            _building[type] = record;
            ((IJsonRecordPlan)record).BuildMembers();
            return record;
        }

        plan = Create(type);
        _building[type] = plan;
        return plan;
    }

    [RequiresUnreferencedCode("Reflects over collection types.")]
    [RequiresDynamicCode("Instantiates generic plans.")]
    private static JsonPlan Create(Type t)
    {
        if (Nullable.GetUnderlyingType(t) is { } underlying)
        {
            return Make(typeof(NullableJsonPlan<>), [underlying], Build(underlying));
        }

        if (t.IsEnum)
        {
            return Make(typeof(EnumJsonPlan<>), [t]);
        }

        JsonPlan? scalar = Type.GetTypeCode(t) switch
        {
            TypeCode.String => new StringJsonPlan(),
            TypeCode.Boolean => new BoolJsonPlan(),
            TypeCode.SByte => new IntegerJsonPlan<sbyte>(),
            TypeCode.Int16 => new IntegerJsonPlan<short>(),
            TypeCode.Int32 => new IntegerJsonPlan<int>(),
            TypeCode.Int64 => new IntegerJsonPlan<long>(),
            TypeCode.Byte => new IntegerJsonPlan<byte>(),
            TypeCode.UInt16 => new IntegerJsonPlan<ushort>(),
            TypeCode.UInt32 => new IntegerJsonPlan<uint>(),
            TypeCode.UInt64 => new IntegerJsonPlan<ulong>(),
            TypeCode.Single => new FloatJsonPlan(),
            TypeCode.Double => new DoubleJsonPlan(),
            TypeCode.DateTime => new DateTimeJsonPlan(),
            _ => null,
        };
        if (scalar is not null)
        {
            return scalar;
        }

        if (t == typeof(Guid))
        {
            return new GuidJsonPlan();
        }

        if (t == typeof(byte[]))
        {
            return new BinaryJsonPlan();
        }

        if (t == typeof(ReadOnlyMemory<byte>))
        {
            return new ReadOnlyMemoryJsonPlan();
        }

        if (t == typeof(Memory<byte>))
        {
            return new MemoryJsonPlan();
        }

        if (t == typeof(DateTimeOffset))
        {
            return new DateTimeOffsetJsonPlan();
        }

        if (t == typeof(DateOnly))
        {
            return new DateOnlyJsonPlan();
        }

        if (t.IsArray && t.GetArrayRank() == 1)
        {
            Type e = t.GetElementType()!;
            return Make(typeof(ListJsonPlan<,>), [t, e], Build(e));
        }

        if (WireTypeModel.CollectionShape(t) is { } shape)
        {
            return shape.Kind switch
            {
                ForyTypeId.List => Make(typeof(ListJsonPlan<,>), [t, shape.Value!], Build(shape.Value!)),
                ForyTypeId.Set => Make(typeof(SetJsonPlan<,>), [t, shape.Value!], Build(shape.Value!)),
                _ => Make(typeof(MapJsonPlan<,,>), [t, shape.Key!, shape.Value!], Build(shape.Value!)),
            };
        }

        return Make(typeof(UnsupportedJsonPlan<>), [t]);
    }

    [RequiresDynamicCode("Instantiates generic plans.")]
    [UnconditionalSuppressMessage("Trimming", "IL2055", Justification = "JSON mode is reflection-based.")]
    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "JSON mode is reflection-based.")]
    private static JsonPlan Make(Type open, Type[] args, params object[] ctorArgs) =>
        (JsonPlan)Activator.CreateInstance(open.MakeGenericType(args), ctorArgs)!;

    /// <summary>The last plan built for <typeparamref name="T"/> (one reference write, so atomic).</summary>
    private static class Slot<T>
    {
        public static JsonPlan<T>? Plan;
    }
}
