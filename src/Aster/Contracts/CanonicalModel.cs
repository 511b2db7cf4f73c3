namespace Aster.Contracts;

/// <summary>The four call patterns of an Aster method (contracts-and-fory.md A3).</summary>
public enum MethodPattern
{
    /// <summary>One request, one response.</summary>
    Unary = 0,

    /// <summary>One request, a stream of responses.</summary>
    ServerStream = 1,

    /// <summary>A stream of requests, one response.</summary>
    ClientStream = 2,

    /// <summary>Streams in both directions.</summary>
    BidiStream = 3,
}

/// <summary>How a capability requirement combines its roles (trust.md 7.4).</summary>
public enum CapabilityKind
{
    /// <summary>The caller must hold the single role.</summary>
    Role = 0,

    /// <summary>The caller must hold at least one of the roles.</summary>
    AnyOf = 1,

    /// <summary>The caller must hold every role.</summary>
    AllOf = 2,
}

/// <summary>A capability requirement declared on a service or a method. It is local policy and not part of the contract id.</summary>
/// <param name="Kind">How the roles combine.</param>
/// <param name="Roles">The role names, as declared.</param>
public sealed record CapabilityRequirement(CapabilityKind Kind, IReadOnlyList<string> Roles)
{
    /// <summary>A ROLE requirement: the caller must hold <paramref name="role"/>.</summary>
    /// <exception cref="ArgumentException">The role is empty.</exception>
    public static CapabilityRequirement Role(string role) => Create(CapabilityKind.Role, [role]);

    /// <summary>An ANY_OF requirement: the caller must hold at least one of <paramref name="roles"/>.</summary>
    /// <exception cref="ArgumentException">No roles, or an empty role.</exception>
    public static CapabilityRequirement AnyOf(params IReadOnlyList<string> roles) => Create(CapabilityKind.AnyOf, roles);

    /// <summary>An ALL_OF requirement: the caller must hold every one of <paramref name="roles"/>.</summary>
    /// <exception cref="ArgumentException">No roles, or an empty role.</exception>
    public static CapabilityRequirement AllOf(params IReadOnlyList<string> roles) => Create(CapabilityKind.AllOf, roles);

    private static CapabilityRequirement Create(CapabilityKind kind, IReadOnlyList<string> roles)
    {
        ArgumentNullException.ThrowIfNull(roles);
        if (roles.Count == 0)
        {
            throw new ArgumentException("a capability requirement needs at least one role", nameof(roles));
        }

        if (roles.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("a capability role must not be empty", nameof(roles));
        }

        return new CapabilityRequirement(kind, [.. roles]);
    }
}

/// <summary>TypeKind of the canonical encoding (A3).</summary>
internal enum TypeKind
{
    Primitive = 0,
    Ref = 1,
    SelfRef = 2,
    Any = 3,
}

/// <summary>ContainerKind of the canonical encoding (A3).</summary>
internal enum ContainerKind
{
    None = 0,
    List = 1,
    Set = 2,
    Map = 3,
}

/// <summary>TypeDefKind of the canonical encoding (A3).</summary>
internal enum TypeDefKind
{
    Message = 0,
    Enum = 1,
    Union = 2,
}

/// <summary>Which record layout the canonical encoder writes (A4, A5).</summary>
internal enum CanonicalLayout
{
    /// <summary>The current layout: FieldDef with 14 members, ServiceContract ending with producer_language.</summary>
    Current = 0,

    /// <summary>The legacy layout of the older regression vectors; used only by tests.</summary>
    Legacy = 1,
}

/// <summary>One field of a TypeDef (A4). The id is re-derived from the sort order when encoding.</summary>
internal sealed record FieldDef(
    string Name,
    TypeKind TypeKind,
    string TypePrimitive,
    byte[] TypeRef,
    string SelfRefName,
    bool Optional,
    ContainerKind Container,
    TypeKind ContainerKeyKind,
    string ContainerKeyPrimitive,
    byte[] ContainerKeyRef)
{
    public bool RefTracked { get; init; }

    public bool Required { get; init; } = true;

    public byte[] DefaultValue { get; init; } = [];
}

/// <summary>One value of an ENUM TypeDef.</summary>
internal sealed record EnumValueDef(string Name, int Value);

/// <summary>One variant of a UNION TypeDef.</summary>
internal sealed record UnionVariantDef(string Name, int Id, byte[] TypeRef);

/// <summary>The canonical description of one record type (A4).</summary>
internal sealed record TypeDef(
    TypeDefKind Kind,
    string Package,
    string Name,
    IReadOnlyList<FieldDef> Fields,
    IReadOnlyList<EnumValueDef> EnumValues,
    IReadOnlyList<UnionVariantDef> UnionVariants)
{
    /// <summary>The fully qualified name: <c>package.name</c>, or the name alone when the package is empty.</summary>
    public string FullName => Package.Length == 0 ? Name : Package + "." + Name;
}

/// <summary>The canonical description of one method (A4).</summary>
internal sealed record MethodDef(
    string Name,
    MethodPattern Pattern,
    byte[] RequestType,
    byte[] ResponseType,
    bool Idempotent,
    double DefaultTimeout,
    CapabilityRequirement? Requires);

/// <summary>The canonical description of a service (A4).</summary>
internal sealed record ServiceContractDef(
    string Name,
    int Version,
    IReadOnlyList<MethodDef> Methods,
    IReadOnlyList<string> SerializationModes,
    ServiceScope Scoped,
    CapabilityRequirement? Requires,
    string ProducerLanguage);
