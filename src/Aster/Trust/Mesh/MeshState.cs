using System.Text.Json;

namespace Aster.Trust.Mesh;

/// <summary>
/// A node's persistent producer-mesh state (trust.md 9.3): the reference's keys with the same meaning, plus ours
/// (root key, own id, salt epoch, denylist, last rotation, member credentials). Not thread-safe: its owner locks.
/// </summary>
internal sealed class MeshState
{
    private const string What = "mesh state";

    public required byte[] RootPublicKey { get; init; }

    public required string SelfEndpointId { get; init; }

    public required byte[] Salt { get; set; }

    public ulong SaltEpoch { get; set; } = 1;

    public SortedSet<string> Members { get; init; } = new(StringComparer.Ordinal);

    public SortedSet<string> Denylist { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The last applied rotation statement without its salt (compact JSON), or null.</summary>
    public string? RotationJson { get; set; }

    /// <summary>Endpoint id → compact producer credential document (trust.md 3.8.2).</summary>
    public SortedDictionary<string, string> MemberCredentials { get; init; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, long> PeerOffsets { get; init; } = new(StringComparer.Ordinal);

    public SortedSet<string> DriftIsolated { get; init; } = new(StringComparer.Ordinal);

    public long LastHeartbeatEpochMs { get; set; }

    public long MeshJoinedAtEpochMs { get; set; }

    public bool MeshDead { get; set; }

    public byte[] TopicId => GossipTopic.Derive(RootPublicKey, Salt);

    public MeshState Clone() => new()
    {
        RootPublicKey = RootPublicKey,
        SelfEndpointId = SelfEndpointId,
        Salt = (byte[])Salt.Clone(),
        SaltEpoch = SaltEpoch,
        Members = new SortedSet<string>(Members, StringComparer.Ordinal),
        Denylist = new SortedSet<string>(Denylist, StringComparer.Ordinal),
        RotationJson = RotationJson,
        MemberCredentials = new SortedDictionary<string, string>(MemberCredentials, StringComparer.Ordinal),
        PeerOffsets = new SortedDictionary<string, long>(PeerOffsets, StringComparer.Ordinal),
        DriftIsolated = new SortedSet<string>(DriftIsolated, StringComparer.Ordinal),
        LastHeartbeatEpochMs = LastHeartbeatEpochMs,
        MeshJoinedAtEpochMs = MeshJoinedAtEpochMs,
        MeshDead = MeshDead,
    };

    /// <summary>The file content: JSON with two-space indentation.</summary>
    public byte[] ToJson()
    {
        byte[] compact = PythonJson.Compact(w =>
        {
            w.WriteStartObject();
            WriteIds(w, "accepted_producers", Members);
            w.WritePropertyName("salt");
            w.WriteString(Convert.ToHexStringLower(Salt));
            w.WritePropertyName("topic_id");
            w.WriteString(Convert.ToHexStringLower(TopicId));
            w.WritePropertyName("peer_offsets");
            w.WriteStartObject();
            foreach (KeyValuePair<string, long> kv in PeerOffsets)
            {
                w.WritePropertyName(kv.Key);
                w.WriteNumber(kv.Value);
            }

            w.WriteEndObject();
            WriteIds(w, "drift_isolated", DriftIsolated);
            w.WritePropertyName("last_heartbeat_epoch_ms");
            w.WriteNumber(LastHeartbeatEpochMs);
            w.WritePropertyName("mesh_joined_at_epoch_ms");
            w.WriteNumber(MeshJoinedAtEpochMs);
            w.WritePropertyName("mesh_dead");
            w.WriteBoolean(MeshDead);
            w.WritePropertyName("root_pubkey");
            w.WriteString(Convert.ToHexStringLower(RootPublicKey));
            w.WritePropertyName("self_endpoint_id");
            w.WriteString(SelfEndpointId);
            w.WritePropertyName("salt_epoch");
            w.WriteNumber(SaltEpoch);
            WriteIds(w, "denylist", Denylist);
            w.WritePropertyName("rotation");
            if (RotationJson is null)
            {
                w.WriteNull();
            }
            else
            {
                w.WriteRaw(System.Text.Encoding.UTF8.GetBytes(RotationJson));
            }

            w.WritePropertyName("member_credentials");
            w.WriteStartObject();
            foreach (KeyValuePair<string, string> kv in MemberCredentials)
            {
                w.WritePropertyName(kv.Key);
                w.WriteRaw(System.Text.Encoding.UTF8.GetBytes(kv.Value));
            }

            w.WriteEndObject();
            w.WriteEndObject();
        });
        return System.Text.Encoding.UTF8.GetBytes(PythonJson.Indent(compact) + "\n");
    }

    /// <summary>Parses a state file strictly.</summary>
    /// <exception cref="TrustFormatException">Malformed.</exception>
    public static MeshState Parse(ReadOnlySpan<byte> utf8)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8.ToArray(), new JsonDocumentOptions { MaxDepth = TrustJson.MaxDepth });
        }
        catch (JsonException ex)
        {
            throw new TrustFormatException($"{What} is not valid JSON", ex);
        }

