using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Text;

namespace Aster.Net.Identity;

/// <summary>
/// Everything needed to dial an endpoint: its <see cref="EndpointId"/>, an optional relay URL and the direct UDP
/// addresses it listens on. Immutable.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Parse(string)"/> accepts every address form of config-and-cli.md §9, tried in this order:
/// an <c>aster1…</c> address (<see cref="AsterAddress"/>), an iroh <c>endpoint…</c> ticket
/// (<see cref="EndpointTicket"/>), a bare endpoint id (64 hex or 52 base32 characters), then standard base64 of the
/// NodeAddr text (<see cref="ToNodeAddrText"/>; a decoded text without a newline is a bare hex id, as the reference
/// TypeScript server sends it).
/// </para>
/// <para>The <see cref="IPEndPoint"/> objects in <see cref="DirectAddresses"/> are copies; do not modify them.</para>
/// </remarks>
public sealed class EndpointAddr : IEquatable<EndpointAddr>
{
    private const string What = "endpoint address";

    /// <summary>Creates an address.</summary>
    /// <param name="id">The endpoint id.</param>
    /// <param name="relayUrl">The relay URL (absolute), or null.</param>
    /// <param name="directAddresses">Direct UDP addresses, in order of preference; copied.</param>
    /// <exception cref="ArgumentException"><paramref name="relayUrl"/> is not absolute.</exception>
    public EndpointAddr(EndpointId id, Uri? relayUrl = null, IEnumerable<IPEndPoint>? directAddresses = null)
    {
        if (relayUrl is not null && !relayUrl.IsAbsoluteUri)
        {
            throw new ArgumentException("The relay URL must be absolute.", nameof(relayUrl));
        }

        Id = id;
        RelayUrl = relayUrl;
        DirectAddresses = directAddresses is null
            ? []
            : directAddresses.Select(static a => new IPEndPoint((a ?? throw new ArgumentException("A direct address is null.", nameof(directAddresses))).Address, a.Port)).ToArray();
    }

    /// <summary>The endpoint id, which TLS authenticates.</summary>
    public EndpointId Id { get; }

    /// <summary>The relay URL, or null. Kept for the relay stage; dialling does not use it yet.</summary>
    public Uri? RelayUrl { get; }

    /// <summary>The direct UDP addresses, in order of preference.</summary>
    public IReadOnlyList<IPEndPoint> DirectAddresses { get; }

    /// <summary>
    /// Parses any accepted address form (see the remarks on <see cref="EndpointAddr"/>).
    /// </summary>
    /// <param name="text">The text; surrounding white space is ignored.</param>
    /// <returns>The address.</returns>
    /// <exception cref="AddressFormatException">The text is none of the accepted forms.</exception>
    public static EndpointAddr Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string trimmed = text.Trim();
        if (trimmed.StartsWith(AsterAddress.Prefix, StringComparison.Ordinal))
        {
            return AsterAddress.Parse(trimmed).ToEndpointAddr();
        }

        if (trimmed.StartsWith(EndpointTicket.Prefix, StringComparison.Ordinal))
        {
            return EndpointTicket.Parse(trimmed).ToEndpointAddr();
        }

        if (EndpointId.TryParse(trimmed, out EndpointId id))
        {
            return new EndpointAddr(id);
        }

