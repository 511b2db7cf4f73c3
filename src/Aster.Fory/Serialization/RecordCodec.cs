using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Aster.Fory.Dynamic;
using Aster.Fory.IO;
using Aster.Fory.Meta;
using Aster.Fory.Types;

namespace Aster.Fory.Serialization;

/// <summary>Reads and writes one member of a record.</summary>
internal abstract class MemberCodec<TObj>
{
    protected MemberCodec(WireFieldModel model)
    {
        Model = model;
    }

    public WireFieldModel Model { get; }

    public abstract void Write(ref ForyWriter w, ref TObj obj, WriteContext ctx);

    /// <summary>Reads with the local field type.</summary>
    public abstract void Read(ref ForyReader r, ref TObj obj, ReadContext ctx);

    /// <summary>Reads a field whose wire type may differ from the local one (B10.7).</summary>
    public abstract void ReadWire(ref ForyReader r, ref TObj obj, ReadContext ctx, ForyFieldType wireType);

    public abstract void SetDefault(ref TObj obj);

    public abstract void SetFromDynamic(ref TObj obj, ForyValue value);

    /// <summary>Whether this member's values may contain records.</summary>
    public abstract bool MayContainRecords { get; }
}

internal delegate TField RefGetter<TObj, TField>(ref TObj obj);

internal delegate void RefSetter<TObj, TField>(ref TObj obj, TField value);

internal sealed class MemberCodec<TObj, TField> : MemberCodec<TObj>
{
    private static readonly bool _canBeNull = !typeof(TField).IsValueType || Nullable.GetUnderlyingType(typeof(TField)) is not null;
    private readonly ForyCodec<TField> _codec;
    private readonly bool _nullable;
    private readonly ForyFieldType _localType;

    /// <summary>The codec is <see cref="StringCodec"/> (so TField is string): read and write without its virtual calls.</summary>
    private readonly bool _isString;
    private readonly Func<TObj, TField>? _get;
    private readonly Action<TObj, TField>? _set;
    private readonly RefGetter<TObj, TField>? _refGet;
    private readonly RefSetter<TObj, TField>? _refSet;

    public MemberCodec(WireFieldModel model, ForyCodec<TField> codec)
        : base(model)
    {
        _codec = codec;
        _nullable = model.FieldType.Nullable;
        _localType = model.FieldType;
        _isString = codec is StringCodec;
        if (typeof(TObj).IsValueType)
        {
            _refGet = model.Property.GetMethod!.CreateDelegate<RefGetter<TObj, TField>>();
            _refSet = model.Property.SetMethod!.CreateDelegate<RefSetter<TObj, TField>>();
        }
        else
        {
            _get = model.Property.GetMethod!.CreateDelegate<Func<TObj, TField>>();
            _set = model.Property.SetMethod!.CreateDelegate<Action<TObj, TField>>();
        }
    }

    public override bool MayContainRecords => _codec.MayContainRecords;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TField Get(ref TObj obj) => typeof(TObj).IsValueType ? _refGet!(ref obj) : _get!(obj);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Set(ref TObj obj, TField value)
    {
        if (typeof(TObj).IsValueType)
        {
            _refSet!(ref obj, value);
        }
        else
        {
            _set!(obj, value);
        }
    }

    public override void Write(ref ForyWriter w, ref TObj obj, WriteContext ctx) => WriteValue(ref w, Get(ref obj), ctx);

    /// <summary>Writes a value of this member (null flag when nullable, then the value); generated serializers call it for kinds they do not specialise.</summary>
    public void WriteValue(ref ForyWriter w, TField value, WriteContext ctx)
    {
        if (value is null)
        {
            if (!_nullable)
            {
                throw new ForyEncodeException($"member {Model.MemberName} is null but not nullable", typeof(TObj).Name);
            }

            w.WriteByte(0xFD);
            return;
        }

        if (_nullable)
        {
            w.WriteByte(0xFF);
        }

        if (_isString)
        {
            w.WriteString(Unsafe.As<TField, string>(ref value));
            return;
        }

        _codec.Write(ref w, value, ctx);
    }

