using System.Text;
using System.Text.Json;
using Aster.Protocol.Json;

namespace Aster.Trust;

/// <summary>
/// The consumer admission request (trust.md 4.2, wire-protocol.md §17):
/// <c>{"credential_json":&lt;string&gt;,"iid_token":&lt;string&gt;}</c>.
/// </summary>
/// <param name="CredentialJson">The credential document as a string (double-encoded), or empty for none.</param>
/// <param name="IidToken">The cloud-identity token, or empty.</param>
public sealed record ConsumerAdmissionRequest(string CredentialJson, string IidToken)
{
    private const string What = "consumer admission request";

    /// <summary>Whether a credential is present: not <c>""</c>, <c>"{}"</c> or <c>"null"</c>.</summary>
    public bool HasCredential => CredentialJson.Length != 0 && CredentialJson is not ("{}" or "null");

    /// <summary>The compact request bytes, keys in the reference order.</summary>
    /// <returns>UTF-8 JSON.</returns>
    public byte[] ToJson() => AdmissionRequestJson.Write(CredentialJson, IidToken);

    /// <summary>Parses a request body (at most 64 KiB, strict JSON).</summary>
    /// <param name="utf8Json">The body.</param>
    /// <returns>The request.</returns>
    /// <exception cref="TrustFormatException">Malformed: not an object, <c>credential_json</c> missing or not a string.</exception>
    public static ConsumerAdmissionRequest Parse(ReadOnlySpan<byte> utf8Json)
    {
        using JsonDocument doc = TrustJson.Parse(utf8Json, What);
        JsonElement root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new TrustFormatException($"{What} is not a JSON object");
        }

        if (!root.TryGetProperty("credential_json", out JsonElement cred))
        {
            throw new TrustFormatException($"{What}: 'credential_json' is missing");
        }

        string credential = TrustJson.GetString(cred, "credential_json", What);
        string iid = root.TryGetProperty("iid_token", out JsonElement t) ? TrustJson.GetString(t, "iid_token", What) : string.Empty;
        return new ConsumerAdmissionRequest(credential, iid);
    }
}

/// <summary>One service entry of a consumer admission response (wire-protocol.md §17).</summary>
public sealed class ServiceSummary
{
    private const string What = "service summary";

    /// <summary>Creates an entry.</summary>
    /// <param name="name">Service name.</param>
    /// <param name="version">Service version.</param>
    /// <param name="contractId">64 hex characters.</param>
    /// <param name="channels">Channel map, e.g. <c>rpc</c> → base64 NodeAddr text.</param>
    /// <param name="pattern"><c>shared</c> or <c>session</c>.</param>
    /// <param name="serializationModes">Serialization mode names.</param>
    public ServiceSummary(string name, long version, string contractId, IReadOnlyDictionary<string, string> channels, string pattern, IReadOnlyList<string> serializationModes)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        Version = version;
        ContractId = contractId ?? throw new ArgumentNullException(nameof(contractId));
        Channels = CredentialAttributes.Copy(channels ?? throw new ArgumentNullException(nameof(channels)));
        Pattern = pattern ?? throw new ArgumentNullException(nameof(pattern));
        SerializationModes = [.. serializationModes ?? throw new ArgumentNullException(nameof(serializationModes))];
    }

    /// <summary>Service name.</summary>
    public string Name { get; }

    /// <summary>Service version.</summary>
    public long Version { get; }

    /// <summary>The contract id as 64 hex characters.</summary>
    public string ContractId { get; }

    /// <summary>The channel map; <c>rpc</c> is the address to dial for <c>aster/1</c>.</summary>
    public IReadOnlyDictionary<string, string> Channels { get; }

    /// <summary><c>shared</c> or <c>session</c>.</summary>
    public string Pattern { get; }

    /// <summary>Serialization modes (empty means XLANG).</summary>
    public IReadOnlyList<string> SerializationModes { get; }

    internal void Write(CompactJsonWriter w)
    {
        w.WriteStartObject();
        w.WritePropertyName("name");
        w.WriteString(Name);
        w.WritePropertyName("version");
        w.WriteNumber(Version);
        w.WritePropertyName("contract_id");
        w.WriteString(ContractId);
        w.WritePropertyName("channels");
        PythonJson.WriteMap(w, Channels);
        w.WritePropertyName("pattern");
        w.WriteString(Pattern);
        w.WritePropertyName("serialization_modes");
        w.WriteStartArray();
        foreach (string mode in SerializationModes)
        {
            w.WriteString(mode);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    internal static ServiceSummary FromElement(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new TrustFormatException($"{What} is not an object");
        }

        string name = TrustJson.GetString(Required(e, "name"), "name", What);
        JsonElement v = Required(e, "version");
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out long version))
        {
            throw new TrustFormatException($"{What}: 'version' is not an integer");
        }

        string contractId = TrustJson.GetString(Required(e, "contract_id"), "contract_id", What);
        TrustJson.DecodeHex(contractId, "contract_id", 32, What);
        IReadOnlyDictionary<string, string> channels = e.TryGetProperty("channels", out JsonElement c)
            ? TrustJson.GetStringMap(c, "channels", What)
            : new Dictionary<string, string>();
        string pattern = e.TryGetProperty("pattern", out JsonElement p) ? TrustJson.GetString(p, "pattern", What) : "shared";
        if (pattern is not ("shared" or "session"))
        {
            throw new TrustFormatException($"{What}: 'pattern' is not shared or session");
        }

        List<string> modes = [];
        if (e.TryGetProperty("serialization_modes", out JsonElement m))
        {
            if (m.ValueKind != JsonValueKind.Array)
            {
                throw new TrustFormatException($"{What}: 'serialization_modes' is not an array");
            }

            foreach (JsonElement mode in m.EnumerateArray())
            {
                modes.Add(TrustJson.GetString(mode, "serialization_modes", What));
            }
        }

        return new ServiceSummary(name, version, contractId, channels, pattern, modes);
    }

    private static JsonElement Required(JsonElement e, string key)
        => e.TryGetProperty(key, out JsonElement v) ? v : throw new TrustFormatException($"{What}: '{key}' is missing");
}

