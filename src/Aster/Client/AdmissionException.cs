namespace Aster.Client;

/// <summary>Why consumer admission did not let a client in.</summary>
public enum AdmissionFailure
{
    /// <summary>The server answered <c>admitted: false</c>. It never says why (trust.md 4.5).</summary>
    Denied,

    /// <summary>The server was busy (too many admissions at once) or did not answer in time: try again later.</summary>
    Unavailable,

    /// <summary>The server's root key differs from the credential's: the producer trusts a different root.</summary>
    DifferentRoot,

    /// <summary>The credential is bound to another endpoint than this client's key; nothing was sent.</summary>
    CredentialNotForThisEndpoint,

    /// <summary>The credential or the server's response is malformed.</summary>
    Malformed,
}

/// <summary>Consumer admission failed (trust.md 4.2, client steps 2–5).</summary>
public sealed class AdmissionException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="failure">Why admission failed.</param>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public AdmissionException(AdmissionFailure failure, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
    }

    /// <summary>Creates the exception.</summary>
    public AdmissionException()
        : this(AdmissionFailure.Denied, "admission denied")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened.</param>
    public AdmissionException(string message)
        : this(AdmissionFailure.Denied, message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The underlying error.</param>
    public AdmissionException(string message, Exception innerException)
        : this(AdmissionFailure.Denied, message, innerException)
    {
    }

    /// <summary>Why admission failed.</summary>
    public AdmissionFailure Failure { get; }
}
