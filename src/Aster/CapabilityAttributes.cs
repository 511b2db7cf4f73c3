using Aster.Contracts;

namespace Aster;

/// <summary>
/// Base of the capability attributes (trust.md 7.4). A requirement on a service applies to every call; one on a method
/// applies in addition. Requirements are local policy and do not affect the contract id.
/// </summary>
[AttributeUsage(AttributeTargets.Interface | AttributeTargets.Class | AttributeTargets.Method, Inherited = true, AllowMultiple = false)]
public abstract class CapabilityAttribute : Attribute
{
    private protected CapabilityAttribute(CapabilityKind kind, IEnumerable<object?>? roles)
    {
        Kind = kind;
        Roles = (roles ?? []).Select(RoleName).ToArray();
    }

    /// <summary>How the roles combine.</summary>
    public CapabilityKind Kind { get; }

    /// <summary>The role names (enum values are converted to their wire names).</summary>
    public IReadOnlyList<string> Roles { get; }

    private static string RoleName(object? role) => role switch
    {
        null => string.Empty,
        string s => s,
        Enum e => EnumWireName(e),
        _ => role.ToString() ?? string.Empty,
    };

    private static string EnumWireName(Enum value)
    {
        string name = value.ToString();
        System.Reflection.FieldInfo? field = value.GetType().GetField(name);
        Fory.WireNameAttribute? wireName = field is null
            ? null
            : (Fory.WireNameAttribute?)GetCustomAttribute(field, typeof(Fory.WireNameAttribute));
        return wireName?.Name ?? name;
    }
}

/// <summary>The caller must hold one role (ROLE).</summary>
public sealed class RequiresAttribute : CapabilityAttribute
{
    /// <summary>Requires the given role.</summary>
    /// <param name="role">The role name.</param>
    public RequiresAttribute(string role)
        : base(CapabilityKind.Role, [role])
    {
    }

    /// <summary>Requires the role named by an enum value (its wire name).</summary>
    /// <param name="role">An enum value.</param>
    public RequiresAttribute(object role)
        : base(CapabilityKind.Role, [role])
    {
    }
}

/// <summary>The caller must hold at least one of the roles (ANY_OF).</summary>
public sealed class RequiresAnyOfAttribute : CapabilityAttribute
{
    /// <summary>Requires any of the given roles.</summary>
    /// <param name="roles">The role names.</param>
    public RequiresAnyOfAttribute(params string[] roles)
        : base(CapabilityKind.AnyOf, roles)
    {
    }

    /// <summary>Requires any of the roles named by enum values.</summary>
    /// <param name="roles">Enum values.</param>
    public RequiresAnyOfAttribute(params object[] roles)
        : base(CapabilityKind.AnyOf, roles)
    {
    }
}

/// <summary>The caller must hold every one of the roles (ALL_OF).</summary>
public sealed class RequiresAllOfAttribute : CapabilityAttribute
{
    /// <summary>Requires all of the given roles.</summary>
    /// <param name="roles">The role names.</param>
    public RequiresAllOfAttribute(params string[] roles)
        : base(CapabilityKind.AllOf, roles)
    {
    }

    /// <summary>Requires all of the roles named by enum values.</summary>
    /// <param name="roles">Enum values.</param>
    public RequiresAllOfAttribute(params object[] roles)
        : base(CapabilityKind.AllOf, roles)
    {
    }
}
