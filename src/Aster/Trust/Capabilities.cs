using Aster.Contracts;

namespace Aster.Trust;

/// <summary>Gate 3 evaluation as pure functions (trust.md 7.5).</summary>
public static class CapabilityEvaluator
{
    /// <summary>The only attribute Gate 3 reads.</summary>
    public const string RoleAttribute = "aster.role";

    /// <summary>
    /// The caller's role set: <c>aster.role</c> split on <c>,</c>, each part trimmed, empty parts dropped. A missing
    /// key gives the empty set. Matching is exact and case-sensitive.
    /// </summary>
    /// <param name="attributes">The caller's admission attributes.</param>
    /// <returns>The role set.</returns>
    public static IReadOnlySet<string> CallerRoles(IReadOnlyDictionary<string, string>? attributes)
    {
        HashSet<string> roles = new(StringComparer.Ordinal);
        if (attributes is not null && attributes.TryGetValue(RoleAttribute, out string? value) && value is not null)
        {
            foreach (string part in value.Split(','))
            {
                string trimmed = part.Trim();
                if (trimmed.Length != 0)
                {
                    roles.Add(trimmed);
                }
            }
        }

        return roles;
    }

    /// <summary>Whether a role set satisfies one requirement; an unknown kind never does (fail closed).</summary>
    /// <param name="requirement">The requirement.</param>
    /// <param name="callerRoles">The caller's roles.</param>
    /// <returns>True when satisfied.</returns>
    public static bool IsSatisfied(CapabilityRequirement requirement, IReadOnlySet<string> callerRoles)
    {
        ArgumentNullException.ThrowIfNull(requirement);
        ArgumentNullException.ThrowIfNull(callerRoles);
        return requirement.Kind switch
        {
            CapabilityKind.Role => callerRoles.Contains(requirement.Roles[0]),
            CapabilityKind.AnyOf => requirement.Roles.Any(callerRoles.Contains),
            CapabilityKind.AllOf => requirement.Roles.All(callerRoles.Contains),
            _ => false,
        };
    }

    /// <summary>
    /// Evaluates the service-level and method-level requirements; both must pass when present, and a call with
    /// neither passes.
    /// </summary>
    /// <param name="serviceRequirement">The service baseline, or null.</param>
    /// <param name="methodRequirement">The method requirement, or null.</param>
    /// <param name="attributes">The caller's admission attributes.</param>
    /// <returns>The outcome.</returns>
    public static CapabilityDecision Evaluate(CapabilityRequirement? serviceRequirement, CapabilityRequirement? methodRequirement, IReadOnlyDictionary<string, string>? attributes)
    {
        string? roles = attributes is not null && attributes.TryGetValue(RoleAttribute, out string? value) ? value : null;
        if (serviceRequirement is not null && !IsSatisfied(serviceRequirement, roles))
        {
            return CapabilityDecision.ServiceDenied;
        }

        if (methodRequirement is not null && !IsSatisfied(methodRequirement, roles))
        {
            return CapabilityDecision.MethodDenied;
        }

        return CapabilityDecision.Allowed;
    }

    /// <summary>
    /// <see cref="IsSatisfied(CapabilityRequirement, IReadOnlySet{string})"/> straight from the <c>aster.role</c> text,
    /// without building the set: this runs on every gated call.
    /// </summary>
    private static bool IsSatisfied(CapabilityRequirement requirement, string? roleAttribute)
    {
        IReadOnlyList<string> roles = requirement.Roles;
        switch (requirement.Kind)
        {
            case CapabilityKind.Role:
                return HasRole(roleAttribute, roles[0]);
            case CapabilityKind.AnyOf:
                for (int i = 0; i < roles.Count; i++)
                {
                    if (HasRole(roleAttribute, roles[i]))
                    {
                        return true;
                    }
                }

                return false;
            case CapabilityKind.AllOf:
                for (int i = 0; i < roles.Count; i++)
                {
                    if (!HasRole(roleAttribute, roles[i]))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return false;
        }
    }

    /// <summary>Whether <paramref name="role"/> is one of the comma-separated, trimmed, non-empty parts.</summary>
    private static bool HasRole(string? roleAttribute, string role)
    {
        if (roleAttribute is null)
        {
            return false;
        }

        ReadOnlySpan<char> rest = roleAttribute;
        while (true)
        {
            int comma = rest.IndexOf(',');
            ReadOnlySpan<char> part = (comma < 0 ? rest : rest[..comma]).Trim();
            if (part.Length != 0 && part.SequenceEqual(role))
            {
                return true;
            }

            if (comma < 0)
            {
                return false;
            }

            rest = rest[(comma + 1)..];
        }
    }

    /// <summary>The reference's PERMISSION_DENIED message for a decision.</summary>
    /// <param name="decision">A denial.</param>
    /// <param name="service">The service name.</param>
    /// <param name="method">The method name.</param>
    /// <returns>The message, or empty for <see cref="CapabilityDecision.Allowed"/>.</returns>
    public static string DenialMessage(CapabilityDecision decision, string service, string method) => decision switch
    {
        CapabilityDecision.ServiceDenied => $"capability check failed for service '{service}'",
        CapabilityDecision.MethodDenied => $"capability check failed for method '{service}.{method}'",
        _ => string.Empty,
    };
}

/// <summary>The outcome of a Gate 3 evaluation.</summary>
public enum CapabilityDecision
{
    /// <summary>The call may proceed.</summary>
    Allowed = 0,

    /// <summary>The service-level requirement failed.</summary>
    ServiceDenied = 1,

    /// <summary>The method-level requirement failed.</summary>
    MethodDenied = 2,
}
