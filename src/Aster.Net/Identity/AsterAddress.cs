using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Aster.Net.Identity;

/// <summary>
/// An <c>aster1…</c> address: the compact ticket the reference servers print (wire-protocol.md §18; reference
/// <c>core/src/ticket.rs</c>, <c>AsterTicket</c>). It holds an endpoint id, an optional relay socket address, up to
/// 15 direct addresses and an optional <see cref="AddressCredential"/>. Immutable.
/// </summary>
/// <remarks>
/// <para>
/// Binary form (at most 256 bytes): the 32-byte id; a header byte (version 1 in bits 7–4, relay type in bits 3–2:
/// 0 none, 1 IPv4, 2 IPv6); the relay address and big-endian port; a count byte (count in bits 7–4); a 2-bit-per-address
/// type bitfield (00 IPv4, 01 IPv6, first address in the top bits); the direct addresses; then optionally the
/// credential TLV (type, big-endian u16 length, payload). Text form: <c>aster1</c> followed by Base58 (Bitcoin alphabet,
/// leading zero bytes as <c>1</c>, no checksum) of the binary form.
/// </para>
/// <para>
/// Decoding follows the reference decoder: 34 to 256 bytes; version 1; relay type 3, address types 10 and 11,
/// unknown credential types, a credential payload over 220 bytes, truncation at any point and trailing bytes are
/// errors; the reserved low bits of the header and count bytes are ignored. Stricter than the reference
/// (which silently drops it), an open credential with a payload is an error, so every accepted input whose reserved
/// bits are zero re-encodes to the same bytes. The endpoint id is not checked to be a curve point (the reference
/// stores raw bytes; see <see cref="EndpointId.IsValidPublicKey"/>).
/// </para>
/// </remarks>
public sealed class AsterAddress : IEquatable<AsterAddress>
{
    /// <summary>The text prefix.</summary>
    public const string Prefix = "aster1";

    /// <summary>The largest binary form, in bytes.</summary>
    public const int MaxEncodedLength = 256;

    /// <summary>The smallest binary form (id, header and count), in bytes.</summary>
    public const int MinEncodedLength = 34;

    /// <summary>The most direct addresses an address can carry.</summary>
    public const int MaxDirectAddresses = 15;

    private const string What = "aster1 address";
    private const int Version = 1;

    private readonly byte[] _encoded;

    /// <summary>Creates an address.</summary>
    /// <param name="id">The endpoint id.</param>
    /// <param name="relay">The relay server's socket address (an IP and port, not a URL), or null.</param>
    /// <param name="directAddresses">At most 15 direct addresses; copied. IPv6 scope ids are not carried.</param>
    /// <param name="credential">The credential, or null for none.</param>
    /// <exception cref="ArgumentException">More than 15 direct addresses, or the binary form would exceed 256 bytes.</exception>
    public AsterAddress(EndpointId id, IPEndPoint? relay = null, IEnumerable<IPEndPoint>? directAddresses = null, AddressCredential? credential = null)
    {
        Id = id;
        Relay = relay is null ? null : Strip(relay);
        DirectAddresses = directAddresses is null
            ? []
            : directAddresses.Select(static a => Strip(a ?? throw new ArgumentException("A direct address is null.", nameof(directAddresses)))).ToArray();
        Credential = credential;
        if (DirectAddresses.Count > MaxDirectAddresses)
        {
            throw new ArgumentException($"An aster1 address carries at most {MaxDirectAddresses} direct addresses, got {DirectAddresses.Count}.", nameof(directAddresses));
        }

        _encoded = Encode();
        if (_encoded.Length > MaxEncodedLength)
        {
            throw new ArgumentException($"The aster1 address would take {_encoded.Length} bytes; at most {MaxEncodedLength} are allowed.", nameof(credential));
        }
    }

    /// <summary>The endpoint id.</summary>
    public EndpointId Id { get; }

    /// <summary>The relay server's socket address, or null. Kept for the relay stage; dialling does not use it.</summary>
    public IPEndPoint? Relay { get; }

    /// <summary>The direct UDP addresses, in order.</summary>
    public IReadOnlyList<IPEndPoint> DirectAddresses { get; }

    /// <summary>The credential, or null when the address carries none.</summary>
    public AddressCredential? Credential { get; }

    /// <summary>Parses <c>aster1</c> + Base58 text.</summary>
    /// <param name="text">The text (no surrounding white space).</param>
    /// <returns>The address.</returns>
    /// <exception cref="AddressFormatException">
    /// The text is malformed: a wrong prefix or a bad Base58 character (with its character index), or a binary form that
    /// breaks a rule of the format (with its byte offset in the decoded bytes).
    /// </exception>
    public static AsterAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            int at = 0;
            while (at < Prefix.Length && at < text.Length && text[at] == Prefix[at])
            {
                at++;
            }

