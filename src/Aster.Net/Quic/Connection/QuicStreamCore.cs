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
    }

    public QuicConnectionCore Connection { get; }

    public long Id { get; }

    public SendStream? Send { get; }

    public ReceiveStream? Receive { get; }

    /// <summary>Gets or sets the application error code of a RESET_STREAM waiting to be sent, or -1.</summary>
    public long PendingReset { get; set; } = -1;

    /// <summary>Gets or sets the application error code of a STOP_SENDING waiting to be sent, or -1.</summary>
    public long PendingStopSending { get; set; } = -1;

    /// <summary>Gets or sets a value indicating whether MAX_STREAM_DATA must be (re)sent with the current limit.</summary>
    public bool ResendMaxStreamData { get; set; }

    public bool IsFinished => (Send is null || Send.IsFinished) && (Receive is null || Receive.IsFinished);
}
