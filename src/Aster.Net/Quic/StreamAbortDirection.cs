namespace Aster.Net.Quic;

/// <summary>Which directions of a stream <see cref="AsterStream.Abort"/> aborts.</summary>
[Flags]
public enum StreamAbortDirection
{
    /// <summary>Stop reading: sends STOP_SENDING.</summary>
    Read = 1,

    /// <summary>Stop writing: sends RESET_STREAM.</summary>
    Write = 2,

    /// <summary>Both directions.</summary>
    Both = Read | Write,
}
