using Aster.Fory.IO;
using Aster.Fory.Meta;
using Aster.Fory.Serialization;
using Aster.Fory.Types;

namespace Aster.Fory.Dynamic;

/// <summary>Writes a <see cref="ForyValue"/> tree as an XLANG message, making the same choices as the typed writer.</summary>
internal static class DynamicWriter
{
    public static void WriteMessage(ref ForyWriter w, WriteContext ctx, ForyValue value)
    {
        if (value is ForyNull)
        {
            w.WriteByte(0x03);
            w.WriteByte(0xFD);
            return;
        }

        w.WriteByte(0x02);
        if (value is ForyStruct or ForyList or ForyMap or ForyBinary)
        {
            ctx.AddRootRef(value);
            w.WriteByte(0x00);
        }
        else
        {
            w.WriteByte(0xFF);
        }

        WriteTypeInfo(ref w, ctx, value);
        WriteDataAfterTypeInfo(ref w, ctx, value);
    }

    private static void WriteTypeInfo(ref ForyWriter w, WriteContext ctx, ForyValue value)
    {
        if (value is ForyStruct s)
        {
            TypeDef def = s.GetTypeDef();
            w.WriteByte((byte)ForyTypeId.NamedCompatibleStruct);
            ctx.WriteTypeMeta(ref w, def.Encoded, def.Encoded);
            return;
        }

        w.WriteVarUInt32((uint)value.TypeId);
    }

    /// <summary>Writes a value without reference flag or type info, except that records carry their type info.</summary>
    private static void WriteData(ref ForyWriter w, WriteContext ctx, ForyValue value, ForyFieldType? type)
    {
        ForyTypeId id = type?.TypeId ?? value.TypeId;
        switch (id)
        {
            case ForyTypeId.Bool:
                w.WriteBool(Expect<ForyBool>(value, id).Value);
                return;
            case ForyTypeId.Int8:
                w.WriteInt8(checked((sbyte)Signed(value, id)));
                return;
            case ForyTypeId.Int16:
                w.WriteInt16(checked((short)Signed(value, id)));
                return;
            case ForyTypeId.Int32:
                w.WriteInt32(checked((int)Signed(value, id)));
                return;
            case ForyTypeId.VarInt32:
                w.WriteVarInt32(checked((int)Signed(value, id)));
                return;
            case ForyTypeId.Int64:
                w.WriteInt64(Signed(value, id));
                return;
            case ForyTypeId.VarInt64:
                w.WriteVarInt64(Signed(value, id));
                return;
            case ForyTypeId.TaggedInt64:
                w.WriteTaggedInt64(Signed(value, id));
                return;
            case ForyTypeId.UInt8:
                w.WriteByte(checked((byte)Unsigned(value, id)));
                return;
            case ForyTypeId.UInt16:
                w.WriteInt16((short)checked((ushort)Unsigned(value, id)));
                return;
            case ForyTypeId.UInt32:
                w.WriteInt32((int)checked((uint)Unsigned(value, id)));
                return;
            case ForyTypeId.VarUInt32:
                w.WriteVarUInt32(checked((uint)Unsigned(value, id)));
                return;
            case ForyTypeId.UInt64:
                w.WriteUInt64(Unsigned(value, id));
                return;
            case ForyTypeId.VarUInt64:
                w.WriteVarUInt64(Unsigned(value, id));
                return;
            case ForyTypeId.TaggedUInt64:
                w.WriteTaggedUInt64(Unsigned(value, id));
                return;
            case ForyTypeId.Float32:
                w.WriteFloat32((float)Expect<ForyFloat>(value, id).Value);
                return;
            case ForyTypeId.Float64:
                w.WriteFloat64(Expect<ForyFloat>(value, id).Value);
                return;
            case ForyTypeId.String:
                w.WriteString(Expect<ForyString>(value, id).Value);
                return;
            case ForyTypeId.Binary:
                w.WriteBinary(Expect<ForyBinary>(value, id).Value.Span);
                return;
            case ForyTypeId.Timestamp:
            {
                ForyTimestamp t = Expect<ForyTimestamp>(value, id);
                w.WriteInt64(t.Seconds);
                w.WriteInt32((int)t.Nanoseconds);
                return;
            }

            case ForyTypeId.Date:
                w.WriteInt32(Expect<ForyDate>(value, id).Days);
                return;
            case ForyTypeId.Enum:
                w.WriteVarUInt32(Expect<ForyEnumValue>(value, id).Value);
                return;
            case ForyTypeId.List:
            case ForyTypeId.Set:
                WriteCollection(ref w, ctx, Expect<ForyList>(value, id), type?.Element);
                return;
            case ForyTypeId.Map:
                WriteMap(ref w, ctx, Expect<ForyMap>(value, id), type?.Key, type?.Element);
                return;
            case ForyTypeId.Unknown:
            case >= ForyTypeId.Struct and <= ForyTypeId.NamedCompatibleStruct:
                if (value is ForyStruct s)
                {
                    WriteTypeInfo(ref w, ctx, s);
                    WriteStructFields(ref w, ctx, s);
                    return;
                }

                if (id == ForyTypeId.Unknown && value is not ForyNull)
                {
                    WriteTypeInfo(ref w, ctx, value);
                    WriteDataAfterTypeInfo(ref w, ctx, value);
                    return;
                }

                throw new ForyEncodeException($"a {value.GetType().Name} cannot be written as {id}");
            default:
                throw new ForyEncodeException($"type {id} is not supported by the writer");
        }
    }

