namespace Aster.Configuration;

/// <summary>Where <see cref="AsterConfig"/> reads <c>ASTER_*</c> variables from. Injectable so tests need no process environment.</summary>
public interface IEnvironmentSource
{
    /// <summary>The value of a variable, or null when it is not set.</summary>
    /// <param name="name">The variable name.</param>
    /// <returns>The value or null.</returns>
    string? GetVariable(string name);
}

/// <summary>The process environment.</summary>
public sealed class SystemEnvironmentSource : IEnvironmentSource
{
    private SystemEnvironmentSource()
    {
    }

    /// <summary>The single instance.</summary>
    public static SystemEnvironmentSource Instance { get; } = new();

    /// <inheritdoc/>
    public string? GetVariable(string name) => Environment.GetEnvironmentVariable(name);
}

/// <summary>An environment held in a dictionary (tests, embedding hosts).</summary>
public sealed class DictionaryEnvironmentSource : IEnvironmentSource
{
    private readonly Dictionary<string, string> _variables;

    /// <summary>Creates the source from a copy of <paramref name="variables"/>.</summary>
    /// <param name="variables">Variable names and values.</param>
    public DictionaryEnvironmentSource(IEnumerable<KeyValuePair<string, string>> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        _variables = new Dictionary<string, string>(variables, StringComparer.Ordinal);
    }

    /// <inheritdoc/>
    public string? GetVariable(string name) => _variables.TryGetValue(name, out var v) ? v : null;
}
