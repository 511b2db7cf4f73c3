namespace Aster.Compression.Zstd;

/// <summary>Why a zstd input could not be decompressed.</summary>
public enum ZstdError
{
    /// <summary>The bytes are not a valid zstd frame (bad magic, reserved bits, broken tables or bitstreams, bad offsets).</summary>
    Corrupt,

    /// <summary>The input ended inside a frame.</summary>
    Truncated,

    /// <summary>The decompressed content would exceed the caller's output limit.</summary>
    OutputLimitExceeded,

    /// <summary>The frame's content checksum (XXH64) does not match the decompressed content.</summary>
    ChecksumMismatch,

    /// <summary>The frame names a dictionary; dictionaries are not supported.</summary>
    DictionaryNotSupported,
}

/// <summary>A zstd input is invalid, truncated, needs a dictionary, or decompresses past the caller's limit.</summary>
public sealed class ZstdException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ZstdException(ZstdError error, string message)
        : base(message)
    {
        Error = error;
    }

    /// <summary>What was wrong.</summary>
    public ZstdError Error { get; }

    internal static ZstdException Corrupt(string what) => new(ZstdError.Corrupt, $"invalid zstd data: {what}");

    internal static ZstdException Truncated(string what) => new(ZstdError.Truncated, $"truncated zstd data: {what}");
}
