using Aster.Fory.IO;
using Aster.Fory.Meta;
using Aster.Fory.Serialization;
using Aster.Fory.Types;

namespace Aster.Fory.Dynamic;

/// <summary>Reads any XLANG value into a <see cref="ForyValue"/> tree, guided only by the TypeDefs in the message.</summary>
internal static class DynamicReader
{
    public static ForyValue ReadMessage(ref ForyReader r, ReadContext ctx)
    {
        if (r.Remaining > ctx.Options.MaxMessageBytes)
        {
            r.Fail($"message of {r.Remaining} bytes exceeds the limit {ctx.Options.MaxMessageBytes}", limit: "MaxMessageBytes");
        }

        bool isNull = ReadBitmap(ref r);
        ForyValue value;
        if (isNull)
        {
            if (r.Remaining > 0 && r.PeekByte() == 0xFD)
            {
                r.ReadByte();
            }

            value = ForyNull.Instance;
        }
        else
        {
            value = ReadRefValue(ref r, ctx, null);
        }

        if (r.Remaining != 0)
        {
            r.Fail($"{r.Remaining} trailing byte(s) after the root value");
        }

        return value;
    }

    /// <summary>Reads and checks the bitmap; returns true for a null root.</summary>
    public static bool ReadBitmap(ref ForyReader r)
    {
        byte bitmap = r.ReadByte();
        if ((bitmap & 0x02) == 0)
        {
            r.Fail("not an XLANG message (bitmap bit 1 clear)");
        }

        if ((bitmap & 0x04) != 0)
        {
            r.Fail("out-of-band buffers are not supported");
        }

        if ((bitmap & 0xF8) != 0)
        {
            r.Fail($"reserved bitmap bits set (0x{bitmap:x2})");
        }

        return (bitmap & 1) != 0;
    }

    /// <summary>Reads a reference flag and the value; <paramref name="declared"/> null means type info precedes the value.</summary>
    private static ForyValue ReadRefValue(ref ForyReader r, ReadContext ctx, ForyFieldType? declared)
    {
        byte flag = r.ReadByte();
        switch (flag)
        {
            case 0xFD:
                return ForyNull.Instance;
            case 0xFE:
                return GetRef(ref r, ctx);
            case 0xFF:
                return declared is null ? ReadTypeInfoAndValue(ref r, ctx) : ReadValue(ref r, ctx, declared);
            case 0x00:
            {
                int id = ctx.ReserveRef();
                ForyValue v = declared is null ? ReadTypeInfoAndValue(ref r, ctx) : ReadValue(ref r, ctx, declared);
                ctx.SetRef(id, v);
                return v;
            }

            default:
                r.Fail($"invalid reference flag 0x{flag:x2}");
                return null!;
        }
    }

    private static ForyValue GetRef(ref ForyReader r, ReadContext ctx)
    {
        int at = r.Position;
        return ctx.GetRef(ref r, r.ReadVarUInt32()) as ForyValue
            ?? throw new ForyDecodeException("reference to an object of another kind", at);
    }

    /// <summary>Reads type info (type id, and for records the meta-share marker and TypeDef) then the value.</summary>
    public static ForyValue ReadTypeInfoAndValue(ref ForyReader r, ReadContext ctx)
    {
        ForyFieldType type = ReadTypeInfo(ref r, ctx, out TypeDef? def);
        return def is not null ? ReadStructFields(ref r, ctx, def) : ReadValue(ref r, ctx, type);
    }

    private static readonly ForyFieldType[] _plainTypes = CreatePlainTypes();

    private static ForyFieldType[] CreatePlainTypes()
    {
        ForyFieldType[] types = new ForyFieldType[(int)ForyTypeId.Float64Array + 1];
        for (int i = 0; i < types.Length; i++)
        {
            types[i] = new ForyFieldType((ForyTypeId)i);
        }

        return types;
    }

