using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Aster.Server;
using Microsoft.Extensions.DependencyInjection;

namespace Aster.Hosting;

/// <summary>
/// One service added with <c>AddAsterService&lt;T&gt;()</c>: how to bind it once the host's service provider exists.
/// A shared service is the container's singleton; a session-scoped one is resolved from a new DI scope per session,
/// and that scope is disposed (with the instance) when the session ends.
/// </summary>
public abstract class AsterServiceRegistration
{
    private protected AsterServiceRegistration(Type implementation, bool isSessionScoped)
    {
        Implementation = implementation;
        IsSessionScoped = isSessionScoped;
    }

    /// <summary>The implementation type.</summary>
    public Type Implementation { get; }

    /// <summary>True when each session gets its own instance (from its own DI scope).</summary>
    public bool IsSessionScoped { get; }

    /// <summary>Builds the service definition over <paramref name="provider"/>.</summary>
    /// <param name="provider">The host's root service provider.</param>
    /// <returns>The definition to serve.</returns>
    public abstract ServiceDefinition Bind(IServiceProvider provider);
}

/// <summary>The registration of <typeparamref name="TService"/>.</summary>
/// <typeparam name="TService">The implementation type.</typeparam>
internal sealed class AsterServiceRegistration<TService> : AsterServiceRegistration
    where TService : class
{
    private const string ReflectionMessage = "Binds service methods by reflection; use generated bindings when trimming or under Native AOT.";

    public AsterServiceRegistration(bool isSessionScoped)
        : base(typeof(TService), isSessionScoped)
    {
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "AddAsterService<T>, the only way to create a registration, carries the reflection requirement.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "AddAsterService<T>, the only way to create a registration, carries the reflection requirement.")]
    public override ServiceDefinition Bind(IServiceProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        if (!IsSessionScoped)
        {
            return ServiceBinder.FromInstance(provider.GetRequiredService<TService>());
        }

        var sessions = new SessionScopes(provider.GetRequiredService<IServiceScopeFactory>());
        return ServiceBinder.FromFactory<TService>(sessions.Create, sessions.ReleaseAsync);
    }

    /// <summary>The live sessions' DI scopes, by instance.</summary>
    private sealed class SessionScopes(IServiceScopeFactory scopes)
    {
        private readonly ConcurrentDictionary<TService, AsyncServiceScope> _live = new(ReferenceEqualityComparer.Instance);

        public TService Create(SessionContext session)
        {
            AsyncServiceScope scope = scopes.CreateAsyncScope();
            try
            {
                scope.ServiceProvider.GetRequiredService<AsterSessionAccessor>().Session = session;
                TService instance = scope.ServiceProvider.GetRequiredService<TService>();
                if (!_live.TryAdd(instance, scope))
                {
                    throw new InvalidOperationException($"{typeof(TService).FullName} is session-scoped: register it as scoped (AddAsterService does), not as a singleton, so each session gets its own instance.");
                }

                return instance;
            }
            catch
            {
                scope.Dispose();
                throw;
            }
        }

        public ValueTask ReleaseAsync(TService instance)
            => _live.TryRemove(instance, out AsyncServiceScope scope) ? scope.DisposeAsync() : ValueTask.CompletedTask;
    }
}

/// <summary>
/// The session a DI scope was created for: a session-scoped service (or anything in its scope) may take
/// <see cref="SessionContext"/> in its constructor.
/// </summary>
internal sealed class AsterSessionAccessor
{
    public SessionContext? Session { get; set; }
}
