using System.Runtime.CompilerServices;
using Aster.Fory.IO;
using Aster.Fory.Meta;

namespace Aster.Fory.Serialization;

/// <summary>One entry of a message's meta-share table on the read side.</summary>
internal struct ReadMeta
{
    /// <summary>The parsed TypeDef; null when only <see cref="Local"/> matched and parsing was skipped.</summary>
    public TypeDef? Def;

    /// <summary>The local record codec whose TypeDef body equals this one byte for byte, or null.</summary>
    public IRecordCodec? Local;

    /// <summary>A compatibility plan for reading into a local type, when the bodies differ.</summary>
    public object? Plan;
}

/// <summary>Per-message read state: limits, depth, meta-share table, reference table. Reused per thread.</summary>
internal sealed class ReadContext
{
    [ThreadStatic]
    private static ReadContext? _cached;

    private ReadMeta[] _metas = new ReadMeta[8];
    private object?[] _refs = new object?[8];
    private readonly List<string> _inlineNames = [];

    public ForyOptions Options { get; private set; } = ForyOptions.Default;

    public ForySerializer? Serializer { get; private set; }

    /// <summary>The record layouts a schema-less read of a schema-consistent message (B12) resolves names against.</summary>
    public Dynamic.ForySchemaSet? Schemas { get; set; }

    public int Depth;

    public int MetaCount { get; private set; }

    public int RefCount { get; private set; }

    private bool _inUse;

    public static ReadContext Rent(ForyOptions options, ForySerializer? serializer)
    {
        ReadContext? ctx = _cached;
        if (ctx is null || ctx._inUse)
        {
            // First use on this thread, or a nested deserialization (a constructor or setter that deserializes).
            ctx = new ReadContext();
            _cached ??= ctx;
        }

        ctx._inUse = true;

        // Compare before storing: a reference store costs a GC write barrier, and the values rarely change. The
        // serializer reference is kept after the message (a thread keeps its last serializer reachable).
        if (!ReferenceEquals(ctx.Options, options))
        {
            ctx.Options = options;
        }

        if (!ReferenceEquals(ctx.Serializer, serializer))
        {
            ctx.Serializer = serializer;
        }

        ctx.Depth = 0;
        return ctx;
    }

