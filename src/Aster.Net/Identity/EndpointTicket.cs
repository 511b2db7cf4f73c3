using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Aster.Net.Identity;

/// <summary>
/// An iroh endpoint ticket, <c>endpoint…</c> (n0-computer/iroh-tickets 0.4, <c>src/endpoint.rs</c>): an endpoint id with
/// the relay URLs, direct addresses and custom addresses it can be reached at. Immutable.
/// </summary>
/// <remarks>
/// <para>
/// Text: <c>endpoint</c> followed by lowercase unpadded RFC 4648 base32 of the binary form; decoding accepts either
/// case of the base32 part, rejects a final character with non-zero unused bits and impossible lengths, as
/// iroh-tickets' <c>decode_string</c> does with data-encoding's <c>BASE32_NOPAD</c>.
/// </para>
/// <para>
/// Binary (postcard): varint 0 (wire-format variant 1); the 32 id bytes; a varint count; then each address as a
/// varint variant and its payload: 0 relay URL (varint length + UTF-8), 1 IP (varint 0 + 4 bytes or varint 1 + 16
/// bytes, then the port as a varint), 2 custom (varint u64 transport id, then varint 0 + a size byte + 30 bytes, or
/// varint 1 + varint length + bytes). The addresses are a set in iroh (<c>BTreeSet&lt;TransportAddr&gt;</c>), so this
/// type keeps them sorted in iroh's order (relays, then IPv4, then IPv6, then custom; see each property) and without
/// duplicates; decoding accepts any order, as iroh does, and encoding writes iroh's order. Checked by reading
/// iroh-tickets <c>v0.4.0</c> (<c>src/endpoint.rs</c>, <c>src/lib.rs</c>) and iroh-base <c>v0.97.0</c>
/// (<c>endpoint_addr.rs</c>, <c>key.rs</c>, <c>relay_url.rs</c>), and against the iroh-tickets
/// <c>test_ticket_base32</c> vector (transport.md §11). The reference addon prints no endpoint tickets, so there is
/// no live check. Over-long varints are accepted, as postcard accepts them; only canonical input re-encodes to the
/// same bytes.
/// </para>
/// <para>
/// Differences from iroh: trailing bytes after the addresses are an error (postcard ignores them); the endpoint id
/// is not checked to be a curve point (see <see cref="EndpointId.IsValidPublicKey"/>); a relay URL must be an absolute
/// URI by .NET's rules, not by the WHATWG rules of Rust's <c>url</c> crate.
/// </para>
/// </remarks>
public sealed class EndpointTicket : IEquatable<EndpointTicket>
{
    /// <summary>The text prefix (iroh's ticket <c>KIND</c>).</summary>
    public const string Prefix = "endpoint";

    /// <summary>The longest ticket text accepted, in characters (a bound on work, far above real tickets).</summary>
    public const int MaxTextLength = 8192;

    private const string What = "endpoint ticket";

    private readonly string[] _relayUrls;

    /// <summary>Creates a ticket. Duplicates are removed and the addresses sorted in iroh's order.</summary>
    /// <param name="id">The endpoint id.</param>
    /// <param name="relayUrls">Relay URLs (absolute), written in their <see cref="Uri.AbsoluteUri"/> form.</param>
    /// <param name="directAddresses">Direct UDP addresses. IPv6 scope ids are not carried.</param>
    /// <param name="customAddresses">Custom transport addresses.</param>
    /// <exception cref="ArgumentException">A relay URL is not absolute, or an address is null.</exception>
    public EndpointTicket(
        EndpointId id,
        IEnumerable<Uri>? relayUrls = null,
        IEnumerable<IPEndPoint>? directAddresses = null,
        IEnumerable<CustomTransportAddress>? customAddresses = null)
        : this(
            id,
            (relayUrls ?? []).Select(static u => (u ?? throw new ArgumentException("A relay URL is null.", nameof(relayUrls))).IsAbsoluteUri
                ? u.AbsoluteUri
                : throw new ArgumentException("A relay URL must be absolute.", nameof(relayUrls))),
            directAddresses ?? [],
            customAddresses ?? [])
    {
    }

    private EndpointTicket(EndpointId id, IEnumerable<string> relayUrls, IEnumerable<IPEndPoint> directAddresses, IEnumerable<CustomTransportAddress> customAddresses)
    {
        Id = id;
        _relayUrls = relayUrls.Distinct(StringComparer.Ordinal).Order(Utf8Order.Instance).ToArray();
        RelayUrls = _relayUrls.Select(static s => new Uri(s, UriKind.Absolute)).ToArray();
        DirectAddresses = directAddresses
            .Select(static a => Normalize(a ?? throw new ArgumentException("A direct address is null.", nameof(directAddresses))))
            .Distinct()
            .Order(EndPointOrder.Instance)
            .ToArray();
        CustomAddresses = customAddresses
            .Select(static a => a ?? throw new ArgumentException("A custom address is null.", nameof(customAddresses)))
            .Distinct()
            .Order(CustomTransportAddress.Order)
            .ToArray();
    }

