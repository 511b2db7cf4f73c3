using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Aster.Net.Tests.Quic.Relay;

/// <summary>
/// An in-process UDP forwarder that sits between QUIC clients and one server on loopback and damages the traffic
/// (transport.md 9.1, modeled on the QUIC interop runner): clients dial <see cref="FrontEndPoint"/>; each client
/// address gets its own upstream socket towards the server; every datagram in each direction passes through that
/// direction's <see cref="RelayFaults"/>. Randomness comes from one seeded generator per direction (<see cref="Seed"/>,
/// printed by <see cref="ToString"/>); delays run on a dedicated scheduling thread with a bounded queue.
/// </summary>
internal sealed class LossyUdpRelay : IAsyncDisposable
{
    /// <summary>The most client addresses (upstream sockets) one relay serves.</summary>
    public const int MaxClients = 256;

    private readonly Socket _front;
    private IPEndPoint _server;
    private readonly ConcurrentDictionary<IPEndPoint, Socket> _upstreams = new();
    private readonly CancellationTokenSource _cts = new();
    private readonly List<Task> _loops = [];
    private readonly object _queueLock = new();
    private readonly PriorityQueue<Pending, long> _queue = new();
    private readonly Thread _scheduler;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _blackholeUntilTicks;
    private int _queuedToServer;
    private int _queuedToClient;
    private bool _stopped;

    private LossyUdpRelay(IPEndPoint server, RelayFaults toServer, RelayFaults toClient, int seed)
    {
        _server = server;
        Seed = seed;
        ToServer = new RelayDirection("client→server", toServer, seed);
        ToClient = new RelayDirection("server→client", toClient, seed ^ 0x5bd1e995);
        _front = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _front.Bind(new IPEndPoint(server.Address, 0));
        FrontEndPoint = (IPEndPoint)_front.LocalEndPoint!;
        _scheduler = new Thread(RunScheduler) { IsBackground = true, Name = "relay scheduler" };
        _scheduler.Start();
        _loops.Add(Task.Run(ReceiveFromClientsAsync));
    }

    /// <summary>Gets the address clients dial.</summary>
    public IPEndPoint FrontEndPoint { get; }

    /// <summary>Gets the seed of this run (set it to reproduce the random decisions).</summary>
    public int Seed { get; }

    /// <summary>Gets the client-to-server direction.</summary>
    public RelayDirection ToServer { get; }

    /// <summary>Gets the server-to-client direction.</summary>
    public RelayDirection ToClient { get; }

    /// <summary>Starts a relay in front of <paramref name="server"/>.</summary>
    public static LossyUdpRelay Start(IPEndPoint server, RelayFaults toServer, RelayFaults toClient, int? seed = null) =>
        new(server, toServer, toClient, seed ?? Random.Shared.Next());

    /// <summary>Starts a relay that applies the same faults both ways.</summary>
    public static LossyUdpRelay Start(IPEndPoint server, RelayFaults both, int? seed = null) => Start(server, both, both, seed);

    /// <summary>Sends client traffic to another server from now on (a server that restarted elsewhere).</summary>
    public void Retarget(IPEndPoint server) => Volatile.Write(ref _server, server);

    /// <summary>Drops everything in both directions for <paramref name="duration"/> from now.</summary>
    public void Blackhole(TimeSpan duration) =>
        Volatile.Write(ref _blackholeUntilTicks, _clock.Elapsed.Ticks + duration.Ticks);

    /// <inheritdoc/>
    public override string ToString() => $"relay seed {Seed}; {ToServer}; {ToClient}";

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync().ConfigureAwait(false);
        lock (_queueLock)
        {
            _stopped = true;
            Monitor.PulseAll(_queueLock);
        }