        return ParseNodeAddrBase64(trimmed);
    }

    /// <summary>Parses like <see cref="Parse"/>, returning false instead of throwing.</summary>
    /// <param name="text">The text.</param>
    /// <param name="result">The address, or null on failure.</param>
    /// <returns>Whether the text was a valid address.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out EndpointAddr? result) =>
        IdentityErrors.TryParse(text, Parse, out result);

    /// <summary>
    /// Reads NodeAddr text: the hex endpoint id, a newline, the relay URL or nothing, a newline, then direct addresses
    /// <c>ip:port</c> (IPv6 in brackets) separated by newlines. Empty lines after the first two are ignored.
    /// A text without a newline is a bare hex id. (config-and-cli.md §9; reference <c>bindings/python/rust/src/net.rs</c>.)
    /// </summary>
    /// <param name="text">The text.</param>
    /// <returns>The address.</returns>
    /// <exception cref="AddressFormatException">The text is malformed; the exception names the character.</exception>
    public static EndpointAddr ParseNodeAddrText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        const string what = "NodeAddr text";
        string[] lines = text.Split('\n');
        EndpointId id = ParseIdAt(what, lines[0], 0);
        Uri? relay = null;
        List<IPEndPoint> direct = [];
        int offset = lines[0].Length + 1;
        for (int i = 1; i < lines.Length; i++)
        {
            string line = lines[i];
            if (i == 1)
            {
                if (line.Length > 0 && !Uri.TryCreate(line, UriKind.Absolute, out relay))
                {
                    throw IdentityErrors.AddressAtCharacter(what, "the relay URL is not an absolute URL", offset);
                }
            }
            else if (line.Length > 0)
            {
                direct.Add(SocketAddressText.Parse(what, line, offset));
            }

            offset += line.Length + 1;
        }

        return new EndpointAddr(id, relay, direct);
    }

    /// <summary>The NodeAddr text (see <see cref="ParseNodeAddrText"/>); IPv6 addresses are written in brackets.</summary>
    /// <returns>The text.</returns>
    public string ToNodeAddrText()
    {
        StringBuilder sb = new();
        sb.Append(Id.ToString()).Append('\n').Append(RelayUrl?.OriginalString).Append('\n');
        for (int i = 0; i < DirectAddresses.Count; i++)
        {
            if (i > 0)
            {
                sb.Append('\n');
            }

            sb.Append(SocketAddressText.Format(DirectAddresses[i]));
        }

        return sb.ToString();
    }

    /// <summary>
    /// Standard base64 (with padding) of the UTF-8 NodeAddr text: the <c>channels.rpc</c> value a server writes in its
    /// admission response (wire-protocol.md §17).
    /// </summary>
    /// <returns>The base64 text.</returns>
    public string ToNodeAddrBase64() => Convert.ToBase64String(Encoding.UTF8.GetBytes(ToNodeAddrText()));

    /// <summary>A copy with another relay URL.</summary>
    /// <param name="relayUrl">The relay URL, or null.</param>
    /// <returns>The new address.</returns>
    public EndpointAddr WithRelayUrl(Uri? relayUrl) => new(Id, relayUrl, DirectAddresses);

    /// <summary>A copy with other direct addresses.</summary>
    /// <param name="directAddresses">The direct addresses.</param>
    /// <returns>The new address.</returns>
    public EndpointAddr WithDirectAddresses(IEnumerable<IPEndPoint> directAddresses) => new(Id, RelayUrl, directAddresses);

    /// <summary>The <c>aster1…</c> form of this address, without a credential (the relay URL cannot be carried and is dropped).</summary>
    /// <returns>The address text.</returns>
    public override string ToString() => AsterAddress.FromEndpointAddr(this).ToString();

    /// <inheritdoc/>
    public bool Equals(EndpointAddr? other)
        => other is not null
           && Id == other.Id
           && Equals(RelayUrl, other.RelayUrl)
           && DirectAddresses.SequenceEqual(other.DirectAddresses);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as EndpointAddr);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Id, RelayUrl, DirectAddresses.Count);

    internal static EndpointId ParseIdAt(string what, ReadOnlySpan<char> text, int baseIndex)
    {
        if (!EndpointId.TryParseCore(text, out EndpointId id, out TextError error))
        {
            throw error.Index >= 0
                ? IdentityErrors.AddressAtCharacter(what, "endpoint id: " + error.Reason, baseIndex + error.Index)
                : IdentityErrors.AddressAtCharacter(what, "endpoint id: " + error.Reason, baseIndex);
        }

        return id;
    }

    private static EndpointAddr ParseNodeAddrBase64(string text)
    {
        const string what = "address";
        if (text.Length == 0)
        {
            throw IdentityErrors.Address(what, "the text is empty");
        }

        if (!Base64.IsValid(text, out int decodedLength))
        {
            throw IdentityErrors.Address(
                what,
                "not an aster1 address, an endpoint ticket, an endpoint id or base64 NodeAddr text");
        }

        byte[] decoded = new byte[decodedLength];
        if (!Convert.TryFromBase64String(text, decoded, out int written))
        {
            throw IdentityErrors.Address(what, "not valid base64");
        }

        string nodeAddr;
        try
        {
            nodeAddr = new UTF8Encoding(false, true).GetString(decoded, 0, written);
        }
        catch (DecoderFallbackException)
        {
            throw IdentityErrors.Address(what, "the base64 NodeAddr text is not UTF-8");
        }

        return ParseNodeAddrText(nodeAddr);
    }
}
