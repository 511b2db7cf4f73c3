namespace Aster;

/// <summary>
/// A call ended with a status other than OK. Handlers throw it to choose the status sent back; clients receive it for
/// any non-OK trailer. Only <see cref="Status"/> crosses the wire; <see cref="Exception.Message"/> is local text.
/// </summary>
public sealed class RpcException : Exception
{
    /// <summary>Creates an exception for <paramref name="code"/> with a status message and optional details.</summary>
    public RpcException(StatusCode code, string statusMessage = "", IReadOnlyList<KeyValuePair<string, string>>? details = null)
        : base(FormatMessage(code, statusMessage))
    {
        Status = new RpcStatus(code, statusMessage, details ?? []);
    }

    /// <summary>Creates an exception carrying <paramref name="status"/>.</summary>
    public RpcException(RpcStatus status)
        : base(FormatMessage(status.Code, status.Message))
    {
        ArgumentNullException.ThrowIfNull(status);
        Status = status;
    }

    /// <summary>Creates an exception for <paramref name="code"/> that wraps a local cause (never sent to the peer).</summary>
    public RpcException(StatusCode code, string statusMessage, Exception innerException)
        : base(FormatMessage(code, statusMessage), innerException)
    {
        Status = new RpcStatus(code, statusMessage, []);
    }

    /// <summary>The status: code, message and details.</summary>
    public RpcStatus Status { get; }

    /// <summary>The status code.</summary>
    public StatusCode StatusCode => Status.Code;

    private static string FormatMessage(StatusCode code, string statusMessage)
        => statusMessage.Length == 0
            ? $"Status {StatusCodeNames.GetName(code)}."
            : $"Status {StatusCodeNames.GetName(code)}: {statusMessage}";
}

/// <summary>The status a call ended with (the trailer's <c>RpcStatus</c>, wire-protocol.md section 7).</summary>
/// <param name="Code">The status code.</param>
/// <param name="Message">Plain text, at most 4096 characters on the wire.</param>
/// <param name="Details">Detail entries, in order (at most 32 on the wire).</param>
public sealed record RpcStatus(StatusCode Code, string Message, IReadOnlyList<KeyValuePair<string, string>> Details)
{
    /// <summary>The OK status with no message.</summary>
    public static RpcStatus Ok { get; } = new(StatusCode.OK, string.Empty, []);
}
