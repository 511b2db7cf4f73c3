using Aster.Codec;
using Aster.Net.Identity;
using Aster.Protocol;
using Aster.Trust;

namespace Aster.Server.Network;

/// <summary>Builds the admission response's service list (wire-protocol.md §17 and 16.6).</summary>
internal static class ServiceSummaries
{
    private static readonly string _unknownContractId = new('0', 64);

    /// <summary>One summary per served service; <c>channels.rpc</c> is the base64 NodeAddr text of <paramref name="rpcAddress"/>.</summary>
    public static IReadOnlyList<ServiceSummary> Build(IEnumerable<ServiceDefinition> services, EndpointAddr rpcAddress, ICodecProvider codecs)
    {
        var channels = new Dictionary<string, string> { ["rpc"] = rpcAddress.ToNodeAddrBase64() };
        var list = new List<ServiceSummary>();
        foreach (ServiceDefinition service in services)
        {
            list.Add(new ServiceSummary(
                service.Name,
                service.Version,
                service.ContractId ?? _unknownContractId,
                channels,
                service.IsSessionScoped ? "session" : "shared",
                Modes(service.SerializationModes, codecs)));
        }

        return list;
    }

    /// <summary>
    /// The declared modes followed by <c>json</c> when absent (16.6), keeping only those the codecs can serve, so a
    /// client never picks a mode this server cannot answer in.
    /// </summary>
    public static IReadOnlyList<string> Modes(IReadOnlyList<string> declared, ICodecProvider codecs)
    {
        var modes = new List<string>();
        foreach (string name in declared.Append("json"))
        {
            if (!modes.Contains(name, StringComparer.Ordinal) && ModeOf(name) is { } mode && codecs.Supports(mode))
            {
                modes.Add(name);
            }
        }

        return modes;
    }

    private static SerializationMode? ModeOf(string name) => name switch
    {
        "xlang" => SerializationMode.Xlang,
        "json" => SerializationMode.Json,
        _ => null,
    };
}
