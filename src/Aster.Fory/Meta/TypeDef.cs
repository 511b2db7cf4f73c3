using System.Buffers;
using Aster.Fory.IO;
using Aster.Fory.Types;

namespace Aster.Fory.Meta;

/// <summary>One field info of a TypeDef.</summary>
internal sealed class TypeDefField
{
    public TypeDefField(string? name, int tagId, ForyFieldType type)
    {
        Name = name;
        TagId = tagId;
        Type = type;
    }

    /// <summary>The wire name, or null for a tag-id field.</summary>
    public string? Name { get; }

    /// <summary>The tag id, or -1.</summary>
    public int TagId { get; }

    public ForyFieldType Type { get; }

    public string Identifier => TagId >= 0 ? TagId.ToString(System.Globalization.CultureInfo.InvariantCulture) : Name!;
}

/// <summary>A compatible-mode TypeDef (contracts-and-fory.md B10.2–B10.3): parsed, or built for writing.</summary>
internal sealed class TypeDef
{
    private const uint HashSeed = 47;

    private TypeDef(string ns, string typeName, TypeDefField[] fields, byte[] body)
    {
        Namespace = ns;
        TypeName = typeName;
        Fields = fields;
        Body = body;
    }

    public string Namespace { get; }

    public string TypeName { get; }

    public string Tag => Namespace.Length == 0 ? TypeName : Namespace + "/" + TypeName;

    /// <summary>Fields in wire order.</summary>
    public TypeDefField[] Fields { get; }

    /// <summary>The body bytes (after the 8-byte header and the size extension).</summary>
    public byte[] Body { get; }

    /// <summary>Header + size extension + body, as a C# writer emits it (pyfory header form).</summary>
    public byte[] Encoded { get; private set; } = [];

    /// <summary>Builds a TypeDef from fields that are already in Fory order.</summary>
    public static TypeDef Build(string ns, string typeName, IReadOnlyList<TypeDefField> orderedFields)
    {
        ArrayBufferWriter<byte> buffer = new(64);
        ForyWriter w = new(buffer);
        int count = orderedFields.Count;
        if (count < 31)
        {
            w.WriteByte((byte)(0x20 | count));
        }
        else
        {
            w.WriteByte(0x20 | 31);
            w.WriteVarUInt32((uint)(count - 31));
        }

        WriteName(ref w, ns, MetaStringContext.Namespace);
        WriteName(ref w, typeName, MetaStringContext.TypeName);
        foreach (TypeDefField f in orderedFields)
        {
            WriteField(ref w, f);
        }

        w.Flush();
        byte[] body = buffer.WrittenSpan.ToArray();
        TypeDef def = new(ns, typeName, [.. orderedFields], body);
        def.Encoded = EncodeWithHeader(body, count > 0, PyforyHeader(body, count > 0));
        return def;
    }

    /// <summary>The 8-byte header as pyfory writes it (B10.2).</summary>
    public static ulong PyforyHeader(ReadOnlySpan<byte> body, bool hasFields)
    {
        long h1 = (long)MurmurHash3.Hash64(body, HashSeed);
        ulong a = h1 == long.MinValue ? 1UL << 63 : (ulong)Math.Abs(h1);
        ulong hash = (a << 14) & ~(1UL << 63);
        return hash | (hasFields ? 0x100UL : 0) | (uint)Math.Min(body.Length, 255);
    }

    /// <summary>The 8-byte header as Fory JS writes it (recognition and self-test only).</summary>
    public static ulong ForyJsHeader(ReadOnlySpan<byte> body, bool hasFields)
    {
        ulong h1 = MurmurHash3.Hash64(body, HashSeed);
        return (h1 << 23) | (hasFields ? 1UL << 62 : 0) | (uint)Math.Min(body.Length, 255);
    }

