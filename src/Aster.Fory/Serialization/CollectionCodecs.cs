using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Aster.Fory.Dynamic;
using Aster.Fory.IO;
using Aster.Fory.Types;

namespace Aster.Fory.Serialization;

/// <summary>Element layout of lists and sets (B8), shared by every collection codec.</summary>
internal static class Elements
{
    private static bool CanBeNull<TE>() => !typeof(TE).IsValueType || Nullable.GetUnderlyingType(typeof(TE)) is not null;

    public static void Write<TE>(ref ForyWriter w, WriteContext ctx, ForyCodec<TE> codec, ReadOnlySpan<TE> items)
    {
        w.WriteVarUInt32((uint)items.Length);
        if (items.Length == 0)
        {
            return;
        }

        w.EnterDepth("list");
        bool hasNull = false;
        if (CanBeNull<TE>())
        {
            foreach (TE item in items)
            {
                if (item is null)
                {
                    hasNull = true;
                    break;
                }
            }
        }

        byte kind = codec.ElementKind;
        bool untracked = ctx.Options.SchemaConsistent;
        if (untracked)
        {
            // Schema-consistent mode tracks nothing: records keep "same type" (0x08), other kinds become plain.
            kind = kind == 0x09 ? (byte)0x08 : (byte)0x0C;
        }

        w.WriteByte((byte)(kind | (hasNull ? 2 : 0)));
        if ((kind & 0x0C) == 0x08)
        {
            RecordCodec<TE> rc = (RecordCodec<TE>)codec;
            rc.WriteTypeInfo(ref w, ctx);
            foreach (TE item in items)
            {
                if (item is null)
                {
                    w.WriteByte(0xFD);
                }
                else if (untracked)
                {
                    if (hasNull)
                    {
                        w.WriteByte(0xFF);
                    }

                    rc.WriteFields(ref w, item, ctx);
                }
                else if (typeof(TE).IsValueType)
                {
                    w.WriteByte(0);
                    ctx.SkipRefId();
                    rc.WriteFields(ref w, item, ctx);
                }
                else if (ctx.WriteRefOrValue(ref w, item))
                {
                    rc.WriteFields(ref w, item, ctx);
                }
            }
        }
        else if (kind == 0x0C)
        {
            if (hasNull)
            {
                foreach (TE item in items)
                {
                    if (item is null)
                    {
                        w.WriteByte(0xFD);
                    }
                    else
                    {
                        w.WriteByte(0xFF);
                        codec.Write(ref w, item, ctx);
                    }
                }
            }
            else if (!TryWriteBlock(ref w, codec, items))
            {
                foreach (TE item in items)
                {
                    codec.Write(ref w, item, ctx);
                }
            }
        }
        else
        {
            foreach (TE item in items)
            {
                if (item is null)
                {
                    w.WriteByte(0xFD);
                }
                else
                {
                    w.WriteByte(0);
                    ctx.SkipRefId();
                    codec.Write(ref w, item, ctx);
                }
            }
        }

        w.ExitDepth();
    }

    /// <summary>
    /// Writes non-null plain elements without a virtual call each: fixed-width numbers as one little-endian copy,
    /// strings straight through the writer. Returns false for element kinds it does not handle.
    /// </summary>
    private static bool TryWriteBlock<TE>(ref ForyWriter w, ForyCodec<TE> codec, ReadOnlySpan<TE> items)
    {
        if (typeof(TE) == typeof(double) || typeof(TE) == typeof(float) || typeof(TE) == typeof(short)
            || typeof(TE) == typeof(ushort) || typeof(TE) == typeof(sbyte) || typeof(TE) == typeof(byte)
            || ((typeof(TE) == typeof(int) || typeof(TE) == typeof(uint) || typeof(TE) == typeof(long) || typeof(TE) == typeof(ulong))
                && codec.FieldType.TypeId is ForyTypeId.Int32 or ForyTypeId.UInt32 or ForyTypeId.Int64 or ForyTypeId.UInt64))
        {
            if (!BitConverter.IsLittleEndian)
            {
                return false;
            }

            w.WriteBytes(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<TE, byte>(ref MemoryMarshal.GetReference(items)), items.Length * Unsafe.SizeOf<TE>()));
            return true;
        }

