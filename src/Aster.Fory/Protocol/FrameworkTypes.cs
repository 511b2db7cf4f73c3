using Aster.Fory.Types;

namespace Aster.Fory.Protocol;

/// <summary>
/// <c>_aster/StreamHeader</c>: the first frame of every stream (wire-protocol.md 5.1). Fields are identified by tag id.
/// </summary>
[WireType("_aster/StreamHeader", JsonNaming = JsonNaming.CamelCase)]
public sealed record StreamHeader
{
    /// <summary>Tag 0: service name.</summary>
    [TagId(0)]
    public string Service { get; init; } = string.Empty;

    /// <summary>Tag 1: the method's wire name.</summary>
    [TagId(1)]
    public string Method { get; init; } = string.Empty;

    /// <summary>Tag 2: service version.</summary>
    [TagId(2)]
    public int Version { get; init; }

    /// <summary>Tag 3: call id for logs; 0 means none.</summary>
    [TagId(3)]
    public int CallId { get; init; }

    /// <summary>Tag 4: relative deadline in whole seconds; 0 or negative means none.</summary>
    [TagId(4)]
    public short Deadline { get; init; }

    /// <summary>Tag 5: 0 XLANG, 1 NATIVE, 2 ROW, 3 JSON.</summary>
    [TagId(5)]
    public sbyte SerializationMode { get; init; }

    /// <summary>Tag 6: metadata keys, parallel to <see cref="MetadataValues"/>.</summary>
    [TagId(6)]
    public IReadOnlyList<string> MetadataKeys { get; init; } = [];

    /// <summary>Tag 7: metadata values.</summary>
    [TagId(7)]
    public IReadOnlyList<string> MetadataValues { get; init; } = [];

    /// <summary>Tag 8: 0 for shared calls, otherwise the session id.</summary>
    [TagId(8)]
    public int SessionId { get; init; }
}

/// <summary><c>_aster/CallHeader</c> (wire-protocol.md 5.5), used only by the release 0.1.2 session protocol.</summary>
[WireType("_aster/CallHeader", JsonNaming = JsonNaming.CamelCase)]
public sealed record CallHeader
{
    /// <summary>Tag 0: the method's wire name.</summary>
    [TagId(0)]
    public string Method { get; init; } = string.Empty;

    /// <summary>Tag 1: call id.</summary>
    [TagId(1)]
    public int CallId { get; init; }

    /// <summary>Tag 2: relative deadline in seconds.</summary>
    [TagId(2)]
    public short Deadline { get; init; }

    /// <summary>Tag 3: metadata keys.</summary>
    [TagId(3)]
    public IReadOnlyList<string> MetadataKeys { get; init; } = [];

    /// <summary>Tag 4: metadata values.</summary>
    [TagId(4)]
    public IReadOnlyList<string> MetadataValues { get; init; } = [];
}

/// <summary><c>_aster/RpcStatus</c>: the trailer of every call (wire-protocol.md 7.1).</summary>
[WireType("_aster/RpcStatus", JsonNaming = JsonNaming.CamelCase)]
public sealed record RpcStatus
{
    /// <summary>Tag 0: status code.</summary>
    [TagId(0)]
    public int Code { get; init; }

    /// <summary>Tag 1: message.</summary>
    [TagId(1)]
    public string Message { get; init; } = string.Empty;

    /// <summary>Tag 2: detail keys, parallel to <see cref="DetailValues"/>.</summary>
    [TagId(2)]
    public IReadOnlyList<string> DetailKeys { get; init; } = [];

    /// <summary>Tag 3: detail values.</summary>
    [TagId(3)]
    public IReadOnlyList<string> DetailValues { get; init; } = [];
}
