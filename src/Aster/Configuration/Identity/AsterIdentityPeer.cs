namespace Aster.Configuration.Identity;

/// <summary>
/// One <c>[[peers]]</c> entry of an <c>.aster-identity</c> file: an enrolment credential for one mesh and role
/// (config-and-cli.md section 6.1). Hex fields are kept as written (lowercase when we write them).
/// </summary>
public sealed record AsterIdentityPeer
{
    /// <summary>The label, unique within the file.</summary>
    public required string Name { get; init; }

    /// <summary><c>producer</c> or <c>consumer</c>.</summary>
    public required string Role { get; init; }

    /// <summary><c>policy</c> or <c>ott</c> (producer entries say <c>policy</c>).</summary>
    public string Type { get; init; } = "policy";

    /// <summary>The root public key, 64 hex.</summary>
    public required string RootPubkey { get; init; }

    /// <summary>The bound endpoint id, 64 hex; null for an unbound consumer credential.</summary>
    public string? EndpointId { get; init; }

    /// <summary>Expiry, Unix seconds.</summary>
    public long ExpiresAt { get; init; }

    /// <summary>The OTT nonce, 64 hex; null unless <see cref="Type"/> is <c>ott</c>.</summary>
    public string? Nonce { get; init; }

    /// <summary>The credential signature, 128 hex. Never printed.</summary>
    public required string Signature { get; init; }

    /// <summary>The attributes as written (sorted by code point when we write them).</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();

    /// <summary>Keys of the entry this reader does not know, as TOML value text; written back unchanged.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ExtraKeys { get; init; } = [];

    /// <summary>
    /// The attribute maps to try against the signature, in the order of trust.md 3.8.4: as written; plus
    /// <c>aster.role = Role</c>; plus <c>aster.name = Name</c>; plus both (only the maps that differ are returned).
    /// The reference writer omits those two keys when they are redundant.
    /// </summary>
    /// <returns>One to four candidate maps.</returns>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> AttributeCandidates()
    {
        var result = new List<IReadOnlyDictionary<string, string>> { Attributes };
        bool hasRole = Attributes.ContainsKey("aster.role");
        bool hasName = Attributes.ContainsKey("aster.name");
        if (!hasRole)
        {
            result.Add(new Dictionary<string, string>(Attributes) { ["aster.role"] = Role });
        }

        if (!hasName)
        {
            result.Add(new Dictionary<string, string>(Attributes) { ["aster.name"] = Name });
        }

        if (!hasRole && !hasName)
        {
            result.Add(new Dictionary<string, string>(Attributes) { ["aster.role"] = Role, ["aster.name"] = Name });
        }

        return result;
    }

    /// <summary>A summary without the signature.</summary>
    /// <returns>The text.</returns>
    public override string ToString()
        => $"AsterIdentityPeer {{ Name = {Name}, Role = {Role}, Type = {Type}, RootPubkey = {Short(RootPubkey)}, EndpointId = {(EndpointId is null ? "<unbound>" : Short(EndpointId))}, ExpiresAt = {ExpiresAt}, Signature = ***, Attributes = {Attributes.Count} }}";

    private static string Short(string hex) => hex.Length > 12 ? $"{hex[..8]}...{hex[^4..]}" : hex;
}
