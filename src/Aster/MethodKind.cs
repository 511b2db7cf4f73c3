namespace Aster;

/// <summary>The four call patterns (wire-protocol.md, section 9).</summary>
public enum MethodKind
{
    /// <summary>One request, one response.</summary>
    Unary = 0,

    /// <summary>One request, a stream of responses.</summary>
    ServerStreaming = 1,

    /// <summary>A stream of requests, one response.</summary>
    ClientStreaming = 2,

    /// <summary>A stream of requests and a stream of responses.</summary>
    DuplexStreaming = 3,
}
