using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Aster.Fory.IO;
using Aster.Fory.Serialization;
using Aster.Fory.Types;

namespace Aster.Fory.Json;

/// <summary>A record plan is registered before its members are built (records may refer to themselves).</summary>
internal interface IJsonRecordPlan
{
    [RequiresUnreferencedCode("Reflects over record members.")]
    void BuildMembers();
}

/// <summary>One member of a record: its keys (precomputed bytes) and typed access through delegates.</summary>
internal abstract class JsonMember<TObj>
{
    protected JsonMember(WireFieldModel field)
    {
        Field = field;
        Key = field.JsonKey;
        Alias = WireNaming.ToCamelCaseAlias(field.Name);
        KeyUtf8 = Encoding.UTF8.GetBytes(field.JsonKey);
        NameUtf8 = Encoding.UTF8.GetBytes(field.Name);
        AliasUtf8 = Encoding.UTF8.GetBytes(Alias);

        // "key": as Python writes it, built once.
        StringBuilder quoted = new();
        PythonJsonText.AppendString(quoted, field.JsonKey);
        quoted.Append(':');
        QuotedKey = Encoding.ASCII.GetBytes(quoted.ToString());
    }

    public WireFieldModel Field { get; }

    public string Key { get; }

    public string Alias { get; }

    public byte[] KeyUtf8 { get; }

    public byte[] NameUtf8 { get; }

    public byte[] AliasUtf8 { get; }

    public byte[] QuotedKey { get; }

    public abstract void Write(ref ForyWriter w, ref TObj obj, int depth, string tag);

    /// <summary>Reads the value at the current token into the member; returns false when it was <c>null</c>.</summary>
    public abstract bool Read(ref Utf8JsonReader r, ref TObj obj, JsonPath path);

    public abstract void SetEmpty(ref TObj obj);
}

internal sealed class JsonMember<TObj, TField> : JsonMember<TObj>
{
    private readonly JsonPlan<TField> _plan;
    private readonly Func<TObj, TField>? _get;
    private readonly Action<TObj, TField>? _set;
    private readonly RefGetter<TObj, TField>? _refGet;
    private readonly RefSetter<TObj, TField>? _refSet;

    public JsonMember(WireFieldModel field, JsonPlan<TField> plan)
        : base(field)
    {
        _plan = plan;
        if (typeof(TObj).IsValueType)
        {
            _refGet = field.Property.GetMethod!.CreateDelegate<RefGetter<TObj, TField>>();
            _refSet = field.Property.SetMethod!.CreateDelegate<RefSetter<TObj, TField>>();
        }
        else
        {
            _get = field.Property.GetMethod!.CreateDelegate<Func<TObj, TField>>();
            _set = field.Property.SetMethod!.CreateDelegate<Action<TObj, TField>>();
        }
    }

    private TField Get(ref TObj obj) => typeof(TObj).IsValueType ? _refGet!(ref obj) : _get!(obj);

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

    public override void Write(ref ForyWriter w, ref TObj obj, int depth, string tag)
    {
        TField value = Get(ref obj);
        if (value is null && !Field.IsNullable)
        {
            throw new ForyEncodeException($"member {Field.MemberName} is null but not nullable", tag);
        }

        _plan.Write(ref w, value, depth);
    }

    public override bool Read(ref Utf8JsonReader r, ref TObj obj, JsonPath path)
    {
        TField value = _plan.Read(ref r, path);
        Set(ref obj, value);
        return value is not null;
    }

    public override void SetEmpty(ref TObj obj) => Set(ref obj, _plan.Empty);
}

