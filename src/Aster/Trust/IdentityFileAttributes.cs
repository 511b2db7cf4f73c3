namespace Aster.Trust;

/// <summary>
/// Recovers the signed attribute map of an <c>.aster-identity</c> peer entry written by the reference, which omits
/// <c>aster.role</c> when it equals the entry's <c>role</c> and <c>aster.name</c> when it equals <c>name</c>
/// (trust.md 3.8.4).
/// </summary>
public static class IdentityFileAttributes
{
    /// <summary>
    /// Tries the candidate maps in order — (a) as written, (b) plus <c>aster.role = role</c>, (c) plus
    /// <c>aster.name = name</c>, (d) both — and returns the first whose signature verifies.
    /// </summary>
    /// <param name="written">The attributes table as written in the file.</param>
    /// <param name="role">The entry's <c>role</c>, or null.</param>
    /// <param name="name">The entry's <c>name</c>, or null.</param>
    /// <param name="verifies">Builds the credential with a candidate map and checks its signature.</param>
    /// <returns>The signed map, or null when no candidate verifies (the entry is unusable).</returns>
    public static IReadOnlyDictionary<string, string>? Recover(IReadOnlyDictionary<string, string> written, string? role, string? name, Func<IReadOnlyDictionary<string, string>, bool> verifies)
    {
        ArgumentNullException.ThrowIfNull(written);
        ArgumentNullException.ThrowIfNull(verifies);
        bool addRole = role is not null && !written.ContainsKey("aster.role");
        bool addName = name is not null && !written.ContainsKey("aster.name");
        List<Dictionary<string, string>> candidates = [new(written, StringComparer.Ordinal)];
        if (addRole)
        {
            candidates.Add(new(written, StringComparer.Ordinal) { ["aster.role"] = role! });
        }

        if (addName)
        {
            candidates.Add(new(written, StringComparer.Ordinal) { ["aster.name"] = name! });
        }

        if (addRole && addName)
        {
            candidates.Add(new(written, StringComparer.Ordinal) { ["aster.role"] = role!, ["aster.name"] = name! });
        }

        foreach (Dictionary<string, string> candidate in candidates)
        {
            if (verifies(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
