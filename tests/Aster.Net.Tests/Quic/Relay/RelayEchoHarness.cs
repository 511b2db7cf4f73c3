using System.Collections.Concurrent;
using System.Security.Cryptography;
using Aster.Net.Identity;
using Aster.Net.Quic;

namespace Aster.Net.Tests.Quic.Relay;

/// <summary>
/// A .NET echo server behind a <see cref="LossyUdpRelay"/>: each accepted bidirectional stream is copied back to the
/// peer as it arrives (so long transfers flow both ways at once) and finished when the peer finishes.
/// </summary>
internal sealed class RelayEchoHarness : IAsyncDisposable
{
    public const string Alpn = "aster/relay-test";

    private readonly CancellationTokenSource _cts = new();
    private readonly Task _serve;

    private RelayEchoHarness(AsterEndpoint server, LossyUdpRelay relay)
    {
        Server = server;
        Relay = relay;
        _serve = ServeAsync(_cts.Token);
    }

    public AsterEndpoint Server { get; }

    public LossyUdpRelay Relay { get; }

    /// <summary>Gets the server side of every accepted connection.</summary>
    public ConcurrentQueue<AsterConnection> Accepted { get; } = new();

    /// <summary>Gets the address clients dial: the server's identity at the relay's front address.</summary>
    public EndpointAddr RelayedAddress => new(Server.Id, null, [Relay.FrontEndPoint]);

    public static async Task<RelayEchoHarness> StartAsync(RelayFaults toServer, RelayFaults toClient, Action<AsterEndpointOptions>? configure = null)
    {
        var options = new AsterEndpointOptions { SecretKey = SecretKey.Generate() };
        options.Alpns.Add(Alpn);
        configure?.Invoke(options);
        AsterEndpoint server = await AsterEndpoint.BindAsync(options);
        return new RelayEchoHarness(server, LossyUdpRelay.Start(server.LocalEndPoint, toServer, toClient));
    }

    public static Task<RelayEchoHarness> StartAsync(RelayFaults both, Action<AsterEndpointOptions>? configure = null) => StartAsync(both, both, configure);

    public static async Task<AsterEndpoint> BindClientAsync(Action<AsterEndpointOptions>? configure = null)
    {
        var options = new AsterEndpointOptions { SecretKey = SecretKey.Generate() };
        configure?.Invoke(options);
        return await AsterEndpoint.BindAsync(options);
    }

    /// <summary>
    /// Writes <paramref name="data"/> on a new stream (in chunks, finishing it) while reading the echo, and returns the
    /// SHA-256 of what came back. <paramref name="onReceived"/> sees the running count of echoed bytes.
    /// </summary>
    public static async Task<byte[]> EchoHashAsync(AsterConnection connection, byte[] data, Action<long>? onReceived = null, CancellationToken cancellationToken = default)
    {
        await using AsterStream stream = await connection.OpenBidirectionalStreamAsync(cancellationToken);
        Task write = Task.Run(
            async () =>
            {
                const int Chunk = 64 * 1024;
                for (int offset = 0; offset < data.Length; offset += Chunk)
                {
                    await stream.WriteAsync(data.AsMemory(offset, Math.Min(Chunk, data.Length - offset)), cancellationToken);
                }

                stream.CompleteWrites();
            },
            cancellationToken);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[32 * 1024];
        long total = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            total += n;
            onReceived?.Invoke(total);
        }

        await write;
        return hash.GetHashAndReset();
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        await Server.DisposeAsync();
        await _serve;
        await Relay.DisposeAsync();
        _cts.Dispose();
    }

    private async Task ServeAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                AsterConnection connection = await Server.AcceptAsync(cancellationToken);
                Accepted.Enqueue(connection);
                _ = Task.Run(() => ServeConnectionAsync(connection, cancellationToken), CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or TransportException)
        {
        }
    }

    private static async Task ServeConnectionAsync(AsterConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                AsterStream stream = await connection.AcceptBidirectionalStreamAsync(cancellationToken);
                _ = Task.Run(
                    async () =>
                    {
                        try
                        {
                            await using (stream)
                            {
                                await stream.CopyToAsync(stream, cancellationToken);
                                stream.CompleteWrites();
                            }
                        }
                        catch (Exception ex) when (ex is OperationCanceledException or TransportException)
                        {
                        }
                    },
                    CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or TransportException)
        {
        }
    }
}

