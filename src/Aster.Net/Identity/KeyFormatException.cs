namespace Aster.Net.Identity;

/// <summary>
/// Text or bytes that should hold a key (an <see cref="EndpointId"/>, a <see cref="SecretKey"/>, a
/// SubjectPublicKeyInfo or a TLS server name) do not. <see cref="Reason"/> says what was wrong and
/// <see cref="CharacterIndex"/> or <see cref="ByteOffset"/> says where.
/// </summary>
public sealed class KeyFormatException : FormatException
{
    /// <summary>Creates an exception with a message and no position.</summary>
    /// <param name="message">The message.</param>
    public KeyFormatException(string message)
        : base(message)
    {
        Reason = message;
    }

    /// <summary>Creates an exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public KeyFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = message;
    }

    /// <summary>Creates an exception without a message.</summary>
    public KeyFormatException()
        : this("The key is not in a recognised format.")
    {
    }

    internal KeyFormatException(string message, string reason, int? characterIndex, int? byteOffset)
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
