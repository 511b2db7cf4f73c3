namespace Aster;

/// <summary>How a service's instances are shared between calls (the contract's <c>scoped</c> member).</summary>
public enum ServiceScope
{
    /// <summary>One instance serves every call (SHARED, 0).</summary>
    Shared = 0,

    /// <summary>One instance per client session (SESSION, 1; the legacy name is STREAM).</summary>
    Session = 1,
}
