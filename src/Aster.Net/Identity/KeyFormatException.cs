namespace Aster.Net.Identity;

/// <summary>Text or bytes that should hold a key (an <see cref="EndpointId"/>, a <see cref="SecretKey"/>, a SubjectPublicKeyInfo or a TLS server name) do not.</summary>
public sealed class KeyFormatException : IdentityFormatException
{
    /// <summary>Creates an exception with a message and no position.</summary>
    /// <param name="message">The message.</param>
    public KeyFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public KeyFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception without a message.</summary>
    public KeyFormatException()
        : this("The key is not in a recognised format.")
    {
    }

    internal KeyFormatException(string message, string reason, int? characterIndex, int? byteOffset)
        : base(message, reason, characterIndex, byteOffset)
    {
    }
}
