using Aster.Client;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Aster.Hosting;

/// <summary>Settings of the hosted client (<see cref="AsterClientHost"/>).</summary>
public sealed class AsterClientHostingOptions
{
    /// <summary>The server's <c>aster1…</c> address (or any form <c>EndpointAddr.Parse</c> accepts). Required.</summary>
    public string? Address { get; set; }

    /// <summary>
    /// The client's options: codecs (required), identity, credential, interceptors. Their
    /// <see cref="AsterClientOptions.LoggerFactory"/> becomes the host's <c>ILoggerFactory</c> unless set here.
    /// </summary>
    public AsterClientOptions Client { get; } = new();
}

/// <summary>
/// Connects one <see cref="AsterClient"/> when the host starts (consumer admission, then <c>aster/1</c>) and closes it
/// when the host stops. Typed proxies added with <c>AddAsterProxy&lt;T&gt;()</c> call through it.
/// </summary>
public sealed class AsterClientHost : IHostedService, IAsyncDisposable
{
    private readonly AsterClientHostingOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private AsterClient? _client;

    /// <summary>Creates the host service (the container does).</summary>
    /// <param name="options">The hosting options.</param>
    /// <param name="loggerFactory">The host's logger factory, if any.</param>
    public AsterClientHost(IOptions<AsterClientHostingOptions> options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger("Aster.Hosting");
    }

    /// <summary>The connected client.</summary>
    /// <exception cref="InvalidOperationException">The host has not started.</exception>
    public AsterClient Client => Volatile.Read(ref _client) ?? throw new InvalidOperationException("The Aster client connects when the host starts: resolve it (and its proxies) after IHost.StartAsync.");

    /// <summary>Connects (admission first).</summary>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <returns>A task that completes once admitted and connected.</returns>
    /// <exception cref="InvalidOperationException">No address is configured, or already started.</exception>
    /// <exception cref="AdmissionException">Admission was denied or unavailable.</exception>
    /// <exception cref="RpcException">UNAVAILABLE: the server could not be reached.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        string address = _options.Address ?? throw new InvalidOperationException("AsterClientHostingOptions.Address is required: AddAsterClient(address).");
        if (_client is not null)
        {
            throw new InvalidOperationException("The Aster client host has already started.");
        }

        AsterClientOptions options = _options.Client;
        if (options.LoggerFactory is NullLoggerFactory)
        {
            options.LoggerFactory = _loggerFactory;
        }

        AsterClient client = await AsterClient.ConnectAsync(address, options, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _client, client);
        HostingLog.ClientConnected(_logger, address, client.Services.Count);
    }

    /// <summary>Closes the client's connections.</summary>
    /// <param name="cancellationToken">Unused: closing is bounded on its own.</param>
    /// <returns>A task that completes when closed.</returns>
    public Task StopAsync(CancellationToken cancellationToken) => DisposeAsync().AsTask();

    /// <summary>Closes the client's connections.</summary>
    /// <returns>A task that completes when closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _client, null) is { } client)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }
    }
}