    public override void Read(ref ForyReader r, ref TObj obj, ReadContext ctx) => Set(ref obj, ReadValue(ref r, ctx));

    /// <summary>Reads a value of this member with the local field type; generated serializers call it for kinds they do not specialise.</summary>
    public TField ReadValue(ref ForyReader r, ReadContext ctx)
    {
        if (_nullable)
        {
            return ReadNullable(ref r, ctx);
        }

        if (_isString)
        {
            string text = r.ReadString(ctx.Options.MaxStringBytes);
            return Unsafe.As<string, TField>(ref text);
        }

        return _codec.Read(ref r, ctx);
    }

    private TField ReadNullable(ref ForyReader r, ReadContext ctx)
    {
        byte flag = r.ReadByte();
        switch (flag)
        {
            case 0xFD:
                return _canBeNull ? default! : _codec.DefaultValue;
            case 0xFF:
                return _codec.Read(ref r, ctx);
            case 0x00:
            {
                int id = ctx.ReserveRef();
                TField v = _codec.Read(ref r, ctx);
                if (v is not null)
                {
                    ctx.SetRef(id, v);
                }

                return v;
            }

            case 0xFE:
            {
                int at = r.Position;
                return ctx.GetRef(ref r, r.ReadVarUInt32()) is TField t ? t : throw new ForyDecodeException($"reference is not a {typeof(TField).Name}", at);
            }

            default:
                r.Fail($"invalid null flag 0x{flag:x2}", typeof(TObj).Name);
                return default!;
        }
    }

    public override void ReadWire(ref ForyReader r, ref TObj obj, ReadContext ctx, ForyFieldType wireType)
    {
        if (wireType.Equals(_localType))
        {
            Read(ref r, ref obj, ctx);
            return;
        }

        if (SameShape(wireType, _localType))
        {
            if (wireType.Nullable || wireType.TrackRef)
            {
                Set(ref obj, ReadNullable(ref r, ctx));
            }
            else
            {
                Set(ref obj, _codec.Read(ref r, ctx));
            }

            return;
        }

        ForyValue value = DynamicReader.ReadFieldValue(ref r, ctx, wireType);
        try
        {
            SetFromDynamic(ref obj, value);
        }
        catch (ForyDecodeException)
        {
            // B10.7: a value that does not convert without loss is discarded; the member keeps its default.
            SetDefault(ref obj);
        }
    }

    /// <summary>
    /// Whether a wire field type reads with the local codec: same ids (any record kind 27–30 matching another), nested
    /// nullability and tracking ignored (they travel in the collection headers).
    /// </summary>
    private static bool SameShape(ForyFieldType wire, ForyFieldType local)
    {
        if (wire.TypeId != local.TypeId && !(wire.IsRecord && local.IsRecord))
        {
            return false;
        }

        return SameNested(wire.Element, local.Element) && SameNested(wire.Key, local.Key);
    }

    private static bool SameNested(ForyFieldType? wire, ForyFieldType? local) =>
        (wire is null && local is null) || (wire is not null && local is not null && SameShape(wire, local));

    public override void SetDefault(ref TObj obj) => Set(ref obj, _nullable && _canBeNull ? default! : _codec.DefaultValue);

    public override void SetFromDynamic(ref TObj obj, ForyValue value)
    {
        if (value is ForyNull)
        {
            SetDefault(ref obj);
            return;
        }

        Set(ref obj, _codec.FromDynamic(value));
    }
}

/// <summary>How to read a wire TypeDef that differs from the local one: per wire field, the local member or none.</summary>
internal sealed class CompatPlan<TObj>(TypeDef def, MemberCodec<TObj>?[] targets, MemberCodec<TObj>[] missing)
{
    public TypeDef Def { get; } = def;

    public MemberCodec<TObj>?[] Targets { get; } = targets;

    public MemberCodec<TObj>[] Missing { get; } = missing;
}

