// Hello World over the real transport: an Aster server and client talking QUIC over UDP on loopback.
//   dotnet run --project samples/HelloWorld             server and client in one process (the main job)
//   dotnet run --project samples/HelloWorld -- server   serve until Ctrl+C and print the address
//   dotnet run --project samples/HelloWorld -- client <aster1…>
using System.Diagnostics;
using Aster.Client;
using Aster.Codec;
using Aster.Net.Identity;
using Aster.Net.Quic;
using Aster.Server;
using Aster.Transport;
using HelloWorld;

var codecs = new ForyCodecProvider();
string mode = args.Length > 0 ? args[0] : "both";
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };

switch (mode)
{
    case "server":
        await using (AsterEndpoint endpoint = await BindServerAsync())
        {
            Console.WriteLine($"Serving Hello at {endpoint.Address}");
            await ServeAsync(endpoint, stop.Token);
        }

        break;
    case "client" when args.Length > 1:
        await CallAsync(EndpointAddr.Parse(args[1]));
        break;
    case "both":
        await using (AsterEndpoint endpoint = await BindServerAsync())
        {
            Console.WriteLine($"Server listening at {endpoint.Address}");
            Task serving = ServeAsync(endpoint, stop.Token);
            await CallAsync(endpoint.Address);
            await stop.CancelAsync();
            await serving;
        }

        break;
    default:
        Console.Error.WriteLine("usage: HelloWorld [server | client <aster1-address>]");
        return 2;
}

return 0;

static async Task<AsterEndpoint> BindServerAsync()
{
    // Dev mode: no identity file or root key configured, so an ephemeral key and open gates.
    Console.WriteLine("Dev mode: ephemeral identity, open gates (no root key or .aster-identity configured).");
    var options = new AsterEndpointOptions { SecretKey = SecretKey.Generate() };
    options.Alpns.Add("aster/1");
    return await AsterEndpoint.BindAsync(options);
}

async Task ServeAsync(AsterEndpoint endpoint, CancellationToken cancellationToken)
{
    await using var server = new AsterServer([ServiceBinder.FromInstance(new HelloService())], new AsterServerOptions { Codecs = codecs });
    var connections = new List<Task>();
    try
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            AsterConnection connection = await endpoint.AcceptAsync(cancellationToken);
            connections.Add(server.ServeConnectionAsync(new QuicRpcConnection(connection), cancellationToken));
        }
    }
    catch (OperationCanceledException)
    {
    }

    await Task.WhenAll(connections);
}

async Task CallAsync(EndpointAddr address)
{
    var clientOptions = new AsterEndpointOptions { SecretKey = SecretKey.Generate() };
    await using AsterEndpoint endpoint = await AsterEndpoint.BindAsync(clientOptions);
    var started = Stopwatch.StartNew();
    AsterConnection connection = await endpoint.ConnectAsync(address, "aster/1");
    Console.WriteLine($"Client {endpoint.Id.ToString()[..16]}… connected to {connection.RemoteId.ToString()[..16]}… over QUIC in {started.Elapsed.TotalMilliseconds:F1} ms");
    await using var client = new AsterClient(new QuicRpcConnection(connection), new AsterClientOptions { Codecs = codecs });
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