    /// <summary>The endpoint id.</summary>
    public EndpointId Id { get; }

    /// <summary>The relay URLs, ordered by their UTF-8 text (iroh orders <c>RelayUrl</c> by its serialization).</summary>
    public IReadOnlyList<Uri> RelayUrls { get; }

    /// <summary>The direct addresses: IPv4 before IPv6, each by address bytes then port (Rust's <c>SocketAddr</c> order).</summary>
    public IReadOnlyList<IPEndPoint> DirectAddresses { get; }

    /// <summary>The custom transport addresses (by transport id, then inline payloads of at most 30 bytes by length and bytes, then longer payloads by bytes: iroh's derived order).</summary>
    public IReadOnlyList<CustomTransportAddress> CustomAddresses { get; }

    /// <summary>Parses <c>endpoint</c> + base32 text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The ticket.</returns>
    /// <exception cref="AddressFormatException">
    /// The prefix or a base32 character is wrong (with its character index), or the decoded bytes are malformed
    /// (with their byte offset).
    /// </exception>
    public static EndpointTicket Parse(string text)
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

        if (text.Length > MaxTextLength)
        {
            throw IdentityErrors.AddressAtCharacter(What, $"longer than {MaxTextLength} characters", MaxTextLength);
        }

        if (!TextEncodings.TryDecodeBase32(text.AsSpan(Prefix.Length), hexAlphabet: false, out byte[] bytes, out TextError error))
        {
            throw error.Index >= 0
                ? IdentityErrors.AddressAtCharacter(What, error.Reason, Prefix.Length + error.Index)
                : IdentityErrors.Address(What, error.Reason);
        }