/// <summary>The consumer admission response (trust.md 4.2, wire-protocol.md §17).</summary>
public sealed class ConsumerAdmissionResponse
{
    /// <summary>The most service entries read from a response; extra entries are dropped.</summary>
    public const int MaxServices = 10_000;

    private const string What = "consumer admission response";

    /// <summary>Creates a response.</summary>
    /// <param name="admitted">Whether the peer was admitted.</param>
    /// <param name="attributes">The admitted credential's attributes; empty when denied or auto-admitted.</param>
    /// <param name="services">The services; empty when denied.</param>
    /// <param name="registryNamespace">64-hex namespace id or empty.</param>
    /// <param name="rootPublicKey">The server's root key as hex (64 zeros when it has none; <c>""</c> accepted on input).</param>
    /// <param name="gossipTopic">The producer-mesh topic (64 hex), only for the root-key operator shell; else null.</param>
    public ConsumerAdmissionResponse(bool admitted, IReadOnlyDictionary<string, string> attributes, IReadOnlyList<ServiceSummary> services, string registryNamespace, string rootPublicKey, string? gossipTopic = null)
    {
        Admitted = admitted;
        Attributes = CredentialAttributes.Copy(attributes ?? throw new ArgumentNullException(nameof(attributes)));
        Services = [.. services ?? throw new ArgumentNullException(nameof(services))];
        RegistryNamespace = registryNamespace ?? throw new ArgumentNullException(nameof(registryNamespace));
        RootPublicKey = rootPublicKey ?? throw new ArgumentNullException(nameof(rootPublicKey));
        GossipTopic = gossipTopic;
    }

    /// <summary>Whether the peer was admitted.</summary>
    public bool Admitted { get; }

    /// <summary>The admitted attributes.</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; }

    /// <summary>The advertised services.</summary>
    public IReadOnlyList<ServiceSummary> Services { get; }

    /// <summary>The registry namespace id (64 hex) or empty.</summary>
    public string RegistryNamespace { get; }

    /// <summary>The server's root public key as hex, 64 zeros, or empty.</summary>
    public string RootPublicKey { get; }

    /// <summary>The producer-mesh topic, or null when absent.</summary>
    public string? GossipTopic { get; }

    /// <summary>The uniform denial (trust.md 4.5): reveals nothing about why.</summary>
    /// <param name="rootPublicKeyHex">The server's root key as hex.</param>
    /// <returns>The denial.</returns>
    public static ConsumerAdmissionResponse Denied(string rootPublicKeyHex)
        => new(false, new Dictionary<string, string>(), [], string.Empty, rootPublicKeyHex);

    /// <summary>The compact response bytes, keys in the reference order; <c>reason</c> is always empty.</summary>
    /// <returns>UTF-8 JSON.</returns>
    public byte[] ToJson() => PythonJson.Compact(w =>
    {
        w.WriteStartObject();
        w.WritePropertyName("admitted");
        w.WriteBoolean(Admitted);
        w.WritePropertyName("attributes");
        PythonJson.WriteMap(w, Attributes);
        w.WritePropertyName("services");
        w.WriteStartArray();
        foreach (ServiceSummary s in Services)
        {
            s.Write(w);
        }

        w.WriteEndArray();
        w.WritePropertyName("registry_namespace");
        w.WriteString(RegistryNamespace);
        w.WritePropertyName("root_pubkey");
        w.WriteString(RootPublicKey);
        w.WritePropertyName("reason");
        w.WriteString(string.Empty);
        if (GossipTopic is not null)
        {
            w.WritePropertyName("gossip_topic");
            w.WriteString(GossipTopic);
        }

        w.WriteEndObject();
    });

