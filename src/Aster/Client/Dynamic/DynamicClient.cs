using System.Runtime.CompilerServices;
using System.Text.Json;
using Aster.Contracts;
using Aster.Fory.Dynamic;
using Aster.Protocol;

namespace Aster.Client.Dynamic;

/// <summary>
/// Calls any service and method by name, without its C# contract: requests and responses are JSON values in the JSON
/// serialization mode (mode 3, which every Aster server accepts), or Fory value trees in XLANG when the record type
/// names are known. Built on an <see cref="AsterClient"/>: its interceptors, deadlines, metadata and sessions apply.
/// </summary>
/// <remarks>
/// On the wire a unary call is a server stream that yields one response, so <see cref="ServerStreamingAsync(DynamicMethod, JsonElement, CallOptions, CancellationToken)"/>
/// calls unary methods too; likewise a client-streaming method can be called through
/// <see cref="DuplexStreamingAsync(DynamicMethod, IAsyncEnumerable{JsonElement}, CallOptions, CancellationToken)"/>.
/// A caller that does not know the method's pattern (a command-line tool) can use those two.
/// </remarks>
/// <example>
/// <code>
/// var dynamic = new DynamicClient(client);
/// using JsonDocument request = JsonDocument.Parse("""{"name":"World"}""");
/// JsonElement reply = await dynamic.UnaryAsync(DynamicMethod.Parse("Hello.sayHello"), request.RootElement);
/// </code>
/// </example>
public sealed class DynamicClient
{
    private readonly AsterClient _client;

    /// <summary>Creates a dynamic client over <paramref name="client"/>; it does not take ownership.</summary>
    /// <param name="client">The client whose connection and call machinery are used.</param>
    public DynamicClient(AsterClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
    }

    /// <summary>Makes a unary call with a JSON request.</summary>
    /// <exception cref="RpcException">The call failed; the status says why.</exception>
    public ValueTask<JsonElement> UnaryAsync(DynamicMethod method, JsonElement request, CallOptions options = default, CancellationToken cancellationToken = default)
        => _client.UnaryAsync(Method<JsonElement>(method, MethodPattern.Unary), request, Json(options), cancellationToken);

    /// <summary>Makes a server-streaming call (or a unary one, which yields one item) with a JSON request.</summary>
    /// <exception cref="RpcException">The call failed; the status says why.</exception>
    public IAsyncEnumerable<JsonElement> ServerStreamingAsync(DynamicMethod method, JsonElement request, CallOptions options = default, CancellationToken cancellationToken = default)
        => _client.ServerStreamingAsync(Method<JsonElement>(method, MethodPattern.ServerStream), request, Json(options), cancellationToken);

    /// <summary>Makes a client-streaming call: sends every JSON request, then returns the single response.</summary>
    /// <exception cref="RpcException">The call failed; the status says why.</exception>
    public ValueTask<JsonElement> ClientStreamingAsync(DynamicMethod method, IAsyncEnumerable<JsonElement> requests, CallOptions options = default, CancellationToken cancellationToken = default)
        => _client.ClientStreamingAsync(Method<JsonElement>(method, MethodPattern.ClientStream), requests, Json(options), cancellationToken);

    /// <summary>Makes a bidirectional call (or a client-streaming one, which yields one item): sends the JSON requests while the responses are read.</summary>
    /// <exception cref="RpcException">The call failed; the status says why.</exception>
    public IAsyncEnumerable<JsonElement> DuplexStreamingAsync(DynamicMethod method, IAsyncEnumerable<JsonElement> requests, CallOptions options = default, CancellationToken cancellationToken = default)
        => _client.DuplexStreamingAsync(Method<JsonElement>(method, MethodPattern.BidiStream), requests, Json(options), cancellationToken);

    /// <summary>Makes a unary call in XLANG with a value tree whose record type names the server knows.</summary>
    /// <exception cref="RpcException">The call failed; the status says why.</exception>
    public ValueTask<ForyValue> UnaryAsync(DynamicMethod method, ForyValue request, CallOptions options = default, CancellationToken cancellationToken = default)
        => _client.UnaryAsync(Method<ForyValue>(method, MethodPattern.Unary), request, Xlang(options), cancellationToken);

    /// <summary>Makes a server-streaming (or unary) call in XLANG with a value tree.</summary>
    /// <exception cref="RpcException">The call failed; the status says why.</exception>
    public IAsyncEnumerable<ForyValue> ServerStreamingAsync(DynamicMethod method, ForyValue request, CallOptions options = default, CancellationToken cancellationToken = default)
        => _client.ServerStreamingAsync(Method<ForyValue>(method, MethodPattern.ServerStream), request, Xlang(options), cancellationToken);

    /// <summary>Makes a client-streaming call in XLANG with value trees.</summary>
    /// <exception cref="RpcException">The call failed; the status says why.</exception>
    public ValueTask<ForyValue> ClientStreamingAsync(DynamicMethod method, IAsyncEnumerable<ForyValue> requests, CallOptions options = default, CancellationToken cancellationToken = default)
        => _client.ClientStreamingAsync(Method<ForyValue>(method, MethodPattern.ClientStream), requests, Xlang(options), cancellationToken);

    /// <summary>Makes a bidirectional (or client-streaming) call in XLANG with value trees.</summary>
    /// <exception cref="RpcException">The call failed; the status says why.</exception>
    public IAsyncEnumerable<ForyValue> DuplexStreamingAsync(DynamicMethod method, IAsyncEnumerable<ForyValue> requests, CallOptions options = default, CancellationToken cancellationToken = default)
        => _client.DuplexStreamingAsync(Method<ForyValue>(method, MethodPattern.BidiStream), requests, Xlang(options), cancellationToken);

    /// <summary>
    /// Calls a method whose pattern is not known: with <paramref name="requests"/> null, one request is sent with the
    /// request (unary or server stream); otherwise every element of <paramref name="requests"/> is sent (client stream
    /// or bidi). Yields every response.
    /// </summary>
    /// <param name="method">The method.</param>
    /// <param name="request">The single request, used when <paramref name="requests"/> is null.</param>
    /// <param name="requests">The streamed requests, or null.</param>
    /// <param name="options">Call options.</param>
    /// <param name="cancellationToken">Cancels the call (the server gets CANCEL).</param>
    /// <returns>The responses as they arrive.</returns>
    /// <exception cref="RpcException">The call failed; the status says why.</exception>
    public async IAsyncEnumerable<JsonElement> CallAsync(DynamicMethod method, JsonElement request, IAsyncEnumerable<JsonElement>? requests, CallOptions options = default, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        IAsyncEnumerable<JsonElement> responses = requests is null
            ? ServerStreamingAsync(method, request, options, cancellationToken)
            : DuplexStreamingAsync(method, requests, options, cancellationToken);
        await foreach (JsonElement response in responses.ConfigureAwait(false))
        {
            yield return response;
        }
    }

    private static ClientMethod<T, T> Method<T>(DynamicMethod method, MethodPattern pattern)
    {
        ArgumentNullException.ThrowIfNull(method);
        return method.For<T, T>(pattern);
    }

    private static CallOptions Json(CallOptions options) => options with { SerializationMode = SerializationMode.Json };

    private static CallOptions Xlang(CallOptions options) => options with { SerializationMode = SerializationMode.Xlang };
}