        return FromBytes(bytes);
    }

    /// <summary>Parses like <see cref="Parse"/>, returning false instead of throwing.</summary>
    /// <param name="text">The text.</param>
    /// <param name="result">The ticket, or null on failure.</param>
    /// <returns>Whether the text was a valid ticket.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out EndpointTicket? result) =>
        IdentityErrors.TryParse(text, Parse, out result);

    /// <summary>Decodes the postcard binary form.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>The ticket.</returns>
    /// <exception cref="AddressFormatException">The bytes are malformed; the exception names the byte offset.</exception>
    public static EndpointTicket FromBytes(ReadOnlySpan<byte> bytes)
    {
        PostcardReader reader = new(bytes, What);
        int at = reader.Position;
        ulong format = reader.ReadVarint(32, "wire format variant");
        if (format != 0)
        {
            throw reader.Error($"unknown wire format variant {format}", at);
        }

        EndpointId id = EndpointId.FromBytes(reader.ReadBytes(EndpointId.Length, "endpoint id"));
        int count = reader.ReadLength("address count");
        List<string> relays = [];
        List<IPEndPoint> direct = [];
        List<CustomTransportAddress> custom = [];
        for (int i = 0; i < count; i++)
        {
            at = reader.Position;
            ulong variant = reader.ReadVarint(32, "transport address variant");
            switch (variant)
            {
                case 0:
                    int urlAt = reader.Position;
                    string url = reader.ReadString("relay URL");
                    if (!Uri.TryCreate(url, UriKind.Absolute, out _))
                    {
                        throw reader.Error("the relay URL is not an absolute URL", urlAt);
                    }

                    relays.Add(url);
                    break;
                case 1:
                    direct.Add(ReadSocketAddress(ref reader));
                    break;
                case 2:
                    custom.Add(ReadCustomAddress(ref reader));
                    break;
                default:
                    throw reader.Error($"unknown transport address variant {variant}", at);
            }
        }

        if (reader.Remaining != 0)
        {
            throw reader.Error($"{reader.Remaining} trailing bytes after the addresses", reader.Position);
        }

        return new EndpointTicket(id, relays, direct, custom);
    }

    /// <summary>Builds a ticket from an <see cref="EndpointAddr"/> (its relay URL and direct addresses).</summary>
    /// <param name="address">The address.</param>
    /// <returns>The ticket.</returns>
    public static EndpointTicket FromEndpointAddr(EndpointAddr address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new EndpointTicket(address.Id, address.RelayUrl is null ? [] : [address.RelayUrl], address.DirectAddresses);
    }

    /// <summary>The id, the first relay URL and the direct addresses as an <see cref="EndpointAddr"/> (custom addresses are dropped).</summary>
    /// <returns>The address.</returns>
    public EndpointAddr ToEndpointAddr() => new(Id, RelayUrls.Count > 0 ? RelayUrls[0] : null, DirectAddresses);

    /// <summary>The postcard binary form.</summary>
    /// <returns>The bytes.</returns>
    public byte[] ToBytes()
    {
        PostcardWriter writer = new();
        writer.WriteVarint(0);
        writer.WriteBytes(Id.AsSpan());
        writer.WriteVarint((ulong)(_relayUrls.Length + DirectAddresses.Count + CustomAddresses.Count));
        foreach (string url in _relayUrls)
        {
            writer.WriteVarint(0);
            writer.WriteString(url);
        }

        foreach (IPEndPoint endPoint in DirectAddresses)
        {
            writer.WriteVarint(1);
            writer.WriteVarint(endPoint.AddressFamily == AddressFamily.InterNetwork ? 0u : 1u);
            writer.WriteBytes(endPoint.Address.GetAddressBytes());
            writer.WriteVarint((ulong)endPoint.Port);
        }

        foreach (CustomTransportAddress address in CustomAddresses)
        {
            writer.WriteVarint(2);
            writer.WriteVarint(address.TransportId);
            byte[] data = address.DataArray;
            if (data.Length <= CustomTransportAddress.InlineCapacity)
            {
                writer.WriteVarint(0);
                writer.WriteByte((byte)data.Length);
                writer.WriteBytes(data);
                writer.WriteBytes(new byte[CustomTransportAddress.InlineCapacity - data.Length]);
            }
            else
            {
                writer.WriteVarint(1);
                writer.WriteVarint((ulong)data.Length);
                writer.WriteBytes(data);
            }
        }

        return writer.ToArray();
    }

    /// <summary>The text form: <c>endpoint</c> + lowercase unpadded base32 of <see cref="ToBytes"/>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Prefix + TextEncodings.EncodeBase32(ToBytes(), TextEncodings.Base32Alphabet);

    /// <inheritdoc/>
    public bool Equals(EndpointTicket? other) => other is not null && ToBytes().AsSpan().SequenceEqual(other.ToBytes());

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as EndpointTicket);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Id, DirectAddresses.Count, _relayUrls.Length, CustomAddresses.Count);

    private static IPEndPoint ReadSocketAddress(ref PostcardReader reader)
    {
        int at = reader.Position;
        ulong family = reader.ReadVarint(32, "socket address variant");
        int length = family switch
        {
            0 => 4,
            1 => 16,
            _ => throw reader.Error($"unknown socket address variant {family}", at),
        };
        IPAddress address = new(reader.ReadBytes(length, family == 0 ? "IPv4 address" : "IPv6 address"));
        int port = (int)reader.ReadVarint(16, "port");
        return new IPEndPoint(address, port);
    }

    private static CustomTransportAddress ReadCustomAddress(ref PostcardReader reader)
    {
        ulong transportId = reader.ReadVarint(64, "custom transport id");
        int at = reader.Position;
        ulong storage = reader.ReadVarint(32, "custom address storage variant");
        switch (storage)
        {
            case 0:
                int sizeAt = reader.Position;
                byte size = reader.ReadByte("custom address size");
                if (size > CustomTransportAddress.InlineCapacity)
                {
                    throw reader.Error($"an inline custom address holds at most {CustomTransportAddress.InlineCapacity} bytes, not {size}", sizeAt);
                }

                ReadOnlySpan<byte> inline = reader.ReadBytes(CustomTransportAddress.InlineCapacity, "custom address data");
                return new CustomTransportAddress(transportId, inline[..size]);
            case 1:
                int length = reader.ReadLength("custom address length");
                return new CustomTransportAddress(transportId, reader.ReadBytes(length, "custom address data"));
            default:
                throw reader.Error($"unknown custom address storage variant {storage}", at);
        }
    }

    private static IPEndPoint Normalize(IPEndPoint endPoint)
    {
        IPAddress address = endPoint.Address;
        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentException($"Only IPv4 and IPv6 addresses can be carried, got {address.AddressFamily}.", nameof(endPoint));
        }

        return new IPEndPoint(new IPAddress(address.GetAddressBytes()), endPoint.Port);
    }

    private sealed class Utf8Order : IComparer<string>
    {
        public static readonly Utf8Order Instance = new();

        public int Compare(string? x, string? y)
            => Encoding.UTF8.GetBytes(x ?? string.Empty).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y ?? string.Empty));
    }

    private sealed class EndPointOrder : IComparer<IPEndPoint>
    {
        public static readonly EndPointOrder Instance = new();

        public int Compare(IPEndPoint? x, IPEndPoint? y)
        {
            if (x is null || y is null)
            {
                return x is null ? (y is null ? 0 : -1) : 1;
            }

            int c = x.AddressFamily.CompareTo(y.AddressFamily);
            if (c != 0)
            {
                // InterNetwork (2) sorts before InterNetworkV6 (23), as SocketAddr::V4 before V6.
                return c;
            }

            c = x.Address.GetAddressBytes().AsSpan().SequenceCompareTo(y.Address.GetAddressBytes());
            return c != 0 ? c : x.Port.CompareTo(y.Port);
        }
    }
}
