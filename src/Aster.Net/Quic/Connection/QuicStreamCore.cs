using Aster.Net.Quic.Streams;

namespace Aster.Net.Quic.Connection;

/// <summary>One stream of a <see cref="QuicConnectionCore"/>: its send part, its receive part, or both.</summary>
internal sealed class QuicStreamCore
{
    public QuicStreamCore(QuicConnectionCore connection, long id, SendStream? send, ReceiveStream? receive)
    {
        Connection = connection;
        Id = id;
        Send = send;
        Receive = receive;
        if (send is null)
        {
            WritesClosed.TrySetResult();
        }

        if (receive is null)
        {
            ReadsClosed.TrySetResult();
        }
    }

    /// <summary>Faults both closed tasks that are still pending (observing the exceptions).</summary>
    public void Fail(Exception exception)
    {
        ReadsClosed.TrySetException(exception);
        WritesClosed.TrySetException(exception);
        _ = ReadsClosed.Task.Exception;
        _ = WritesClosed.Task.Exception;
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public QuicConnectionCore Connection { get; }

    public long Id { get; }

    public SendStream? Send { get; }

    public ReceiveStream? Receive { get; }

    /// <summary>Gets or sets the application error code of a RESET_STREAM waiting to be sent, or -1.</summary>
    public long PendingReset { get; set; } = -1;

    /// <summary>Gets or sets the final size carried by our RESET_STREAM.</summary>
    public long ResetFinalSize { get; set; }

    /// <summary>Gets or sets the application error code of a STOP_SENDING waiting to be sent, or -1.</summary>
    public long PendingStopSending { get; set; } = -1;

    /// <summary>Gets or sets a value indicating whether MAX_STREAM_DATA must be (re)sent with the current limit.</summary>
    public bool ResendMaxStreamData { get; set; }

    /// <summary>Gets the source of <c>ReadsClosed</c>: completes when the FIN was read, faults on reset or connection loss.</summary>
    public TaskCompletionSource ReadsClosed { get; } = NewSource();

    /// <summary>Gets the source of <c>WritesClosed</c>: completes when the peer acknowledged everything up to the FIN.</summary>
    public TaskCompletionSource WritesClosed { get; } = NewSource();

    public bool IsFinished => (Send is null || Send.IsFinished) && (Receive is null || Receive.IsFinished);
}
