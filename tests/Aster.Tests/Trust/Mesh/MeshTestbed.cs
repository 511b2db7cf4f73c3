using System.Text;
using Aster.Net.Identity;
using Aster.Net.Quic;
using Aster.Server;
using Aster.Testing;
using Aster.Transport;
using Aster.Trust;
using Aster.Trust.Mesh;

namespace Aster.Tests.Trust.Mesh;

/// <summary>
/// Serves <see cref="IAlpnHandler"/>s on a real <see cref="AsterEndpoint"/> (UDP on loopback): accepts connections and
/// dispatches each by its ALPN, as the networked server does, until disposed.
/// </summary>
internal sealed class AlpnTestHost : IAsyncDisposable
{
    private readonly AsterEndpoint _endpoint;
    private readonly Dictionary<string, IAlpnHandler> _handlers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _served = [];
    private readonly Task _accept;

    public AlpnTestHost(AsterEndpoint endpoint, params IAlpnHandler[] handlers)
    {
        _endpoint = endpoint;
        foreach (IAlpnHandler h in handlers)
        {
            _handlers[h.Alpn] = h;
        }

        _accept = AcceptLoopAsync();
    }

    public int Accepted { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _endpoint.DisposeAsync();
        await _accept;
        Task[] served;
        lock (_served)
        {
            served = [.. _served];
        }

        await Task.WhenAll(served).WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            AsterConnection connection;
            try
            {
                connection = await _endpoint.AcceptAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or TransportException)
            {
                return;
            }

            Accepted++;
            QuicRpcConnection rpc = new(connection);
            Task served = ServeAsync(rpc);
            lock (_served)
            {
                _served.Add(served);
            }
        }
    }

    private async Task ServeAsync(QuicRpcConnection rpc)
    {
        await using (rpc)
        {
            if (_handlers.TryGetValue(rpc.Alpn, out IAlpnHandler? handler))
            {
                await handler.HandleConnectionAsync(rpc, _stop.Token);
            }
            else
            {
                await rpc.CloseAsync(0, "no handler");
            }
        }
    }
}

/// <summary>One producer of a test mesh: a key, an endpoint, a credential, a state directory, a node and its host.</summary>
internal sealed class TestProducer : IAsyncDisposable
{
    public required string Name { get; init; }

    public required SecretKey Key { get; init; }

    public required AsterEndpoint Endpoint { get; init; }

    public required EnrollmentCredential Credential { get; init; }

    public required string StateDirectory { get; init; }

    public MeshNode? Node { get; set; }

    public AlpnTestHost? Host { get; set; }

    public string Hex => Key.PublicKey.ToString();

    public EndpointAddr Address => Endpoint.Address;

    public async ValueTask DisposeAsync()
    {
        if (Node is not null)
        {
            await Node.DisposeAsync();
        }

        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
        else
        {
            await Endpoint.DisposeAsync();
        }
    }
}

/// <summary>A root key, a temporary directory, and producers created and started on loopback.</summary>
internal sealed class MeshTestbed : IAsyncDisposable
{
    private readonly List<TestProducer> _producers = [];

    public MeshTestbed(TimeProvider? time = null)
    {
        Time = time ?? TimeProvider.System;
        Directory = Path.Combine(Path.GetTempPath(), "aster-mesh-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public RootKey Root { get; } = RootKey.Generate();

    public TimeProvider Time { get; }

    public string Directory { get; }

    public ulong Expiry => (ulong)Time.GetUtcNow().ToUnixTimeSeconds() + 3600;

    /// <summary>Stops a producer (its node sends DEPART) and frees its endpoint; its key and files stay.</summary>
    public static async Task StopAsync(TestProducer p)
    {
        await p.DisposeAsync();
        p.Node = null;
        p.Host = null;
    }

    /// <summary>The same producer (key, credential, state directory) on a new endpoint, as after a process restart.</summary>
    public async Task<TestProducer> RebindAsync(TestProducer p)
    {
        TestProducer again = new()
        {
            Name = p.Name,
            Key = p.Key,
            Endpoint = await BindAsync(p.Key),
            Credential = p.Credential,
            StateDirectory = p.StateDirectory,
        };
        _producers.Add(again);
        return again;
    }

    private static async Task<AsterEndpoint> BindAsync(SecretKey key)
    {
        AsterEndpointOptions options = new() { SecretKey = key };
        options.Alpns.Add(AsterAlpns.ProducerAdmission);
        options.Alpns.Add(MeshAlpns.Gossip);
        return await AsterEndpoint.BindAsync(options);
    }

    public async Task<TestProducer> CreateAsync(string name)
    {
        SecretKey key = SecretKey.Generate();
        AsterEndpoint endpoint = await BindAsync(key);
        TestProducer producer = new()
        {
            Name = name,
            Key = key,
            Endpoint = endpoint,
            Credential = Root.SignProducer(key.PublicKey, Expiry, new Dictionary<string, string> { ["aster.role"] = "producer", ["aster.name"] = name }),
            StateDirectory = Path.Combine(Directory, name),
        };
        _producers.Add(producer);
        return producer;
    }

    public MeshOptions Options(TestProducer p, params TestProducer[] bootstrap)
    {
        MeshOptions options = new()
        {
            StateDirectory = p.StateDirectory,
            RootPublicKey = Root.PublicKey.ToArray(),
            SecretKey = p.Key,
            Endpoint = p.Endpoint,
            Credential = p.Credential,
            TimeProvider = Time,
        };
        foreach (TestProducer b in bootstrap)
        {
            options.BootstrapPeers.Add(b.Address);
        }

        return options;
    }

    /// <summary>Starts the node and serves its two handlers on its endpoint.</summary>
    public static async Task<MeshNode> StartAsync(TestProducer p, MeshOptions options)
    {
        // Joining takes two QUIC handshakes (admission, then the gossip link); the bound is generous for a loaded machine.
        p.Node = await MeshNode.StartAsync(options).AsTask().TimeoutAfter(TimeSpan.FromSeconds(30));
        p.Host ??= new AlpnTestHost(p.Endpoint, p.Node.AdmissionHandler, p.Node.GossipHandler);
        return p.Node;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (TestProducer p in _producers)
        {
            await p.DisposeAsync();
        }

        Root.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Dials <paramref name="target"/> on producer admission from a fresh endpoint with <paramref name="key"/> and sends raw bytes.</summary>
    public static async Task<string> AdmitRawAsync(SecretKey key, TestProducer target, byte[] request)
    {
        await using AsterEndpoint client = await AsterEndpoint.BindAsync(new AsterEndpointOptions { SecretKey = key });
        AsterConnection connection = await client.ConnectAsync(target.Address, AsterAlpns.ProducerAdmission).DefaultTimeout();
        await using QuicRpcConnection rpc = new(connection);
        byte[] response = await AdmissionExchange.RequestAsync(rpc, request, TimeSpan.FromSeconds(5), TimeProvider.System, CancellationToken.None).DefaultTimeout();
        await rpc.CloseAsync(0, string.Empty);
        return Encoding.UTF8.GetString(response);
    }

    /// <summary>Bounds a mesh operation that may take several QUIC handshakes (30 s: a hang guard, not a timing assertion).</summary>
    public static Task<T> Bounded<T>(ValueTask<T> operation) => operation.AsTask().TimeoutAfter(TimeSpan.FromSeconds(30));

    /// <summary>Polls <paramref name="condition"/> until true, failing after 30 s (a bound, not a timing assertion).</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        DateTime until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException("Timed out waiting until " + what);
            }

            await Task.Delay(20);
        }
    }
}