        if (!typeof(TE).IsValueType && codec is StringCodec)
        {
            foreach (TE item in items)
            {
                w.WriteString(Unsafe.As<string>(item)!); // non-null: hasNull is false
            }

            return true;
        }

        return false;
    }

    public static uint ReadCount(ref ForyReader r, ReadContext ctx)
    {
        uint count = r.ReadVarUInt32();
        r.CheckCount(count, ctx.Options.MaxCollectionLength, "list");
        return count;
    }

    /// <summary>Reads the element header and the elements into <paramref name="dest"/> (count already read, non-zero).</summary>
    public static void Read<TE>(ref ForyReader r, ReadContext ctx, ForyCodec<TE> codec, Span<TE> dest)
    {
        ctx.EnterDepth(ref r);
        byte header = r.ReadByte();
        if ((header & 0xF0) != 0)
        {
            r.Fail($"invalid collection header 0x{header:x2}");
        }

        bool trackRef = (header & 1) != 0;
        bool hasNull = (header & 2) != 0;
        bool declared = (header & 4) != 0;
        bool same = (header & 8) != 0;
        RecordCodec<TE>? rc = codec as RecordCodec<TE>;
        int meta = -1;
        if (!declared && same)
        {
            meta = ReadElementTypeInfo(ref r, ctx, codec, rc);
        }

        for (int i = 0; i < dest.Length; i++)
        {
            int refId = -1;
            if (trackRef || hasNull)
            {
                byte flag = r.ReadByte();
                if (flag == 0xFD)
                {
                    if (!CanBeNull<TE>())
                    {
                        r.Fail($"null element in a collection of non-nullable {typeof(TE).Name}");
                    }

                    dest[i] = default!;
                    continue;
                }

                if (flag == 0xFE && trackRef)
                {
                    int at = r.Position;
                    dest[i] = ctx.GetRef(ref r, r.ReadVarUInt32()) is TE e ? e : throw new ForyDecodeException($"reference is not a {typeof(TE).Name}", at);
                    continue;
                }

                if (flag == 0x00 && trackRef)
                {
                    refId = ctx.ReserveRef();
                }
                else if (flag != 0xFF)
                {
                    r.Fail($"invalid element flag 0x{flag:x2}");
                }
            }

            int elementMeta = meta;
            if (!declared && !same)
            {
                elementMeta = ReadElementTypeInfo(ref r, ctx, codec, rc);
            }

            TE value;
            if (rc is not null)
            {
                value = declared ? rc.ReadFieldsLocal(ref r, ctx, refId) : rc.ReadFields(ref r, ctx, elementMeta, refId);
            }
            else
            {
                value = codec.Read(ref r, ctx);
                if (refId >= 0 && value is not null)
                {
                    ctx.SetRef(refId, value);
                }
            }

            dest[i] = value;
        }

        ctx.Depth--;
    }

    public static int ReadElementTypeInfo<TE>(ref ForyReader r, ReadContext ctx, ForyCodec<TE> codec, RecordCodec<TE>? rc)
    {
        if (rc is not null)
        {
            return rc.ReadTypeInfo(ref r, ctx);
        }

        int at = r.Position;
        uint id = r.ReadVarUInt32();
        if (id != (uint)codec.FieldType.TypeId && !(id == (uint)ForyTypeId.NamedEnum && codec.FieldType.TypeId == ForyTypeId.Enum))
        {
            throw new ForyDecodeException($"element type id {id} where {codec.FieldType.TypeId} was expected", at);
        }

        return -1;
    }
}

