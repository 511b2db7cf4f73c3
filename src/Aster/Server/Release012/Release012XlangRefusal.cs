using System.Buffers;
using Aster.Protocol;

namespace Aster.Server.Release012;

/// <summary>
/// The answer of wire-protocol.md 20.6 to a header in the release 0.1.2 XLANG dialect when the server's codecs cannot
/// speak it (codecs other than <see cref="Codec.ForyCodecProvider"/>): UNIMPLEMENTED as a 0.1.2-XLANG RpcStatus, byte
/// for byte the spec's, after which the stream ends.
/// </summary>
internal sealed class Release012XlangRefusal : IProtocolCodec
{
    /// <summary>The refusal's text (20.6).</summary>
    public const string Message = "the 0.1.2 XLANG dialect is not supported by this server; use JSON mode";

    private static readonly byte[] _payload = Build();

    private Release012XlangRefusal()
    {
    }

    public static Release012XlangRefusal Instance { get; } = new();

    /// <summary>The refusal status; written by this codec whatever status it is given.</summary>
    public static RpcStatus Status { get; } = new(StatusCode.Unimplemented, Message, []);

    /// <summary>True when <paramref name="payload"/> starts as a 0.1.2 XLANG message does: <c>02 ff 1d</c> or <c>02 00 1d</c> (20.2).</summary>
    public static bool IsRelease012Xlang(in ReadOnlySequence<byte> payload)
    {
        if (payload.Length < 3)
        {
            return false;
        }

        Span<byte> head = stackalloc byte[3];
        payload.Slice(0, 3).CopyTo(head);
        return head[0] == 0x02 && head[1] is 0xFF or 0x00 && head[2] == 0x1D;
    }

    public void WriteStatus(IBufferWriter<byte> output, RpcStatus status) => output.Write(_payload);

    public void WriteHeader(IBufferWriter<byte> output, StreamHeader header) => throw new NotSupportedException("writes only the 20.6 refusal");

    public StreamHeader ReadHeader(in ReadOnlySequence<byte> payload, WireNameTable? names = null) => throw new NotSupportedException("writes only the 20.6 refusal");

    public RpcStatus ReadStatus(in ReadOnlySequence<byte> payload) => throw new NotSupportedException("writes only the 20.6 refusal");

    /// <summary>
    /// RpcStatus prefix up to the schema hash (contracts-and-fory.md B12 table), code 12 as a zigzag VARINT64 (<c>18</c>),
    /// the message as a LATIN1 Fory string (header <c>varuint32(length &lt;&lt; 2)</c>, 70 characters: <c>98 02</c>), two empty lists.
    /// </summary>
    private static byte[] Build()
    {
        byte[] prefix = [0x02, 0xFF, 0x1D, 0x08, 0x01, 0x6C, 0x12, 0x99, 0x22, 0x0E, 0x02, 0x56, 0x78, 0x56, 0x26, 0x02, 0x6A, 0x24, 0x53, 0x53, 0xCA, 0x9F];
        byte[] text = System.Text.Encoding.ASCII.GetBytes(Message);
        return [.. prefix, 0x18, (byte)(((text.Length << 2) & 0x7F) | 0x80), (byte)((text.Length << 2) >> 7), .. text, 0x00, 0x00];
    }
}
