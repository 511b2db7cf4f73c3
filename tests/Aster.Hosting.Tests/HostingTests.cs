using System.Collections.Concurrent;
using Aster.Client;
using Aster.Codec;
using Aster.Configuration;
using Aster.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aster.Hosting.Tests;

/// <summary>
/// Aster under the generic host, over real QUIC on loopback: services resolved from DI (shared as singletons,
/// session-scoped per DI scope), the hosted server started and stopped with the host, the host's logger factory and
/// configuration flowing in, and a hosted client with typed proxies.
/// </summary>
public sealed class HostingTests
{
    private static readonly TimeSpan _limit = TimeSpan.FromSeconds(60);

    private static IHost ServerHost(LogCollector? logs = null, IDictionary<string, string?>? settings = null)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?> { ["Aster:nonce_store"] = "memory" });
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.Services.AddSingleton(new Ledger { Prefix = "Hi" });
        builder.Services.AddScoped<SessionResource>();
        builder.Services
            .AddAster(o =>
            {
                o.Server.Codecs = new ForyCodecProvider();
                o.Server.ShutdownGracePeriod = TimeSpan.FromMilliseconds(500);
                o.WorkingDirectory = AppContext.BaseDirectory;
            })
            .AddAsterService<Greeter>()
            .AddAsterService<Tally>();
        return builder.Build();
    }

    private static IHost ClientHost(string address)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services
            .AddAsterClient(address, o => o.Codecs = new ForyCodecProvider())
            .AddAsterProxy<IGreeter>();
        return builder.Build();
    }

    [Fact]
    public async Task HostedServerAndClient_CallOverQuic_SharedFromDi_ThenStopGracefully()
    {
        var logs = new LogCollector();
        using IHost server = ServerHost(logs);
        await server.StartAsync().WaitAsync(_limit);
        AsterServerHost hosted = server.Services.GetRequiredService<AsterServerHost>();
        Assert.True(hosted.Server.IsDevMode);

        using (IHost client = ClientHost(hosted.Server.Address))
        {
            await client.StartAsync().WaitAsync(_limit);
            IGreeter greeter = client.Services.GetRequiredService<IGreeter>();

            Greeting reply = await greeter.GreetAsync(new Greeting("World")).AsTask().WaitAsync(_limit);

            Assert.Equal("Hi, World!", reply.Text);
            Assert.Contains(client.Services.GetRequiredService<AsterClientHost>().Client.Services, s => s.Name == "Tally");
            await client.StopAsync().WaitAsync(_limit);
        }

        await server.StopAsync().WaitAsync(_limit);
        Assert.Contains(logs.Entries, e => e.Category == "Aster.Hosting" && e.Message.StartsWith("Aster server started with 2 services", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.Category == "Aster.Server" && e.EventId == 3011); // the server's own log through the host's factory
        Assert.Contains(logs.Entries, e => e.Message == "Aster server stopped.");
    }

    [Fact]
    public async Task SessionScopedService_OneDiScopePerSession_DisposedWhenTheConnectionEnds()
    {
        using IHost server = ServerHost();
        await server.StartAsync().WaitAsync(_limit);
        AsterServerHost hosted = server.Services.GetRequiredService<AsterServerHost>();
        Ledger ledger = server.Services.GetRequiredService<Ledger>();

        string first;
        string second;
        string again;
        await using (AsterClient client = await AsterClient.ConnectAsync(hosted.Server.Address, new AsterClientOptions { Codecs = new ForyCodecProvider() }).WaitAsync(_limit))
        {
            ITally one = ServiceProxy.Create<ITally>(client, new CallOptions().WithSession(client.NewSessionId()));
            ITally two = ServiceProxy.Create<ITally>(client, new CallOptions().WithSession(client.NewSessionId()));
            first = (await one.AddAsync(new Greeting("a")).AsTask().WaitAsync(_limit)).Text;
            second = (await two.AddAsync(new Greeting("b")).AsTask().WaitAsync(_limit)).Text;
            again = (await one.AddAsync(new Greeting("c")).AsTask().WaitAsync(_limit)).Text;
            Assert.Equal(0, ledger.ScopesDisposed);
        }

        // Session 1 kept its instance and scope across calls; session 2 had its own.
        Assert.StartsWith("session 1 resource ", first, StringComparison.Ordinal);
        Assert.EndsWith(" items a", first, StringComparison.Ordinal);
        Assert.StartsWith("session 2 resource ", second, StringComparison.Ordinal);
        Assert.Equal(first.Split(' ')[3], again.Split(' ')[3]);
        Assert.EndsWith(" items a,c", again, StringComparison.Ordinal);
        Assert.NotEqual(first.Split(' ')[3], second.Split(' ')[3]);

        // The connection closed: both sessions end and their DI scopes are disposed.
        for (int i = 0; i < 600 && ledger.ScopesDisposed < 2; i++)
        {
            await Task.Delay(50);
        }

        Assert.Equal(2, ledger.ScopesDisposed);
        await server.StopAsync().WaitAsync(_limit);
    }

    [Fact]
    public async Task Configuration_RootKeyFromTheAsterSection_GatesConsumers()
    {
        using Aster.Trust.RootKey root = Aster.Trust.RootKey.Generate();
        using IHost server = ServerHost(settings: new Dictionary<string, string?>
        {
            ["Aster:root_pubkey"] = Convert.ToHexStringLower(root.PublicKey),
            ["Aster:nonce_store"] = "memory",
        });
        await server.StartAsync().WaitAsync(_limit);
        AsterServer running = server.Services.GetRequiredService<AsterServerHost>().Server;

        Assert.False(running.IsDevMode);
        Assert.True(running.Admission.ConsumersGated);
        Assert.Equal(Convert.ToHexStringLower(root.PublicKey), running.Admission.RootPublicKeyHex);
        AdmissionException denied = await Assert.ThrowsAsync<AdmissionException>(() => AsterClient.ConnectAsync(running.Address, new AsterClientOptions { Codecs = new ForyCodecProvider() }).WaitAsync(_limit));
        Assert.Equal(AdmissionFailure.Denied, denied.Failure);
        await server.StopAsync().WaitAsync(_limit);
    }

    [Fact]
    public async Task Configuration_ClosedGateWithoutRootKey_HostFailsToStart()
    {
        using IHost server = ServerHost(settings: new Dictionary<string, string?> { ["Aster:ALLOW_ALL_CONSUMERS"] = "false" });

        ConfigurationException ex = await Assert.ThrowsAsync<ConfigurationException>(() => server.StartAsync().WaitAsync(_limit));

        Assert.Contains("no root public key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddAsterService_TypeWithoutContract_Throws()
    {
        var services = new ServiceCollection();
        Assert.Throws<ArgumentException>(() => services.AddAsterService<Ledger>());
    }

    [Fact]
    public void ConfigurationEnvironmentSource_SectionFirst_ThenFallback()
    {
        IConfiguration section = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Aster:peer_ttl_s"] = "60" }).Build().GetSection("Aster");
        var source = new ConfigurationEnvironmentSource(section, new DictionaryEnvironmentSource([KeyValuePair.Create("ASTER_LOG_LEVEL", "debug"), KeyValuePair.Create("ASTER_PEER_TTL_S", "5")]));

        Assert.Equal("60", source.GetVariable("ASTER_PEER_TTL_S"));
        Assert.Equal("debug", source.GetVariable("ASTER_LOG_LEVEL"));
        Assert.Null(source.GetVariable("HOME_NOT_ASTER"));
        Assert.Equal(60, AsterConfig.FromEnvironment(source).PeerTtlSeconds);
    }
}

/// <summary>Records log writes (a small sink; the testing package is not available here).</summary>
internal sealed class LogCollector : ILoggerProvider
{
    public ConcurrentQueue<(string Category, int EventId, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCollector owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => owner.Entries.Enqueue((category, eventId.Id, formatter(state, exception)));
    }
}