    public static void Return(ReadContext ctx)
    {
        if (ctx.MetaCount > 0)
        {
            Array.Clear(ctx._metas, 0, ctx.MetaCount);
            ctx.MetaCount = 0;
        }

        if (ctx.RefCount == 1)
        {
            ctx._refs[0] = null;
            ctx.RefCount = 0;
        }
        else if (ctx.RefCount > 1)
        {
            Array.Clear(ctx._refs, 0, ctx.RefCount);
            ctx.RefCount = 0;
        }

        if (ctx._inlineNames.Count > 0)
        {
            ctx._inlineNames.Clear();
        }

        if (ctx._metas.Length > 64)
        {
            ctx._metas = new ReadMeta[8];
        }

        if (ctx._refs.Length > 1024)
        {
            ctx._refs = new object?[8];
        }

        ctx.Schemas = null;

        ctx._inUse = false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void EnterDepth(ref ForyReader r)
    {
        if (++Depth > Options.MaxDepth)
        {
            TooDeep(ref r);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void TooDeep(ref ForyReader r) => r.Fail($"nesting deeper than {Options.MaxDepth}", limit: "MaxDepth");

    /// <summary>Reads a meta-share marker. Returns the index; <paramref name="isNew"/> tells whether a TypeDef follows.</summary>
    public int ReadMetaMarker(ref ForyReader r, out bool isNew)
    {
        uint marker = r.ReadVarUInt32();
        uint index = marker >> 1;
        isNew = (marker & 1) == 0;
        if (isNew)
        {
            if (index != (uint)MetaCount)
            {
                r.Fail($"meta-share marker announces TypeDef {index}, expected {MetaCount}");
            }

            if (MetaCount >= Options.MaxTypeDefs)
            {
                r.Fail($"more than {Options.MaxTypeDefs} TypeDefs in one message", limit: "MaxTypeDefs");
            }
        }
        else if (index >= (uint)MetaCount)
        {
            r.Fail($"meta-share reference to TypeDef {index}, only {MetaCount} defined");
        }

        return (int)index;
    }

    public int AddMeta(ReadMeta meta)
    {
        if (MetaCount == _metas.Length)
        {
            Array.Resize(ref _metas, _metas.Length * 2);
        }

        _metas[MetaCount] = meta;
        return MetaCount++;
    }

    public ref ReadMeta Meta(int index) => ref _metas[index];

    /// <summary>Reads an inline namespace or type name (schema-consistent mode, B12); <paramref name="expected"/> may skip decoding.</summary>
    public string ReadInlineName(ref ForyReader r, InlineMetaString? expected, MetaStringContext context) =>
        InlineMetaString.Read(ref r, _inlineNames, expected, context, Options.MaxTypeDefs);

    /// <summary>Reads a new TypeDef (after a new-marker) and parses it.</summary>
    public TypeDef ReadAndParseTypeDef(ref ForyReader r)
    {
        int start = r.Position;
        ReadOnlySpan<byte> body = TypeDef.ReadBody(ref r);
        return TypeDefCache.GetOrParse(body, Options, start);
    }

    /// <summary>Returns the parsed TypeDef of an entry, parsing the local one if only the codec matched.</summary>
    public TypeDef DefOf(int index)
    {
        ref ReadMeta m = ref _metas[index];
        return m.Def ??= m.Local!.TypeDef;
    }

    public int ReserveRef()
    {
        if (RefCount == _refs.Length)
        {
            Array.Resize(ref _refs, _refs.Length * 2);
        }

        _refs[RefCount] = null;
        return RefCount++;
    }

    public void SetRef(int id, object value) => _refs[id] = value;

    public object GetRef(ref ForyReader r, uint id)
    {
        if (id >= (uint)RefCount)
        {
            r.Fail($"reference to object {id}, only {RefCount} read so far");
        }

        return _refs[id] ?? throw new ForyDecodeException($"reference {id} names an object still being read (reference cycle)", r.Position);
    }
}

/// <summary>
/// Per-message write state: meta-share table and reference table. One instance per thread, reused: renting is one
/// thread-static read, and the common case (no nested records, no tracked objects) stores no object references, so
/// neither renting nor returning pays for GC write barriers.
/// </summary>
internal sealed class WriteContext
{
    [ThreadStatic]
    private static WriteContext? _cached;

    private object?[] _metaKeys = new object?[8];
    private readonly (object? Value, int Id)[] _tracked = new (object?, int)[32];
    private int _trackedCount;
    private object? _root;
    private Dictionary<object, int>? _refs;
    private bool _inUse;
    private InlineMetaString?[] _inlineNames = new InlineMetaString?[8];
    private int _inlineNameCount;

    /// <summary>Set on a <see cref="Stateless"/> context: shared between threads, so it must never change.</summary>
    private readonly bool _stateless;

    private WriteContext(bool stateless = false)
    {
        _stateless = stateless;
    }

    public ForyOptions Options { get; private set; } = ForyOptions.Default;

    public int MetaCount { get; private set; }

    public int NextRefId;

    public static WriteContext Rent(ForyOptions options)
    {
        WriteContext? ctx = _cached;
        if (ctx is null || ctx._inUse)
        {
            // First use on this thread, or a nested serialization (a member getter that serializes).
            ctx = new WriteContext();
            _cached ??= ctx;
        }

        ctx._inUse = true;
        if (!ReferenceEquals(ctx.Options, options))
        {
            ctx.Options = options;
        }

        ctx.NextRefId = 0;
        return ctx;
    }

    /// <summary>
    /// A context for records that cannot contain records (<see cref="RecordCodec{T}.NestsRecords"/> false): nothing
    /// is ever tracked or shared, so one immutable instance serves every thread and nothing is rented.
    /// </summary>
    public static WriteContext Stateless(ForyOptions options) => new(stateless: true) { Options = options };

    public static void Return(WriteContext ctx)
    {
        if (ctx.MetaCount > 0)
        {
            Array.Clear(ctx._metaKeys, 0, ctx.MetaCount);
            ctx.MetaCount = 0;
        }

        if (ctx._trackedCount > 0)
        {
            Array.Clear(ctx._tracked, 0, ctx._trackedCount);
            ctx._trackedCount = 0;
        }

        if (ctx._refs is not null)
        {
            ctx._refs = null;
        }

        if (ctx._inlineNameCount > 0)
        {
            Array.Clear(ctx._inlineNames, 0, ctx._inlineNameCount);
            ctx._inlineNameCount = 0;
        }

        if (ctx._root is not null)
        {
            ctx._root = null;
        }

        ctx._inUse = false;
    }

    /// <summary>Writes the meta-share marker for <paramref name="key"/> and, the first time, its encoded TypeDef.</summary>
    public void WriteTypeMeta(ref ForyWriter w, object key, byte[] encodedTypeDef)
    {
        ThrowIfStateless();
        for (int i = 0; i < MetaCount; i++)
        {
            object? existing = _metaKeys[i];
            if (ReferenceEquals(existing, key) || (key is byte[] a && existing is byte[] b && a.AsSpan().SequenceEqual(b)))
            {
                w.WriteVarUInt32(((uint)i << 1) | 1);
                return;
            }
        }

        if (MetaCount == _metaKeys.Length)
        {
            Array.Resize(ref _metaKeys, _metaKeys.Length * 2);
        }

        _metaKeys[MetaCount] = key;
        w.WriteVarUInt32((uint)MetaCount << 1);
        MetaCount++;
        w.WriteBytes(encodedTypeDef);
    }

    /// <summary>Writes <c>00</c> for a first occurrence or <c>fe id</c> for a repeat. Returns true when the value must follow.</summary>
    public bool WriteRefOrValue(ref ForyWriter w, object value)
    {
        ThrowIfStateless();
        if (_root is not null && ReferenceEquals(_root, value))
        {
            w.WriteByte(0xFE);
            w.WriteVarUInt32(0);
            return false;
        }

        if (_refs is null)
        {
            // Small messages: a linear scan beats hashing.
            for (int i = 0; i < _trackedCount; i++)
            {
                if (ReferenceEquals(_tracked[i].Value, value))
                {
                    w.WriteByte(0xFE);
                    w.WriteVarUInt32((uint)_tracked[i].Id);
                    return false;
                }
            }

            if (_trackedCount < _tracked.Length)
            {
                _tracked[_trackedCount++] = (value, NextRefId++);
                w.WriteByte(0);
                return true;
            }

            _refs = new Dictionary<object, int>(ReferenceEqualityComparer.Instance);
            for (int i = 0; i < _trackedCount; i++)
            {
                _refs[_tracked[i].Value!] = _tracked[i].Id;
            }
        }

        if (_refs.TryGetValue(value, out int id))
        {
            w.WriteByte(0xFE);
            w.WriteVarUInt32((uint)id);
            return false;
        }

        _refs.Add(value, NextRefId++);
        w.WriteByte(0);
        return true;
    }

    /// <summary>
    /// Records the root record's TypeDef as meta-share entry 0, already written by the caller as part of the
    /// record's constant root prefix.
    /// </summary>
    public void AddRootMeta(object key)
    {
        _metaKeys[0] = key;
        MetaCount = 1;
    }

    /// <summary>Writes an inline namespace or type name (schema-consistent mode, B12): in full once, then by index.</summary>
    public void WriteInlineName(ref ForyWriter w, InlineMetaString name)
    {
        ThrowIfStateless();
        for (int i = 0; i < _inlineNameCount; i++)
        {
            if (ReferenceEquals(_inlineNames[i], name))
            {
                w.WriteVarUInt32(((uint)(i + 1) << 1) | 1);
                return;
            }
        }

        AddInlineName(name);
        w.WriteBytes(name.FirstOccurrence);
    }

    /// <summary>Records a name the caller wrote in full (the root record's constant prefix).</summary>
    public void AddInlineName(InlineMetaString name)
    {
        if (_inlineNameCount == _inlineNames.Length)
        {
            Array.Resize(ref _inlineNames, _inlineNames.Length * 2);
        }

        _inlineNames[_inlineNameCount++] = name;
    }

    /// <summary>Records the root object as reference 0 without writing anything (the caller writes <c>00</c>).</summary>
    public void AddRootRef(object value)
    {
        _root = value;
        NextRefId++;
    }

    /// <summary>Counts a tracked value that can never be repeated (written <c>00</c>).</summary>
    public void SkipRefId()
    {
        if (!_stateless)
        {
            NextRefId++;
        }
    }

    private void ThrowIfStateless()
    {
        if (_stateless)
        {
            throw new InvalidOperationException("a record without nested records reached the meta-share or reference table");
        }
    }
}
