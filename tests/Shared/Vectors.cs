using System.Text.Json;

namespace Aster.Testing;

/// <summary>
/// Locates the golden data in <c>../shared/vectors/</c> beside the repository root. Tests read the files in place;
/// they are never copied into the repository. A missing folder makes <see cref="VectorFactAttribute"/> tests skip
/// with a visible reason instead of passing silently.
/// </summary>
internal static class Vectors
{
    private static readonly Lazy<string?> _root = new(FindRoot);

    /// <summary>The absolute path of the vectors folder, or null when it is absent.</summary>
    public static string? Root => _root.Value;

    /// <summary>Why vector tests skip, or null when the folder is present.</summary>
    public static string? SkipReason => Root is null
        ? "../shared/vectors is absent (set ASTER_SHARED_DIR to the shared folder to run golden-vector tests)"
        : null;

    /// <summary>The path of a file under the vectors folder, e.g. <c>Path("fory", "primitives.json")</c>.</summary>
    public static string Path(params string[] parts)
    {
        string root = Root ?? throw new InvalidOperationException(SkipReason);
        return System.IO.Path.Combine([root, .. parts]);
    }

    /// <summary>Parses a vector file as JSON.</summary>
    public static JsonDocument Load(params string[] parts) => JsonDocument.Parse(File.ReadAllBytes(Path(parts)));

    /// <summary>The shared folder (parent of <c>vectors/</c>, <c>interop/</c>, <c>spec/</c>), or null when absent.</summary>
    public static string? SharedRoot => Root is null ? null : System.IO.Path.GetDirectoryName(Root);

    private static string? FindRoot()
    {
        string? env = Environment.GetEnvironmentVariable("ASTER_SHARED_DIR");
        if (!string.IsNullOrEmpty(env))
        {
            string candidate = System.IO.Path.Combine(env, "vectors");
            return Directory.Exists(candidate) ? candidate : null;
        }

        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Directory.Packages.props")))
            {
                string candidate = System.IO.Path.Combine(dir.FullName, "..", "shared", "vectors");
                return Directory.Exists(candidate) ? System.IO.Path.GetFullPath(candidate) : null;
            }
        }

        return null;
    }
}

/// <summary>A fact that needs <c>../shared/vectors</c>; it skips, saying why, only when that folder is absent.</summary>
internal sealed class VectorFactAttribute : FactAttribute
{
    public VectorFactAttribute()
    {
        if (Vectors.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A theory that needs <c>../shared/vectors</c>; it skips, saying why, only when that folder is absent.</summary>
internal sealed class VectorTheoryAttribute : TheoryAttribute
{
    public VectorTheoryAttribute()
    {
        if (Vectors.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
