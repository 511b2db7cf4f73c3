// A conformance server in its own process, for tests/Aster.Tests/Network.
//   dotnet Aster.Network.TestHost.dll [--port N] [--key <64 hex seed>]
// Prints "ADDRESS <aster1…>" once it accepts connections; a line "stop" (or the end of standard input) on standard
// input shuts it down gracefully, after which it prints "STOPPED".
using System.Net;
using System.Runtime.CompilerServices;
using Aster.Net.Identity;
using Aster.Network.TestHost;
using Aster.Server;
using Aster.Tests.Rpc;

int port = 0;
SecretKey? key = null;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--port":
            port = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--key":
            key = SecretKey.Parse(args[i + 1]);
            break;
        default:
            Console.Error.WriteLine($"unknown option {args[i]}");
            return 2;
    }
}

var service = new TestService();
var disposed = new List<int>();
var live = new StrongBox<int>();
var options = new AsterServerOptions
{
    Codecs = JsonTestCodecProvider.Instance,
    Limits = TestService.ConformanceLimits(),
    SecretKey = key,
    ShutdownGracePeriod = TimeSpan.FromMilliseconds(500),
};
options.BindAddresses.Add(new IPEndPoint(IPAddress.Loopback, port));
await using var server = new AsterServer(
    [TestService.Definition(service), TestService.CounterDefinition(disposed, live), new Probe(service, disposed, live).Definition()],
    options);
await server.StartAsync();
Console.WriteLine($"ADDRESS {server.Address}");
Console.Out.Flush();

using var stop = new CancellationTokenSource();
_ = Task.Run(async () =>
{
    while (await Console.In.ReadLineAsync() is { } line && line.Trim() != "stop")
    {
    }

    await stop.CancelAsync();
});
await server.ServeAsync(stop.Token);
Console.WriteLine("STOPPED");
Console.Out.Flush();
return 0;
