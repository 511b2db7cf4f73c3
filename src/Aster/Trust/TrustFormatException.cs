namespace Aster.Trust;

/// <summary>
/// A credential, key file, admission message or nonce-store file is malformed (trust.md section 3.7). The message
/// names the problem; it never contains key material, signatures or nonces.
/// </summary>
public sealed class TrustFormatException : FormatException
{
    /// <summary>Creates the exception with a message naming the problem.</summary>
    public TrustFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public TrustFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public TrustFormatException()
        : base("malformed trust document")
    {
    }
}
