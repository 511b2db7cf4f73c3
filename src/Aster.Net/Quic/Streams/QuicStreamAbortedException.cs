namespace Aster.Net.Quic.Streams;

/// <summary>Raised to a reader or writer when the stream was reset or stopped by either side.</summary>
internal sealed class QuicStreamAbortedException : IOException
{
    /// <summary>Initializes a new instance of the <see cref="QuicStreamAbortedException"/> class.</summary>
    /// <param name="applicationErrorCode">The application error code of the RESET_STREAM or STOP_SENDING frame.</param>
    /// <param name="message">What happened.</param>
    public QuicStreamAbortedException(long applicationErrorCode, string message)
        : base(message)
    {
        ApplicationErrorCode = applicationErrorCode;
    }

    /// <summary>Gets the application error code.</summary>
    public long ApplicationErrorCode { get; }
}