            throw IdentityErrors.AddressAtCharacter(What, $"expected the prefix '{Prefix}'", at);
        }

        if (!TextEncodings.TryDecodeBase58(text.AsSpan(Prefix.Length), MaxEncodedLength, out byte[] bytes, out TextError error))
        {
            throw IdentityErrors.AddressAtCharacter(What, error.Reason, Prefix.Length + error.Index);
        }

        return Decode(bytes);
    }

    /// <summary>Parses like <see cref="Parse"/>, returning false instead of throwing.</summary>
    /// <param name="text">The text.</param>
    /// <param name="result">The address, or null on failure.</param>
    /// <returns>Whether the text was a valid address.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out AsterAddress? result) =>
        IdentityErrors.TryParse(text, Parse, out result);

    /// <summary>Decodes the binary form.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>The address.</returns>
    /// <exception cref="AddressFormatException">The bytes break a rule of the format; the exception names the byte offset.</exception>
    public static AsterAddress FromBytes(ReadOnlySpan<byte> bytes) => Decode(bytes);

    /// <summary>Builds an address from an <see cref="EndpointAddr"/>. Its relay URL cannot be carried and is dropped.</summary>
    /// <param name="address">The address.</param>
    /// <param name="credential">The credential, or null.</param>
    /// <returns>The aster1 address.</returns>
    /// <exception cref="ArgumentException">More than 15 direct addresses, or the result would exceed 256 bytes.</exception>
    public static AsterAddress FromEndpointAddr(EndpointAddr address, AddressCredential? credential = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new AsterAddress(address.Id, null, address.DirectAddresses, credential);
    }

    /// <summary>The endpoint id and direct addresses as an <see cref="EndpointAddr"/>. The relay socket address has no URL form and is dropped.</summary>
    /// <returns>The address.</returns>
    public EndpointAddr ToEndpointAddr() => new(Id, null, DirectAddresses);

    /// <summary>The binary form.</summary>
    /// <returns>A new array of at most 256 bytes.</returns>
    public byte[] ToBytes() => (byte[])_encoded.Clone();

    /// <summary>The text form, <c>aster1</c> + Base58.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Prefix + TextEncodings.EncodeBase58(_encoded);

    /// <inheritdoc/>
    public bool Equals(AsterAddress? other) => other is not null && _encoded.AsSpan().SequenceEqual(other._encoded);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as AsterAddress);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Id, _encoded.Length);

    private static IPEndPoint Strip(IPEndPoint endPoint)
    {
        IPAddress address = endPoint.Address;
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            address = new IPAddress(address.GetAddressBytes());
        }
        else if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentException($"Only IPv4 and IPv6 addresses can be carried, got {address.AddressFamily}.", nameof(endPoint));
        }

        return new IPEndPoint(address, endPoint.Port);
    }

    private static int AddressLength(IPEndPoint endPoint) => endPoint.AddressFamily == AddressFamily.InterNetwork ? 6 : 18;

    private static void WriteAddress(List<byte> buffer, IPEndPoint endPoint)
    {
        buffer.AddRange(endPoint.Address.GetAddressBytes());
        buffer.Add((byte)(endPoint.Port >> 8));
        buffer.Add((byte)endPoint.Port);
    }

    private byte[] Encode()
    {
        List<byte> buffer = new(64);
        buffer.AddRange(Id.AsSpan());
        int relayType = Relay is null ? 0 : Relay.AddressFamily == AddressFamily.InterNetwork ? 1 : 2;
        buffer.Add((byte)((Version << 4) | (relayType << 2)));
        if (Relay is not null)
        {
            WriteAddress(buffer, Relay);
        }

        int count = DirectAddresses.Count;
        buffer.Add((byte)(count << 4));
        if (count > 0)
        {
            byte[] bitfield = new byte[((count * 2) + 7) / 8];
            for (int i = 0; i < count; i++)
            {
                int bits = DirectAddresses[i].AddressFamily == AddressFamily.InterNetwork ? 0 : 1;
                bitfield[(i * 2) / 8] |= (byte)(bits << (6 - ((i * 2) % 8)));
            }

            buffer.AddRange(bitfield);
            foreach (IPEndPoint endPoint in DirectAddresses)
            {
                WriteAddress(buffer, endPoint);
            }
        }

        if (Credential is not null)
        {
            byte[] payload = Credential.PayloadArray;
            buffer.Add((byte)Credential.Kind);
            buffer.Add((byte)(payload.Length >> 8));
            buffer.Add((byte)payload.Length);
            buffer.AddRange(payload);
        }

        return [.. buffer];
    }

    private static AsterAddress Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxEncodedLength)
        {
            throw IdentityErrors.AddressAtByte(What, $"{bytes.Length} bytes is more than the {MaxEncodedLength} allowed", MaxEncodedLength);
        }

        if (bytes.Length < MinEncodedLength)
        {
            throw IdentityErrors.AddressAtByte(What, $"{bytes.Length} bytes is fewer than the {MinEncodedLength} required", bytes.Length);
        }

        EndpointId id = EndpointId.FromBytes(bytes[..EndpointId.Length]);
        int pos = EndpointId.Length;
        byte header = bytes[pos];
        if (header >> 4 != Version)
        {
            throw IdentityErrors.AddressAtByte(What, $"unsupported version {header >> 4} (only {Version} is defined)", pos);
        }

        int relayType = (header >> 2) & 3;
        pos++;
        IPEndPoint? relay = relayType switch
        {
            0 => null,
            1 => ReadAddress(bytes, ref pos, ipv6: false, "relay address"),
            2 => ReadAddress(bytes, ref pos, ipv6: true, "relay address"),
            _ => throw IdentityErrors.AddressAtByte(What, "relay type 3 is reserved", pos - 1),
        };

        if (pos >= bytes.Length)
        {
            throw IdentityErrors.AddressAtByte(What, "truncated: the direct address count is missing", pos);
        }

        int count = bytes[pos] >> 4;
        pos++;
        IPEndPoint[] direct = new IPEndPoint[count];
        if (count > 0)
        {
            int bitfieldLength = ((count * 2) + 7) / 8;
            if (pos + bitfieldLength > bytes.Length)
            {
                throw IdentityErrors.AddressAtByte(What, "truncated: the address type bitfield is incomplete", bytes.Length);
            }

            int bitfieldStart = pos;
            pos += bitfieldLength;
            for (int i = 0; i < count; i++)
            {
                int at = bitfieldStart + ((i * 2) / 8);
                int type = (bytes[at] >> (6 - ((i * 2) % 8))) & 3;
                direct[i] = type switch
                {
                    0 => ReadAddress(bytes, ref pos, ipv6: false, "direct address"),
                    1 => ReadAddress(bytes, ref pos, ipv6: true, "direct address"),
                    _ => throw IdentityErrors.AddressAtByte(What, $"address type {type} of direct address {i} is reserved", at),
                };
            }
        }

        AddressCredential? credential = null;
        if (pos < bytes.Length)
        {
            if (pos + 3 > bytes.Length)
            {
                throw IdentityErrors.AddressAtByte(What, "truncated: the credential type and length are incomplete", bytes.Length);
            }

            int typeAt = pos;
            byte type = bytes[pos];
            int length = BinaryPrimitives.ReadUInt16BigEndian(bytes[(pos + 1)..]);
            pos += 3;
            if (type > (byte)AddressCredentialKind.RegistryRead)
            {
                throw IdentityErrors.AddressAtByte(What, $"unknown credential type 0x{type:x2}", typeAt);
            }

            if (length > AddressCredential.MaxPayloadLength)
            {
                throw IdentityErrors.AddressAtByte(What, $"a credential payload of {length} bytes is more than the {AddressCredential.MaxPayloadLength} allowed", typeAt + 1);
            }

            if (pos + length > bytes.Length)
            {
                throw IdentityErrors.AddressAtByte(What, $"truncated: the credential payload needs {length} bytes, {bytes.Length - pos} remain", bytes.Length);
            }

            if (AddressCredential.CheckPayload((AddressCredentialKind)type, length) is { } problem)
            {
                throw IdentityErrors.AddressAtByte(What, problem, typeAt + 1);
            }

            credential = AddressCredential.Create((AddressCredentialKind)type, bytes.Slice(pos, length));
            pos += length;
        }

        if (pos != bytes.Length)
        {
            throw IdentityErrors.AddressAtByte(What, $"{bytes.Length - pos} trailing bytes after the credential", pos);
        }

        return new AsterAddress(id, relay, direct, credential);
    }

    private static IPEndPoint ReadAddress(ReadOnlySpan<byte> bytes, ref int pos, bool ipv6, string part)
    {
        int length = ipv6 ? 18 : 6;
        if (pos + length > bytes.Length)
        {
            throw IdentityErrors.AddressAtByte(What, $"truncated: the {(ipv6 ? "IPv6" : "IPv4")} {part} needs {length} bytes, {bytes.Length - pos} remain", bytes.Length);
        }

        IPAddress address = new(bytes.Slice(pos, length - 2));
        int port = BinaryPrimitives.ReadUInt16BigEndian(bytes[(pos + length - 2)..]);
        pos += length;
        return new IPEndPoint(address, port);
    }
}