/// <summary>A named compatible struct (B10): TypeDef written once per message, fields in Fory order.</summary>
internal sealed class RecordCodec<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.NonPublicConstructors)] T> : ForyCodec<T>, IRecordCodec
{
    private readonly ConcurrentDictionary<TypeDef, CompatPlan<T>> _plans = new();
    private MemberCodec<T>[] _members = [];
    private byte[] _body = [];
    private byte[] _encoded = [];
    private TypeDef? _typeDef;
    private readonly bool _hasParameterlessConstructor;

    /// <summary>The source-generated straight-line serializer, when one is registered and agrees with the model.</summary>
    private ForyGeneratedSerializer<T>? _generated;

    public RecordCodec(WireTypeModel model)
        : base(new ForyFieldType(ForyTypeId.NamedCompatibleStruct))
    {
        Model = model;
        _hasParameterlessConstructor = typeof(T).IsValueType || typeof(T).GetConstructor(Type.EmptyTypes) is not null;
    }

    public WireTypeModel Model { get; }

    public TypeDef TypeDef => _typeDef!;

    public override bool MayContainRecords => true;

    /// <summary>Whether any member may hold a record: then the root must register its TypeDef and reference.</summary>
    public bool NestsRecords { get; private set; }

    /// <summary>
    /// The constant start of a message with this record at the root: bitmap <c>02</c>, root flag <c>00</c>, type id
    /// <c>1e</c>, meta-share marker <c>00</c> and the encoded TypeDef, written with one copy.
    /// </summary>
    public byte[] RootPrefix { get; private set; } = [];

    /// <summary>Schema-consistent mode (B12): the inline namespace.</summary>
    private InlineMetaString _inlineNamespace = null!;

    /// <summary>Schema-consistent mode (B12): the inline type name.</summary>
    private InlineMetaString _inlineTypeName = null!;

    /// <summary>Schema-consistent mode (B12): the schema hash written after the names.</summary>
    public int SchemaHash { get; private set; }

    /// <summary>
    /// Schema-consistent mode (B12): the constant start of a message with this record at the root: bitmap <c>02</c>,
    /// root flag <c>ff</c> (nothing tracked), NAMED_STRUCT <c>1d</c>, both names in full and the schema hash.
    /// </summary>
    public byte[] SchemaConsistentRootPrefix { get; private set; } = [];

    /// <summary>Whether a source-generated serializer writes (and, when it can, reads) this record's fields.</summary>
    public bool UsesGenerated => _generated is not null;

    /// <summary>Whether the source-generated serializer also reads this record's fields.</summary>
    public bool ReadsGenerated => _generated is { CanRead: true };

    /// <summary>Completes construction once member codecs exist (records may refer to themselves).</summary>
    /// <param name="members">The member codecs in Fory field order.</param>
    /// <param name="useGenerated">Whether to use a registered source-generated serializer (<see cref="ForyOptions.UseGeneratedSerializers"/>).</param>
    public void Initialize(MemberCodec<T>[] members, bool useGenerated)
    {
        _generated = useGenerated ? Agreeing(ForyGeneratedSerializers.Find<T>()) : null;
        _members = members;
        _typeDef = TypeDef.Build(Model.Namespace, Model.TypeName, Model.Fields.Select(f => new TypeDefField(f.TagId >= 0 ? null : f.Name, f.TagId, f.FieldType)).ToArray());
        _body = _typeDef.Body;
        _encoded = _typeDef.Encoded;
        NestsRecords = members.Any(m => m.MayContainRecords);
        RootPrefix = [0x02, 0x00, (byte)ForyTypeId.NamedCompatibleStruct, 0x00, .. _encoded];
        _inlineNamespace = InlineMetaString.Of(Model.Namespace, MetaStringContext.InlineNamespace);
        _inlineTypeName = InlineMetaString.Of(Model.TypeName, MetaStringContext.InlineTypeName);
        SchemaHash = ComputeSchemaHash(Model.Fields);
        byte[] hash = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(hash, SchemaHash);

        // A type name whose encoded form equals the namespace's is, as in pyfory, a reference to it (index 0).
        byte[] typeName = ReferenceEquals(_inlineNamespace, _inlineTypeName) ? [0x03] : _inlineTypeName.FirstOccurrence;
        SchemaConsistentRootPrefix = [0x02, 0xFF, (byte)ForyTypeId.NamedStruct, .. _inlineNamespace.FirstOccurrence, .. typeName, .. hash];
    }

