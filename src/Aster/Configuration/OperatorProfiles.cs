using System.Text;
using Aster.Configuration.Toml;

namespace Aster.Configuration;

/// <summary>
/// The operator profiles of <c>~/.aster/config.toml</c> (config-and-cli.md 7.2): the top-level
/// <c>active_profile</c> and one <c>[profiles.&lt;name&gt;]</c> table per profile. Every other key and table, and
/// every unknown key of a profile, is kept and written back (values as parsed; comments and layout are not kept).
/// </summary>
public sealed class OperatorProfiles
{
    /// <summary>The file name inside <c>~/.aster</c>.</summary>
    public const string FileName = "config.toml";

    /// <summary>The variable that selects a profile (a <c>--profile</c> option wins over it).</summary>
    public const string EnvironmentVariable = "ASTER_PROFILE";

    /// <summary>The profile used when none is named anywhere.</summary>
    public const string DefaultProfile = "default";

    private const string ActiveKey = "active_profile";
    private const string ProfilesKey = "profiles";

    private readonly List<KeyValuePair<string, string>> _otherKeys = [];
    private readonly List<KeyValuePair<string, List<KeyValuePair<string, string>>>> _otherTables = [];
    private readonly List<OperatorProfile> _profiles = [];

    /// <summary>The <c>active_profile</c> value (<see cref="DefaultProfile"/> when the file has none).</summary>
    public string ActiveProfile { get; set; } = DefaultProfile;

    /// <summary>The profiles, in file order.</summary>
    public IReadOnlyList<OperatorProfile> Profiles => _profiles;

    /// <summary>The file under a home directory: <c>HOME/.aster/config.toml</c>.</summary>
    /// <param name="homeDirectory">The user's home directory.</param>
    /// <returns>The path.</returns>
    public static string PathUnder(string homeDirectory) => Path.Combine(homeDirectory, ".aster", FileName);

    /// <summary>Reads the file; a missing file is an empty set of profiles.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The profiles.</returns>
    /// <exception cref="ConfigurationException">The file is not valid TOML, or a known key has the wrong type (file, line and key named).</exception>
    public static OperatorProfiles Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var result = new OperatorProfiles();
        if (!File.Exists(path))
        {
            return result;
        }

        TomlTable root = TomlReader.ParseFile(path);
        foreach (string key in root.Keys)
        {
            TomlValue value = root[key];
            if (key == ActiveKey)
            {
                result.ActiveProfile = value.Kind == TomlValueKind.String && IsValidName(value.AsString)
                    ? value.AsString
                    : throw new ConfigurationException($"{ActiveKey} must be a profile name (letters, digits, '-' or '_')", path, value.Line, value.Column, ActiveKey);
            }
            else if (key == ProfilesKey)
            {
                if (value.Kind != TomlValueKind.Table)
                {
                    throw new ConfigurationException($"{ProfilesKey} must be a table of [profiles.<name>] tables", path, value.Line, value.Column, ProfilesKey);
                }

                foreach (string name in value.AsTable.Keys)
                {
                    TomlValue body = value.AsTable[name];
                    if (body.Kind != TomlValueKind.Table || !IsValidName(name))
                    {
                        throw new ConfigurationException($"profiles.{name} must be a table named with letters, digits, '-' or '_'", path, body.Line, body.Column, $"profiles.{name}");
                    }

                    var profile = new OperatorProfile(name);
                    foreach (string entry in body.AsTable.Keys)
                    {
                        profile.SetRendered(entry, body.AsTable[entry]);
                    }

                    result._profiles.Add(profile);
                }
            }
            else if (value.Kind == TomlValueKind.Table && !value.IsArrayOfTables)
            {
                result._otherTables.Add(new(key, [.. value.AsTable.Keys.Select(k => KeyValuePair.Create(k, TomlWriter.Value(value.AsTable[k])))]));
            }
            else
            {
                result._otherKeys.Add(KeyValuePair.Create(key, TomlWriter.Value(value)));
            }
        }

