using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Aster.Net.Identity;

namespace Aster.Server.Network;

/// <summary>The direct addresses a server advertises for its bound sockets.</summary>
internal static class DirectAddresses
{
    /// <summary>
    /// The dialable addresses of the bound sockets: a specific address as it is; a wildcard (<c>0.0.0.0</c>,
    /// <c>[::]</c>) expanded to the machine's up interface addresses of that family (loopback last, IPv6 link-local
    /// left out because it needs a scope). At most <see cref="AsterAddress.MaxDirectAddresses"/>.
    /// </summary>
    public static IReadOnlyList<IPEndPoint> Of(IEnumerable<IPEndPoint> bound)
    {
        var result = new List<IPEndPoint>();
        foreach (IPEndPoint local in bound)
        {
            if (!local.Address.Equals(IPAddress.Any) && !local.Address.Equals(IPAddress.IPv6Any))
            {
                Add(result, new IPEndPoint(local.Address, local.Port));
                continue;
            }

            foreach (IPAddress address in InterfaceAddresses(local.AddressFamily))
            {
                Add(result, new IPEndPoint(address, local.Port));
            }
        }

        return result;
    }

    private static void Add(List<IPEndPoint> list, IPEndPoint endPoint)
    {
        if (list.Count < AsterAddress.MaxDirectAddresses && !list.Contains(endPoint))
        {
            list.Add(endPoint);
        }
    }

    private static IEnumerable<IPAddress> InterfaceAddresses(AddressFamily family)
    {
        var addresses = new List<IPAddress>();
        try
        {
            foreach (NetworkInterface nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                if (nic.OperationalStatus is not (OperationalStatus.Up or OperationalStatus.Unknown))
                {
                    continue;
                }

                foreach (UnicastIPAddressInformation unicast in nic.GetIPProperties().UnicastAddresses)
                {
                    IPAddress address = unicast.Address;
                    if (address.AddressFamily == family && !address.IsIPv6LinkLocal && !address.IsIPv6Multicast)
                    {
                        addresses.Add(address);
                    }
                }
            }
        }
        catch (NetworkInformationException)
        {
            // No interface list on this platform: fall back to loopback below.
        }

        if (addresses.Count == 0)
        {
            addresses.Add(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback);
        }

        // Routable addresses first: a peer on another machine tries them before loopback.
        return addresses.OrderBy(IPAddress.IsLoopback);
    }
}