    private static T Expect<T>(ForyValue value, ForyTypeId id)
        where T : ForyValue =>
        value as T ?? throw new ForyEncodeException($"a {value.GetType().Name} cannot be written as {id}");

    private static long Signed(ForyValue value, ForyTypeId id) => value switch
    {
        ForyInt i => i.Value,
        ForyUInt u => checked((long)u.Value),
        _ => throw new ForyEncodeException($"a {value.GetType().Name} cannot be written as {id}"),
    };

    private static ulong Unsigned(ForyValue value, ForyTypeId id) => value switch
    {
        ForyUInt u => u.Value,
        ForyInt i => checked((ulong)i.Value),
        _ => throw new ForyEncodeException($"a {value.GetType().Name} cannot be written as {id}"),
    };

    public static void WriteStructFields(ref ForyWriter w, WriteContext ctx, ForyStruct s)
    {
        w.EnterDepth(s.Tag);
        foreach (ForyField f in s.OrderedFields)
        {
            if (f.Type.Nullable)
            {
                if (f.Value is ForyNull)
                {
                    w.WriteByte(0xFD);
                    continue;
                }

                w.WriteByte(0xFF);
            }
            else if (f.Value is ForyNull)
            {
                throw new ForyEncodeException($"field {f.Name ?? f.TagId.ToString(System.Globalization.CultureInfo.InvariantCulture)} is not nullable", s.Tag);
            }

            WriteData(ref w, ctx, f.Value, f.Type);
        }

        w.ExitDepth();
    }

    /// <summary>The collection header kind for an element type (B8): 0x0c plain, 0x09 records, 0x0d tracked others.</summary>
    internal static byte ElementHeader(ForyTypeId id) => id switch
    {
        >= ForyTypeId.Bool and <= ForyTypeId.String => 0x0C,
        ForyTypeId.Enum or ForyTypeId.NamedEnum => 0x0C,
        >= ForyTypeId.Struct and <= ForyTypeId.NamedCompatibleStruct => 0x09,
        ForyTypeId.Unknown => 0x00,
        _ => 0x0D,
    };

    private static void WriteCollection(ref ForyWriter w, WriteContext ctx, ForyList list, ForyFieldType? declared)
    {
        int count = list.Items.Count;
        w.WriteVarUInt32((uint)count);
        if (count == 0)
        {
            return;
        }

        w.EnterDepth("list");
        bool hasNull = false;
        ForyStruct? firstStruct = null;
        bool sameStruct = true;
        foreach (ForyValue item in list.Items)
        {
            if (item is ForyNull)
            {
                hasNull = true;
            }
            else if (item is ForyStruct s)
            {
                firstStruct ??= s;
                sameStruct &= s.GetTypeDef().Body.AsSpan().SequenceEqual(firstStruct.GetTypeDef().Body);
            }
        }

        ForyTypeId elementId = declared?.TypeId ?? ForyTypeId.Unknown;
        if (declared is null && firstStruct is null)
        {
            // Root-level list: same type, type info once.
            ForyValue? first = list.Items.FirstOrDefault(v => v is not ForyNull);
            ForyFieldType? inferred = first is null ? null : new ForyFieldType(first.TypeId);
            w.WriteByte((byte)(0x08 | (hasNull ? 2 : 0)));
            w.WriteVarUInt32((uint)(inferred?.TypeId ?? ForyTypeId.String));
            foreach (ForyValue item in list.Items)
            {
                if (hasNull)
                {
                    if (item is ForyNull)
                    {
                        w.WriteByte(0xFD);
                        continue;
                    }

                    w.WriteByte(0xFF);
                }

                WriteData(ref w, ctx, item, inferred);
            }

            w.ExitDepth();
            return;
        }

        byte header = ElementHeader(elementId);
        if (firstStruct is not null && (elementId is ForyTypeId.Unknown || header == 0x09))
        {
            header = sameStruct ? (byte)0x09 : (byte)0x01;
        }

        if (hasNull)
        {
            header |= 0x02;
        }

        w.WriteByte(header);
        if ((header & 0x0C) == 0x08 && firstStruct is not null)
        {
            TypeDef def = firstStruct.GetTypeDef();
            w.WriteByte((byte)ForyTypeId.NamedCompatibleStruct);
            ctx.WriteTypeMeta(ref w, def.Encoded, def.Encoded);
        }

        foreach (ForyValue item in list.Items)
        {
            if ((header & 0x01) != 0)
            {
                if (item is ForyNull)
                {
                    w.WriteByte(0xFD);
                    continue;
                }

                if (!ctx.WriteRefOrValue(ref w, item))
                {
                    continue;
                }
            }
            else if ((header & 0x02) != 0)
            {
                if (item is ForyNull)
                {
                    w.WriteByte(0xFD);
                    continue;
                }

                w.WriteByte(0xFF);
            }

            if ((header & 0x0C) == 0)
            {
                WriteTypeInfo(ref w, ctx, item);
                WriteDataAfterTypeInfo(ref w, ctx, item);
            }
            else if (item is ForyStruct s && (header & 0x04) == 0)
            {
                WriteStructFields(ref w, ctx, s);
            }
            else
            {
                WriteData(ref w, ctx, item, declared?.WithNullable(false));
            }
        }

        w.ExitDepth();
    }