    /// <summary>Parses a response (at most 64 KiB, strict JSON; unknown keys ignored; legacy aliases accepted).</summary>
    /// <param name="utf8Json">The body.</param>
    /// <returns>The response.</returns>
    /// <exception cref="TrustFormatException">Malformed.</exception>
    public static ConsumerAdmissionResponse Parse(ReadOnlySpan<byte> utf8Json)
    {
        using JsonDocument doc = TrustJson.Parse(utf8Json, What);
        JsonElement root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new TrustFormatException($"{What} is not a JSON object");
        }

        if (!root.TryGetProperty("admitted", out JsonElement a) || a.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            throw new TrustFormatException($"{What}: 'admitted' is missing or not a boolean");
        }

        IReadOnlyDictionary<string, string> attributes = root.TryGetProperty("attributes", out JsonElement at)
            ? TrustJson.GetStringMap(at, "attributes", What)
            : new Dictionary<string, string>();
        List<ServiceSummary> services = [];
        if (root.TryGetProperty("services", out JsonElement sv))
        {
            if (sv.ValueKind != JsonValueKind.Array)
            {
                throw new TrustFormatException($"{What}: 'services' is not an array");
            }

            foreach (JsonElement s in sv.EnumerateArray())
            {
                if (services.Count == MaxServices)
                {
                    break;
                }

                services.Add(ServiceSummary.FromElement(s));
            }
        }

        string ns = OptionalString(root, "registry_namespace", "registry_ticket");
        string rootKey = OptionalString(root, "root_pubkey", "rootPubkey");
        if (rootKey.Length != 0)
        {
            TrustJson.DecodeHex(rootKey, "root_pubkey", 32, What);
        }

        string? topic = null;
        if (root.TryGetProperty("gossip_topic", out JsonElement g) && g.ValueKind != JsonValueKind.Null)
        {
            topic = TrustJson.GetString(g, "gossip_topic", What);
            TrustJson.DecodeHex(topic, "gossip_topic", 32, What);
        }

        return new ConsumerAdmissionResponse(a.ValueKind == JsonValueKind.True, attributes, services, ns, rootKey, topic);
    }

    private static string OptionalString(JsonElement root, string key, string alias)
    {
        if (root.TryGetProperty(key, out JsonElement v) || root.TryGetProperty(alias, out v))
        {
            return TrustJson.GetString(v, key, What);
        }

        return string.Empty;
    }
}

/// <summary>The producer admission request (trust.md 4.3).</summary>
/// <param name="CredentialJson">The producer credential document (3.8.2) as a string.</param>
/// <param name="IidToken">The cloud-identity token, or empty.</param>
public sealed record ProducerAdmissionRequest(string CredentialJson, string IidToken)
{
    private const string What = "producer admission request";

    /// <summary>The compact request bytes.</summary>
    /// <returns>UTF-8 JSON.</returns>
    public byte[] ToJson() => AdmissionRequestJson.Write(CredentialJson, IidToken);

    /// <summary>
    /// Parses a request: <c>credential_json</c> (or <c>credentialJson</c>), or a body that is itself the raw credential
    /// document (reference Python back-compat).
    /// </summary>
    /// <param name="utf8Json">The body (at most 64 KiB).</param>
    /// <returns>The request.</returns>
    /// <exception cref="TrustFormatException">Malformed.</exception>
    public static ProducerAdmissionRequest Parse(ReadOnlySpan<byte> utf8Json)
    {
        using JsonDocument doc = TrustJson.Parse(utf8Json, What);
        JsonElement root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new TrustFormatException($"{What} is not a JSON object");
        }

        string iid = root.TryGetProperty("iid_token", out JsonElement t) ? TrustJson.GetString(t, "iid_token", What) : string.Empty;
        if (root.TryGetProperty("credential_json", out JsonElement c) || root.TryGetProperty("credentialJson", out c))
        {
            return new ProducerAdmissionRequest(TrustJson.GetString(c, "credential_json", What), iid);
        }

        if (root.TryGetProperty("endpoint_id", out _) || root.TryGetProperty("endpointId", out _))
        {
            return new ProducerAdmissionRequest(Encoding.UTF8.GetString(utf8Json), string.Empty);
        }

        throw new TrustFormatException($"{What}: 'credential_json' is missing");
    }
}

/// <summary>The producer admission response (trust.md 4.3).</summary>
public sealed class ProducerAdmissionResponse
{
    private const string What = "producer admission response";

