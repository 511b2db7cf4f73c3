using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Aster.Contracts;

namespace Aster.Server;

/// <summary>
/// Builds <see cref="ServiceDefinition"/>s from C# service types (<c>[AsterService]</c> classes or interfaces) by
/// reflection over their contract. Generated code will bind the same way without reflection under Native AOT.
/// </summary>
public static class ServiceBinder
{
    private const string ReflectionMessage = "Binds service methods by reflection; use generated bindings when trimming or under Native AOT.";
    private static readonly MethodInfo _unary = typeof(ServiceBinder).GetMethod(nameof(CreateUnary), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo _serverStream = typeof(ServiceBinder).GetMethod(nameof(CreateServerStreaming), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo _clientStream = typeof(ServiceBinder).GetMethod(nameof(CreateClientStreaming), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo _bidiStream = typeof(ServiceBinder).GetMethod(nameof(CreateBidiStreaming), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>Binds a shared service: <paramref name="instance"/> serves every caller.</summary>
    /// <exception cref="ContractException">The service type breaks a contract rule.</exception>
    /// <exception cref="ArgumentException">The service is session-scoped (use <see cref="FromFactory{TService}(Func{SessionContext, TService})"/>) or has no <c>[AsterService]</c> type.</exception>
    [RequiresUnreferencedCode(ReflectionMessage)]
    [RequiresDynamicCode(ReflectionMessage)]
    public static ServiceDefinition FromInstance(object instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ContractDescription contract = ServiceContracts.Describe(ContractTypeOf(instance.GetType()));
        if (contract.Scope == ServiceScope.Session)
        {
            throw new ArgumentException($"Service '{contract.Name}' is session-scoped: bind it with ServiceBinder.FromFactory.", nameof(instance));
        }

        return Bind(contract, isSessionScoped: false, _ => instance);
    }

    /// <summary>Binds a session-scoped service: <paramref name="factory"/> makes one instance per session.</summary>
    [RequiresUnreferencedCode(ReflectionMessage)]
    [RequiresDynamicCode(ReflectionMessage)]
    public static ServiceDefinition FromFactory<TService>(Func<SessionContext, TService> factory)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        ContractDescription contract = ServiceContracts.Describe(ContractTypeOf(typeof(TService)));
        return Bind(contract, contract.Scope == ServiceScope.Session, session => factory(session ?? new SessionContext(0, contract.Name)));
    }

    /// <summary>
    /// Binds a service whose instances are owned elsewhere (for example by a dependency-injection scope):
    /// <paramref name="factory"/> makes one instance per session (per call for a shared service), and
    /// <paramref name="release"/> ends a session's instance when the session ends, in place of disposing it.
    /// </summary>
    /// <exception cref="ContractException">The service type breaks a contract rule.</exception>
    [RequiresUnreferencedCode(ReflectionMessage)]
    [RequiresDynamicCode(ReflectionMessage)]
    public static ServiceDefinition FromFactory<TService>(Func<SessionContext, TService> factory, Func<TService, ValueTask> release)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(release);
        ServiceDefinition definition = FromFactory(factory);
        definition.InstanceRelease = instance => release((TService)instance);
        return definition;
    }

    /// <summary>The <c>[AsterService]</c> type of an implementation: the class itself, or the interface it implements.</summary>
    [RequiresUnreferencedCode(ReflectionMessage)]
    internal static Type ContractTypeOf(Type implementation)
    {
        if (implementation.GetCustomAttribute<AsterServiceAttribute>() is not null)
        {
            return implementation;
        }

        Type[] contracts = [.. implementation.GetInterfaces().Where(i => i.GetCustomAttribute<AsterServiceAttribute>() is not null)];
        return contracts.Length switch
        {
            1 => contracts[0],
            0 => throw new ArgumentException($"{implementation.FullName} has no [AsterService] attribute and implements no [AsterService] interface."),
            _ => throw new ArgumentException($"{implementation.FullName} implements several [AsterService] interfaces; bind each one through its own instance."),
        };
    }

    [RequiresUnreferencedCode(ReflectionMessage)]
    [RequiresDynamicCode(ReflectionMessage)]
    private static ServiceDefinition Bind(ContractDescription contract, bool isSessionScoped, Func<SessionContext?, object> factory)
    {
        var methods = new List<ServerMethod>(contract.Methods.Count);
        foreach (ContractMethod method in contract.Methods)
        {
            if (method.IsInlineRequest || method.RequestType is null || method.ResponseType is null)
            {
                throw new NotSupportedException($"{contract.Name}.{method.Name}: methods with inline parameters or without a request or response record are not supported by the runtime yet.");
            }

            MethodInfo create = method.Pattern switch
            {
                MethodPattern.Unary => _unary,
                MethodPattern.ServerStream => _serverStream,
                MethodPattern.ClientStream => _clientStream,
                _ => _bidiStream,
            };
            methods.Add((ServerMethod)create.MakeGenericMethod(method.RequestType, method.ResponseType).Invoke(null, [method])!);
        }

        return new ServiceDefinition(contract.Name, contract.Version, isSessionScoped, factory, methods, contract, contract.Requires);
    }

    private static MethodOptions OptionsOf(ContractMethod method)
        => new() { Idempotent = method.Idempotent, Timeout = method.TimeoutSeconds is { } s ? TimeSpan.FromSeconds(s) : null, Requires = method.Requires };

    private static object? Invoke(ContractMethod method, object instance, object? first, CallContext context)
    {
        int count = 1 + (method.HasCallContext ? 1 : 0) + (method.HasCancellationToken ? 1 : 0);
        object?[] args = new object?[count];
        args[0] = first;
        int i = 1;
        if (method.HasCallContext)
        {
            args[i++] = context;
        }

        if (method.HasCancellationToken)
        {
            args[i] = context.CancellationToken;
        }

        return method.Method.Invoke(instance, BindingFlags.DoNotWrapExceptions, binder: null, args, culture: null);
    }

    private static ValueTask<T> AsValueTask<T>(object? result) => result switch
    {
        ValueTask<T> valueTask => valueTask,
        Task<T> task => new ValueTask<T>(task),
        T value => ValueTask.FromResult(value),
        _ => throw new InvalidOperationException("The handler returned null instead of a task."),
    };

    private static UnaryServerMethod<object, TRequest, TResponse> CreateUnary<TRequest, TResponse>(ContractMethod method)
        => new UnaryServerMethod<object, TRequest, TResponse>(method.Name, OptionsOf(method),
            (instance, request, context) => AsValueTask<TResponse>(Invoke(method, instance, request, context)));

    private static ServerStreamingServerMethod<object, TRequest, TResponse> CreateServerStreaming<TRequest, TResponse>(ContractMethod method)
        => new ServerStreamingServerMethod<object, TRequest, TResponse>(method.Name, OptionsOf(method),
            (instance, request, context) => (IAsyncEnumerable<TResponse>)Invoke(method, instance, request, context)!);

    private static ClientStreamingServerMethod<object, TRequest, TResponse> CreateClientStreaming<TRequest, TResponse>(ContractMethod method)
        => new ClientStreamingServerMethod<object, TRequest, TResponse>(method.Name, OptionsOf(method),
            (instance, requests, context) => AsValueTask<TResponse>(Invoke(method, instance, requests, context)));

    private static DuplexStreamingServerMethod<object, TRequest, TResponse> CreateBidiStreaming<TRequest, TResponse>(ContractMethod method)
        => new DuplexStreamingServerMethod<object, TRequest, TResponse>(method.Name, OptionsOf(method),
            (instance, requests, context) => (IAsyncEnumerable<TResponse>)Invoke(method, instance, requests, context)!);
}