    /// <summary>Reads type info; for records returns the TypeDef in <paramref name="def"/>.</summary>
    public static ForyFieldType ReadTypeInfo(ref ForyReader r, ReadContext ctx, out TypeDef? def)
    {
        int at = r.Position;
        uint id = r.ReadVarUInt32();
        def = null;
        if (id > (uint)ForyTypeId.Float64Array)
        {
            throw new ForyDecodeException($"unknown type id {id}", at);
        }

        ForyTypeId typeId = (ForyTypeId)id;
        switch (typeId)
        {
            case ForyTypeId.NamedCompatibleStruct:
            case ForyTypeId.CompatibleStruct:
            case ForyTypeId.NamedEnum:
            {
                int index = ctx.ReadMetaMarker(ref r, out bool isNew);
                if (isNew)
                {
                    def = ctx.ReadAndParseTypeDef(ref r);
                    ctx.AddMeta(new ReadMeta { Def = def });
                }
                else
                {
                    def = ctx.DefOf(index);
                }

                if (typeId == ForyTypeId.NamedEnum)
                {
                    def = null;
                    return _plainTypes[(int)ForyTypeId.Enum];
                }

                return _plainTypes[(int)typeId];
            }

            case ForyTypeId.NamedStruct when ctx.Schemas is not null:
                def = ReadSchemaConsistentTypeInfo(ref r, ctx, ctx.Schemas, at);
                return _plainTypes[(int)typeId];
            case ForyTypeId.NamedStruct:
                throw new ForyDecodeException("a schema-consistent record (type id 29) carries no field names or types: read it with a ForySchemaSet", at);
            case ForyTypeId.Unknown:
            case ForyTypeId.Struct:
            case ForyTypeId.Ext:
            case ForyTypeId.NamedExt:
            case ForyTypeId.Union:
            case ForyTypeId.TypedUnion:
            case ForyTypeId.NamedUnion:
            case ForyTypeId.None:
            case ForyTypeId.Duration:
            case ForyTypeId.Decimal:
            case ForyTypeId.Float8:
            case ForyTypeId.Array:
            case ForyTypeId.Float8Array:
            case ForyTypeId.Float16Array:
            case ForyTypeId.BFloat16Array:
                throw new ForyDecodeException($"unsupported type id {id} ({typeId})", at);
            default:
                return _plainTypes[(int)typeId];
        }
    }

    /// <summary>
    /// Schema-consistent mode (B12): reads the inline namespace and type name and the schema hash after a NAMED_STRUCT
    /// type id, and returns the layout <paramref name="schemas"/> holds for them once the hashes agree.
    /// </summary>
    private static TypeDef ReadSchemaConsistentTypeInfo(ref ForyReader r, ReadContext ctx, ForySchemaSet schemas, int at)
    {
        string ns = ctx.ReadInlineName(ref r, null, MetaStringContext.InlineNamespace);
        string name = ctx.ReadInlineName(ref r, null, MetaStringContext.InlineTypeName);
        int hashAt = r.Position;
        int hash = r.ReadInt32();
        if (!schemas.TryGet(ns, name, out TypeDef def, out int expected))
        {
            throw new ForyDecodeException($"no layout for the schema-consistent record {(ns.Length == 0 ? name : ns + "/" + name)} in the schema set", at);
        }

        if (hash != expected)
        {
            throw new ForyDecodeException(
                $"schema hash 0x{(uint)hash:x8} of {def.Tag} differs from the layout's 0x{(uint)expected:x8}: the peer declares other fields",
                hashAt,
                def.Tag);
        }

        return def;
    }

    /// <summary>Reads a struct field's value: a null flag when the field is nullable, then the value.</summary>
    public static ForyValue ReadFieldValue(ref ForyReader r, ReadContext ctx, ForyFieldType type)
    {
        if (type.Nullable || type.TrackRef)
        {
            return ReadRefValue(ref r, ctx, type);
        }

        return ReadValue(ref r, ctx, type);
    }