        _front.Dispose();
        foreach (Socket socket in _upstreams.Values)
        {
            socket.Dispose();
        }

        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _scheduler.Join();
        _cts.Dispose();
    }

    private bool IsBlackholed => _clock.Elapsed.Ticks < Volatile.Read(ref _blackholeUntilTicks);

    private async Task ReceiveFromClientsAsync()
    {
        byte[] buffer = new byte[65536];
        EndPoint any = new IPEndPoint(_server.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!_cts.IsCancellationRequested)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await _front.ReceiveFromAsync(buffer, SocketFlags.None, any, _cts.Token).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                continue;
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }

            var client = (IPEndPoint)result.RemoteEndPoint;
            Socket? upstream = GetUpstream(client);
            if (upstream is not null)
            {
                Forward(ToServer, buffer.AsSpan(0, result.ReceivedBytes), upstream, Volatile.Read(ref _server));
            }
        }
    }

    private Socket? GetUpstream(IPEndPoint client)
    {
        if (_upstreams.TryGetValue(client, out Socket? existing))
        {
            return existing;
        }

        if (_upstreams.Count >= MaxClients || _cts.IsCancellationRequested)
        {
            return null;
        }

        var socket = new Socket(_server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(_server.Address, 0));
        _upstreams[client] = socket;
        lock (_loops)
        {
            _loops.Add(Task.Run(() => ReceiveFromServerAsync(socket, client)));
        }

        return socket;
    }

    private async Task ReceiveFromServerAsync(Socket upstream, IPEndPoint client)
    {
        byte[] buffer = new byte[65536];
        EndPoint any = new IPEndPoint(_server.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!_cts.IsCancellationRequested)
        {
            int received;
            try
            {
                SocketReceiveFromResult result = await upstream.ReceiveFromAsync(buffer, SocketFlags.None, any, _cts.Token).ConfigureAwait(false);
                received = result.ReceivedBytes;
            }
            catch (SocketException)
            {
                continue;
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }

            Forward(ToClient, buffer.AsSpan(0, received), _front, client);
        }
    }

    private void Forward(RelayDirection direction, Span<byte> datagram, Socket via, IPEndPoint to)
    {
        if (direction.Process(datagram, IsBlackholed, out int copies, out TimeSpan delay) != RelayVerdict.Forward)
        {
            return;
        }

        for (int i = 0; i < copies; i++)
        {
            if (delay <= TimeSpan.Zero)
            {
                Send(via, datagram, to);
                continue;
            }

            ref int queued = ref direction == ToServer ? ref _queuedToServer : ref _queuedToClient;
            lock (_queueLock)
            {
                if (queued >= direction.Faults.QueueCapacity)
                {
                    direction.OnQueueFull();
                    continue;
                }

                queued++;
                _queue.Enqueue(new Pending(via, to, datagram.ToArray(), direction == ToServer), _clock.Elapsed.Ticks + delay.Ticks);
                Monitor.Pulse(_queueLock);
            }
        }
    }

    private void RunScheduler()
    {
        while (true)
        {
            Pending next;
            lock (_queueLock)
            {
                while (true)
                {
                    if (_stopped)
                    {
                        return;
                    }

                    if (_queue.TryPeek(out next, out long due))
                    {
                        long wait = due - _clock.Elapsed.Ticks;
                        if (wait <= 0)
                        {
                            _queue.Dequeue();
                            if (next.ToServer)
                            {
                                _queuedToServer--;
                            }
                            else
                            {
                                _queuedToClient--;
                            }

                            break;
                        }

                        Monitor.Wait(_queueLock, TimeSpan.FromTicks(Math.Max(wait, TimeSpan.TicksPerMillisecond / 4)));
                    }
                    else
                    {
                        Monitor.Wait(_queueLock);
                    }
                }
            }

            Send(next.Via, next.Datagram, next.To);
        }
    }

    private static void Send(Socket via, ReadOnlySpan<byte> datagram, IPEndPoint to)
    {
        try
        {
            via.SendTo(datagram, SocketFlags.None, to);
        }
        catch (SocketException)
        {
            // The receiver is gone or its buffer is full: that is loss.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private readonly record struct Pending(Socket Via, IPEndPoint To, byte[] Datagram, bool ToServer);
}