    private static void WriteDataAfterTypeInfo(ref ForyWriter w, WriteContext ctx, ForyValue item)
    {
        if (item is ForyStruct s)
        {
            WriteStructFields(ref w, ctx, s);
        }
        else
        {
            WriteData(ref w, ctx, item, null);
        }
    }

    private static void WriteMap(ref ForyWriter w, WriteContext ctx, ForyMap map, ForyFieldType? keyType, ForyFieldType? valueType)
    {
        IReadOnlyList<KeyValuePair<ForyValue, ForyValue>> entries = map.Entries;
        w.WriteVarUInt32((uint)entries.Count);
        if (entries.Count == 0)
        {
            return;
        }

        w.EnterDepth("map");
        ForyTypeId keyId = keyType?.TypeId ?? entries[0].Key.TypeId;
        ForyTypeId valueId = valueType?.TypeId ?? ForyTypeId.Unknown;
        int i = 0;
        while (i < entries.Count)
        {
            KeyValuePair<ForyValue, ForyValue> e = entries[i];
            if (e.Key is ForyNull)
            {
                throw new ForyEncodeException("null map keys cannot be written");
            }

            if (e.Value is ForyNull)
            {
                w.WriteByte(ctx.Options.Dialect == WriterDialect.Pyfory ? (byte)0x14 : (byte)0x34);
                WriteData(ref w, ctx, e.Key, keyType?.WithNullable(false));
                i++;
                continue;
            }

            ForyStruct? structValue = e.Value as ForyStruct;
            int end = i + 1;
            while (end < entries.Count && end - i < 255 && entries[end].Value is not ForyNull
                   && SameRuntimeType(structValue, entries[end].Value))
            {
                end++;
            }

            byte header = 0x04;
            bool valueTracked;
            bool jsDeclaredRecord = structValue is not null && ctx.Options.Dialect != WriterDialect.Pyfory;
            if (jsDeclaredRecord)
            {
                header |= 0x28;
                valueTracked = true;
            }
            else if (structValue is not null)
            {
                header |= 0x08;
                valueTracked = true;
            }
            else if (ElementHeader(valueId) == 0x0C || (valueType is null && ElementHeader(e.Value.TypeId) == 0x0C))
            {
                header |= 0x20;
                valueTracked = false;
            }
            else
            {
                header |= 0x28;
                valueTracked = true;
            }

            w.WriteByte(header);
            w.WriteByte((byte)(end - i));
            if (structValue is not null && !jsDeclaredRecord)
            {
                TypeDef def = structValue.GetTypeDef();
                w.WriteByte((byte)ForyTypeId.NamedCompatibleStruct);
                ctx.WriteTypeMeta(ref w, def.Encoded, def.Encoded);
            }

            ForyFieldType? plainValueType = valueType?.WithNullable(false) ?? new ForyFieldType(e.Value.TypeId);
            for (; i < end; i++)
            {
                WriteData(ref w, ctx, entries[i].Key, keyType?.WithNullable(false) ?? new ForyFieldType(keyId));
                ForyValue v = entries[i].Value;
                if (valueTracked && !ctx.WriteRefOrValue(ref w, v))
                {
                    continue;
                }

                if (v is ForyStruct vs)
                {
                    WriteStructFields(ref w, ctx, vs);
                }
                else
                {
                    WriteData(ref w, ctx, v, plainValueType);
                }
            }
        }

        w.ExitDepth();
    }

    private static bool SameRuntimeType(ForyStruct? first, ForyValue next)
    {
        if (first is null)
        {
            return next is not ForyStruct;
        }

        return next is ForyStruct s && s.GetTypeDef().Body.AsSpan().SequenceEqual(first.GetTypeDef().Body);
    }
}
