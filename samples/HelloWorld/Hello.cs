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

/// <summary>A new greeting word for <see cref="IHello.SetGreetingAsync"/>.</summary>
[WireType("hello/GreetingRequest")]
public sealed record GreetingRequest(string Greeting = "");

/// <summary>Who the server sees calling: the caller's endpoint id and the roles its credential grants.</summary>
[WireType("hello/CallerInfo")]
public sealed record CallerInfo(string Message = "", string EndpointId = "", string Roles = "");

/// <summary>
/// The Hello service of the product documents: one unary and one server-streaming method open to every admitted caller,
/// plus two methods guarded by Gate 3 (trust.md 7.4): <c>whoAmI</c> for callers holding the role <c>hello.reader</c>
/// or <c>hello.admin</c>, and <c>setGreeting</c> for <c>hello.admin</c> only. A consumer enrolled with
/// <c>aster enroll node --role consumer --capabilities hello.reader</c> may call the first and is refused the second.
/// </summary>
[AsterService(Name = "Hello", MethodNaming = MethodNaming.CamelCase)]
public interface IHello
{
    /// <summary>Greets the caller.</summary>
    [Rpc(Idempotent = true, TimeoutSeconds = 30)]
    ValueTask<HelloResponse> SayHelloAsync(HelloRequest request, CancellationToken cancellationToken = default);

    /// <summary>Counts down to a greeting.</summary>
    IAsyncEnumerable<HelloResponse> CountdownAsync(HelloRequest request, CancellationToken cancellationToken = default);

    /// <summary>Greets the caller and tells it who the server sees: its endpoint id and the roles its credential grants.</summary>
    [Rpc(Idempotent = true, TimeoutSeconds = 30)]
    [RequiresAnyOf("hello.reader", "hello.admin")]
    ValueTask<CallerInfo> WhoAmIAsync(HelloRequest request, CancellationToken cancellationToken = default);

    /// <summary>Changes the greeting word that <c>sayHello</c> uses; administrators only.</summary>
    [Rpc(TimeoutSeconds = 30)]
    [Requires("hello.admin")]
    ValueTask<HelloResponse> SetGreetingAsync(GreetingRequest request, CancellationToken cancellationToken = default);
}

/// <summary>The server's implementation.</summary>
public sealed class HelloService : IHello
{
    private volatile string _greeting = "Hello";

    /// <inheritdoc/>
    public ValueTask<HelloResponse> SayHelloAsync(HelloRequest request, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(new HelloResponse($"{_greeting}, {request.Name}!"));

    /// <inheritdoc/>
    public async IAsyncEnumerable<HelloResponse> CountdownAsync(HelloRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (string step in new[] { "3...", "2...", "1...", "Go!" })
        {
            await Task.Delay(100, cancellationToken);
            yield return new HelloResponse($"{request.Name}: {step}");
        }
    }

    /// <inheritdoc/>
    public ValueTask<CallerInfo> WhoAmIAsync(HelloRequest request, CancellationToken cancellationToken = default)
    {
        // Gate 3 has already checked the roles; the handler only reads who called (CallContext.Current, trust.md 8).
        CallContext? call = CallContext.Current;
        string roles = call is not null && call.Attributes.TryGetValue("aster.role", out string? value) ? value : string.Empty;
        return ValueTask.FromResult(new CallerInfo($"{_greeting}, {request.Name}!", call?.Peer?.ToString() ?? "in-process", roles));
    }

    /// <inheritdoc/>
    public ValueTask<HelloResponse> SetGreetingAsync(GreetingRequest request, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(request.Greeting))
        {
            throw new RpcException(StatusCode.InvalidArgument, "greeting is required");
        }

        _greeting = request.Greeting.Trim();
        return ValueTask.FromResult(new HelloResponse($"The greeting is now '{_greeting}'."));
    }
}
