namespace Aster.Framing;

/// <summary>Why a byte stream is not a valid sequence of Aster frames.</summary>
public enum FrameError
{
    /// <summary>A frame announced Length 0.</summary>
    ZeroLength,

    /// <summary>A frame announced a Length above the limit.</summary>
    TooLarge,

    /// <summary>The stream ended inside a frame.</summary>
    Truncated,
}

/// <summary>The bytes on a stream are not valid Aster framing (wire-protocol.md, section 4.4).</summary>
public sealed class FrameFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FrameFormatException(FrameError error, string message)
        : base(message)
    {
        Error = error;
    }

    /// <summary>What was wrong.</summary>
    public FrameError Error { get; }
}
