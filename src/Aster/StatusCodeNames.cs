namespace Aster;

/// <summary>Wire and telemetry names of status codes (<c>OK</c>, <c>DEADLINE_EXCEEDED</c>, …).</summary>
public static class StatusCodeNames
{
    /// <summary>The upper-case name of <paramref name="code"/>, or its number for a code this version does not know.</summary>
    public static string GetName(StatusCode code) => code switch
    {
        StatusCode.OK => "OK",
        StatusCode.Cancelled => "CANCELLED",
        StatusCode.Unknown => "UNKNOWN",
        StatusCode.InvalidArgument => "INVALID_ARGUMENT",
        StatusCode.DeadlineExceeded => "DEADLINE_EXCEEDED",
        StatusCode.NotFound => "NOT_FOUND",
        StatusCode.AlreadyExists => "ALREADY_EXISTS",
        StatusCode.PermissionDenied => "PERMISSION_DENIED",
        StatusCode.ResourceExhausted => "RESOURCE_EXHAUSTED",
        StatusCode.FailedPrecondition => "FAILED_PRECONDITION",
        StatusCode.Aborted => "ABORTED",
        StatusCode.OutOfRange => "OUT_OF_RANGE",
        StatusCode.Unimplemented => "UNIMPLEMENTED",
        StatusCode.Internal => "INTERNAL",
        StatusCode.Unavailable => "UNAVAILABLE",
        StatusCode.DataLoss => "DATA_LOSS",
        StatusCode.Unauthenticated => "UNAUTHENTICATED",
        StatusCode.ContractViolation => "CONTRACT_VIOLATION",
        _ => ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>True for the codes a reference peer understands (section 8): 0–16 and 101.</summary>
    public static bool IsDefined(StatusCode code) => code is >= StatusCode.OK and <= StatusCode.Unauthenticated or StatusCode.ContractViolation;
}
