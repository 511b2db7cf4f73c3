namespace Aster.Configuration;

/// <summary>Console log format (<c>ASTER_LOG_FORMAT</c>).</summary>
public enum AsterLogFormat
{
    /// <summary><c>text</c>: human-readable lines.</summary>
    Text,

    /// <summary><c>json</c>: one JSON object per line.</summary>
    Json,
}

/// <summary>Minimum log level (<c>ASTER_LOG_LEVEL</c>).</summary>
public enum AsterLogLevel
{
    /// <summary><c>debug</c>.</summary>
    Debug,

    /// <summary><c>info</c>.</summary>
    Info,

    /// <summary><c>warning</c> (<c>warn</c> accepted).</summary>
    Warning,

    /// <summary><c>error</c>.</summary>
    Error,
}

/// <summary>The <c>[limits]</c> group (config-and-cli.md section 1.2).</summary>
/// <param name="MaxFrameBytes">Largest frame, bytes.</param>
/// <param name="MaxMetadataEntries">Most metadata entries per call.</param>
/// <param name="MaxMetadataBytes">Most metadata bytes per call.</param>
/// <param name="MaxClientStreamItems">Most client-stream items per call.</param>
/// <param name="MaxSessionsPerConnection">Most sessions per connection.</param>
/// <param name="MaxHandlerTimeoutSeconds">Longest handler run, seconds.</param>
public sealed record AsterLimits(
    int MaxFrameBytes,
    int MaxMetadataEntries,
    int MaxMetadataBytes,
    int MaxClientStreamItems,
    int MaxSessionsPerConnection,
    int MaxHandlerTimeoutSeconds);
