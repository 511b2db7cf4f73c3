namespace Aster;

/// <summary>
/// Options of one service method. The call pattern is inferred from the signature: <c>Task&lt;T&gt;</c> or
/// <c>ValueTask&lt;T&gt;</c> is unary, an <c>IAsyncEnumerable&lt;T&gt;</c> result is a server stream, an
/// <c>IAsyncEnumerable&lt;T&gt;</c> parameter a client stream, both a bidirectional stream.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true)]
public sealed class RpcAttribute : Attribute
{
    /// <summary>The method's wire name. Defaults to the name the service's <see cref="MethodNaming"/> gives.</summary>
    public string? Name { get; set; }

    /// <summary>The default timeout in seconds; 0 (the default) means none.</summary>
    public double TimeoutSeconds { get; set; }

    /// <summary>Whether the method may safely be retried. Defaults to false.</summary>
    public bool Idempotent { get; set; }
}
