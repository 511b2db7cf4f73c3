using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Aster.Contracts;
using Aster.Server;

namespace Aster.Client;

/// <summary>Typed clients: an <c>[AsterService]</c> interface whose calls go through an <see cref="AsterClient"/>.</summary>
public static class ServiceProxy
{
    private const string ReflectionMessage = "Creates a runtime proxy by reflection; use generated clients when trimming or under Native AOT.";
    private static readonly ConcurrentDictionary<Type, IReadOnlyDictionary<MethodInfo, Func<AsterClient, CallOptions, object?[], object?>>> _invokers = new();

    /// <summary>Creates a typed client for <typeparamref name="TService"/>, an <c>[AsterService]</c> interface.</summary>
    /// <param name="client">The client that makes the calls.</param>
    /// <param name="options">Options applied to every call (a method's declared timeout applies when none is set here).</param>
    [RequiresUnreferencedCode(ReflectionMessage)]
    [RequiresDynamicCode(ReflectionMessage)]
    public static TService Create<TService>(AsterClient client, CallOptions options = default)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(client);
        if (!typeof(TService).IsInterface)
        {
            throw new ArgumentException($"{typeof(TService).FullName} is not an interface; typed clients are made from [AsterService] interfaces.");
        }

        TService proxy = DispatchProxy.Create<TService, Dispatcher>();
        var dispatcher = (Dispatcher)(object)proxy;
        dispatcher.Client = client;
        dispatcher.Options = options;
        dispatcher.Invokers = _invokers.GetOrAdd(typeof(TService), BuildInvokers);
        return proxy;
    }

    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Reached only through Create, which carries RequiresDynamicCode.")]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Reached only through Create, which carries RequiresUnreferencedCode.")]
    [UnconditionalSuppressMessage("Trimming", "IL2060", Justification = "As above.")]
    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "As above.")]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "As above.")]
    private static IReadOnlyDictionary<MethodInfo, Func<AsterClient, CallOptions, object?[], object?>> BuildInvokers(Type serviceType)
    {
        ContractDescription contract = ServiceContracts.Describe(ServiceBinder.ContractTypeOf(serviceType));
        var invokers = new Dictionary<MethodInfo, Func<AsterClient, CallOptions, object?[], object?>>();
        foreach (ContractMethod method in contract.Methods)
        {
            if (method.IsInlineRequest || method.RequestType is null || method.ResponseType is null)
            {
                throw new NotSupportedException($"{contract.Name}.{method.Name}: methods with inline parameters or without a request or response record are not supported by the runtime yet.");
            }

            string helper = method.Pattern switch
            {
                MethodPattern.Unary => nameof(Unary),
                MethodPattern.ServerStream => nameof(ServerStreaming),
                MethodPattern.ClientStream => nameof(ClientStreaming),
                _ => nameof(BidiStreaming),
            };
            MethodInfo factory = typeof(ServiceProxy).GetMethod(helper, BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(method.RequestType, method.ResponseType);
            invokers[method.Method] = (Func<AsterClient, CallOptions, object?[], object?>)factory.Invoke(null, [contract, method])!;
        }

        return invokers;
    }

    private static CallOptions WithDeclaredTimeout(CallOptions options, ContractMethod method)
        => options.Timeout is null && method.TimeoutSeconds is { } seconds ? options with { Timeout = TimeSpan.FromSeconds(seconds) } : options;

    private static CancellationToken TokenOf(ContractMethod method, object?[] args)
        => method.HasCancellationToken && args[^1] is CancellationToken token ? token : default;

    private static Func<AsterClient, CallOptions, object?[], object?> Unary<TRequest, TResponse>(ContractDescription contract, ContractMethod method)
    {
        var target = new ClientMethod<TRequest, TResponse>(contract.Name, contract.Version, method.Name, MethodPattern.Unary, method.Idempotent);
        bool returnsTask = method.Method.ReturnType.IsGenericType && method.Method.ReturnType.GetGenericTypeDefinition() == typeof(Task<>);
        return (client, options, args) =>
        {
            ValueTask<TResponse> call = client.UnaryAsync(target, (TRequest)args[0]!, WithDeclaredTimeout(options, method), TokenOf(method, args));
            return returnsTask ? call.AsTask() : call;
        };
    }

    private static Func<AsterClient, CallOptions, object?[], object?> ServerStreaming<TRequest, TResponse>(ContractDescription contract, ContractMethod method)
    {
        var target = new ClientMethod<TRequest, TResponse>(contract.Name, contract.Version, method.Name, MethodPattern.ServerStream, method.Idempotent);
        return (client, options, args) => client.ServerStreamingAsync(target, (TRequest)args[0]!, WithDeclaredTimeout(options, method), TokenOf(method, args));
    }

    private static Func<AsterClient, CallOptions, object?[], object?> ClientStreaming<TRequest, TResponse>(ContractDescription contract, ContractMethod method)
    {
        var target = new ClientMethod<TRequest, TResponse>(contract.Name, contract.Version, method.Name, MethodPattern.ClientStream, method.Idempotent);
        bool returnsTask = method.Method.ReturnType.IsGenericType && method.Method.ReturnType.GetGenericTypeDefinition() == typeof(Task<>);
        return (client, options, args) =>
        {
            ValueTask<TResponse> call = client.ClientStreamingAsync(target, (IAsyncEnumerable<TRequest>)args[0]!, WithDeclaredTimeout(options, method), TokenOf(method, args));
            return returnsTask ? call.AsTask() : call;
        };
    }

    private static Func<AsterClient, CallOptions, object?[], object?> BidiStreaming<TRequest, TResponse>(ContractDescription contract, ContractMethod method)
    {
        var target = new ClientMethod<TRequest, TResponse>(contract.Name, contract.Version, method.Name, MethodPattern.BidiStream, method.Idempotent);
        return (client, options, args) => client.DuplexStreamingAsync(target, (IAsyncEnumerable<TRequest>)args[0]!, WithDeclaredTimeout(options, method), TokenOf(method, args));
    }

    /// <summary>The runtime proxy. Public only because <see cref="DispatchProxy"/> requires it; do not use directly.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public class Dispatcher : DispatchProxy
    {
        internal AsterClient Client { get; set; } = null!;

        internal CallOptions Options { get; set; }

        internal IReadOnlyDictionary<MethodInfo, Func<AsterClient, CallOptions, object?[], object?>> Invokers { get; set; } = null!;

        /// <inheritdoc/>
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            return Invokers.TryGetValue(targetMethod, out Func<AsterClient, CallOptions, object?[], object?>? invoke)
                ? invoke(Client, Options, args ?? [])
                : throw new NotSupportedException($"{targetMethod.Name} is not a service method.");
        }
    }
}
