using System.Runtime.CompilerServices;
using Aster;
using Aster.Fory;

namespace HelloWorld;

/// <summary>The request of the Hello service.</summary>
[WireType("hello/HelloRequest")]
public sealed record HelloRequest(string Name = "");

/// <summary>The response of the Hello service.</summary>
[WireType("hello/HelloResponse")]
public sealed record HelloResponse(string Message = "");

/// <summary>The Hello service of the product documents: one unary and one server-streaming method.</summary>
[AsterService(Name = "Hello", MethodNaming = MethodNaming.CamelCase)]
public interface IHello
{
    /// <summary>Greets the caller.</summary>
    [Rpc(Idempotent = true, TimeoutSeconds = 30)]
    ValueTask<HelloResponse> SayHelloAsync(HelloRequest request, CancellationToken cancellationToken = default);

    /// <summary>Counts down to a greeting.</summary>
    IAsyncEnumerable<HelloResponse> CountdownAsync(HelloRequest request, CancellationToken cancellationToken = default);
}

/// <summary>The server's implementation.</summary>
public sealed class HelloService : IHello
{
    /// <inheritdoc/>
    public ValueTask<HelloResponse> SayHelloAsync(HelloRequest request, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(new HelloResponse($"Hello, {request.Name}!"));

    /// <inheritdoc/>
    public async IAsyncEnumerable<HelloResponse> CountdownAsync(HelloRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (string step in new[] { "3...", "2...", "1...", "Go!" })
        {
            await Task.Delay(100, cancellationToken);
            yield return new HelloResponse($"{request.Name}: {step}");
        }
    }
}
