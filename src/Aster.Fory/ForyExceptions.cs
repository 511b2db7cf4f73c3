namespace Aster.Fory;

/// <summary>Base class of the errors the Fory codec raises.</summary>
public abstract class ForyException : Exception
{
    /// <summary>Creates the exception.</summary>
    protected ForyException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>
/// Raised when a message cannot be decoded: truncated or malformed data, a limit exceeded, an unknown type, or a
/// value that does not fit the expected type. Maps to INVALID_ARGUMENT (3) in the RPC layer.
/// </summary>
public sealed class ForyDecodeException : ForyException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="offset">The byte offset in the message where the problem was found, or -1.</param>
    /// <param name="typeName">The type being read, when known.</param>
    /// <param name="limit">The name of the limit that was hit, when one was.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public ForyDecodeException(string message, long offset = -1, string? typeName = null, string? limit = null, Exception? inner = null)
        : base(Format(message, offset, typeName), inner)
    {
        Offset = offset;
        TypeName = typeName;
        Limit = limit;
    }

    /// <summary>The byte offset where decoding failed, or -1 when unknown.</summary>
    public long Offset { get; }

    /// <summary>The wire type that was being read, when known.</summary>
    public string? TypeName { get; }

    /// <summary>The name of the <see cref="ForyOptions"/> limit that was exceeded, or null.</summary>
    public string? Limit { get; }

    private static string Format(string message, long offset, string? typeName)
    {
        string text = message;
        if (typeName is not null)
        {
            text += $" (reading {typeName})";
        }

        if (offset >= 0)
        {
            text += $" at byte {offset}";
        }

        return text;
    }
}

/// <summary>Raised when a value cannot be encoded (a null in a non-nullable member, a cycle, an unregistered type).</summary>
public sealed class ForyEncodeException : ForyException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="typeName">The type being written, when known.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public ForyEncodeException(string message, string? typeName = null, Exception? inner = null)
        : base(typeName is null ? message : $"{message} (writing {typeName})", inner)
    {
        TypeName = typeName;
    }

    /// <summary>The type being written, when known.</summary>
    public string? TypeName { get; }
}
