using System.Buffers;
using System.Security.Cryptography;
using Aster.Net.Quic.Packets;

namespace Aster.Net.Quic.Protection;

/// <summary>Retry packets and their integrity tag (RFC 9001, section 5.8; transport.md, section 3.6).</summary>
internal static class RetryIntegrity
{
    private const int StackLimit = 512;
    private static readonly byte[] _key = Convert.FromHexString("be0c690b9f66575a1d766b54e368c84e");
    private static readonly byte[] _nonce = Convert.FromHexString("461599d35d632bf2239825bb");

    /// <summary>
    /// Computes the tag over the Retry pseudo-packet: the original destination connection id (length-prefixed) and the
    /// Retry packet without its tag.
    /// </summary>
    public static void ComputeTag(ReadOnlySpan<byte> originalDestinationConnectionId, ReadOnlySpan<byte> retryWithoutTag, Span<byte> tag)
    {
        if (originalDestinationConnectionId.Length > QuicConstants.MaxConnectionIdLength)
        {
            throw new ArgumentException("Connection id longer than 20 bytes.", nameof(originalDestinationConnectionId));
        }

        int length = 1 + originalDestinationConnectionId.Length + retryWithoutTag.Length;
        byte[]? rented = null;
        Span<byte> pseudo = length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            pseudo[0] = (byte)originalDestinationConnectionId.Length;
            originalDestinationConnectionId.CopyTo(pseudo[1..]);
            retryWithoutTag.CopyTo(pseudo[(1 + originalDestinationConnectionId.Length)..]);

            // Retry is rare; a fresh AesGcm keeps this thread-safe without a lock.
            using var aes = new AesGcm(_key, QuicConstants.RetryIntegrityTagLength);
            aes.Encrypt(_nonce, ReadOnlySpan<byte>.Empty, Span<byte>.Empty, tag[..QuicConstants.RetryIntegrityTagLength], pseudo[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>True if the last 16 bytes of <paramref name="retryPacket"/> are its correct integrity tag.</summary>
    public static bool Verify(ReadOnlySpan<byte> originalDestinationConnectionId, ReadOnlySpan<byte> retryPacket)
    {
        if (retryPacket.Length < QuicConstants.RetryIntegrityTagLength || originalDestinationConnectionId.Length > QuicConstants.MaxConnectionIdLength)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[QuicConstants.RetryIntegrityTagLength];
        int bodyLength = retryPacket.Length - QuicConstants.RetryIntegrityTagLength;
        ComputeTag(originalDestinationConnectionId, retryPacket[..bodyLength], expected);
        return CryptographicOperations.FixedTimeEquals(expected, retryPacket[bodyLength..]);
    }

    /// <summary>The length of a Retry packet.</summary>
    public static int GetPacketLength(int destinationLength, int sourceLength, int tokenLength) =>
        1 + 4 + 1 + destinationLength + 1 + sourceLength + tokenLength + QuicConstants.RetryIntegrityTagLength;

    /// <summary>
    /// Writes a Retry packet (server side) with its integrity tag and returns its length. <paramref name="unusedBits"/>
    /// supplies the four unused low bits of the first byte.
    /// </summary>
    public static int WritePacket(
        Span<byte> destination,
        ReadOnlySpan<byte> destinationConnectionId,
        ReadOnlySpan<byte> sourceConnectionId,
        ReadOnlySpan<byte> token,
        ReadOnlySpan<byte> originalDestinationConnectionId,
        byte unusedBits = 0)
    {
        if (destinationConnectionId.Length > QuicConstants.MaxConnectionIdLength || sourceConnectionId.Length > QuicConstants.MaxConnectionIdLength || token.IsEmpty)
        {
            throw new ArgumentException("Retry needs connection ids of at most 20 bytes and a non-empty token.");
        }

        var writer = new QuicWriter(destination);
        writer.WriteByte((byte)(0xf0 | (unusedBits & 0x0f)));
        writer.WriteUInt32(QuicConstants.Version1);
        writer.WriteByte((byte)destinationConnectionId.Length);
        writer.WriteBytes(destinationConnectionId);
        writer.WriteByte((byte)sourceConnectionId.Length);
        writer.WriteBytes(sourceConnectionId);
        writer.WriteBytes(token);
        int bodyLength = writer.Position;
        writer.Advance(QuicConstants.RetryIntegrityTagLength);
        ComputeTag(originalDestinationConnectionId, destination[..bodyLength], destination.Slice(bodyLength, QuicConstants.RetryIntegrityTagLength));
        return writer.Position;
    }
}

/// <summary>Stateless reset helpers (RFC 9000, section 10.3; transport.md, section 7.6).</summary>
internal static class StatelessReset
{
    /// <summary>The shortest datagram that can be a stateless reset (and the shortest one we send).</summary>
    public const int MinLength = 21;

    /// <summary>The longest stateless reset we send.</summary>
    public const int MaxLength = 43;

    private static readonly byte[] _resetKeyInfo = "aster quic stateless reset v1"u8.ToArray();

    /// <summary>
    /// True if <paramref name="datagram"/> is long enough and ends with <paramref name="token"/> (constant-time
    /// comparison). Call it for datagrams that match no connection or fail to decrypt.
    /// </summary>
    public static bool Matches(ReadOnlySpan<byte> datagram, ReadOnlySpan<byte> token) =>
        datagram.Length >= MinLength
        && token.Length == QuicConstants.StatelessResetTokenLength
        && CryptographicOperations.FixedTimeEquals(datagram[^QuicConstants.StatelessResetTokenLength..], token);

    /// <summary>Derives the endpoint's 32-byte reset key from its secret key with HKDF-SHA256.</summary>
    public static byte[] DeriveResetKey(ReadOnlySpan<byte> endpointSecretKey)
    {
        byte[] key = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, endpointSecretKey, key, ReadOnlySpan<byte>.Empty, _resetKeyInfo);
        return key;
    }

    /// <summary>Computes the token for one of our connection ids: the first 16 bytes of HMAC-SHA256(reset key, CID).</summary>
    public static void ComputeToken(ReadOnlySpan<byte> resetKey, ReadOnlySpan<byte> connectionId, Span<byte> token)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(resetKey, connectionId, mac);
        mac[..QuicConstants.StatelessResetTokenLength].CopyTo(token);
    }

    /// <summary>
    /// Writes a stateless reset answering a datagram of <paramref name="triggerLength"/> bytes: strictly shorter than the
    /// trigger, at least 21 bytes, random apart from the fixed bit and the token. Returns 0 when none may be sent.
    /// </summary>
    public static int Write(Span<byte> destination, int triggerLength, ReadOnlySpan<byte> token)
    {
        int length = Math.Min(triggerLength - 1, MaxLength);
        if (length < MinLength || destination.Length < length || token.Length != QuicConstants.StatelessResetTokenLength)
        {
            return 0;
        }

        Span<byte> packet = destination[..length];
        RandomNumberGenerator.Fill(packet[..^QuicConstants.StatelessResetTokenLength]);
        packet[0] = (byte)(QuicConstants.FixedBit | (packet[0] & 0x3f));
        token.CopyTo(packet[^QuicConstants.StatelessResetTokenLength..]);
        return length;
    }
}
