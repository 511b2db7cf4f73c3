using Aster.Net.Identity;
using Aster.Trust;

namespace Aster.Cli.Keys;

/// <summary>A credential just signed: exactly one of the two is set.</summary>
internal sealed record SignedCredential(EnrollmentCredential? Producer, ConsumerEnrollmentCredential? Consumer)
{
    /// <summary>The credential file text (trust.md 3.8.3).</summary>
    public string FileJson => Producer?.ToFileJson() ?? Consumer!.ToFileJson();
}

/// <summary>Signs producer, policy and one-time-token credentials with a root key (shared by <c>enroll node</c> and <c>trust sign</c>).</summary>
internal static class CredentialSigner
{
    /// <summary>Signs a credential of <paramref name="type"/> (<c>producer</c>, <c>policy</c> or <c>ott</c>).</summary>
    /// <exception cref="CliException">A producer without an endpoint id (usage error).</exception>
    public static SignedCredential Sign(RootKey root, string type, EndpointId? endpoint, DateTimeOffset expires, IReadOnlyDictionary<string, string> attributes)
    {
        ulong expiresAt = (ulong)expires.ToUnixTimeSeconds();
        return type switch
        {
            "producer" => new(root.SignProducer(endpoint ?? throw CliException.Usage("a producer credential needs the producer's endpoint id"), expiresAt, attributes), null),
            "ott" => new(null, root.SignOneTimeToken(endpoint, expiresAt, attributes)),
            "policy" => new(null, root.SignPolicy(endpoint, expiresAt, attributes)),
            _ => throw CliException.Usage($"unknown credential type '{type}' (producer, policy or ott)"),
        };
    }
}
