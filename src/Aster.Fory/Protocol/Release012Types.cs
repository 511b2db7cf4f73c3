namespace Aster.Fory.Protocol;

/// <summary>
/// <c>_aster/StreamHeader</c> as release 0.1.2 peers declare it (wire-protocol.md 20.4 and 20.6): a string call id,
/// an absolute deadline in Unix milliseconds, every integer a Python <c>int</c> (VARINT64), field names in camelCase.
/// Serialize it with <see cref="ForyOptions.Release012"/> (schema-consistent mode, contracts-and-fory.md B12).
/// </summary>
[WireType("_aster/StreamHeader", JsonNaming = JsonNaming.CamelCase)]
public sealed record Release012StreamHeader
{
    /// <summary>Service name.</summary>
    [WireName("service")]
    public string Service { get; init; } = string.Empty;

    /// <summary>The method's wire name; empty to open a 0.1.2 session stream.</summary>
    [WireName("method")]
    public string Method { get; init; } = string.Empty;

    /// <summary>Service version.</summary>
    [WireName("version")]
    public long Version { get; init; }

    /// <summary>Call id as sent (a UUID string in the reference clients).</summary>
    [WireName("callId")]
    public string CallId { get; init; } = string.Empty;

    /// <summary>Absolute deadline in Unix milliseconds; 0 means none.</summary>
    [WireName("deadlineEpochMs")]
    public long DeadlineEpochMs { get; init; }

    /// <summary>0 XLANG, 3 JSON.</summary>
    [WireName("serializationMode")]
    public long SerializationMode { get; init; }

    /// <summary>Metadata keys, parallel to <see cref="MetadataValues"/>.</summary>
    [WireName("metadataKeys")]
    public IReadOnlyList<string> MetadataKeys { get; init; } = [];

    /// <summary>Metadata values.</summary>
    [WireName("metadataValues")]
    public IReadOnlyList<string> MetadataValues { get; init; } = [];
}

/// <summary><c>_aster/CallHeader</c> of the release 0.1.2 session protocol (wire-protocol.md 20.5), schema-consistent form.</summary>
[WireType("_aster/CallHeader", JsonNaming = JsonNaming.CamelCase)]
public sealed record Release012CallHeader
{
    /// <summary>The method's wire name.</summary>
    [WireName("method")]
    public string Method { get; init; } = string.Empty;

    /// <summary>Call id as sent.</summary>
    [WireName("callId")]
    public string CallId { get; init; } = string.Empty;

    /// <summary>Absolute deadline in Unix milliseconds; 0 means none.</summary>
    [WireName("deadlineEpochMs")]
    public long DeadlineEpochMs { get; init; }

    /// <summary>Metadata keys.</summary>
    [WireName("metadataKeys")]
    public IReadOnlyList<string> MetadataKeys { get; init; } = [];

    /// <summary>Metadata values.</summary>
    [WireName("metadataValues")]
    public IReadOnlyList<string> MetadataValues { get; init; } = [];
}

/// <summary><c>_aster/RpcStatus</c> as release 0.1.2 peers declare it (code as a Python <c>int</c>), schema-consistent form.</summary>
[WireType("_aster/RpcStatus", JsonNaming = JsonNaming.CamelCase)]
public sealed record Release012RpcStatus
{
    /// <summary>Status code.</summary>
    [WireName("code")]
    public long Code { get; init; }

    /// <summary>Message.</summary>
    [WireName("message")]
    public string Message { get; init; } = string.Empty;

    /// <summary>Detail keys, parallel to <see cref="DetailValues"/>.</summary>
    [WireName("detailKeys")]
    public IReadOnlyList<string> DetailKeys { get; init; } = [];

    /// <summary>Detail values.</summary>
    [WireName("detailValues")]
    public IReadOnlyList<string> DetailValues { get; init; } = [];
}
