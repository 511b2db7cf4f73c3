using Aster.Trust;

namespace Aster.Client;

/// <summary>
/// What a client learnt from its latest consumer admission (trust.md 4.2 client step 5), kept for later use: the
/// services, the registry namespace (where manifests and leases live), the producer-mesh topic (only the root-key
/// holder's shell is told it) and the server's root key.
/// </summary>
public sealed class AdmissionResult
{
    /// <summary>Creates a result from the admitted response.</summary>
    /// <param name="response">The response, <c>admitted: true</c>.</param>
    /// <param name="openGate">True when no credential was sent (auto-admitted through the open consumer gate).</param>
    /// <exception cref="ArgumentException">The response is a denial.</exception>
    public AdmissionResult(ConsumerAdmissionResponse response, bool openGate)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (!response.Admitted)
        {
            throw new ArgumentException("A denial carries no admission result.", nameof(response));
        }

        Attributes = response.Attributes;
        Services = response.Services;
        RegistryNamespace = response.RegistryNamespace;
        GossipTopic = response.GossipTopic;
        RootPublicKey = response.RootPublicKey;
        OpenGate = openGate;
    }

    /// <summary>The admitted credential's attributes; empty for an open-gate admission.</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; }

    /// <summary>The advertised services.</summary>
    public IReadOnlyList<ServiceSummary> Services { get; }

    /// <summary>The registry namespace id (64 hex), or empty when the server has none (registry.md: skip registry work).</summary>
    public string RegistryNamespace { get; }

    /// <summary>The producer-mesh topic (64 hex), present only when this client's key is the deployment's root key; else null.</summary>
    public string? GossipTopic { get; }

    /// <summary>The server's root public key as hex; 64 zeros (or empty, from a TypeScript peer) when it has none.</summary>
    public string RootPublicKey { get; }

    /// <summary>True when no credential was sent (trust.md 4.2: <c>open_gate</c>).</summary>
    public bool OpenGate { get; }
}
