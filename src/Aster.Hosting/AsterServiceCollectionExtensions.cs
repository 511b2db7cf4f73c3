using System.Diagnostics.CodeAnalysis;
using Aster;
using Aster.Client;
using Aster.Contracts;
using Aster.Hosting;
using Aster.Server;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Aster servers, services, clients and typed proxies with the .NET generic host.</summary>
public static class AsterServiceCollectionExtensions
{
    private const string ReflectionMessage = "Binds services and proxies by reflection over their contracts; use generated bindings when trimming or under Native AOT.";

    /// <summary>
    /// Adds the hosted Aster server (<see cref="AsterServerHost"/>): it starts with the host, serves every service added
    /// with <see cref="AddAsterService{TService}"/> and stops gracefully with the host. Calling it again only adds
    /// <paramref name="configure"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options (codecs at least).</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddAster(this IServiceCollection services, Action<AsterHostingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton<AsterServerHost>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AsterServerHost>(static sp => sp.GetRequiredService<AsterServerHost>()));
        services.TryAddScoped<AsterSessionAccessor>();
        services.TryAddScoped(static sp => sp.GetRequiredService<AsterSessionAccessor>().Session
            ?? throw new InvalidOperationException("SessionContext exists only in the scope of an Aster session."));
        return services;
    }

    /// <summary>
    /// Serves <typeparamref name="TService"/> (an <c>[AsterService]</c> class, or a class implementing one
    /// <c>[AsterService]</c> interface), resolved from the container: a shared service as a singleton, a session-scoped
    /// one from a new DI scope per session (disposed when the session ends; it may take <see cref="SessionContext"/> in
    /// its constructor). A registration of <typeparamref name="TService"/> made before keeps its lifetime. Also adds the
    /// hosted server when it is missing.
    /// </summary>
    /// <typeparam name="TService">The implementation type.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentException">The type has no <c>[AsterService]</c> contract.</exception>
    /// <exception cref="ContractException">The contract breaks a rule.</exception>
    [RequiresUnreferencedCode(ReflectionMessage)]
    [RequiresDynamicCode(ReflectionMessage)]
    public static IServiceCollection AddAsterService<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TService>(this IServiceCollection services)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(services);
        bool session = ServiceContracts.Describe(ServiceBinder.ContractTypeOf(typeof(TService))).Scope == ServiceScope.Session;
        if (session)
        {
            services.TryAddScoped<TService>();
        }
        else
        {
            services.TryAddSingleton<TService>();
        }

        services.AddAster();
        services.AddSingleton<AsterServiceRegistration>(new AsterServiceRegistration<TService>(session));
        return services;
    }

    /// <summary>
    /// Adds one hosted client (<see cref="AsterClientHost"/>) for <paramref name="address"/>: it connects (admission,
    /// then <c>aster/1</c>) when the host starts and closes when it stops. Add typed proxies with
    /// <see cref="AddAsterProxy{TService}"/>; the connected client itself is <see cref="AsterClientHost.Client"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="address">The server's <c>aster1…</c> address.</param>
    /// <param name="configure">Sets the client options (codecs at least).</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddAsterClient(this IServiceCollection services, string address, Action<AsterClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(address);
        services.AddOptions();
        services.Configure<AsterClientHostingOptions>(o =>
        {
            o.Address = address;
            configure?.Invoke(o.Client);
        });
        services.TryAddSingleton<AsterClientHost>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AsterClientHost>(static sp => sp.GetRequiredService<AsterClientHost>()));
        return services;
    }

    /// <summary>
    /// Adds a typed proxy for the <c>[AsterService]</c> interface <typeparamref name="TService"/> over the hosted client
    /// (<see cref="AddAsterClient"/>). Resolve it after the host has started.
    /// </summary>
    /// <typeparam name="TService">The contract interface.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="options">Options applied to every call.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    [RequiresUnreferencedCode(ReflectionMessage)]
    [RequiresDynamicCode(ReflectionMessage)]
    public static IServiceCollection AddAsterProxy<TService>(this IServiceCollection services, CallOptions options = default)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp => ServiceProxy.Create<TService>(sp.GetRequiredService<AsterClientHost>().Client, options));
        return services;
    }
}