    private static byte[] EncodeWithHeader(byte[] body, bool hasFields, ulong header)
    {
        _ = hasFields;
        ArrayBufferWriter<byte> buffer = new(body.Length + 16);
        ForyWriter w = new(buffer);
        w.WriteUInt64(header);
        if (body.Length >= 255)
        {
            w.WriteVarUInt32((uint)(body.Length - 255));
        }

        w.WriteBytes(body);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteName(ref ForyWriter w, string s, MetaStringContext context)
    {
        MetaEncoding encoding = MetaString.Choose(s, context);
        byte[] bytes = MetaString.Encode(s, encoding, context);
        int index = context.IndexOf(encoding);
        if (bytes.Length < 63)
        {
            w.WriteByte((byte)((bytes.Length << 2) | index));
        }
        else
        {
            w.WriteByte((byte)((63 << 2) | index));
            w.WriteVarUInt32((uint)(bytes.Length - 63));
        }

        w.WriteBytes(bytes);
    }

    private static void WriteField(ref ForyWriter w, TypeDefField f)
    {
        int flags = (f.Type.Nullable ? 2 : 0) | (f.Type.TrackRef ? 1 : 0);
        byte[]? name = null;
        int encodingIndex;
        int size;
        if (f.TagId >= 0)
        {
            encodingIndex = 3;
            size = f.TagId;
        }
        else
        {
            MetaEncoding encoding = MetaString.Choose(f.Name!, MetaStringContext.FieldName);
            name = MetaString.Encode(f.Name!, encoding, MetaStringContext.FieldName);
            encodingIndex = MetaStringContext.FieldName.IndexOf(encoding);
            size = name.Length - 1;
        }

        w.WriteByte((byte)((encodingIndex << 6) | (Math.Min(size, 15) << 2) | flags));
        if (size >= 15)
        {
            w.WriteVarUInt32((uint)(size - 15));
        }

        w.WriteVarUInt32((uint)f.Type.TypeId);
        WriteNestedTypes(ref w, f.Type);
        if (name is not null)
        {
            w.WriteBytes(name);
        }
    }

    private static void WriteNestedTypes(ref ForyWriter w, ForyFieldType type)
    {
        if (type.TypeId == ForyTypeId.Map)
        {
            WriteNested(ref w, type.Key ?? new ForyFieldType(ForyTypeId.Unknown));
            WriteNested(ref w, type.Element ?? new ForyFieldType(ForyTypeId.Unknown));
        }
        else if (type.TypeId is ForyTypeId.List or ForyTypeId.Set)
        {
            WriteNested(ref w, type.Element ?? new ForyFieldType(ForyTypeId.Unknown));
        }
    }

    private static void WriteNested(ref ForyWriter w, ForyFieldType type)
    {
        w.WriteVarUInt32(((uint)type.TypeId << 2) | (type.Nullable ? 2u : 0) | (type.TrackRef ? 1u : 0));
        WriteNestedTypes(ref w, type);
    }

    /// <summary>Reads the global header and size; returns the body span. Only the size bits are used (B10.2).</summary>
    public static ReadOnlySpan<byte> ReadBody(ref ForyReader r)
    {
        ulong header = r.ReadUInt64();
        uint size = (uint)(header & 0xFF);
        if (size == 255)
        {
            size += r.ReadVarUInt32();
        }

        if (size > (uint)r.Remaining)
        {
            r.Fail($"TypeDef body of {size} bytes exceeds the {r.Remaining} bytes left");
        }

        return r.ReadSpan((int)size);
    }

    /// <summary>Parses a TypeDef body. <paramref name="baseOffset"/> is the body's offset in the message.</summary>
    public static TypeDef Parse(ReadOnlySpan<byte> body, ForyOptions options, int baseOffset)
    {
        ForyReader r = new(body);
        try
        {
            byte meta = r.ReadByte();
            if ((meta & 0xC0) != 0)
            {
                r.Fail("TypeDef meta header has reserved bits set");
            }

            int count = meta & 0x1F;
            if (count == 31)
            {
                uint extra = r.ReadVarUInt32();
                if (extra > (uint)options.MaxFieldsPerType)
                {
                    r.Fail($"TypeDef has more than {options.MaxFieldsPerType} fields", limit: "MaxFieldsPerType");
                }

                count += (int)extra;
            }

            if (count > options.MaxFieldsPerType)
            {
                r.Fail($"TypeDef has {count} fields, more than {options.MaxFieldsPerType}", limit: "MaxFieldsPerType");
            }

            if ((meta & 0x20) == 0)
            {
                r.Fail("TypeDef of a type registered by id: Aster records are registered by name");
            }

            string ns = ReadName(ref r, MetaStringContext.Namespace);
            string typeName = ReadName(ref r, MetaStringContext.TypeName);
            TypeDefField[] fields = new TypeDefField[count];
            for (int i = 0; i < count; i++)
            {
                fields[i] = ReadField(ref r, options);
            }

            if (r.Remaining != 0)
            {
                r.Fail($"{r.Remaining} unexpected bytes at the end of the TypeDef of {ns}/{typeName}");
            }

            return new TypeDef(ns, typeName, fields, body.ToArray());
        }
        catch (ForyDecodeException e) when (e.Offset >= 0)
        {
            throw new ForyDecodeException(StripOffset(e.Message), e.Offset + baseOffset, e.TypeName, e.Limit, e.InnerException);
        }
    }

    private static string StripOffset(string message)
    {
        int i = message.LastIndexOf(" at byte ", StringComparison.Ordinal);
        return i >= 0 ? message[..i] : message;
    }

    private static string ReadName(ref ForyReader r, MetaStringContext context)
    {
        byte h = r.ReadByte();
        int index = h & 3;
        int length = h >> 2;
        if (length == 63)
        {
            uint extra = r.ReadVarUInt32();
            if (extra > (uint)r.Remaining)
            {
                r.Fail("name length exceeds the bytes left");
            }

            length += (int)extra;
        }

        if (index >= context.ByIndex.Length)
        {
            r.Fail($"unknown name encoding index {index}");
        }

        ReadOnlySpan<byte> bytes = r.ReadSpan(length);
        return MetaString.Decode(bytes, context.ByIndex[index], context) ?? throw new ForyDecodeException("invalid meta string", r.Position);
    }

    private static TypeDefField ReadField(ref ForyReader r, ForyOptions options)
    {
        byte h = r.ReadByte();
        int encoding = h >> 6;
        int size = (h >> 2) & 0xF;
        bool nullable = (h & 2) != 0;
        bool trackRef = (h & 1) != 0;
        if (size == 15)
        {
            uint extra = r.ReadVarUInt32();
            if (extra > (uint)r.Remaining)
            {
                r.Fail("field name length exceeds the bytes left");
            }

            size += (int)extra;
        }

        uint typeId = r.ReadVarUInt32();
        ForyFieldType type = ReadTypeRest(ref r, CheckTypeId(ref r, typeId), nullable, trackRef, 0, options);
        if (encoding == 3)
        {
            return new TypeDefField(null, size, type);
        }

        ReadOnlySpan<byte> bytes = r.ReadSpan(size + 1);
        string name = MetaString.Decode(bytes, MetaStringContext.FieldName.ByIndex[encoding], MetaStringContext.FieldName)
            ?? throw new ForyDecodeException("invalid field name", r.Position);
        return new TypeDefField(name, -1, type);
    }

    private static ForyTypeId CheckTypeId(ref ForyReader r, uint id)
    {
        if (id > (uint)ForyTypeId.Float64Array)
        {
            r.Fail($"unknown type id {id} in TypeDef");
        }

        return (ForyTypeId)id;
    }

    private static ForyFieldType ReadTypeRest(ref ForyReader r, ForyTypeId id, bool nullable, bool trackRef, int depth, ForyOptions options)
    {
        if (depth > options.MaxDepth)
        {
            r.Fail("TypeDef field type nested too deeply", limit: "MaxDepth");
        }

        switch (id)
        {
            case ForyTypeId.List:
            case ForyTypeId.Set:
                return new ForyFieldType(id, nullable, trackRef, ReadNested(ref r, depth + 1, options));
            case ForyTypeId.Map:
            {
                ForyFieldType key = ReadNested(ref r, depth + 1, options);
                ForyFieldType value = ReadNested(ref r, depth + 1, options);
                return new ForyFieldType(id, nullable, trackRef, value, key);
            }

            default:
                return new ForyFieldType(id, nullable, trackRef);
        }
    }

    private static ForyFieldType ReadNested(ref ForyReader r, int depth, ForyOptions options)
    {
        uint v = r.ReadVarUInt32();
        return ReadTypeRest(ref r, CheckTypeId(ref r, v >> 2), (v & 2) != 0, (v & 1) != 0, depth, options);
    }
}
