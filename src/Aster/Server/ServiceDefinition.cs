using System.Collections.Frozen;
using Aster.Contracts;
using Aster.Fory;

namespace Aster.Server;

/// <summary>
/// A served service: its wire name, version, scope and the handlers of its methods. Built from a C# service type by
/// the contract binder, or by hand (or by generated code) with <see cref="ServiceDefinitionBuilder{TService}"/>.
/// </summary>
public sealed class ServiceDefinition
{
    private readonly FrozenDictionary<string, ServerMethod> _methods;
    private readonly FrozenDictionary<string, ServerMethod> _methodsByNormalizedName;

    internal ServiceDefinition(string name, int version, bool isSessionScoped, Func<SessionContext?, object> instanceFactory, IEnumerable<ServerMethod> methods, ContractDescription? contract = null, CapabilityRequirement? requires = null)
    {
        Name = name;
        Version = version;
        IsSessionScoped = isSessionScoped;
        InstanceFactory = instanceFactory;
        ContractId = contract?.ContractId;
        SerializationModes = contract?.SerializationModes ?? ["xlang"];
        Requires = CheckRequirement(requires, $"service '{name}'");
        var list = methods.ToList();
        foreach (ServerMethod method in list)
        {
            CheckRequirement(method.Options.Requires, $"method '{name}.{method.Name}'");
        }

        _methods = list.ToFrozenDictionary(m => m.Name, StringComparer.Ordinal);
        _methodsByNormalizedName = list
            .GroupBy(m => WireNaming.Normalize(m.Name), StringComparer.Ordinal)
            .Where(g => g.Count() == 1)
            .ToFrozenDictionary(g => g.Key, g => g.Single(), StringComparer.Ordinal);
    }

    /// <summary>The service's wire name.</summary>
    public string Name { get; }

    /// <summary>The service version.</summary>
    public int Version { get; }

    /// <summary>True when each session gets its own instance; false when one instance serves every caller.</summary>
    public bool IsSessionScoped { get; }

    /// <summary>The wire names of the methods.</summary>
    public IEnumerable<string> MethodNames => _methods.Keys;

    /// <summary>
    /// The contract id (64 lower-case hex) when the service was bound from a C# contract; null for a definition built
    /// by hand, which has no canonical contract (admission then advertises 64 zeros).
    /// </summary>
    public string? ContractId { get; }

    /// <summary>The serialization modes the service declares (<c>["xlang"]</c> unless its contract says otherwise).</summary>
    public IReadOnlyList<string> SerializationModes { get; }

    /// <summary>The service-level capability requirement every call must meet (gate 3, trust.md 7.4), or null.</summary>
    public CapabilityRequirement? Requires { get; }

    internal Func<SessionContext?, object> InstanceFactory { get; }

    /// <summary>
    /// Ends a session instance in place of disposing it (for instances owned by something else, such as a
    /// dependency-injection scope); null disposes the instance when it is disposable.
    /// </summary>
    internal Func<object, ValueTask>? InstanceRelease { get; set; }

    internal IEnumerable<ServerMethod> Methods => _methods.Values;

    /// <summary>True when the service or any of its methods declares a capability requirement.</summary>
    internal bool DeclaresRequirements => Requires is not null || _methods.Values.Any(m => m.Options.Requires is not null);

    /// <summary>Finds a method by its exact wire name, else by the loose form (so <c>sayHello</c> finds <c>say_hello</c>).</summary>
    internal ServerMethod? FindMethod(string name)
        => _methods.TryGetValue(name, out ServerMethod? method)
            ? method
            : _methodsByNormalizedName.GetValueOrDefault(WireNaming.Normalize(name));

    /// <summary>A requirement with no roles, or an empty role, is a definition error (trust.md 7.4).</summary>
    private static CapabilityRequirement? CheckRequirement(CapabilityRequirement? requirement, string subject)
    {
        if (requirement is not null && (requirement.Roles is null || requirement.Roles.Count == 0 || requirement.Roles.Any(string.IsNullOrWhiteSpace)))
        {
            throw new ArgumentException($"The capability requirement of {subject} needs at least one non-empty role.");
        }

        return requirement;
    }

