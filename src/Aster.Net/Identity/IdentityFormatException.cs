namespace Aster.Net.Identity;

/// <summary>
/// The base of the identity parsing errors: <see cref="Reason"/> says what was wrong and <see cref="CharacterIndex"/> or
/// <see cref="ByteOffset"/> says where. Catch it to handle any malformed key or address.
/// </summary>
public abstract class IdentityFormatException : FormatException
{
    /// <summary>Creates an exception with a message and no position.</summary>
    protected IdentityFormatException(string message)
        : base(message)
    {
        Reason = message;
    }

    /// <summary>Creates an exception with a message and an inner exception.</summary>
    protected IdentityFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = message;
    }

    /// <summary>Creates an exception with a message, the bare reason and the position.</summary>
    private protected IdentityFormatException(string message, string reason, int? characterIndex, int? byteOffset)
        : base(message)
    {
        Reason = reason;
        CharacterIndex = characterIndex;
        ByteOffset = byteOffset;
    }

    /// <summary>What was wrong, without the position.</summary>
    public string Reason { get; }

    /// <summary>The zero-based index of the offending character in a text input, when the problem has one.</summary>
    public int? CharacterIndex { get; }

    /// <summary>The zero-based offset of the offending byte in a binary input, when the problem has one.</summary>
    public int? ByteOffset { get; }
}