    /// <summary>Reads a value whose type is known from a TypeDef or a collection header.</summary>
    public static ForyValue ReadValue(ref ForyReader r, ReadContext ctx, ForyFieldType type)
    {
        switch (type.TypeId)
        {
            case ForyTypeId.Bool:
                return new ForyBool(r.ReadBool());
            case ForyTypeId.Int8:
                return new ForyInt(r.ReadInt8(), ForyTypeId.Int8);
            case ForyTypeId.Int16:
                return new ForyInt(r.ReadInt16(), ForyTypeId.Int16);
            case ForyTypeId.Int32:
                return new ForyInt(r.ReadInt32(), ForyTypeId.Int32);
            case ForyTypeId.VarInt32:
                return new ForyInt(r.ReadVarInt32(), ForyTypeId.VarInt32);
            case ForyTypeId.Int64:
                return new ForyInt(r.ReadInt64(), ForyTypeId.Int64);
            case ForyTypeId.VarInt64:
                return new ForyInt(r.ReadVarInt64(), ForyTypeId.VarInt64);
            case ForyTypeId.TaggedInt64:
                return new ForyInt(r.ReadTaggedInt64(), ForyTypeId.TaggedInt64);
            case ForyTypeId.UInt8:
                return new ForyUInt(r.ReadByte(), ForyTypeId.UInt8);
            case ForyTypeId.UInt16:
                return new ForyUInt(r.ReadUInt16(), ForyTypeId.UInt16);
            case ForyTypeId.UInt32:
                return new ForyUInt(r.ReadUInt32(), ForyTypeId.UInt32);
            case ForyTypeId.VarUInt32:
                return new ForyUInt(r.ReadVarUInt32(), ForyTypeId.VarUInt32);
            case ForyTypeId.UInt64:
                return new ForyUInt(r.ReadUInt64(), ForyTypeId.UInt64);
            case ForyTypeId.VarUInt64:
                return new ForyUInt(r.ReadVarUInt64(), ForyTypeId.VarUInt64);
            case ForyTypeId.TaggedUInt64:
                return new ForyUInt(r.ReadTaggedUInt64(), ForyTypeId.TaggedUInt64);
            case ForyTypeId.Float16:
                return new ForyFloat((double)BitConverter.UInt16BitsToHalf(r.ReadUInt16()), ForyTypeId.Float16);
            case ForyTypeId.BFloat16:
                return new ForyFloat(BitConverter.UInt32BitsToSingle((uint)r.ReadUInt16() << 16), ForyTypeId.BFloat16);
            case ForyTypeId.Float32:
                return new ForyFloat(r.ReadFloat32(), ForyTypeId.Float32);
            case ForyTypeId.Float64:
                return new ForyFloat(r.ReadFloat64(), ForyTypeId.Float64);
            case ForyTypeId.String:
                return new ForyString(r.ReadString(ctx.Options.MaxStringBytes));
            case ForyTypeId.Binary:
                return new ForyBinary(r.ReadBinarySpan(ctx.Options.MaxBinaryBytes).ToArray());
            case ForyTypeId.Timestamp:
            {
                long seconds = r.ReadInt64();
                uint nanos = r.ReadUInt32();
                if (nanos >= 1_000_000_000)
                {
                    r.Fail($"timestamp nanoseconds {nanos} out of range");
                }

                return new ForyTimestamp(seconds, nanos);
            }

            case ForyTypeId.Date:
                return new ForyDate(r.ReadInt32());
            case ForyTypeId.Enum:
                return new ForyEnumValue(r.ReadVarUInt32());
            case ForyTypeId.List:
            case ForyTypeId.Set:
                return ReadCollection(ref r, ctx, type.Element, type.TypeId);
            case ForyTypeId.Map:
                return ReadMap(ref r, ctx, type.Key, type.Element);
            case >= ForyTypeId.BoolArray and <= ForyTypeId.Float64Array:
                return ReadTypedArray(ref r, ctx, type.TypeId);
            case ForyTypeId.Unknown:
            case ForyTypeId.NamedEnum:
            case >= ForyTypeId.Struct and <= ForyTypeId.NamedUnion:
                return ReadTypeInfoAndValue(ref r, ctx);
            default:
                r.Fail($"unsupported type id {(int)type.TypeId} ({type.TypeId})");
                return null!;
        }
    }

    public static ForyStruct ReadStructFields(ref ForyReader r, ReadContext ctx, TypeDef def)
    {
        ctx.EnterDepth(ref r);
        ForyField[] fields = new ForyField[def.Fields.Length];
        for (int i = 0; i < fields.Length; i++)
        {
            TypeDefField f = def.Fields[i];
            fields[i] = new ForyField(f.Name, f.TagId, f.Type, ReadFieldValue(ref r, ctx, f.Type));
        }

        ctx.Depth--;
        return new ForyStruct(def.Namespace, def.TypeName, fields);
    }

