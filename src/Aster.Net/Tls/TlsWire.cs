using System.Buffers.Binary;

namespace Aster.Net.Tls;

/// <summary>TLS 1.3 handshake message types (RFC 8446, section 4).</summary>
internal static class TlsHandshakeType
{
    /// <summary>client_hello.</summary>
    public const byte ClientHello = 1;

    /// <summary>server_hello (also HelloRetryRequest).</summary>
    public const byte ServerHello = 2;

    /// <summary>new_session_ticket.</summary>
    public const byte NewSessionTicket = 4;

    /// <summary>end_of_early_data (never valid in QUIC).</summary>
    public const byte EndOfEarlyData = 5;

    /// <summary>encrypted_extensions.</summary>
    public const byte EncryptedExtensions = 8;

    /// <summary>certificate.</summary>
    public const byte Certificate = 11;

    /// <summary>certificate_request.</summary>
    public const byte CertificateRequest = 13;

    /// <summary>certificate_verify.</summary>
    public const byte CertificateVerify = 15;

    /// <summary>finished.</summary>
    public const byte Finished = 20;

    /// <summary>key_update (never valid in QUIC).</summary>
    public const byte KeyUpdate = 24;

    /// <summary>message_hash, the synthetic message that replaces ClientHello1 after a HelloRetryRequest.</summary>
    public const byte MessageHash = 254;
}

/// <summary>TLS extension code points used by Aster (RFC 8446, RFC 7250, RFC 7301, RFC 9001).</summary>
internal static class TlsExtensionType
{
    /// <summary>server_name (0).</summary>
    public const ushort ServerName = 0;

    /// <summary>supported_groups (10).</summary>
    public const ushort SupportedGroups = 10;

    /// <summary>signature_algorithms (13).</summary>
    public const ushort SignatureAlgorithms = 13;

    /// <summary>application_layer_protocol_negotiation (16).</summary>
    public const ushort Alpn = 16;

    /// <summary>client_certificate_type (19).</summary>
    public const ushort ClientCertificateType = 19;

    /// <summary>server_certificate_type (20).</summary>
    public const ushort ServerCertificateType = 20;

    /// <summary>pre_shared_key (41).</summary>
    public const ushort PreSharedKey = 41;

    /// <summary>early_data (42).</summary>
    public const ushort EarlyData = 42;

    /// <summary>supported_versions (43).</summary>
    public const ushort SupportedVersions = 43;

    /// <summary>cookie (44).</summary>
    public const ushort Cookie = 44;

    /// <summary>psk_key_exchange_modes (45).</summary>
    public const ushort PskKeyExchangeModes = 45;

    /// <summary>key_share (51).</summary>
    public const ushort KeyShare = 51;

    /// <summary>quic_transport_parameters (57).</summary>
    public const ushort QuicTransportParameters = 57;
}

/// <summary>Other TLS constants.</summary>
internal static class TlsConstants
{
    /// <summary>The TLS 1.3 version code.</summary>
    public const ushort Tls13 = 0x0304;

    /// <summary>The legacy_version field value.</summary>
    public const ushort LegacyVersion = 0x0303;

    /// <summary>The ed25519 signature scheme.</summary>
    public const ushort Ed25519Scheme = 0x0807;

    /// <summary>The RawPublicKey certificate type (RFC 7250).</summary>
    public const byte RawPublicKeyCertificateType = 2;

    /// <summary>Length of the random fields.</summary>
    public const int RandomLength = 32;

    /// <summary>The QUIC transport error PROTOCOL_VIOLATION (RFC 9000, section 20.1).</summary>
    public const ulong QuicProtocolViolation = 0x0a;

    /// <summary>The ServerHello random that marks a HelloRetryRequest (SHA-256 of "HelloRetryRequest").</summary>
    public static ReadOnlySpan<byte> HelloRetryRequestRandom =>
    [
        0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
        0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
    ];
}

