using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Aster.Net.Identity;

/// <summary>
/// The <c>ip:port</c> text of a socket address as Rust's <c>SocketAddr</c> writes and reads it: dotted-quad IPv4,
/// IPv6 in brackets, decimal port.
/// </summary>
internal static class SocketAddressText
{
    public static string Format(IPEndPoint endPoint) => endPoint.ToString();

    public static IPEndPoint Parse(string what, string text, int baseIndex)
    {
        int colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            throw IdentityErrors.AddressAtCharacter(what, "a socket address needs ':port'", baseIndex + text.Length);
        }

        ReadOnlySpan<char> host = text.AsSpan(0, colon);
        ReadOnlySpan<char> portText = text.AsSpan(colon + 1);
        if (portText.Length is 0 or > 5 || !portText.ContainsOnlyDigits()
            || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > IPEndPoint.MaxPort)
        {
            throw IdentityErrors.AddressAtCharacter(what, "the port is not a decimal number from 0 to 65535", baseIndex + colon + 1);
        }

        IPAddress? address;
        if (host.Length >= 2 && host[0] == '[' && host[^1] == ']')
        {
            if (!IPAddress.TryParse(host[1..^1], out address) || address.AddressFamily != AddressFamily.InterNetworkV6)
            {
                throw IdentityErrors.AddressAtCharacter(what, "not an IPv6 address", baseIndex + 1);
            }
        }
        else if (!IsDottedQuad(host) || !IPAddress.TryParse(host, out address))
        {
            throw IdentityErrors.AddressAtCharacter(what, "not a dotted-quad IPv4 address or a bracketed IPv6 address", baseIndex);
        }

        return new IPEndPoint(address, port);
    }

    private static bool IsDottedQuad(ReadOnlySpan<char> host)
    {
        int parts = 0;
        foreach (Range range in host.Split('.'))
        {
            ReadOnlySpan<char> part = host[range];
            if (part.Length is 0 or > 3 || !part.ContainsOnlyDigits()
                || int.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture) > 255)
            {
                return false;
            }

            parts++;
        }

        return parts == 4;
    }
}

/// <summary>Span helpers for the parsers.</summary>
internal static class SpanText
{
    public static bool ContainsOnlyDigits(this ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }
}