    private static ForyList ReadCollection(ref ForyReader r, ReadContext ctx, ForyFieldType? declared, ForyTypeId kind)
    {
        uint count = r.ReadVarUInt32();
        r.CheckCount(count, ctx.Options.MaxCollectionLength, kind == ForyTypeId.Set ? "set" : "list");
        if (count == 0)
        {
            return new ForyList([], kind);
        }

        ctx.EnterDepth(ref r);
        byte header = r.ReadByte();
        if ((header & 0xF0) != 0)
        {
            r.Fail($"invalid collection header 0x{header:x2}");
        }

        bool trackRef = (header & 1) != 0;
        bool hasNull = (header & 2) != 0;
        bool isDeclared = (header & 4) != 0;
        bool sameType = (header & 8) != 0;
        ForyFieldType? elementType = null;
        TypeDef? elementDef = null;
        if (isDeclared)
        {
            elementType = declared ?? throw new ForyDecodeException("collection declares its element type but none is known", r.Position);
            if (elementType.IsRecord || elementType.TypeId is ForyTypeId.Unknown)
            {
                throw new ForyDecodeException("collection of records with a declared element type and no type meta cannot be read without a schema", r.Position);
            }
        }
        else if (sameType)
        {
            elementType = ReadTypeInfo(ref r, ctx, out elementDef);
        }

        ForyValue[] items = new ForyValue[count];
        for (int i = 0; i < items.Length; i++)
        {
            if (trackRef || hasNull)
            {
                byte flag = r.ReadByte();
                if (flag == 0xFD)
                {
                    items[i] = ForyNull.Instance;
                    continue;
                }

                if (flag == 0xFE && trackRef)
                {
                    items[i] = GetRef(ref r, ctx);
                    continue;
                }

                if (flag == 0x00 && trackRef)
                {
                    int id = ctx.ReserveRef();
                    items[i] = ReadElement(ref r, ctx, elementType, elementDef);
                    ctx.SetRef(id, items[i]);
                    continue;
                }

                if (flag != 0xFF)
                {
                    r.Fail($"invalid element flag 0x{flag:x2}");
                }
            }

            items[i] = ReadElement(ref r, ctx, elementType, elementDef);
        }

        ctx.Depth--;
        return new ForyList(items, kind);
    }

    private static ForyValue ReadElement(ref ForyReader r, ReadContext ctx, ForyFieldType? type, TypeDef? def)
    {
        if (def is not null)
        {
            return ReadStructFields(ref r, ctx, def);
        }

        return type is null ? ReadTypeInfoAndValue(ref r, ctx) : ReadValue(ref r, ctx, type);
    }

    private static ForyMap ReadMap(ref ForyReader r, ReadContext ctx, ForyFieldType? keyDeclared, ForyFieldType? valueDeclared)
    {
        uint total = r.ReadVarUInt32();
        r.CheckCount(total, ctx.Options.MaxCollectionLength, "map");
        if (total == 0)
        {
            return new ForyMap([]);
        }

        ctx.EnterDepth(ref r);
        KeyValuePair<ForyValue, ForyValue>[] entries = new KeyValuePair<ForyValue, ForyValue>[total];
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
            if (keyNull || valueNull)
            {
                ForyValue key = keyNull ? ForyNull.Instance : ReadMapSide(ref r, ctx, keyTrack, keyDecl ? Declared(ref r, keyDeclared) : null, null, !keyDecl);
                ForyValue value = valueNull ? ForyNull.Instance : ReadMapSide(ref r, ctx, valueTrack, valueDecl ? Declared(ref r, valueDeclared) : null, null, !valueDecl);
                entries[read++] = new(key, value);
                continue;
            }

            int size = r.ReadByte();
            if (size == 0 || size > total - read)
            {
                r.Fail($"invalid map chunk size {size}");
            }

            ForyFieldType? keyType = null;
            TypeDef? keyDef = null;
            ForyFieldType? valueType = null;
            TypeDef? valueDef = null;
            if (keyDecl)
            {
                keyType = Declared(ref r, keyDeclared);
            }
            else
            {
                keyType = ReadTypeInfo(ref r, ctx, out keyDef);
            }

            if (valueDecl)
            {
                valueType = Declared(ref r, valueDeclared);
            }
            else
            {
                valueType = ReadTypeInfo(ref r, ctx, out valueDef);
            }

            for (int i = 0; i < size; i++)
            {
                ForyValue key = ReadMapSide(ref r, ctx, keyTrack, keyType, keyDef, false);
                ForyValue value = ReadMapSide(ref r, ctx, valueTrack, valueType, valueDef, false);
                entries[read++] = new(key, value);
            }
        }

