using System.Net;
using System.Net.Sockets;

namespace Aster.Net.Quic.Connection;

/// <summary>
/// Sends an endpoint's datagrams on its UDP socket, several equal-size datagrams per system call where the OS can
/// segment them (Linux UDP generic segmentation offload, <c>UDP_SEGMENT</c>), one per call elsewhere.
/// </summary>
/// <remarks>
/// <para>Managed only: the segment size is a socket option (<see cref="Socket.SetRawSocketOption"/>), not a per-call
/// control message, so every send takes a lock and the option is changed only when a batch needs another size. A send
/// of <c>n × size</c> bytes (the last datagram may be shorter) leaves as <c>n</c> datagrams; a send no longer than the
/// current segment size leaves as one datagram, so ACKs and replies need no option change. A datagram longer than the
/// current segment size (a path-MTU probe) first switches segmentation off for the socket.</para>
/// <para>Support is probed once when the sender is made; a batch the kernel refuses (<c>EIO</c> when the device cannot
/// checksum segments, <c>EINVAL</c>, <c>EMSGSIZE</c>) switches segmentation off for good and goes out one datagram per
/// call, so nothing is lost beyond what UDP may lose anyway.</para>
/// </remarks>
internal sealed class UdpSender
{
    /// <summary>The most datagrams one segmented send carries (the kernel's <c>UDP_MAX_SEGMENTS</c> is 64 or more).</summary>
    public const int MaxSegments = 64;

    /// <summary>The most bytes one send carries: the largest UDP payload over IPv4.</summary>
    public const int MaxSendBytes = 65_507;

    private const int SolUdp = 17;
    private const int UdpSegment = 103;
    private readonly Socket _socket;
    private readonly Lock _lock = new();
    private int _segmentSize;
    private long _sendCalls;
    private long _datagramsSent;

    /// <summary>Initializes a new instance of the <see cref="UdpSender"/> class.</summary>
    /// <param name="socket">The endpoint's bound UDP socket.</param>
    /// <param name="segmentationOffload">Whether to try <c>UDP_SEGMENT</c> (Linux only; ignored elsewhere).</param>
    public UdpSender(Socket socket, bool segmentationOffload)
    {
        _socket = socket;
        if (segmentationOffload && OperatingSystem.IsLinux() && TrySetSegmentSize(QuicConnectionCore.MaxDatagramSize))
        {
            SegmentationOffload = true;
        }
    }

    /// <summary>Gets a value indicating whether sends are segmented by the kernel (false after a fallback).</summary>
    public bool SegmentationOffload { get; private set; }

    /// <summary>Gets how many datagrams one <see cref="Send"/> may carry now (1 without segmentation offload).</summary>
    public int SegmentsPerSend => SegmentationOffload ? MaxSegments : 1;

    /// <summary>Gets the number of send system calls made.</summary>
    public long SendCalls => Volatile.Read(ref _sendCalls);

    /// <summary>Gets the number of datagrams sent.</summary>
    public long DatagramsSent => Volatile.Read(ref _datagramsSent);

    /// <summary>
    /// Sends <paramref name="datagrams"/>: consecutive datagrams of <paramref name="segmentSize"/> bytes, the last one
    /// possibly shorter. Errors are treated as loss. Returns the number of send calls made.
    /// </summary>
    /// <param name="datagrams">The datagrams, back to back.</param>
    /// <param name="segmentSize">The size of every datagram but the last.</param>
    /// <param name="remote">The destination.</param>
    /// <returns>The number of system calls made (0 if the socket is closed).</returns>
    public int Send(ReadOnlySpan<byte> datagrams, int segmentSize, SocketAddress remote)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(segmentSize);
        int count = (datagrams.Length + segmentSize - 1) / segmentSize;
        if (count > 1 && (!SegmentationOffload || count > MaxSegments || datagrams.Length > MaxSendBytes))
        {
            return SendEach(datagrams, segmentSize, remote);
        }

        lock (_lock)
        {
            if (SegmentationOffload)
            {
                // One datagram needs a segment size at least its length (0 = off); a batch needs exactly its size.
                int wanted = count > 1 ? segmentSize : _segmentSize >= datagrams.Length ? _segmentSize : 0;
                if (wanted != _segmentSize && !TrySetSegmentSize(wanted))
                {
                    SegmentationOffload = false;
                    return SendEach(datagrams, segmentSize, remote);
                }
            }

            try
            {
                _socket.SendTo(datagrams, SocketFlags.None, remote);
                Count(1, count);
                return 1;
            }
            catch (SocketException ex) when (count > 1 && IsSegmentationRefusal(ex.SocketErrorCode))
            {
                // The kernel refused the segmented send (no checksum offload: EIO; or a limit): never again.
                SegmentationOffload = false;
                TrySetSegmentSize(0);
            }
            catch (SocketException)
            {
                // Treated as loss, like any datagram.
                Count(1, 0);
                return 1;
            }
            catch (ObjectDisposedException)
            {
                return 0;
            }
        }

        return SendEach(datagrams, segmentSize, remote);
    }

    /// <summary>Sends one datagram (a stateless reply) without changing the socket's segment size when it fits.</summary>
    /// <param name="datagram">The datagram.</param>
    /// <param name="remote">The destination.</param>
    public void SendOne(ReadOnlySpan<byte> datagram, IPEndPoint remote) => Send(datagram, datagram.Length, remote.Serialize());

    private int SendEach(ReadOnlySpan<byte> datagrams, int segmentSize, SocketAddress remote)
    {
        int calls = 0;
        lock (_lock)
        {
            if (SegmentationOffload && _segmentSize != 0 && _segmentSize < segmentSize && !TrySetSegmentSize(0))
            {
                SegmentationOffload = false;
            }

            for (int offset = 0; offset < datagrams.Length; offset += segmentSize)
            {
                ReadOnlySpan<byte> one = datagrams.Slice(offset, Math.Min(segmentSize, datagrams.Length - offset));
                try
                {
                    _socket.SendTo(one, SocketFlags.None, remote);
                    Count(1, 1);
                }
                catch (SocketException)
                {
                    Count(1, 0);
                }
                catch (ObjectDisposedException)
                {
                    break;
                }

                calls++;
            }
        }

        return calls;
    }

    private bool TrySetSegmentSize(int size)
    {
        // The kernel reads a native 4-byte int (a 2-byte value fails with EINVAL).
        Span<byte> value = stackalloc byte[sizeof(int)];
        BitConverter.TryWriteBytes(value, size);
        try
        {
            _socket.SetRawSocketOption(SolUdp, UdpSegment, value);
            _segmentSize = size;
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Errors that mean the kernel or device cannot segment (EIO maps to the generic error), not loss.</summary>
    private static bool IsSegmentationRefusal(SocketError error) => error is SocketError.SocketError or SocketError.InvalidArgument
        or SocketError.MessageSize or SocketError.OperationNotSupported or SocketError.ProtocolOption or SocketError.ProtocolNotSupported;

    private void Count(int calls, int datagrams)
    {
        Interlocked.Add(ref _sendCalls, calls);
        Interlocked.Add(ref _datagramsSent, datagrams);
    }
}