/// <summary>
/// A record as a JSON object: members in declaration order under their JSON keys (C1); read with the C4 rules
/// (JSON key, then wire name or camelCase alias), unknown and repeated keys collected into one
/// <see cref="ForyJsonContractException"/>.
/// </summary>
internal sealed class JsonRecordPlan<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.NonPublicConstructors)] T>(WireTypeModel model)
    : JsonPlan<T>, IJsonRecordPlan
{
    private readonly bool _hasParameterlessConstructor = typeof(T).IsValueType || typeof(T).GetConstructor(Type.EmptyTypes) is not null;
    private JsonMember<T>[] _members = [];
    private string[] _expectedKeys = [];

    [RequiresUnreferencedCode("Reflects over record members.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "JSON mode is reflection-based; records are registered through RequiresUnreferencedCode APIs.")]
    public void BuildMembers()
    {
        List<JsonMember<T>> members = [];
        foreach (WireFieldModel f in model.Fields.OrderBy(f => f.Property.MetadataToken))
        {
            JsonPlan plan = JsonPlans.Build(f.ClrType);
            members.Add((JsonMember<T>)Activator.CreateInstance(typeof(JsonMember<,>).MakeGenericType(typeof(T), f.ClrType), f, plan)!);
        }

        _members = [.. members];
        _expectedKeys = [.. members.Select(m => m.Key)];
    }

    public override T Empty => default!;

    private T Create()
    {
        if (typeof(T).IsValueType)
        {
            return default!;
        }

        return _hasParameterlessConstructor ? Activator.CreateInstance<T>() : (T)RuntimeHelpers.GetUninitializedObject(typeof(T));
    }

    public override void WriteNonNull(ref ForyWriter w, T value, int depth)
    {
        JsonMember<T>[] members = _members;
        if (members.Length > 0)
        {
            CheckChildDepth(depth + 1, model.ClrType.Name);
        }

        w.WriteByte((byte)'{');
        for (int i = 0; i < members.Length; i++)
        {
            if (i > 0)
            {
                w.WriteByte((byte)',');
            }

            w.WriteBytes(members[i].QuotedKey);
            members[i].Write(ref w, ref value, depth + 1, model.Tag);
        }

        w.WriteByte((byte)'}');
    }

    protected override T ReadNonNull(ref Utf8JsonReader r, JsonPath path)
    {
        if (r.TokenType != JsonTokenType.StartObject)
        {
            throw Fail(path, $"expected an object for {model.Tag}");
        }

        JsonMember<T>[] members = _members;
        T obj = Create();
        Span<bool> seen = members.Length <= 256 ? stackalloc bool[members.Length] : new bool[members.Length];
        List<string>? unexpected = null;
        JsonPathNode? node = null;
        while (r.Read() && r.TokenType != JsonTokenType.EndObject)
        {
            int index = Match(ref r, members);
            if (index < 0 || seen[index])
            {
                (unexpected ??= []).Add(r.GetString()!);
                r.Read();
                r.Skip();
                continue;
            }

            seen[index] = true;
            JsonMember<T> member = members[index];
            r.Read();
            node ??= path.ToNode();
            if (!member.Read(ref r, ref obj, JsonPath.Member(node, member.Key)) && !member.Field.IsNullable)
            {
                throw Fail(path, $"null for non-nullable {member.Key}");
            }
        }

        if (unexpected is not null)
        {
            throw new ForyJsonContractException(path.ToString(), unexpected, _expectedKeys, model.Tag);
        }

        if (!_hasParameterlessConstructor)
        {
            for (int i = 0; i < members.Length; i++)
            {
                if (!seen[i] && !members[i].Field.IsNullable)
                {
                    members[i].SetEmpty(ref obj);
                }
            }
        }

        return obj;
    }

    /// <summary>The member a property name selects: JSON key first, then wire name or camelCase alias; -1 if none.</summary>
    private static int Match(ref Utf8JsonReader r, JsonMember<T>[] members)
    {
        for (int i = 0; i < members.Length; i++)
        {
            if (r.ValueTextEquals(members[i].KeyUtf8))
            {
                return i;
            }
        }

        for (int i = 0; i < members.Length; i++)
        {
            if (r.ValueTextEquals(members[i].NameUtf8) || r.ValueTextEquals(members[i].AliasUtf8))
            {
                return i;
            }
        }

        return -1;
    }
}
