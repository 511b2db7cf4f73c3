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

    public ForyOptions Options { get; private set; } = ForyOptions.Default;

    public ForySerializer? Serializer { get; private set; }

    public int Depth;

    public int MetaCount { get; private set; }

    public int RefCount { get; private set; }

    public static ReadContext Rent(ForyOptions options, ForySerializer? serializer)
    {
        ReadContext ctx = _cached ?? new ReadContext();
        _cached = null;
        ctx.Options = options;
        ctx.Serializer = serializer;
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

        if (ctx.RefCount > 0)
        {
            Array.Clear(ctx._refs, 0, ctx.RefCount);
            ctx.RefCount = 0;
        }

        ctx.Serializer = null;
        if (ctx._metas.Length <= 64 && ctx._refs.Length <= 1024)
        {
            _cached = ctx;
        }
    }

    public void EnterDepth(ref ForyReader r)
    {
        if (++Depth > Options.MaxDepth)
        {
            r.Fail($"nesting deeper than {Options.MaxDepth}", limit: "MaxDepth");
        }
    }

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

/// <summary>Per-message write state: meta-share table and reference table. Reused per thread.</summary>
internal sealed class WriteContext
{
    [ThreadStatic]
    private static WriteContext? _cached;

    private object?[] _metaKeys = new object?[8];
    private readonly (object? Value, int Id)[] _tracked = new (object?, int)[32];
    private int _trackedCount;
    private object? _root;
    private Dictionary<object, int>? _refs;

    public ForyOptions Options { get; private set; } = ForyOptions.Default;

    public int Depth;

    public int MetaCount { get; private set; }

    public int NextRefId;

    public static WriteContext Rent(ForyOptions options)
    {
        WriteContext ctx = _cached ?? new WriteContext();
        _cached = null;
        ctx.Options = options;
        ctx.Depth = 0;
        ctx.NextRefId = 0;
        return ctx;
    }

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

        ctx._refs = null;
        ctx._root = null;

        _cached = ctx;
    }

    public void EnterDepth(string typeName)
    {
        if (++Depth > Options.MaxDepth)
        {
            throw new ForyEncodeException($"nesting deeper than {Options.MaxDepth} (a reference cycle through fields?)", typeName);
        }
    }

    /// <summary>Writes the meta-share marker for <paramref name="key"/> and, the first time, its encoded TypeDef.</summary>
    public void WriteTypeMeta(ref ForyWriter w, object key, byte[] encodedTypeDef)
    {
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

    /// <summary>Records the root object as reference 0 without writing anything (the caller writes <c>00</c>).</summary>
    public void AddRootRef(object value)
    {
        _root = value;
        NextRefId++;
    }

    /// <summary>Counts a tracked value that can never be repeated (written <c>00</c>).</summary>
    public void SkipRefId() => NextRefId++;
}