/// <summary>A bounds-checked big-endian reader over TLS structures; every failure is a decode_error alert.</summary>
internal ref struct TlsReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    /// <summary>Creates a reader over <paramref name="data"/>.</summary>
    public TlsReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    /// <summary>Bytes not yet read.</summary>
    public readonly int Remaining => _data.Length - _position;

    /// <summary>Reads one byte.</summary>
    public byte ReadUInt8()
    {
        return ReadBytes(1)[0];
    }

    /// <summary>Reads a big-endian 16-bit integer.</summary>
    public ushort ReadUInt16()
    {
        return BinaryPrimitives.ReadUInt16BigEndian(ReadBytes(2));
    }

    /// <summary>Reads a big-endian 24-bit integer.</summary>
    public int ReadUInt24()
    {
        ReadOnlySpan<byte> b = ReadBytes(3);
        return (b[0] << 16) | (b[1] << 8) | b[2];
    }

    /// <summary>Reads <paramref name="count"/> bytes.</summary>
    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw Fail("truncated structure");
        }

        ReadOnlySpan<byte> result = _data.Slice(_position, count);
        _position += count;
        return result;
    }

    /// <summary>Reads a vector with a 1-byte length prefix.</summary>
    public ReadOnlySpan<byte> ReadVector8()
    {
        return ReadBytes(ReadUInt8());
    }

    /// <summary>Reads a vector with a 2-byte length prefix.</summary>
    public ReadOnlySpan<byte> ReadVector16()
    {
        return ReadBytes(ReadUInt16());
    }

    /// <summary>Reads a vector with a 3-byte length prefix.</summary>
    public ReadOnlySpan<byte> ReadVector24()
    {
        return ReadBytes(ReadUInt24());
    }

    /// <summary>Fails unless every byte was read.</summary>
    public readonly void EnsureEnd()
    {
        if (Remaining != 0)
        {
            throw Fail("trailing bytes");
        }
    }

    /// <summary>Creates the decode_error alert exception.</summary>
    public static TlsAlertException Fail(string what)
    {
        return new TlsAlertException(TlsAlert.DecodeError, "Malformed TLS message: " + what + ".");
    }
}

/// <summary>A growable big-endian writer for TLS structures.</summary>
internal sealed class TlsWriter
{
    private byte[] _buffer;
    private int _length;

    /// <summary>Creates a writer with an initial capacity.</summary>
    public TlsWriter(int capacity = 256)
    {
        _buffer = new byte[Math.Max(16, capacity)];
    }

    /// <summary>Bytes written so far.</summary>
    public int Length => _length;

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>Writes one byte.</summary>
    public void WriteUInt8(byte value)
    {
        Reserve(1)[0] = value;
    }

    /// <summary>Writes a big-endian 16-bit integer.</summary>
    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(Reserve(2), value);
    }

    /// <summary>Writes a big-endian 24-bit integer.</summary>
    public void WriteUInt24(int value)
    {
        Span<byte> b = Reserve(3);
        b[0] = (byte)(value >> 16);
        b[1] = (byte)(value >> 8);
        b[2] = (byte)value;
    }

    /// <summary>Writes raw bytes.</summary>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        value.CopyTo(Reserve(value.Length));
    }

    /// <summary>Starts a length-prefixed block; finish it with <see cref="EndLength"/>.</summary>
    public int BeginLength(int prefixBytes)
    {
        Reserve(prefixBytes);
        return _length;
    }

    /// <summary>Fills in the length prefix of a block started at <paramref name="start"/>.</summary>
    public void EndLength(int start, int prefixBytes)
    {
        int length = _length - start;
        int max = prefixBytes == 1 ? 0xff : prefixBytes == 2 ? 0xffff : 0xffffff;
        if (length > max)
        {
            throw new InvalidOperationException("TLS vector too long.");
        }

        Span<byte> prefix = _buffer.AsSpan(start - prefixBytes, prefixBytes);
        for (int i = prefixBytes - 1; i >= 0; i--)
        {
            prefix[i] = (byte)length;
            length >>= 8;
        }
    }

    /// <summary>Writes a vector with a 1-byte length prefix.</summary>
    public void WriteVector8(ReadOnlySpan<byte> value)
    {
        int start = BeginLength(1);
        WriteBytes(value);
        EndLength(start, 1);
    }

    /// <summary>Writes a vector with a 2-byte length prefix.</summary>
    public void WriteVector16(ReadOnlySpan<byte> value)
    {
        int start = BeginLength(2);
        WriteBytes(value);
        EndLength(start, 2);
    }

    /// <summary>Writes one extension: type, 2-byte length and body.</summary>
    public void WriteExtension(ushort type, ReadOnlySpan<byte> body)
    {
        WriteUInt16(type);
        WriteVector16(body);
    }

    /// <summary>Copies the written bytes into a new array.</summary>
    public byte[] ToArray()
    {
        return _buffer.AsSpan(0, _length).ToArray();
    }

    private Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }

        Span<byte> span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