/// <summary><c>List&lt;T&gt;</c>, <c>T[]</c>, <c>IList&lt;T&gt;</c>, <c>IReadOnlyList&lt;T&gt;</c> and other list shapes.</summary>
internal sealed class ListCodec<TList, TE>(ForyCodec<TE> element, ForyTypeId kind = ForyTypeId.List)
    : ForyCodec<TList>(new ForyFieldType(kind, element: element.FieldType))
    where TList : IEnumerable<TE>
{
    private static readonly bool _isArray = typeof(TList) == typeof(TE[]);

    public ForyCodec<TE> Element { get; } = element;

    public override bool MayContainRecords => Element.MayContainRecords;

    public override TList DefaultValue => _isArray ? (TList)(object)Array.Empty<TE>() : (TList)(object)new List<TE>();

    public override void Write(ref ForyWriter w, TList value, WriteContext ctx)
    {
        switch (value)
        {
            case List<TE> list:
                Elements.Write(ref w, ctx, Element, CollectionsMarshal.AsSpan(list));
                return;
            case TE[] array:
                Elements.Write(ref w, ctx, Element, array);
                return;
            default:
            {
                int count = value is IReadOnlyCollection<TE> c ? c.Count : value.Count();
                TE[] rented = ArrayPool<TE>.Shared.Rent(count);
                try
                {
                    int i = 0;
                    foreach (TE item in value)
                    {
                        if (i == count)
                        {
                            throw new ForyEncodeException("collection changed while being written");
                        }

                        rented[i++] = item;
                    }

                    Elements.Write(ref w, ctx, Element, rented.AsSpan(0, i));
                }
                finally
                {
                    ArrayPool<TE>.Shared.Return(rented, clearArray: !typeof(TE).IsValueType);
                }

                return;
            }
        }
    }

    public override TList Read(ref ForyReader r, ReadContext ctx)
    {
        int count = (int)Elements.ReadCount(ref r, ctx);
        if (_isArray)
        {
            TE[] array = count == 0 ? [] : new TE[count];
            if (count > 0)
            {
                Elements.Read(ref r, ctx, Element, array);
            }

            return (TList)(object)array;
        }

        List<TE> list = new(count);
        if (count > 0)
        {
            CollectionsMarshal.SetCount(list, count);
            Elements.Read(ref r, ctx, Element, CollectionsMarshal.AsSpan(list));
        }

        return (TList)(object)list;
    }

    public override TList FromDynamic(ForyValue value)
    {
        if (value is not ForyList l)
        {
            return base.FromDynamic(value);
        }

        TE[] items = l.Items.Select(v => v is ForyNull ? default! : Element.FromDynamic(v)).ToArray();
        return _isArray ? (TList)(object)items : (TList)(object)items.ToList();
    }
}

/// <summary><c>HashSet&lt;T&gt;</c>, <c>ISet&lt;T&gt;</c>, <c>IReadOnlySet&lt;T&gt;</c>.</summary>
internal sealed class SetCodec<TSet, TE>(ForyCodec<TE> element)
    : ForyCodec<TSet>(new ForyFieldType(ForyTypeId.Set, element: element.FieldType))
    where TSet : IEnumerable<TE>
{
    public ForyCodec<TE> Element { get; } = element;

    public override bool MayContainRecords => Element.MayContainRecords;

    public override TSet DefaultValue => (TSet)(object)new HashSet<TE>();

    public override void Write(ref ForyWriter w, TSet value, WriteContext ctx)
    {
        int count = value is IReadOnlyCollection<TE> c ? c.Count : value.Count();
        TE[] rented = ArrayPool<TE>.Shared.Rent(count);
        try
        {
            int i = 0;
            foreach (TE item in value)
            {
                if (i == count)
                {
                    throw new ForyEncodeException("set changed while being written");
                }

                rented[i++] = item;
            }

            Elements.Write(ref w, ctx, Element, rented.AsSpan(0, i));
        }
        finally
        {
            ArrayPool<TE>.Shared.Return(rented, clearArray: !typeof(TE).IsValueType);
        }
    }

    public override TSet Read(ref ForyReader r, ReadContext ctx)
    {
        int count = (int)Elements.ReadCount(ref r, ctx);
        HashSet<TE> set = new(count);
        if (count > 0)
        {
            TE[] rented = ArrayPool<TE>.Shared.Rent(count);
            try
            {
                Span<TE> span = rented.AsSpan(0, count);
                Elements.Read(ref r, ctx, Element, span);
                foreach (TE item in span)
                {
                    set.Add(item);
                }
            }
            finally
            {
                ArrayPool<TE>.Shared.Return(rented, clearArray: !typeof(TE).IsValueType);
            }
        }

        return (TSet)(object)set;
    }

    public override TSet FromDynamic(ForyValue value) =>
        value is ForyList l ? (TSet)(object)l.Items.Select(Element.FromDynamic).ToHashSet() : base.FromDynamic(value);
}

