namespace Aster;

/// <summary>
/// The status of a finished call (wire-protocol.md, section 8). Codes 0–16 are the gRPC codes; 100 and above are
/// Aster's own. A code this enum does not name, arriving from a peer, keeps its numeric value.
/// </summary>
public enum StatusCode
{
    /// <summary>The call succeeded.</summary>
    OK = 0,

    /// <summary>The call was cancelled, typically by the caller.</summary>
    Cancelled = 1,

    /// <summary>An error with no better code; also an unhandled exception in a handler.</summary>
    Unknown = 2,

    /// <summary>The caller sent an argument the handler rejects.</summary>
    InvalidArgument = 3,

    /// <summary>The deadline expired before the call finished.</summary>
    DeadlineExceeded = 4,

    /// <summary>A requested entity was not found.</summary>
    NotFound = 5,

    /// <summary>The entity the caller tried to create already exists.</summary>
    AlreadyExists = 6,

    /// <summary>The caller is not allowed to make this call.</summary>
    PermissionDenied = 7,

    /// <summary>A limit was hit: frame size, metadata, stream items, sessions.</summary>
    ResourceExhausted = 8,

    /// <summary>The system is not in a state the call requires.</summary>
    FailedPrecondition = 9,

    /// <summary>The call was aborted, typically because of a concurrency conflict.</summary>
    Aborted = 10,

    /// <summary>An argument was outside its valid range.</summary>
    OutOfRange = 11,

    /// <summary>The service, method or version is not served.</summary>
    Unimplemented = 12,

    /// <summary>An invariant of the server broke.</summary>
    Internal = 13,

    /// <summary>The service is unreachable now; the call may be retried.</summary>
    Unavailable = 14,

    /// <summary>Unrecoverable data loss.</summary>
    DataLoss = 15,

    /// <summary>The caller has no valid credentials.</summary>
    Unauthenticated = 16,

    /// <summary>The payload does not match the contract (for example unexpected JSON fields).</summary>
    ContractViolation = 101,
}
