using Aster.Client;
using Aster.Codec;
using Aster.Configuration;
using Aster.Configuration.Identity;
using Aster.Net.Identity;

namespace Aster.Cli.Calls;

/// <summary>
/// Who a call is made as: the node key and the consumer credential presented in admission. From <c>--rcan FILE</c>
/// (a credential file, with the <c>.aster-identity</c> next to it for the key), else an identity file's consumer entry
/// (<c>--identity</c>, <c>ASTER_IDENTITY_FILE</c> or <c>./.aster-identity</c>), else an ephemeral key and no credential.
/// </summary>
internal static class CallerIdentity
{
    /// <summary>The codecs of the tool's calls: JSON values only, through the dynamic client.</summary>
#pragma warning disable IL2026, IL3050 // the tool is not trimmed (IsAotCompatible is false)
    private static readonly ICodecProvider _codecs = new ForyCodecProvider();
#pragma warning restore IL2026, IL3050

    /// <summary>Client options carrying the identity; the key (if any) is the caller's to dispose.</summary>
    public static AsterClientOptions Options(CliHost host, string? identityPath, string? peerName, string? rcanPath, TimeSpan connectTimeout)
    {
        // The tool resolves the identity itself (with its --identity/--peer flags and its host's environment and
        // directory), so the library's own pickup is off: IdentityFile is empty and CredentialJson is always set.
        var options = new AsterClientOptions { Codecs = _codecs, ConnectTimeout = connectTimeout, IdentityFile = string.Empty };
        if (rcanPath is not null)
        {
            string rcan = host.ResolvePath(rcanPath);
            options.CredentialJson = File.Exists(rcan) ? File.ReadAllText(rcan) : throw CliException.Failed($"credential file not found: {rcan}");
            string nextTo = Path.Combine(Path.GetDirectoryName(rcan)!, AsterIdentityFile.DefaultFileName);
            AsterIdentityFile? keyFile = Load(host, identityPath ?? (File.Exists(nextTo) ? nextTo : null));
            options.SecretKey = keyFile?.SecretKey;
            return options;
        }

        ResolvedClientIdentity resolved = ClientTrustMapping.ResolveClientIdentity(AsterConfig.Defaults, identityPath is null ? null : host.ResolvePath(identityPath), peerName, host.Environment, host.WorkingDirectory);
        options.SecretKey = resolved.SecretKey;
        options.CredentialJson = resolved.CredentialJson ?? string.Empty;
        foreach (string note in resolved.Notes)
        {
            host.Note(note);
        }

        return options;
    }

    /// <summary>Connects with admission; admission and reachability failures become the documented exit codes.</summary>
    public static async Task<AsterClient> ConnectAsync(EndpointAddr address, AsterClientOptions options, CancellationToken cancellationToken)
    {
        if (address.DirectAddresses.Count == 0)
        {
            throw new CliException(ExitCodes.Unreachable, $"no addressing information for {address.Id}; use an aster1… ticket or a NodeAddr with direct addresses");
        }

        return await AsterClient.ConnectAsync(address, options, cancellationToken).ConfigureAwait(false);
    }

    private static AsterIdentityFile? Load(CliHost host, string? explicitPath)
    {
        string? path = AsterIdentityFile.Discover(explicitPath is null ? null : host.ResolvePath(explicitPath), host.Environment, host.WorkingDirectory);
        return path is null ? null : AsterIdentityFile.Read(path);
    }
}