    /// <summary>Starts a definition of a service with one shared instance.</summary>
    public static ServiceDefinitionBuilder<TService> CreateShared<TService>(string name, int version, TService instance)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(instance);
        return new ServiceDefinitionBuilder<TService>(name, version, isSessionScoped: false, _ => instance);
    }

    /// <summary>Starts a definition of a session-scoped service: <paramref name="factory"/> makes one instance per session.</summary>
    public static ServiceDefinitionBuilder<TService> CreateSessionScoped<TService>(string name, int version, Func<SessionContext, TService> factory)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new ServiceDefinitionBuilder<TService>(name, version, isSessionScoped: true, session => factory(session!));
    }
}

/// <summary>What a session-scoped service instance learns when it is created.</summary>
/// <param name="SessionId">The session id the client chose.</param>
/// <param name="Service">The service's wire name.</param>
public sealed record SessionContext(int SessionId, string Service);

/// <summary>Per-method options.</summary>
public sealed record MethodOptions
{
    /// <summary>A server-side time limit for this method; null uses the server's handler time limit.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>True when the method may be retried safely.</summary>
    public bool Idempotent { get; init; }

    /// <summary>The method's capability requirement (gate 3, in addition to the service's), or null.</summary>
    public CapabilityRequirement? Requires { get; init; }
}

/// <summary>Adds method handlers to a service definition.</summary>
/// <typeparam name="TService">The service implementation type.</typeparam>
public sealed class ServiceDefinitionBuilder<TService>
    where TService : class
{
    private readonly string _name;
    private readonly int _version;
    private readonly bool _isSessionScoped;
    private readonly Func<SessionContext?, object> _factory;
    private readonly List<ServerMethod> _methods = [];
    private CapabilityRequirement? _requires;

    internal ServiceDefinitionBuilder(string name, int version, bool isSessionScoped, Func<SessionContext?, object> factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _name = name;
        _version = version;
        _isSessionScoped = isSessionScoped;
        _factory = factory;
    }

    /// <summary>Adds a unary method.</summary>
    public ServiceDefinitionBuilder<TService> AddUnary<TRequest, TResponse>(string method, Func<TService, TRequest, CallContext, ValueTask<TResponse>> handler, MethodOptions? options = null)
        => Add(new UnaryServerMethod<TService, TRequest, TResponse>(method, options ?? new(), handler));

    /// <summary>Adds a server-streaming method.</summary>
    public ServiceDefinitionBuilder<TService> AddServerStreaming<TRequest, TResponse>(string method, Func<TService, TRequest, CallContext, IAsyncEnumerable<TResponse>> handler, MethodOptions? options = null)
        => Add(new ServerStreamingServerMethod<TService, TRequest, TResponse>(method, options ?? new(), handler));

    /// <summary>Adds a client-streaming method.</summary>
    public ServiceDefinitionBuilder<TService> AddClientStreaming<TRequest, TResponse>(string method, Func<TService, IAsyncEnumerable<TRequest>, CallContext, ValueTask<TResponse>> handler, MethodOptions? options = null)
        => Add(new ClientStreamingServerMethod<TService, TRequest, TResponse>(method, options ?? new(), handler));

    /// <summary>Adds a bidirectional-streaming method.</summary>
    public ServiceDefinitionBuilder<TService> AddDuplexStreaming<TRequest, TResponse>(string method, Func<TService, IAsyncEnumerable<TRequest>, CallContext, IAsyncEnumerable<TResponse>> handler, MethodOptions? options = null)
        => Add(new DuplexStreamingServerMethod<TService, TRequest, TResponse>(method, options ?? new(), handler));

    /// <summary>Sets the service-level capability requirement every call must meet (gate 3).</summary>
    public ServiceDefinitionBuilder<TService> RequireCapability(CapabilityRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(requirement);
        _requires = requirement;
        return this;
    }

    /// <summary>Builds the definition.</summary>
    /// <exception cref="ArgumentException">Two methods share a wire name, or a capability requirement has no roles.</exception>
    public ServiceDefinition Build()
    {
        string? duplicate = _methods.GroupBy(m => m.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (duplicate is not null)
        {
            throw new ArgumentException($"Service '{_name}' defines method '{duplicate}' more than once.");
        }

        return new ServiceDefinition(_name, _version, _isSessionScoped, _factory, _methods, requires: _requires);
    }

    private ServiceDefinitionBuilder<TService> Add(ServerMethod method)
    {
        ArgumentException.ThrowIfNullOrEmpty(method.Name);
        _methods.Add(method);
        return this;
    }
}
