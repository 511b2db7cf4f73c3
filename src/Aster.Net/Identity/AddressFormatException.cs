namespace Aster.Net.Identity;

/// <summary>Text or bytes that should hold an address (an <c>aster1…</c> address, an iroh <c>endpoint…</c> ticket, a socket address or a relay URL) do not.</summary>
public sealed class AddressFormatException : IdentityFormatException
{
    /// <summary>Creates an exception with a message and no position.</summary>
    /// <param name="message">The message.</param>
    public AddressFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public AddressFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception without a message.</summary>
    public AddressFormatException()
        : this("The address is not in a recognised format.")
    {
    }

    internal AddressFormatException(string message, string reason, int? characterIndex, int? byteOffset)
        : base(message, reason, characterIndex, byteOffset)
    {
    }
}
