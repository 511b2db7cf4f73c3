using System.Net;
using System.Runtime.CompilerServices;
using Aster.Codec;
using Aster.Fory;
using Aster.Net.Identity;
using Aster.Server;

namespace Aster.Cli.Tests.Infrastructure;

[WireType("clitest/GreetRequest")]
public sealed record GreetRequest(string Name = "", int Times = 1);

[WireType("clitest/Greeting")]
public sealed record Greeting(string Message = "", int Seq = 0);

[AsterService(Name = "Greeter", MethodNaming = MethodNaming.CamelCase)]
public interface IGreeter
{
    [Rpc(Idempotent = true)]
    ValueTask<Greeting> GreetAsync(GreetRequest request, CancellationToken cancellationToken = default);

    IAsyncEnumerable<Greeting> StreamAsync(GreetRequest request, CancellationToken cancellationToken = default);

    ValueTask<Greeting> CollectAsync(IAsyncEnumerable<GreetRequest> requests, CancellationToken cancellationToken = default);

    IAsyncEnumerable<Greeting> ConverseAsync(IAsyncEnumerable<GreetRequest> requests, CancellationToken cancellationToken = default);
}

public sealed class GreeterService : IGreeter
{
    public ValueTask<Greeting> GreetAsync(GreetRequest request, CancellationToken cancellationToken = default)
        => request.Name.Length == 0
            ? throw new RpcException(StatusCode.InvalidArgument, "name is required")
            : ValueTask.FromResult(new Greeting($"Hello, {request.Name}!"));

    public async IAsyncEnumerable<Greeting> StreamAsync(GreetRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Times = 0 streams until the client cancels.
        for (int i = 0; request.Times == 0 || i < request.Times; i++)
        {
            await Task.Delay(5, cancellationToken);
            yield return new Greeting($"{request.Name} #{i}", i);
        }
    }

    public async ValueTask<Greeting> CollectAsync(IAsyncEnumerable<GreetRequest> requests, CancellationToken cancellationToken = default)
    {
        var names = new List<string>();
        await foreach (GreetRequest request in requests.WithCancellation(cancellationToken))
        {
            names.Add(request.Name);
        }

        return new Greeting("Hello, " + string.Join(" and ", names) + "!", names.Count);
    }

    public async IAsyncEnumerable<Greeting> ConverseAsync(IAsyncEnumerable<GreetRequest> requests, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        int i = 0;
        await foreach (GreetRequest request in requests.WithCancellation(cancellationToken))
        {
            yield return new Greeting("Hi " + request.Name, i++);
        }
    }
}

/// <summary>A Greeter server (the networked <see cref="AsterServer"/>) on a real UDP socket on loopback, serving until disposed.</summary>
public sealed class GreeterServer : IAsyncDisposable
{
    private readonly AsterServer _server;

    private GreeterServer(AsterServer server) => _server = server;

    /// <summary>The server's aster1… address.</summary>
    public string Address => _server.Address;

    /// <summary>Starts a server; dev mode (open gates) unless <paramref name="admission"/> is given.</summary>
    public static async Task<GreeterServer> StartAsync(Aster.Trust.IAdmissionAuthority? admission = null, SecretKey? key = null)
    {
#pragma warning disable IL2026, IL3050
        var options = new AsterServerOptions { Codecs = new ForyCodecProvider(), Admission = admission, SecretKey = key, ShutdownGracePeriod = TimeSpan.FromSeconds(1) };
#pragma warning restore IL2026, IL3050
        options.BindAddresses.Add(new IPEndPoint(IPAddress.Loopback, 0));
        var server = new AsterServer([ServiceBinder.FromInstance(new GreeterService())], options);
        await server.StartAsync();
        return new GreeterServer(server);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