        return result;
    }

    /// <summary>True when <paramref name="name"/> can name a profile: 1 to 64 letters, digits, <c>-</c> or <c>_</c>.</summary>
    /// <param name="name">The candidate.</param>
    /// <returns>Whether it is valid.</returns>
    public static bool IsValidName(string name)
        => !string.IsNullOrEmpty(name) && name.Length <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>The profile in effect: <paramref name="explicitName"/> (a <c>--profile</c> option), else <c>ASTER_PROFILE</c>, else <see cref="ActiveProfile"/>.</summary>
    /// <param name="explicitName">The name given on the command line, or null.</param>
    /// <param name="environment">The environment.</param>
    /// <returns>The name (the profile need not exist).</returns>
    public string Resolve(string? explicitName, IEnvironmentSource environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return explicitName is { Length: > 0 } ? explicitName
            : environment.GetVariable(EnvironmentVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment
            : ActiveProfile;
    }

    /// <summary>The profile named <paramref name="name"/>, or null.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The profile or null.</returns>
    public OperatorProfile? Find(string name) => _profiles.Find(p => p.Name == name);

    /// <summary>Adds an empty profile.</summary>
    /// <param name="name">A valid, unused name.</param>
    /// <returns>The new profile.</returns>
    /// <exception cref="ArgumentException">The name is invalid or used.</exception>
    public OperatorProfile Add(string name)
    {
        if (!IsValidName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid profile name (letters, digits, '-' or '_')", nameof(name));
        }

        if (Find(name) is not null)
        {
            throw new ArgumentException($"profile '{name}' exists already", nameof(name));
        }

        var profile = new OperatorProfile(name);
        _profiles.Add(profile);
        return profile;
    }

    /// <summary>Removes a profile; if it was active, <see cref="ActiveProfile"/> goes back to <see cref="DefaultProfile"/>.</summary>
    /// <param name="name">The name.</param>
    /// <returns>Whether it existed.</returns>
    public bool Remove(string name)
    {
        bool removed = _profiles.RemoveAll(p => p.Name == name) > 0;
        if (removed && ActiveProfile == name)
        {
            ActiveProfile = DefaultProfile;
        }

        return removed;
    }

    /// <summary>Writes the file atomically (temporary file, then rename), creating <c>~/.aster</c> with mode 0700.</summary>
    /// <param name="path">The file.</param>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var text = new StringBuilder();
        text.Append(ActiveKey).Append(" = ").Append(TomlWriter.Quote(ActiveProfile)).Append('\n');
        foreach (var (key, rendered) in _otherKeys)
        {
            text.Append(TomlWriter.Key(key)).Append(" = ").Append(rendered).Append('\n');
        }

        foreach (var (name, body) in _otherTables)
        {
            AppendTable(text, TomlWriter.Key(name), body);
        }

        foreach (OperatorProfile profile in _profiles)
        {
            AppendTable(text, ProfilesKey + "." + TomlWriter.Key(profile.Name), profile.Entries);
        }

        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            StorageLock.CreatePrivateDirectory(directory);
        }

        string temporary = path + ".tmp";
        File.WriteAllText(temporary, text.ToString(), new UTF8Encoding(false));
        File.Move(temporary, path, overwrite: true);
    }

    private static void AppendTable(StringBuilder text, string header, IEnumerable<KeyValuePair<string, string>> body)
    {
        text.Append('\n').Append('[').Append(header).Append("]\n");
        foreach (var (key, rendered) in body)
        {
            text.Append(TomlWriter.Key(key)).Append(" = ").Append(rendered).Append('\n');
        }
    }
}

/// <summary>One <c>[profiles.&lt;name&gt;]</c> table: the known keys of config-and-cli.md 7.2 and any others, in order.</summary>
public sealed class OperatorProfile
{
    private readonly List<KeyValuePair<string, string>> _entries = [];
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);

    internal OperatorProfile(string name) => Name = name;

    /// <summary>The profile's name.</summary>
    public string Name { get; }

    /// <summary>The deployment's root public key (64 hex), if recorded.</summary>
    public string? RootPubkey
    {
        get => GetString("root_pubkey");
        set => SetString("root_pubkey", value);
    }

    /// <summary>Every key with its value as TOML text, in order (unknown keys included).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Entries => _entries;

    /// <summary>A string-valued key, or null when absent or not a string.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value or null.</returns>
    public string? GetString(string key) => _strings.TryGetValue(key, out string? value) ? value : null;

    /// <summary>Sets (or, with null, removes) a string-valued key, keeping its position.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value, or null to remove.</param>
    public void SetString(string key, string? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        int index = _entries.FindIndex(e => e.Key == key);
        if (value is null)
        {
            _strings.Remove(key);
            if (index >= 0)
            {
                _entries.RemoveAt(index);
            }

            return;
        }

        _strings[key] = value;
        var entry = KeyValuePair.Create(key, TomlWriter.Quote(value));
        if (index >= 0)
        {
            _entries[index] = entry;
        }
        else
        {
            _entries.Add(entry);
        }
    }

    internal void SetRendered(string key, TomlValue value)
    {
        if (value.Kind == TomlValueKind.String)
        {
            _strings[key] = value.AsString;
        }

        _entries.Add(KeyValuePair.Create(key, TomlWriter.Value(value)));
    }
}