    /// <summary>
    /// The generated serializer when its field list (identifiers and types, in order) equals the runtime model's;
    /// otherwise null, so a generator that disagrees with the runtime can never change the bytes.
    /// </summary>
    private ForyGeneratedSerializer<T>? Agreeing(ForyGeneratedSerializer<T>? generated)
    {
        if (generated is null || generated.Fields.Count != Model.Fields.Count)
        {
            return null;
        }

        for (int i = 0; i < Model.Fields.Count; i++)
        {
            WireFieldModel f = Model.Fields[i];
            if (generated.Fields[i] != $"{f.Identifier}:{f.FieldType}")
            {
                return null;
            }
        }

        return generated;
    }

    /// <summary>
    /// The B12 schema hash: per field <c>identifier,type id,0,nullable;</c> (records and enums as type id 0), sorted by
    /// identifier with tag ids first, MurmurHash3_x64_128 seed 47 of the UTF-8 text, low 32 bits of h1.
    /// </summary>
    internal static int ComputeSchemaHash(IEnumerable<WireFieldModel> fields) =>
        Meta.SchemaHash.Compute(fields.Select(f => (f.Identifier, f.TagId >= 0, f.FieldType)));

    private T Create()
    {
        if (typeof(T).IsValueType)
        {
            return default!;
        }

        return _hasParameterlessConstructor ? Activator.CreateInstance<T>() : (T)RuntimeHelpers.GetUninitializedObject(typeof(T));
    }

    public override void Write(ref ForyWriter w, T value, WriteContext ctx)
    {
        WriteTypeInfo(ref w, ctx);
        WriteFields(ref w, value, ctx);
    }

    public void WriteTypeInfo(ref ForyWriter w, WriteContext ctx)
    {
        if (ctx.Options.SchemaConsistent)
        {
            w.WriteByte((byte)ForyTypeId.NamedStruct);
            ctx.WriteInlineName(ref w, _inlineNamespace);
            ctx.WriteInlineName(ref w, _inlineTypeName);
            w.WriteInt32(SchemaHash);
            return;
        }

        w.WriteByte((byte)ForyTypeId.NamedCompatibleStruct);
        ctx.WriteTypeMeta(ref w, this, _encoded);
    }

    /// <summary>Registers what the root prefix wrote, for records that nest records.</summary>
    public void AddRootTypeInfo(WriteContext ctx)
    {
        if (ctx.Options.SchemaConsistent)
        {
            ctx.AddInlineName(_inlineNamespace);
            if (!ReferenceEquals(_inlineNamespace, _inlineTypeName))
            {
                ctx.AddInlineName(_inlineTypeName);
            }
        }
        else
        {
            ctx.AddRootMeta(this);
        }
    }

    /// <summary>
    /// Writes a whole message of a record that nests no records (<see cref="NestsRecords"/> false): the constant root
    /// prefix, then the fields, with the shared stateless context. One call from the serializer, so the per-message
    /// work runs in this instance method rather than in the serializer's generic one.
    /// </summary>
    public void WriteFlatMessage(IBufferWriter<byte> output, T value, WriteContext stateless)
    {
        ForyOptions options = stateless.Options;
        if (_generated is { } generated)
        {
            ForyFieldWriter fw = new(new ForyWriter(output, options.Dialect, options.MaxDepth), stateless, _members, Model);
            fw.Writer.WriteBytes(options.SchemaConsistent ? SchemaConsistentRootPrefix : RootPrefix);
            fw.Writer.EnterDepth(Model.Tag);
            generated.WriteFields(ref fw, value);
            fw.Writer.ExitDepth();
            fw.Writer.Flush();
            return;
        }

        ForyWriter w = new(output, options.Dialect, options.MaxDepth);
        w.WriteBytes(options.SchemaConsistent ? SchemaConsistentRootPrefix : RootPrefix);
        WriteFields(ref w, value, stateless);
        w.Flush();
    }

