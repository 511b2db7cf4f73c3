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

    /// <summary>Creates the state of one call of this method.</summary>
    public abstract ServerCall CreateCall(ServerCallScope scope, object instance);
}

internal sealed class UnaryServerMethod<TService, TRequest, TResponse>(string name, MethodOptions options, Func<TService, TRequest, CallContext, ValueTask<TResponse>> handler)
    : ServerMethod(name, MethodPattern.Unary, options)
{
    public override ServerCall CreateCall(ServerCallScope scope, object instance)
        => new UnaryServerCall<TRequest, TResponse>(scope, (req, ctx) => handler((TService)instance, req, ctx));
}

internal sealed class ServerStreamingServerMethod<TService, TRequest, TResponse>(string name, MethodOptions options, Func<TService, TRequest, CallContext, IAsyncEnumerable<TResponse>> handler)
    : ServerMethod(name, MethodPattern.ServerStream, options)
{
    public override ServerCall CreateCall(ServerCallScope scope, object instance)
        => new ServerStreamingServerCall<TRequest, TResponse>(scope, (req, ctx) => handler((TService)instance, req, ctx));
}

internal sealed class ClientStreamingServerMethod<TService, TRequest, TResponse>(string name, MethodOptions options, Func<TService, IAsyncEnumerable<TRequest>, CallContext, ValueTask<TResponse>> handler)
    : ServerMethod(name, MethodPattern.ClientStream, options)
{
    public override ServerCall CreateCall(ServerCallScope scope, object instance)
        => new ClientStreamingServerCall<TRequest, TResponse>(scope, (reqs, ctx) => handler((TService)instance, reqs, ctx));
}

internal sealed class DuplexStreamingServerMethod<TService, TRequest, TResponse>(string name, MethodOptions options, Func<TService, IAsyncEnumerable<TRequest>, CallContext, IAsyncEnumerable<TResponse>> handler)
    : ServerMethod(name, MethodPattern.BidiStream, options)
{
    public override ServerCall CreateCall(ServerCallScope scope, object instance)
        => new DuplexStreamingServerCall<TRequest, TResponse>(scope, (reqs, ctx) => handler((TService)instance, reqs, ctx));
}

/// <summary>Everything one call needs from its server and stream.</summary>
internal sealed class ServerCallScope
{
    public required CallContext Context { get; init; }

    public required CancellationTokenSource Cancellation { get; init; }

    public required StreamOutput Output { get; init; }

    public required IProtocolCodec Protocol { get; init; }

    public required ICodecProvider Codecs { get; init; }

    public required ServerRuntime Runtime { get; init; }
}