/// <summary><c>Dictionary&lt;K,V&gt;</c>, <c>IDictionary&lt;K,V&gt;</c>, <c>IReadOnlyDictionary&lt;K,V&gt;</c> (B9).</summary>
internal sealed class MapCodec<TMap, TK, TV>(ForyCodec<TK> key, ForyCodec<TV> value)
    : ForyCodec<TMap>(new ForyFieldType(ForyTypeId.Map, element: value.FieldType, key: key.FieldType))
    where TMap : IEnumerable<KeyValuePair<TK, TV>>
    where TK : notnull
{
    public ForyCodec<TK> Key { get; } = key;

    public ForyCodec<TV> Value { get; } = value;

    public override bool MayContainRecords => Key.MayContainRecords || Value.MayContainRecords;

    public override TMap DefaultValue => (TMap)(object)new Dictionary<TK, TV>();

    public override void Write(ref ForyWriter w, TMap map, WriteContext ctx)
    {
        int count = map is IReadOnlyCollection<KeyValuePair<TK, TV>> c ? c.Count : map.Count();
        w.WriteVarUInt32((uint)count);
        if (count == 0)
        {
            return;
        }

        w.EnterDepth("map");
        if (map is Dictionary<TK, TV> dictionary && !HasNullValue(dictionary))
        {
            WriteWithoutNulls(ref w, ctx, dictionary);
            w.ExitDepth();
            return;
        }

        KeyValuePair<TK, TV>[] rented = ArrayPool<KeyValuePair<TK, TV>>.Shared.Rent(count);
        try
        {
            int n = 0;
            foreach (KeyValuePair<TK, TV> e in map)
            {
                if (n == count)
                {
                    throw new ForyEncodeException("map changed while being written");
                }

                rented[n++] = e;
            }

            WriteEntries(ref w, ctx, rented.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<KeyValuePair<TK, TV>>.Shared.Return(rented, clearArray: true);
        }

        w.ExitDepth();
    }

    private static bool HasNullValue(Dictionary<TK, TV> dictionary)
    {
        if (typeof(TV).IsValueType && System.Nullable.GetUnderlyingType(typeof(TV)) is null)
        {
            return false;
        }

        foreach (KeyValuePair<TK, TV> e in dictionary)
        {
            if (e.Value is null)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Chunks of up to 255 entries straight from the dictionary (no null values, so no lookahead needed).</summary>
    private void WriteWithoutNulls(ref ForyWriter w, WriteContext ctx, Dictionary<TK, TV> dictionary)
    {
        byte valueKind = Value.ElementKind;
        RecordCodec<TV>? rc = Value as RecordCodec<TV>;
        byte header = ChunkHeader(valueKind, ctx);
        bool strings = !typeof(TK).IsValueType && !typeof(TV).IsValueType && Key is StringCodec && Value is StringCodec;
        int remaining = dictionary.Count;
        Dictionary<TK, TV>.Enumerator e = dictionary.GetEnumerator();
        while (remaining > 0)
        {
            int chunk = Math.Min(255, remaining);
            w.WriteByte(header);
            w.WriteByte((byte)chunk);
            rc?.WriteTypeInfo(ref w, ctx);
            for (int i = 0; i < chunk; i++)
            {
                if (!e.MoveNext())
                {
                    throw new ForyEncodeException("map changed while being written");
                }

                if (strings)
                {
                    // String to string (the common metadata shape): no virtual call per key and value.
                    KeyValuePair<TK, TV> pair = e.Current;
                    w.WriteString(Unsafe.As<string>(pair.Key));
                    w.WriteString(Unsafe.As<string>(pair.Value)!); // HasNullValue was false
                }
                else
                {
                    WritePair(ref w, ctx, e.Current.Key, e.Current.Value, rc, valueKind);
                }
            }

            remaining -= chunk;
        }
    }

    /// <summary>
    /// The chunk header for non-null entries: key declared; record values carry their type once per chunk; values
    /// other than plain ones are tracked, except in schema-consistent mode, which tracks nothing.
    /// </summary>
    private static byte ChunkHeader(byte valueKind, WriteContext ctx)
    {
        byte header = valueKind switch
        {
            0x09 => 0x0C,
            0x0C => 0x24,
            _ => 0x2C,
        };
        return ctx.Options.SchemaConsistent ? (byte)(header & ~0x08) : header;
    }

    private void WritePair(ref ForyWriter w, WriteContext ctx, TK key, TV v, RecordCodec<TV>? rc, byte valueKind)
    {
        Key.Write(ref w, key, ctx);
        if (ctx.Options.SchemaConsistent)
        {
            if (rc is not null)
            {
                rc.WriteFields(ref w, v, ctx);
            }
            else
            {
                Value.Write(ref w, v, ctx);
            }
        }
        else if (rc is not null)
        {
            if (typeof(TV).IsValueType)
            {
                w.WriteByte(0);
                ctx.SkipRefId();
                rc.WriteFields(ref w, v, ctx);
            }
            else if (ctx.WriteRefOrValue(ref w, v!))
            {
                rc.WriteFields(ref w, v, ctx);
            }
        }
        else if (valueKind == 0x0C)
        {
            Value.Write(ref w, v, ctx);
        }
        else
        {
            w.WriteByte(0);
            ctx.SkipRefId();
            Value.Write(ref w, v, ctx);
        }
    }

    private void WriteEntries(ref ForyWriter w, WriteContext ctx, ReadOnlySpan<KeyValuePair<TK, TV>> entries)
    {
        byte valueKind = Value.ElementKind;
        RecordCodec<TV>? rc = Value as RecordCodec<TV>;
        int i = 0;
        while (i < entries.Length)
        {
            if (entries[i].Value is null)
            {
                w.WriteByte(0x14);
                Key.Write(ref w, entries[i].Key, ctx);
                i++;
                continue;
            }

            int end = i + 1;
            while (end < entries.Length && end - i < 255 && entries[end].Value is not null)
            {
                end++;
            }

            w.WriteByte(ChunkHeader(valueKind, ctx));
            w.WriteByte((byte)(end - i));
            rc?.WriteTypeInfo(ref w, ctx);
            for (; i < end; i++)
            {
                WritePair(ref w, ctx, entries[i].Key, entries[i].Value, rc, valueKind);
            }
        }
    }

    public override TMap Read(ref ForyReader r, ReadContext ctx)
    {
        uint total = r.ReadVarUInt32();
        r.CheckCount(total, ctx.Options.MaxCollectionLength, "map");
        Dictionary<TK, TV> dict = new((int)total);
        if (total == 0)
        {
            return (TMap)(object)dict;
        }

        ctx.EnterDepth(ref r);
        RecordCodec<TK>? keyRecord = Key as RecordCodec<TK>;
        RecordCodec<TV>? valueRecord = Value as RecordCodec<TV>;
        uint read = 0;
        while (read < total)
        {
            byte h = r.ReadByte();
            if ((h & 0xC0) != 0)
            {
                r.Fail($"invalid map chunk header 0x{h:x2}");
            }

            bool keyTrack = (h & 0x01) != 0;
            bool keyNull = (h & 0x02) != 0;
            bool keyDecl = (h & 0x04) != 0;
            bool valueTrack = (h & 0x08) != 0;
            bool valueNull = (h & 0x10) != 0;
            bool valueDecl = (h & 0x20) != 0;
            if (keyNull)
            {
                r.Fail("null map key");
            }

            if (valueNull)
            {
                TK k = ReadSide(ref r, ctx, Key, keyRecord, keyTrack, keyDecl, -1, !keyDecl);
                if (!Nullable(typeof(TV)))
                {
                    r.Fail($"null value in a map of non-nullable {typeof(TV).Name}");
                }

                Add(ref r, dict, k, default!);
                read++;
                continue;
            }

            int size = r.ReadByte();
            if (size == 0 || size > total - read)
            {
                r.Fail($"invalid map chunk size {size}");
            }

            int km = keyDecl ? -1 : Elements.ReadElementTypeInfo(ref r, ctx, Key, keyRecord);
            int vm = valueDecl ? -1 : Elements.ReadElementTypeInfo(ref r, ctx, Value, valueRecord);
            for (int i = 0; i < size; i++)
            {
                TK k = ReadSide(ref r, ctx, Key, keyRecord, keyTrack, keyDecl, km, false);
                TV v = ReadSide(ref r, ctx, Value, valueRecord, valueTrack, valueDecl, vm, false);
                Add(ref r, dict, k, v);
            }

            read += (uint)size;
        }

        ctx.Depth--;
        return (TMap)(object)dict;
    }

    private static bool Nullable(Type t) => !t.IsValueType || System.Nullable.GetUnderlyingType(t) is not null;

    private static void Add(ref ForyReader r, Dictionary<TK, TV> dict, TK key, TV value)
    {
        if (key is null)
        {
            r.Fail("null map key");
        }

        if (!dict.TryAdd(key, value))
        {
            r.Fail($"duplicate map key {key}");
        }
    }

    private static T ReadSide<T>(ref ForyReader r, ReadContext ctx, ForyCodec<T> codec, RecordCodec<T>? rc, bool track, bool declared, int meta, bool inlineTypeInfo)
    {
        int refId = -1;
        if (track)
        {
            byte flag = r.ReadByte();
            switch (flag)
            {
                case 0xFE:
                {
                    int at = r.Position;
                    return ctx.GetRef(ref r, r.ReadVarUInt32()) is T t ? t : throw new ForyDecodeException($"reference is not a {typeof(T).Name}", at);
                }

                case 0x00:
                    refId = ctx.ReserveRef();
                    break;
                case 0xFF:
                    break;
                default:
                    r.Fail($"invalid map entry flag 0x{flag:x2}");
                    break;
            }
        }

        if (inlineTypeInfo)
        {
            meta = Elements.ReadElementTypeInfo(ref r, ctx, codec, rc);
        }

        if (rc is not null)
        {
            return declared ? rc.ReadFieldsLocal(ref r, ctx, refId) : rc.ReadFields(ref r, ctx, meta, refId);
        }

        T value = codec.Read(ref r, ctx);
        if (refId >= 0 && value is not null)
        {
            ctx.SetRef(refId, value);
        }

        return value;
    }

    public override TMap FromDynamic(ForyValue value)
    {
        if (value is not ForyMap m)
        {
            return base.FromDynamic(value);
        }

        Dictionary<TK, TV> dict = new(m.Entries.Count);
        foreach (KeyValuePair<ForyValue, ForyValue> e in m.Entries)
        {
            if (!dict.TryAdd(Key.FromDynamic(e.Key), e.Value is ForyNull ? default! : Value.FromDynamic(e.Value)))
            {
                throw new ForyDecodeException("duplicate map key");
            }
        }

        return (TMap)(object)dict;
    }
}