    public void WriteFields(ref ForyWriter w, T value, WriteContext ctx)
    {
        w.EnterDepth(Model.Tag);
        if (_generated is { } generated)
        {
            ForyFieldWriter fw = new(w, ctx, _members, Model);
            generated.WriteFields(ref fw, value);
            w = fw.Writer;
            w.ExitDepth();
            return;
        }

        MemberCodec<T>[] members = _members;
        for (int i = 0; i < members.Length; i++)
        {
            members[i].Write(ref w, ref value, ctx);
        }

        w.ExitDepth();
    }

    public override T Read(ref ForyReader r, ReadContext ctx)
    {
        int meta = ReadTypeInfo(ref r, ctx);
        return ReadFields(ref r, ctx, meta, -1);
    }

    /// <summary>Reads the type id and meta-share marker (and a new TypeDef); returns the meta index.</summary>
    public int ReadTypeInfo(ref ForyReader r, ReadContext ctx)
    {
        int at = r.Position;
        uint id = r.ReadVarUInt32();
        if (ctx.Options.SchemaConsistent)
        {
            return ReadInlineTypeInfo(ref r, ctx, id, at);
        }

        if (id != (uint)ForyTypeId.NamedCompatibleStruct && id != (uint)ForyTypeId.CompatibleStruct)
        {
            throw new ForyDecodeException($"type id {id} where a record {Model.Tag} was expected", at, Model.Tag);
        }

        int index = ctx.ReadMetaMarker(ref r, out bool isNew);
        if (isNew)
        {
            int start = r.Position;
            ReadOnlySpan<byte> body = TypeDef.ReadBody(ref r);
            if (body.SequenceEqual(_body))
            {
                ctx.AddMeta(new ReadMeta { Local = this });
            }
            else
            {
                ctx.AddMeta(new ReadMeta { Def = TypeDefCache.GetOrParse(body, ctx.Options, start) });
            }
        }

        return index;
    }

    /// <summary>The meta index <see cref="ReadTypeInfo"/> returns in schema-consistent mode: read with the local layout.</summary>
    public const int SchemaConsistentMeta = -2;

    private int ReadInlineTypeInfo(ref ForyReader r, ReadContext ctx, uint id, int at)
    {
        if (id != (uint)ForyTypeId.NamedStruct)
        {
            throw new ForyDecodeException($"type id {id} where a schema-consistent record {Model.Tag} (29) was expected", at, Model.Tag);
        }

        string ns = ctx.ReadInlineName(ref r, _inlineNamespace, MetaStringContext.InlineNamespace);
        string name = ctx.ReadInlineName(ref r, _inlineTypeName, MetaStringContext.InlineTypeName);
        if (ns != Model.Namespace || (name != Model.TypeName && name.Replace('.', '_') != Model.TypeName))
        {
            throw new ForyDecodeException($"record {ns}/{name} where {Model.Tag} was expected", at, Model.Tag);
        }

        int hashAt = r.Position;
        int hash = r.ReadInt32();
        if (hash != SchemaHash)
        {
            throw new ForyDecodeException(
                $"schema hash 0x{(uint)hash:x8} of {Model.Tag} differs from the local 0x{(uint)SchemaHash:x8}: the peer declares other fields, which schema-consistent mode cannot read",
                hashAt,
                Model.Tag);
        }

        return SchemaConsistentMeta;
    }

    public T ReadFields(ref ForyReader r, ReadContext ctx, int meta, int refId)
    {
        if (meta == SchemaConsistentMeta)
        {
            return ReadFieldsLocal(ref r, ctx, refId);
        }

        ref ReadMeta m = ref ctx.Meta(meta);
        if (ReferenceEquals(m.Local, this))
        {
            return ReadFieldsLocal(ref r, ctx, refId);
        }

        TypeDef def = ctx.DefOf(meta);
        if (def.Namespace != Model.Namespace || (def.TypeName != Model.TypeName && def.TypeName.Replace('.', '_') != Model.TypeName))
        {
            r.Fail($"record {def.Tag} where {Model.Tag} was expected", Model.Tag);
        }

        CompatPlan<T> plan = _plans.TryGetValue(def, out CompatPlan<T>? p) ? p : GetPlan(def);
        ctx.EnterDepth(ref r);
        T obj = Create();
        if (refId >= 0 && obj is not null && !typeof(T).IsValueType)
        {
            ctx.SetRef(refId, obj);
        }

        for (int i = 0; i < plan.Targets.Length; i++)
        {
            MemberCodec<T>? target = plan.Targets[i];
            ForyFieldType wireType = def.Fields[i].Type;
            if (target is null)
            {
                _ = DynamicReader.ReadFieldValue(ref r, ctx, wireType);
            }
            else
            {
                target.ReadWire(ref r, ref obj, ctx, wireType);
            }
        }

        if (!_hasParameterlessConstructor)
        {
            foreach (MemberCodec<T> missing in plan.Missing)
            {
                missing.SetDefault(ref obj);
            }
        }

        ctx.Depth--;
        return obj;
    }

