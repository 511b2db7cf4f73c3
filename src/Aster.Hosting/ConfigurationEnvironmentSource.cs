using Aster.Configuration;
using Microsoft.Extensions.Configuration;

namespace Aster.Hosting;

/// <summary>
/// The environment layer of <see cref="AsterConfig"/> read from an <see cref="IConfiguration"/> section: variable
/// <c>ASTER_X_Y</c> is the section's key <c>x_y</c> (keys are case-insensitive); a missing key falls back to
/// <paramref name="fallback"/> (normally the process environment).
/// </summary>
/// <param name="section">The section, or null for none.</param>
/// <param name="fallback">Consulted for keys the section does not have; null for none.</param>
public sealed class ConfigurationEnvironmentSource(IConfiguration? section, IEnvironmentSource? fallback) : IEnvironmentSource
{
    private const string Prefix = "ASTER_";

    /// <inheritdoc />
    public string? GetVariable(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (section is not null && name.StartsWith(Prefix, StringComparison.Ordinal) && section[name[Prefix.Length..]] is { } value)
        {
            return value;
        }

        return fallback?.GetVariable(name);
    }
}