        ctx.Depth--;
        return new ForyMap(entries);
    }

    private static ForyFieldType Declared(ref ForyReader r, ForyFieldType? declared)
    {
        if (declared is null)
        {
            r.Fail("map declares a key or value type but none is known");
        }

        if (declared.IsRecord || declared.TypeId is ForyTypeId.Unknown)
        {
            r.Fail("map of records with a declared value type and no type meta cannot be read without a schema");
        }

        return declared;
    }

    private static ForyValue ReadMapSide(ref ForyReader r, ReadContext ctx, bool track, ForyFieldType? type, TypeDef? def, bool typeInfoInline)
    {
        if (track)
        {
            byte flag = r.ReadByte();
            switch (flag)
            {
                case 0xFE:
                    return GetRef(ref r, ctx);
                case 0x00:
                {
                    int id = ctx.ReserveRef();
                    ForyValue v = typeInfoInline ? ReadTypeInfoAndValue(ref r, ctx) : ReadElement(ref r, ctx, type, def);
                    ctx.SetRef(id, v);
                    return v;
                }

                case 0xFF:
                    break;
                default:
                    r.Fail($"invalid map entry flag 0x{flag:x2}");
                    break;
            }
        }

        return typeInfoInline ? ReadTypeInfoAndValue(ref r, ctx) : ReadElement(ref r, ctx, type, def);
    }

    private static ForyList ReadTypedArray(ref ForyReader r, ReadContext ctx, ForyTypeId id)
    {
        uint byteLength = r.ReadVarUInt32();
        if (byteLength > (uint)ctx.Options.MaxBinaryBytes)
        {
            r.Fail($"array of {byteLength} bytes exceeds the limit", limit: "MaxBinaryBytes");
        }

        int width = id switch
        {
            ForyTypeId.BoolArray or ForyTypeId.Int8Array or ForyTypeId.UInt8Array => 1,
            ForyTypeId.Int16Array or ForyTypeId.UInt16Array => 2,
            ForyTypeId.Int32Array or ForyTypeId.UInt32Array or ForyTypeId.Float32Array => 4,
            ForyTypeId.Int64Array or ForyTypeId.UInt64Array or ForyTypeId.Float64Array => 8,
            _ => throw new ForyDecodeException($"unsupported array type {id}", r.Position),
        };
        if (byteLength % width != 0)
        {
            r.Fail($"array byte length {byteLength} is not a multiple of {width}");
        }

        ForyReader sub = new(r.ReadSpan((int)byteLength));
        ForyValue[] items = new ForyValue[byteLength / width];
        for (int i = 0; i < items.Length; i++)
        {
            items[i] = id switch
            {
                ForyTypeId.BoolArray => new ForyBool(sub.ReadBool()),
                ForyTypeId.Int8Array => new ForyInt(sub.ReadInt8(), ForyTypeId.Int8),
                ForyTypeId.UInt8Array => new ForyUInt(sub.ReadByte(), ForyTypeId.UInt8),
                ForyTypeId.Int16Array => new ForyInt(sub.ReadInt16(), ForyTypeId.Int16),
                ForyTypeId.UInt16Array => new ForyUInt(sub.ReadUInt16(), ForyTypeId.UInt16),
                ForyTypeId.Int32Array => new ForyInt(sub.ReadInt32(), ForyTypeId.Int32),
                ForyTypeId.UInt32Array => new ForyUInt(sub.ReadUInt32(), ForyTypeId.UInt32),
                ForyTypeId.Float32Array => new ForyFloat(sub.ReadFloat32(), ForyTypeId.Float32),
                ForyTypeId.Int64Array => new ForyInt(sub.ReadInt64(), ForyTypeId.Int64),
                ForyTypeId.UInt64Array => new ForyUInt(sub.ReadUInt64(), ForyTypeId.UInt64),
                _ => new ForyFloat(sub.ReadFloat64(), ForyTypeId.Float64),
            };
        }

        return new ForyList(items, id);
    }
}