        using (doc)
        {
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new TrustFormatException($"{What} is not a JSON object");
            }

            byte[] salt = TrustJson.GetHex(Required(root, "salt"), "salt", 32, What);
            byte[] rootKey = TrustJson.GetHex(Required(root, "root_pubkey"), "root_pubkey", 32, What);
            string self = Id(Required(root, "self_endpoint_id"), "self_endpoint_id");
            MeshState state = new()
            {
                RootPublicKey = rootKey,
                SelfEndpointId = self,
                Salt = salt,
                SaltEpoch = TrustJson.GetUInt64(Required(root, "salt_epoch"), "salt_epoch", What),
                Members = Ids(Required(root, "accepted_producers"), "accepted_producers"),
                Denylist = root.TryGetProperty("denylist", out JsonElement d) ? Ids(d, "denylist") : new SortedSet<string>(StringComparer.Ordinal),
                DriftIsolated = root.TryGetProperty("drift_isolated", out JsonElement di) ? Ids(di, "drift_isolated") : new SortedSet<string>(StringComparer.Ordinal),
                LastHeartbeatEpochMs = Int(root, "last_heartbeat_epoch_ms"),
                MeshJoinedAtEpochMs = Int(root, "mesh_joined_at_epoch_ms"),
                MeshDead = root.TryGetProperty("mesh_dead", out JsonElement dead) && dead.ValueKind == JsonValueKind.True,
            };
            if (state.SaltEpoch == 0)
            {
                throw new TrustFormatException($"{What}: 'salt_epoch' must be at least 1");
            }

            if (root.TryGetProperty("peer_offsets", out JsonElement offsets) && offsets.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty p in offsets.EnumerateObject())
                {
                    if (TrustJson.IsLowerHex64(p.Name) && p.Value.TryGetInt64(out long ms))
                    {
                        state.PeerOffsets[p.Name] = ms;
                    }
                }
            }

            if (root.TryGetProperty("rotation", out JsonElement rotation) && rotation.ValueKind != JsonValueKind.Null)
            {
                // Re-check the stored statement against the stored salt: a state file naming a rotation must hold it.
                string json = rotation.GetRawText();
                SaltRotationStatement.Parse(System.Text.Encoding.UTF8.GetBytes(json), salt);
                state.RotationJson = json;
            }

            if (root.TryGetProperty("member_credentials", out JsonElement creds))
            {
                if (creds.ValueKind != JsonValueKind.Object)
                {
                    throw new TrustFormatException($"{What}: 'member_credentials' is not an object");
                }

                foreach (JsonProperty p in creds.EnumerateObject())
                {
                    EnrollmentCredential c = EnrollmentCredential.FromElement(p.Value);
                    if (!string.Equals(c.EndpointId, p.Name, StringComparison.Ordinal))
                    {
                        throw new TrustFormatException($"{What}: a member credential is filed under another endpoint id");
                    }

                    state.MemberCredentials[p.Name] = System.Text.Encoding.UTF8.GetString(c.ToWireJson());
                }
            }

            state.Members.Add(self);
            return state;
        }
    }

    private static void WriteIds(Aster.Protocol.Json.CompactJsonWriter w, string key, IEnumerable<string> ids)
    {
        w.WritePropertyName(key);
        w.WriteStartArray();
        foreach (string id in ids)
        {
            w.WriteString(id);
        }

        w.WriteEndArray();
    }

    private static SortedSet<string> Ids(JsonElement e, string key)
    {
        if (e.ValueKind != JsonValueKind.Array)
        {
            throw new TrustFormatException($"{What}: '{key}' is not an array");
        }

        SortedSet<string> set = new(StringComparer.Ordinal);
        foreach (JsonElement id in e.EnumerateArray())
        {
            set.Add(Id(id, key));
        }

        return set;
    }

    private static string Id(JsonElement e, string key)
    {
        string id = TrustJson.GetString(e, key, What);
        return TrustJson.IsLowerHex64(id) ? id : throw new TrustFormatException($"{What}: '{key}' holds an id that is not 64 lowercase hex characters");
    }

    private static long Int(JsonElement root, string key)
        => root.TryGetProperty(key, out JsonElement v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long n) ? n : 0;

    private static JsonElement Required(JsonElement e, string key)
        => e.TryGetProperty(key, out JsonElement v) ? v : throw new TrustFormatException($"{What}: '{key}' is missing");
}
