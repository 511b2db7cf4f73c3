namespace Aster.Trust.Mesh;

/// <summary>The producer mesh's own ALPN (producer admission is <see cref="Aster.Transport.AsterAlpns.ProducerAdmission"/>).</summary>
public static class MeshAlpns
{
    /// <summary>
    /// Our own simple mesh gossip over QUIC (docs/mesh.md). It is not iroh-gossip (<c>/iroh-gossip/1</c>) and does not
    /// interoperate with it; the envelopes it carries are the reference's (trust.md 9.5).
    /// </summary>
    public const string Gossip = "aster.mesh-gossip/0";
}

/// <summary>Thrown when a mesh node cannot start (state mismatch, corrupt state, no bootstrap peer admitted it).</summary>
public sealed class MeshException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MeshException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public MeshException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public MeshException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