    private CompatPlan<T> GetPlan(TypeDef def)
    {
        MemberCodec<T>?[] targets = new MemberCodec<T>?[def.Fields.Length];
        HashSet<MemberCodec<T>> used = [];
        for (int i = 0; i < targets.Length; i++)
        {
            TypeDefField f = def.Fields[i];
            MemberCodec<T>? match = null;
            if (f.TagId >= 0)
            {
                match = _members.FirstOrDefault(m => m.Model.TagId == f.TagId);
            }
            else
            {
                match = _members.FirstOrDefault(m => m.Model.TagId < 0 && m.Model.Name == f.Name)
                    ?? _members.FirstOrDefault(m => m.Model.TagId < 0 && WireNaming.Normalize(m.Model.Name) == WireNaming.Normalize(f.Name!));
            }

            if (match is not null && used.Add(match))
            {
                targets[i] = match;
            }
        }

        CompatPlan<T> plan = new(def, targets, _members.Where(m => !used.Contains(m)).ToArray());
        if (_plans.Count < 256)
        {
            _plans.TryAdd(def, plan);
        }

        return plan;
    }

    /// <summary>Reads the fields in local order (the wire TypeDef equals ours, or none was sent).</summary>
    public T ReadFieldsLocal(ref ForyReader r, ReadContext ctx, int refId)
    {
        ctx.EnterDepth(ref r);
        if (_generated is { CanRead: true } generated)
        {
            // The generator reads only records whose members cannot hold records, so nothing inside can refer to
            // this object: registering it after its fields are read is equivalent.
            ForyFieldReader fr = new(r, ctx, _members);
            T created = generated.ReadFields(ref fr);
            r = fr.Reader;
            if (refId >= 0 && created is not null && !typeof(T).IsValueType)
            {
                ctx.SetRef(refId, created);
            }

            ctx.Depth--;
            return created;
        }

        T obj = Create();
        if (refId >= 0 && obj is not null && !typeof(T).IsValueType)
        {
            ctx.SetRef(refId, obj);
        }

        MemberCodec<T>[] members = _members;
        for (int i = 0; i < members.Length; i++)
        {
            members[i].Read(ref r, ref obj, ctx);
        }

        ctx.Depth--;
        return obj;
    }

    public override T FromDynamic(ForyValue value)
    {
        if (value is not ForyStruct s || s.Namespace != Model.Namespace || s.TypeName != Model.TypeName)
        {
            return base.FromDynamic(value);
        }

        T obj = Create();
        HashSet<MemberCodec<T>> set = [];
        foreach (ForyField f in s.Fields)
        {
            MemberCodec<T>? m = f.TagId >= 0
                ? _members.FirstOrDefault(x => x.Model.TagId == f.TagId)
                : _members.FirstOrDefault(x => x.Model.TagId < 0 && WireNaming.Normalize(x.Model.Name) == WireNaming.Normalize(f.Name!));
            if (m is not null && set.Add(m))
            {
                m.SetFromDynamic(ref obj, f.Value);
            }
        }

        if (!_hasParameterlessConstructor)
        {
            foreach (MemberCodec<T> m in _members)
            {
                if (!set.Contains(m))
                {
                    m.SetDefault(ref obj);
                }
            }
        }

        return obj;
    }
}
