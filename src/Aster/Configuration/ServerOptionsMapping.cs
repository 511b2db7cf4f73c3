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

    /// <summary>Sets <see cref="AsterServerOptions.Limits"/> and <see cref="AsterServerOptions.MaxHandlerTimeout"/> from <paramref name="config"/>.</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="options">The options to update.</param>
    /// <returns><paramref name="options"/>.</returns>
    public static AsterServerOptions ApplyTo(this AsterConfig config, AsterServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        var limits = config.Limits;
        options.Limits = ToRpcLimits(limits);
        options.MaxHandlerTimeout = ToMaxHandlerTimeout(limits);
        return options;
    }
}
