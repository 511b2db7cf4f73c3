using System.Net;
using Aster.Server;

namespace Aster.Configuration;

/// <summary>Maps <see cref="AsterConfig"/> values onto the server options that exist today (pure functions).</summary>
public static class ServerOptionsMapping
{
    /// <summary>The <see cref="RpcLimits"/> for the configured <c>[limits]</c>; limits with no configuration keep their defaults.</summary>
    /// <param name="limits">The configured limits.</param>
    /// <returns>A new limits object.</returns>
    public static RpcLimits ToRpcLimits(AsterLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return new RpcLimits
        {
            MaxFrameLength = limits.MaxFrameBytes,
            MaxMetadataEntries = limits.MaxMetadataEntries,
            MaxMetadataBytes = limits.MaxMetadataBytes,
            MaxClientStreamItems = limits.MaxClientStreamItems,
            MaxSessionsPerConnection = limits.MaxSessionsPerConnection,
        };
    }

    /// <summary>The longest a handler may run.</summary>
    /// <param name="limits">The configured limits.</param>
    /// <returns><see cref="AsterLimits.MaxHandlerTimeoutSeconds"/> as a time span.</returns>
    public static TimeSpan ToMaxHandlerTimeout(AsterLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return TimeSpan.FromSeconds(limits.MaxHandlerTimeoutSeconds);
    }

    /// <summary>The endpoint of a configured <c>bind_addr</c> (<c>ip:port</c>, IPv6 as <c>[addr]:port</c>).</summary>
    /// <param name="bindAddr">The configured text.</param>
    /// <returns>The endpoint.</returns>
    /// <exception cref="ConfigurationException">The text is not an IP address with a port.</exception>
    public static IPEndPoint ToBindEndpoint(string bindAddr)
    {
        ArgumentNullException.ThrowIfNull(bindAddr);
        string text = bindAddr.Trim();
        bool hasPort = text.StartsWith('[') ? text.Contains("]:", StringComparison.Ordinal) : text.Count(c => c == ':') == 1;
        if (!hasPort || !IPEndPoint.TryParse(text, out IPEndPoint? endpoint))
        {
            throw new ConfigurationException($"bind_addr '{bindAddr}' is not an IP address with a port (for example 0.0.0.0:9000 or [::]:9000)");
        }

        return endpoint;
    }

    /// <summary>
    /// Sets <see cref="AsterServerOptions.Limits"/> and <see cref="AsterServerOptions.MaxHandlerTimeout"/> from
    /// <paramref name="config"/>, and, when <c>bind_addr</c> is configured, replaces
    /// <see cref="AsterServerOptions.BindAddresses"/> with it.
    /// </summary>
    /// <param name="config">The configuration.</param>
    /// <param name="options">The options to update.</param>
    /// <returns><paramref name="options"/>.</returns>
    /// <exception cref="ConfigurationException"><c>bind_addr</c> is not an IP address with a port.</exception>
    public static AsterServerOptions ApplyTo(this AsterConfig config, AsterServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        var limits = config.Limits;
        options.Limits = ToRpcLimits(limits);
        options.MaxHandlerTimeout = ToMaxHandlerTimeout(limits);
        if (config.BindAddr is { } bindAddr)
        {
            IPEndPoint bind = ToBindEndpoint(bindAddr);
            options.BindAddresses.Clear();
            options.BindAddresses.Add(bind);
        }

        return options;
    }
}
