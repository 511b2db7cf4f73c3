namespace Aster.Fory;

/// <summary>Decoder limits and encoder choices (contracts-and-fory.md B14).</summary>
public sealed class ForyOptions
{
    /// <summary>The default options.</summary>
    public static ForyOptions Default { get; } = new();

    /// <summary>Maximum nesting of records and collections. Default 64.</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Maximum element or entry count of one list, set or map. Default 16,777,216.</summary>
    public int MaxCollectionLength { get; init; } = 16 * 1024 * 1024;

    /// <summary>Maximum encoded byte length of one string. Default 64 MiB.</summary>
    public int MaxStringBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>Maximum byte length of one binary value. Default 64 MiB.</summary>
    public int MaxBinaryBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>Maximum size of a whole message accepted by the decoder. Default 256 MiB.</summary>
    public long MaxMessageBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Maximum number of TypeDefs in one message. Default 1024.</summary>
    public int MaxTypeDefs { get; init; } = 1024;

    /// <summary>Maximum number of fields in one TypeDef. Default 256.</summary>
    public int MaxFieldsPerType { get; init; } = 256;

    /// <summary>
    /// Schema-consistent mode (contracts-and-fory.md B12), the XLANG dialect of release 0.1.2 peers (pyfory 0.16 with
    /// <c>ref=False, compatible=False</c>): records are NAMED_STRUCT (<c>1d</c>) with inline names and a 4-byte schema
    /// hash instead of a TypeDef, the root flag is <c>ff</c> and nothing is reference-tracked. Both sides must declare
    /// the same fields: a different schema hash is a <see cref="ForyDecodeException"/>. Default false (compatible mode).
    /// </summary>
    public bool SchemaConsistent { get; init; }

    /// <summary>
    /// Whether records use the straight-line serializers the Aster.Fory source generator emitted for them (same
    /// bytes, no per-member dispatch). Default true; false forces the reflection-built codecs (debugging, comparison).
    /// The generator itself is turned off per project with the MSBuild property <c>AsterForyGenerator=false</c>.
    /// </summary>
    public bool UseGeneratedSerializers { get; init; } = true;

    /// <summary>Options for release 0.1.2 peers: the defaults with <see cref="SchemaConsistent"/> on.</summary>
    public static ForyOptions Release012 { get; } = new() { SchemaConsistent = true };

    /// <summary>
    /// Which implementation's byte choices the writer mirrors. Only tests use anything but
    /// <see cref="WriterDialect.Pyfory"/>, to reproduce Fory JS vectors byte for byte.
    /// </summary>
    internal WriterDialect Dialect { get; init; } = WriterDialect.Pyfory;
}

/// <summary>Writer choices where Fory implementations legitimately differ (contracts-and-fory.md B13).</summary>
internal enum WriterDialect
{
    /// <summary>pyfory 0.17: strings LATIN1/UTF-16/UTF-8 by width; null map values with header 0x14; record map values with type info.</summary>
    Pyfory = 0,

    /// <summary>Fory JS on Node.js 20: LATIN1 for ASCII, else UTF-8; null map values 0x34; record map values declared.</summary>
    ForyJs = 1,

    /// <summary>Fory JS with the one-byte detector: LATIN1 when every unit is at most U+00FF, else UTF-16.</summary>
    ForyJsDetector = 2,
}
