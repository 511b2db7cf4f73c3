using System.Net;
using System.Text;
using System.Text.Json;

namespace Aster.Trust.Mesh;

/// <summary>
/// The first frame on a gossip link, in each direction (ours, docs/mesh.md): compact JSON
/// <c>{"topic":hex,"credential":{…}|null,"addrs":{id:["ip:port",…]}}</c>. Naming the topic proves knowledge of the
/// secret salt; the credential lets a member that has not yet heard of the sender admit it (as INTRODUCE does).
/// </summary>
internal sealed class MeshHello
{
    /// <summary>The most address-book entries read or written.</summary>
    public const int MaxEntries = 256;

    /// <summary>The most addresses per entry.</summary>
    public const int MaxAddressesPerEntry = 4;

    private const string What = "mesh hello";

    public required byte[] Topic { get; init; }

    /// <summary>The sender's producer credential document (compact), or null.</summary>
    public string? CredentialJson { get; init; }

    /// <summary>Member endpoint id → direct addresses.</summary>
    public IReadOnlyDictionary<string, IPEndPoint[]> Addresses { get; init; } = new Dictionary<string, IPEndPoint[]>();

    public byte[] ToJson() => PythonJson.Compact(w =>
    {
        w.WriteStartObject();
        w.WritePropertyName("topic");
        w.WriteString(Convert.ToHexStringLower(Topic));
        w.WritePropertyName("credential");
        if (CredentialJson is null)
        {
            w.WriteNull();
        }
        else
        {
            w.WriteRaw(Encoding.UTF8.GetBytes(CredentialJson));
        }

        w.WritePropertyName("addrs");
        w.WriteStartObject();
        foreach (KeyValuePair<string, IPEndPoint[]> kv in Addresses.Take(MaxEntries))
        {
            w.WritePropertyName(kv.Key);
            w.WriteStartArray();
            foreach (IPEndPoint ep in kv.Value.Take(MaxAddressesPerEntry))
            {
                w.WriteString(ep.ToString());
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
        w.WriteEndObject();
    });

    /// <summary>Parses a hello strictly; address entries beyond the bounds, or unparseable, are skipped.</summary>
    /// <exception cref="TrustFormatException">Malformed.</exception>
    public static MeshHello Parse(ReadOnlySpan<byte> utf8)
    {
        using JsonDocument doc = TrustJson.Parse(utf8, What);
        JsonElement root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("topic", out JsonElement topic))
        {
            throw new TrustFormatException($"{What}: 'topic' is missing");
        }

        string? credential = null;
        if (root.TryGetProperty("credential", out JsonElement c) && c.ValueKind != JsonValueKind.Null)
        {
            credential = Encoding.UTF8.GetString(EnrollmentCredential.FromElement(c).ToWireJson());
        }

        Dictionary<string, IPEndPoint[]> addresses = new(StringComparer.Ordinal);
        if (root.TryGetProperty("addrs", out JsonElement addrs))
        {
            if (addrs.ValueKind != JsonValueKind.Object)
            {
                throw new TrustFormatException($"{What}: 'addrs' is not an object");
            }

            foreach (JsonProperty p in addrs.EnumerateObject())
            {
                if (addresses.Count == MaxEntries)
                {
                    break;
                }

                if (!TrustJson.IsLowerHex64(p.Name) || p.Value.ValueKind != JsonValueKind.Array)
                {
                    continue;
                }

                List<IPEndPoint> list = [];
                foreach (JsonElement a in p.Value.EnumerateArray())
                {
                    if (list.Count < MaxAddressesPerEntry && a.ValueKind == JsonValueKind.String && IPEndPoint.TryParse(a.GetString()!, out IPEndPoint? ep) && ep.Port != 0)
                    {
                        list.Add(ep);
                    }
                }

                if (list.Count > 0)
                {
                    addresses[p.Name] = [.. list];
                }
            }
        }

        return new MeshHello { Topic = TrustJson.GetHex(topic, "topic", 32, What), CredentialJson = credential, Addresses = addresses };
    }
}
