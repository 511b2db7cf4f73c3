// Hello World over the real transport: an Aster server and client talking QUIC over UDP.
//   dotnet run --project samples/HelloWorld                      server and client in one process, on loopback (the main job)
//   dotnet run --project samples/HelloWorld -- server [port]     serve on every interface until Ctrl+C; prints the aster1 address
//                                                                (no port: ASTER_BIND_ADDR if set, for example 127.0.0.1:0, else 0.0.0.0:0)
//   dotnet run --project samples/HelloWorld -- client <aster1…>  call a server, on this machine or another
// AsterServer and AsterClient read ASTER_* settings and the identity file themselves (ASTER_IDENTITY_FILE, else ./.aster-identity):
//   ASTER_IDENTITY_FILE=server.aster-identity dotnet run --project samples/HelloWorld -- server   runs with the consumer gate closed;
//   ASTER_IDENTITY_FILE=client.aster-identity dotnet run --project samples/HelloWorld -- client <aster1…> presents its consumer entry.
// With no root key anywhere the server falls back to dev mode (open gate, ephemeral root key, a warning).
// Hello.whoAmI and Hello.setGreeting are guarded by roles (Gate 3): a consumer enrolled with
// --capabilities hello.reader may call whoAmI and is refused setGreeting with PERMISSION_DENIED.
using System.Diagnostics;
using System.Net;
using Aster.Client;
using Aster.Codec;
using Aster.Configuration;
using Aster.Samples;
using Aster.Server;
using HelloWorld;
using Microsoft.Extensions.Logging;

var codecs = new ForyCodecProvider();
using ILoggerFactory logging = SampleConsoleLoggerProvider.CreateFactory();
string mode = args.Length > 0 ? args[0] : "both";
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };

switch (mode)
{
    case "server":
    {
        var options = ServerOptions(null);
        // ASTER_BIND_ADDR (and the [limits]) from the environment; the node key, root key and gates the server picks up
        // itself from ASTER_* and the identity file (ASTER_IDENTITY_FILE, else ./.aster-identity).
        AsterConfig.FromEnvironment().ApplyTo(options);
        if (args.Length > 1)
        {
            options.BindAddresses.Clear();
            options.BindAddresses.Add(new IPEndPoint(IPAddress.Any, int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture)));
        }
        else if (options.BindAddresses.Count == 0)
        {
            options.BindAddresses.Add(new IPEndPoint(IPAddress.Any, 0));
        }

        AsterServer server;
        try
        {
            server = new([ServiceBinder.FromInstance(new HelloService())], options);
        }
        catch (ConfigurationException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 1;
        }

        await using (server)
        {
            await server.StartAsync();
            Console.WriteLine($"Serving Hello at {server.Address} ({(server.IsDevMode ? "dev mode" : server.Admission.ConsumersGated ? "trusted" : "open-gate")})");
            Console.WriteLine("Call it with: dotnet run --project samples/HelloWorld -- client <the address above>   (Ctrl+C stops)");
            await server.ServeAsync(stop.Token);
        }

        break;
    }

    case "client" when args.Length > 1:
    {
        // The client picks its node key and consumer credential up itself (ASTER_IDENTITY_FILE, else ./.aster-identity).
        try
        {
            await CallAsync(args[1], new AsterClientOptions { Codecs = codecs, LoggerFactory = logging });
        }
        catch (ConfigurationException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 1;
        }
        catch (AdmissionException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 3;
        }

        break;
    }

    case "both":
    {
        // Dev mode: no identity or root key configured, so an ephemeral key and open gates (the server logs a warning).
        AsterServerOptions options = ServerOptions(new IPEndPoint(IPAddress.Loopback, 0));
        options.IdentityFile = string.Empty; // no identity file, even when ./.aster-identity exists
        await using AsterServer server = new([ServiceBinder.FromInstance(new HelloService())], options);
        await server.StartAsync();
        Console.WriteLine($"Server listening at {server.Address}");
        await CallAsync(server.Address, new AsterClientOptions { Codecs = codecs, LoggerFactory = logging, IdentityFile = string.Empty });
        break;
    }

    default:
        Console.Error.WriteLine("usage: HelloWorld [server [port] | client <aster1-address>]");
        return 2;
}

return 0;

AsterServerOptions ServerOptions(IPEndPoint? bind)
{
    var options = new AsterServerOptions { Codecs = codecs, LoggerFactory = logging, ShutdownGracePeriod = TimeSpan.FromSeconds(2) };
    if (bind is not null)
    {
        options.BindAddresses.Add(bind);
    }

    return options;
}

async Task CallAsync(string address, AsterClientOptions options)
{
    var started = Stopwatch.StartNew();
    await using AsterClient client = await AsterClient.ConnectAsync(address, options);
    Console.WriteLine($"Admitted and connected over QUIC in {started.Elapsed.TotalMilliseconds:F1} ms; the server offers:");
    foreach (Aster.Trust.ServiceSummary service in client.Services)
    {
        Console.WriteLine($"  {service.Name} v{service.Version} ({service.Pattern}, {string.Join("/", service.SerializationModes)}) contract {service.ContractId[..16]}…");
    }

    IHello hello = ServiceProxy.Create<IHello>(client);
    HelloResponse reply = await hello.SayHelloAsync(new HelloRequest("World"));
    Console.WriteLine($"sayHello  -> {reply.Message}");
    await foreach (HelloResponse step in hello.CountdownAsync(new HelloRequest("Aster")))
    {
        Console.WriteLine($"countdown -> {step.Message}");
    }

    const int calls = 1000;
    started.Restart();
    for (int i = 0; i < calls; i++)
    {
        await hello.SayHelloAsync(new HelloRequest("bench"));
    }

    Console.WriteLine($"{calls} sequential unary calls: {started.Elapsed.TotalMicroseconds / calls:F0} µs per call");
}
