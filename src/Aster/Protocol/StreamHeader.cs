namespace Aster.Protocol;

/// <summary>
/// The first frame of every call (wire-protocol.md, section 5): which service and method, the deadline, the
/// serialization mode, request metadata and the session. Fory tag ids 0–8 in field order.
/// </summary>
public sealed record StreamHeader
{
    /// <summary>The service's wire name.</summary>
    public string Service { get; init; } = string.Empty;

    /// <summary>The method's wire name.</summary>
    public string Method { get; init; } = string.Empty;

    /// <summary>The service version.</summary>
    public int Version { get; init; } = 1;

    /// <summary>The call id for logs; 0 means none. In the 0.1.2 dialect the id is text: see <see cref="CallIdText"/>.</summary>
    public int CallId { get; init; }

    /// <summary>Relative deadline in whole seconds; 0 or negative means none.</summary>
    public short Deadline { get; init; }

    /// <summary>The payload codec of the call.</summary>
    public SerializationMode SerializationMode { get; init; }

    /// <summary>Metadata keys, parallel to <see cref="MetadataValues"/>.</summary>
    public IReadOnlyList<string> MetadataKeys { get; init; } = [];

    /// <summary>Metadata values, parallel to <see cref="MetadataKeys"/>.</summary>
    public IReadOnlyList<string> MetadataValues { get; init; } = [];

    /// <summary>0 for shared calls, otherwise the session id.</summary>
    public int SessionId { get; init; }

    /// <summary>The dialect the header was written in.</summary>
    public WireDialect Dialect { get; init; }

    /// <summary>0.1.2 dialect only: the call id as sent (a UUID string).</summary>
    public string? CallIdText { get; init; }

    /// <summary>0.1.2 dialect only: the absolute deadline in Unix milliseconds, 0 for none.</summary>
    public long DeadlineEpochMs { get; init; }
}
