using Aster.Configuration;
using Aster.Trust;

namespace Aster.Cli.Keys;

/// <summary>
/// Operator profiles and their root keys (config-and-cli.md 7.2 and 10.3). This build has no OS keyring, so a
/// profile's root key lives in a 0600 key file under <c>~/.aster</c>: <c>root.key</c> when that is free, else
/// <c>root-&lt;profile&gt;.key</c>. The profile records only the public key; the file whose public key matches is its key.
/// </summary>
internal static class ProfileKeys
{
    public static string ProfilesPath(CliHost host) => OperatorProfiles.PathUnder(host.HomeDirectory);

    public static OperatorProfiles Load(CliHost host) => OperatorProfiles.Load(ProfilesPath(host));

    public static void Save(CliHost host, OperatorProfiles profiles) => profiles.Save(ProfilesPath(host));

    public static string DefaultRootKeyPath(CliHost host) => Path.Combine(host.AsterDirectory, KeyFiles.RootKeyFileName);

    /// <summary>Where a new root key for <paramref name="profile"/> goes: <c>root.key</c> if absent, else <c>root-&lt;profile&gt;.key</c>.</summary>
    public static string NewKeyPathFor(CliHost host, string profile)
    {
        string shared = DefaultRootKeyPath(host);
        return File.Exists(shared) ? Path.Combine(host.AsterDirectory, $"root-{profile}.key") : shared;
    }

    /// <summary>The key file whose public key is the profile's <c>root_pubkey</c>, or null.</summary>
    public static string? KeyFileFor(CliHost host, OperatorProfile profile)
    {
        if (profile.RootPubkey is not { } expected)
        {
            return null;
        }

        foreach (string candidate in (string[])[Path.Combine(host.AsterDirectory, $"root-{profile.Name}.key"), DefaultRootKeyPath(host)])
        {
            if (!File.Exists(candidate))
            {
                continue;
            }

            using RootKey key = KeyFiles.ReadRootKey(candidate);
            if (string.Equals(Convert.ToHexStringLower(key.PublicKey), expected.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// The <c>root_pubkey</c> recorded by the profile in effect (<paramref name="profileOption"/>, <c>ASTER_PROFILE</c>,
    /// <c>active_profile</c>), or null when it records none.
    /// </summary>
    /// <exception cref="CliException">A profile named by the option or <c>ASTER_PROFILE</c> does not exist.</exception>
    public static string? RecordedRootPubkey(CliHost host, string? profileOption) => FindProfile(host, profileOption)?.RootPubkey;

    private static OperatorProfile? FindProfile(CliHost host, string? profileOption)
    {
        OperatorProfiles profiles = Load(host);
        string name = profiles.Resolve(profileOption, host.Environment);
        OperatorProfile? profile = profiles.Find(name);
        if (profile is null && (profileOption is not null || host.Environment.GetVariable(OperatorProfiles.EnvironmentVariable) is { Length: > 0 }))
        {
            throw CliException.Failed($"no profile named '{name}' (see 'aster profile list')");
        }

        return profile;
    }

    /// <summary>
    /// The root key file that signs: <c>--root-key</c>, else the key of the profile in effect (<c>--profile</c>,
    /// <c>ASTER_PROFILE</c>, <c>active_profile</c>) when it records a root key, else <c>~/.aster/root.key</c>.
    /// </summary>
    /// <exception cref="CliException">A named profile does not exist, or the profile's key file is missing.</exception>
    public static string ResolveSigningKey(CliHost host, string? rootKeyOption, string? profileOption)
    {
        if (rootKeyOption is not null)
        {
            return host.ResolvePath(rootKeyOption);
        }

        OperatorProfile? profile = FindProfile(host, profileOption);
        if (profile?.RootPubkey is null)
        {
            return DefaultRootKeyPath(host);
        }

        return KeyFileFor(host, profile)
            ?? throw CliException.Failed($"profile '{profile.Name}' records root key {profile.RootPubkey} but no key file in {host.AsterDirectory} holds it (expected root-{profile.Name}.key or root.key); pass --root-key FILE");
    }
}
