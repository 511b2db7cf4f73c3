namespace Aster.Net.Tls;

/// <summary>The QUIC encryption levels at which TLS handshake bytes travel (RFC 9001, section 4).</summary>
internal enum EncryptionLevel
{
    /// <summary>Initial packets, protected with keys derived from the client's first destination connection id.</summary>
    Initial = 0,

    /// <summary>0-RTT packets (never used by Aster; listed for completeness of the level space).</summary>
    EarlyData = 1,

    /// <summary>Handshake packets.</summary>
    Handshake = 2,

    /// <summary>1-RTT packets.</summary>
    Application = 3,
}
