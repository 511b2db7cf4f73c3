using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Aster.Net.Quic.Connection;

/// <summary>
/// Receives with UDP generic receive offload (Linux <c>UDP_GRO</c>): one call returns up to 64 KiB of datagrams of one
/// size from one sender, back to back, with that size in a control message.
/// </summary>
/// <remarks>
/// <para>The transport's one call into libc, tolerated because the managed <see cref="Socket"/> API cannot do it: it
/// drops the <c>UDP_GRO</c> control message, and QUIC short-header packets carry no length, so a coalesced buffer cannot
/// be split without it. <c>recvmsg</c> is called non-blocking (<c>MSG_DONTWAIT</c>) on the socket's own descriptor; the
/// endpoint waits for the next datagram with a managed one-byte <c>MSG_PEEK</c> receive, which consumes nothing.</para>
/// <para><see cref="TryCreate"/> returns <see langword="null"/> (and leaves <c>UDP_GRO</c> off) on other operating
/// systems, 32-bit processes, kernels without <c>UDP_GRO</c>, or when <c>recvmsg</c> cannot be called; the endpoint
/// then receives one datagram per managed call as before.</para>
/// </remarks>
internal sealed partial class UdpGroReceiver
{
    /// <summary>A <see cref="TryReceive"/> result: nothing is queued.</summary>
    public const int WouldBlock = -1;

    /// <summary>A <see cref="TryReceive"/> result: the call failed (an ICMP error and the like); keep receiving.</summary>
    public const int Failed = -2;

    private const int SolUdp = 17;
    private const int UdpGro = 104;
    private const int MsgPeek = 0x2;
    private const int MsgDontWait = 0x40;
    private const int EAgain = 11;
    private const int CmsgHeaderLength = 16;
    private readonly Socket _socket;
    private readonly byte[] _buffer;
    private readonly byte[] _name = GC.AllocateArray<byte>(128, pinned: true);
    private readonly byte[] _control = GC.AllocateArray<byte>(64, pinned: true);
    private readonly IoVec[] _iov = GC.AllocateArray<IoVec>(1, pinned: true);

    private UdpGroReceiver(Socket socket, int bufferLength)
    {
        _socket = socket;
        _buffer = GC.AllocateArray<byte>(bufferLength, pinned: true);
        _iov[0] = new IoVec { Base = Marshal.UnsafeAddrOfPinnedArrayElement(_buffer, 0), Length = (nuint)_buffer.Length };
    }

    /// <summary>Gets the buffer the last <see cref="TryReceive"/> filled.</summary>
    public byte[] Buffer => _buffer;

    /// <summary>Turns <c>UDP_GRO</c> on for <paramref name="socket"/> if the receive path works here; otherwise leaves it off.</summary>
    /// <param name="socket">A bound UDP socket.</param>
    /// <param name="bufferLength">The receive buffer length (64 KiB holds any coalesced buffer).</param>
    /// <returns>The receiver, or <see langword="null"/>.</returns>
    public static UdpGroReceiver? TryCreate(Socket socket, int bufferLength)
    {
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess)
        {
            return null;
        }

        if (!TrySetGro(socket, true))
        {
            return null;
        }

        var receiver = new UdpGroReceiver(socket, bufferLength);
        try
        {
            // Proves the entry point and the descriptor without consuming anything: a fresh socket has nothing queued.
            int probe = receiver.Receive(MsgPeek | MsgDontWait, null, out _);
            if (probe != WouldBlock && probe < 0)
            {
                TrySetGro(socket, false);
                return null;
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            TrySetGro(socket, false);
            return null;
        }

        return receiver;
    }

    /// <summary>
    /// Takes the next queued buffer without waiting: datagrams of <paramref name="segmentSize"/> bytes back to back in
    /// <see cref="Buffer"/>, the last possibly shorter (a single datagram is its own size).
    /// </summary>
    /// <param name="from">Receives the sender's address.</param>
    /// <param name="segmentSize">The datagram size.</param>
    /// <returns>The bytes received, <see cref="WouldBlock"/> or <see cref="Failed"/>.</returns>
    public int TryReceive(SocketAddress from, out int segmentSize) => Receive(MsgDontWait, from, out segmentSize);

    private int Receive(int flags, SocketAddress? from, out int segmentSize)
    {
        segmentSize = 0;
        var message = new MessageHeader
        {
            Name = Marshal.UnsafeAddrOfPinnedArrayElement(_name, 0),
            NameLength = (uint)_name.Length,
            Iov = Marshal.UnsafeAddrOfPinnedArrayElement(_iov, 0),
            IovLength = 1,
            Control = Marshal.UnsafeAddrOfPinnedArrayElement(_control, 0),
            ControlLength = (nuint)_control.Length,
        };
        SafeHandle handle = _socket.SafeHandle;
        bool added = false;
        nint received;
        try
        {
            // Held so that a concurrent Dispose cannot close (and the OS reuse) the descriptor during the call.
            handle.DangerousAddRef(ref added);
            received = RecvMsg((int)handle.DangerousGetHandle(), ref message, flags);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }

        if (received < 0)
        {
            return Marshal.GetLastPInvokeError() == EAgain ? WouldBlock : Failed;
        }

        int length = (int)received;
        segmentSize = Math.Max(1, FindSegmentSize(_control.AsSpan(0, (int)Math.Min(message.ControlLength, (nuint)_control.Length))) ?? length);
        if (from is not null)
        {
            int nameLength = (int)Math.Min(message.NameLength, (uint)from.Buffer.Length);
            _name.AsSpan(0, nameLength).CopyTo(from.Buffer.Span);
            from.Size = nameLength;
        }

        return length;
    }

    /// <summary>Finds the <c>UDP_GRO</c> control message (<c>cmsghdr</c>: size_t length, int level, int type, data).</summary>
    private static int? FindSegmentSize(ReadOnlySpan<byte> control)
    {
        int offset = 0;
        while (control.Length - offset >= CmsgHeaderLength)
        {
            long length = MemoryMarshal.Read<long>(control[offset..]);
            int level = MemoryMarshal.Read<int>(control[(offset + 8)..]);
            int type = MemoryMarshal.Read<int>(control[(offset + 12)..]);
            if (length < CmsgHeaderLength || length > control.Length - offset)
            {
                return null;
            }

            if (level == SolUdp && type == UdpGro && length >= CmsgHeaderLength + sizeof(int))
            {
                return MemoryMarshal.Read<int>(control[(offset + CmsgHeaderLength)..]);
            }

            offset += (int)((length + 7) & ~7L);
        }

        return null;
    }

    private static bool TrySetGro(Socket socket, bool on)
    {
        Span<byte> value = stackalloc byte[sizeof(int)];
        BitConverter.TryWriteBytes(value, on ? 1 : 0);
        try
        {
            socket.SetRawSocketOption(SolUdp, UdpGro, value);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static partial nint RecvMsg(int socket, ref MessageHeader message, int flags);

    /// <summary>Linux <c>struct iovec</c> (LP64).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public nint Base;
        public nuint Length;
    }

    /// <summary>Linux <c>struct msghdr</c> (LP64: the 4-byte name length is padded to 8).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct MessageHeader
    {
        public nint Name;
        public uint NameLength;
        public nint Iov;
        public nuint IovLength;
        public nint Control;
        public nuint ControlLength;
        public int Flags;
    }
}
