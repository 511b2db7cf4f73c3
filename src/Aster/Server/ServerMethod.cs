using Aster.Contracts;
using Aster.Codec;
using Aster.Protocol;

namespace Aster.Server;

/// <summary>One method of a served service: its wire name, pattern, options and typed handler.</summary>
internal abstract class ServerMethod
{
    protected ServerMethod(string name, MethodPattern kind, MethodOptions options)
    {
        Name = name;
        Kind = kind;
        Options = options;
    }

    public string Name { get; }

    public MethodPattern Kind { get; }

    public MethodOptions Options { get; }

    /// <summary>Creates the state of one call of this method (one object: the handler and instance are fields, no closure).</summary>
    public abstract ServerCall CreateCall(in ServerCallScope scope, object instance);
}

internal sealed class UnaryServerMethod<TService, TRequest, TResponse>(string name, MethodOptions options, Func<TService, TRequest, CallContext, ValueTask<TResponse>> handler)
    : ServerMethod(name, MethodPattern.Unary, options)
{
    public override ServerCall CreateCall(in ServerCallScope scope, object instance)
        => new UnaryServerCall<TService, TRequest, TResponse>(scope, handler, instance);
}

internal sealed class ServerStreamingServerMethod<TService, TRequest, TResponse>(string name, MethodOptions options, Func<TService, TRequest, CallContext, IAsyncEnumerable<TResponse>> handler)
    : ServerMethod(name, MethodPattern.ServerStream, options)
{
    public override ServerCall CreateCall(in ServerCallScope scope, object instance)
        => new ServerStreamingServerCall<TService, TRequest, TResponse>(scope, handler, instance);
}

internal sealed class ClientStreamingServerMethod<TService, TRequest, TResponse>(string name, MethodOptions options, Func<TService, IAsyncEnumerable<TRequest>, CallContext, ValueTask<TResponse>> handler)
    : ServerMethod(name, MethodPattern.ClientStream, options)
{
    public override ServerCall CreateCall(in ServerCallScope scope, object instance)
        => new ClientStreamingServerCall<TService, TRequest, TResponse>(scope, handler, instance);
}

internal sealed class DuplexStreamingServerMethod<TService, TRequest, TResponse>(string name, MethodOptions options, Func<TService, IAsyncEnumerable<TRequest>, CallContext, IAsyncEnumerable<TResponse>> handler)
    : ServerMethod(name, MethodPattern.BidiStream, options)
{
    public override ServerCall CreateCall(in ServerCallScope scope, object instance)
        => new DuplexStreamingServerCall<TService, TRequest, TResponse>(scope, handler, instance);
}

/// <summary>Everything one call needs from its server and stream; a value kept inside the call (no object of its own).</summary>
internal readonly struct ServerCallScope
{
    public required CallContext Context { get; init; }

    public required CancellationTokenSource Cancellation { get; init; }

    public required StreamOutput Output { get; init; }

    public required IProtocolCodec Protocol { get; init; }

    public required ICodecProvider Codecs { get; init; }

    public required ServerRuntime Runtime { get; init; }
}