    /// <summary>Creates a response.</summary>
    /// <param name="accepted">Whether the joiner was accepted.</param>
    /// <param name="salt">The mesh salt as 64 hex when accepted, else empty.</param>
    /// <param name="acceptedProducers">Member endpoint ids (sorted on output).</param>
    /// <param name="saltRotationJson">The compact rotation statement without its salt, or null.</param>
    public ProducerAdmissionResponse(bool accepted, string salt, IReadOnlyList<string> acceptedProducers, string? saltRotationJson = null)
    {
        Accepted = accepted;
        Salt = salt ?? throw new ArgumentNullException(nameof(salt));
        string[] members = [.. acceptedProducers ?? throw new ArgumentNullException(nameof(acceptedProducers))];
        Array.Sort(members, StringComparer.Ordinal);
        AcceptedProducers = members;
        SaltRotationJson = saltRotationJson;
    }

    /// <summary>Whether the joiner was accepted.</summary>
    public bool Accepted { get; }

    /// <summary>The mesh salt as 64 hex, or empty.</summary>
    public string Salt { get; }

    /// <summary>The sorted member list.</summary>
    public IReadOnlyList<string> AcceptedProducers { get; }

    /// <summary>The <c>salt_rotation</c> object as compact JSON, or null.</summary>
    public string? SaltRotationJson { get; }

    /// <summary>The uniform rejection (trust.md 4.5).</summary>
    /// <returns>The rejection.</returns>
    public static ProducerAdmissionResponse Rejected() => new(false, string.Empty, []);

    /// <summary>The compact response bytes.</summary>
    /// <returns>UTF-8 JSON.</returns>
    public byte[] ToJson() => PythonJson.Compact(w =>
    {
        w.WriteStartObject();
        w.WritePropertyName("accepted");
        w.WriteBoolean(Accepted);
        w.WritePropertyName("salt");
        w.WriteString(Salt);
        w.WritePropertyName("accepted_producers");
        w.WriteStartArray();
        foreach (string m in AcceptedProducers)
        {
            w.WriteString(m);
        }

        w.WriteEndArray();
        w.WritePropertyName("reason");
        w.WriteString(string.Empty);
        if (SaltRotationJson is not null)
        {
            w.WritePropertyName("salt_rotation");
            w.WriteRaw(Encoding.UTF8.GetBytes(SaltRotationJson));
        }

        w.WriteEndObject();
    });

    /// <summary>
    /// Parses a response. An accepted response must carry a 64-hex salt and 64-lowercase-hex member ids
    /// (trust.md T38: <c>accepted</c> with an empty salt is malformed: "bootstrap peer has no mesh salt").
    /// </summary>
    /// <param name="utf8Json">The body (at most 64 KiB).</param>
    /// <returns>The response.</returns>
    /// <exception cref="TrustFormatException">Malformed.</exception>
    public static ProducerAdmissionResponse Parse(ReadOnlySpan<byte> utf8Json)
    {
        using JsonDocument doc = TrustJson.Parse(utf8Json, What);
        JsonElement root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("accepted", out JsonElement a) || a.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            throw new TrustFormatException($"{What}: 'accepted' is missing or not a boolean");
        }

        bool accepted = a.ValueKind == JsonValueKind.True;
        string salt = root.TryGetProperty("salt", out JsonElement s) ? TrustJson.GetString(s, "salt", What) : string.Empty;
        List<string> members = [];
        if (root.TryGetProperty("accepted_producers", out JsonElement m) || root.TryGetProperty("acceptedProducers", out m))
        {
            if (m.ValueKind != JsonValueKind.Array)
            {
                throw new TrustFormatException($"{What}: 'accepted_producers' is not an array");
            }

            foreach (JsonElement e in m.EnumerateArray())
            {
                string id = TrustJson.GetString(e, "accepted_producers", What);
                if (!TrustJson.IsLowerHex64(id))
                {
                    throw new TrustFormatException($"{What}: a member id is not 64 lowercase hex characters");
                }

                members.Add(id);
            }
        }

        if (accepted)
        {
            if (salt.Length == 0)
            {
                throw new TrustFormatException("bootstrap peer has no mesh salt");
            }

            TrustJson.DecodeHex(salt, "salt", 32, What);
        }

        string? rotation = root.TryGetProperty("salt_rotation", out JsonElement r) && r.ValueKind != JsonValueKind.Null ? r.GetRawText() : null;
        return new ProducerAdmissionResponse(accepted, salt, members, rotation);
    }
}

/// <summary>The body both admission requests share: <c>{"credential_json":…,"iid_token":…}</c>, keys in the reference order.</summary>
internal static class AdmissionRequestJson
{
    public static byte[] Write(string credentialJson, string iidToken) => PythonJson.Compact(w =>
    {
        w.WriteStartObject();
        w.WritePropertyName("credential_json");
        w.WriteString(credentialJson);
        w.WritePropertyName("iid_token");
        w.WriteString(iidToken);
        w.WriteEndObject();
    });
}
