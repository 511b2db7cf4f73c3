using Aster.Configuration;
using Aster.Server;
using Aster.Trust;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Aster.Hosting;

/// <summary>
/// Runs an <see cref="AsterServer"/> for the generic host: on start it applies <see cref="AsterHostingOptions"/>
/// (configuration, identity and trust, the host's logger factory), binds every service added with
/// <c>AddAsterService&lt;T&gt;()</c> over the container and starts serving; on stop it shuts down gracefully (calls in
/// flight get <see cref="AsterServerOptions.ShutdownGracePeriod"/>, mesh members send DEPART) and disposes what it made.
/// </summary>
public sealed class AsterServerHost : IHostedService, IAsyncDisposable
{
    private readonly IServiceProvider _provider;
    private readonly AsterHostingOptions _options;
    private readonly IEnumerable<AsterServiceRegistration> _registrations;
    private readonly IConfiguration? _configuration;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private TrustAuthority? _ownedAuthority;
    private AsterServer? _server;

    /// <summary>Creates the host service (the container does).</summary>
    /// <param name="provider">The root service provider the services are resolved from.</param>
    /// <param name="options">The hosting options.</param>
    /// <param name="registrations">The services to serve.</param>
    /// <param name="configuration">The host's configuration, if any.</param>
    /// <param name="loggerFactory">The host's logger factory, if any.</param>
    public AsterServerHost(IServiceProvider provider, IOptions<AsterHostingOptions> options, IEnumerable<AsterServiceRegistration> registrations, IConfiguration? configuration = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registrations);
        _provider = provider;
        _options = options.Value;
        _registrations = registrations;
        _configuration = configuration;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger("Aster.Hosting");
    }

    /// <summary>The running server (its <see cref="AsterServer.Address"/>, mesh, authority).</summary>
    /// <exception cref="InvalidOperationException">The host has not started.</exception>
    public AsterServer Server => _server ?? throw new InvalidOperationException("The Aster server starts with the host: call IHost.StartAsync first.");

    /// <summary>Configures and starts the server.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when the server accepts connections.</returns>
    /// <exception cref="InvalidOperationException">Already started, or no service was added.</exception>
    /// <exception cref="ConfigurationException">The configuration is invalid (for example a closed gate without a root key).</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            throw new InvalidOperationException("The Aster server host has already started.");
        }

        AsterServerOptions options = _options.Server;
        if (options.LoggerFactory is NullLoggerFactory)
        {
            options.LoggerFactory = _loggerFactory;
        }

        if (options.Admission is null && _options.UseAsterConfig)
        {
            var environment = new ConfigurationEnvironmentSource(_configuration?.GetSection(_options.ConfigurationSection), SystemEnvironmentSource.Instance);
            AsterConfig config = _options.Config ?? AsterConfig.Load(_options.ConfigFile, environment);
            _ownedAuthority = config.ApplyIdentityAndTrust(options, environment, _options.WorkingDirectory);
        }

        ServiceDefinition[] services = [.. _registrations.Select(r => r.Bind(_provider))];
        if (services.Length == 0)
        {
            throw new InvalidOperationException("No Aster service was added: call AddAsterService<T>() for each service.");
        }

        var server = new AsterServer(services, options);
        try
        {
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            _ownedAuthority?.Dispose();
            _ownedAuthority = null;
            throw;
        }

        _server = server;
        HostingLog.ServerStarted(_logger, services.Length, server.Address);
    }

    /// <summary>Shuts the server down gracefully; the host's shutdown timeout cuts the grace period short.</summary>
    /// <param name="cancellationToken">Signalled when the host stops waiting.</param>
    /// <returns>A task that completes after the shutdown.</returns>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not { } server)
        {
            return;
        }

        try
        {
            await server.StopAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The host stopped waiting: disposing below cancels what is left.
        }

        await DisposeAsync().ConfigureAwait(false);
        HostingLog.ServerStopped(_logger);
    }

    /// <summary>Disposes the server and the authority this host created.</summary>
    /// <returns>A task that completes when both are disposed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_server is { } server)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }

        _ownedAuthority?.Dispose();
        _ownedAuthority = null;
    }
}
