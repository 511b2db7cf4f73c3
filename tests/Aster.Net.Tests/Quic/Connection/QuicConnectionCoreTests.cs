using Aster.Net.Identity;
using Aster.Net.Quic;
using Aster.Net.Quic.Connection;
using Aster.Net.Quic.Packets;
using Aster.Net.Quic.Streams;
using Aster.Testing;

namespace Aster.Net.Tests.Quic.Connection;

public sealed class QuicConnectionCoreTests
{
    [Fact]
    public async Task Handshake_InMemory_BothSidesSeePeerIdAndAlpn()
    {
        await using var pair = new CorePair();
        await pair.Client.Connected.DefaultTimeout();
        await pair.ServerCreated.Task.DefaultTimeout();
        await pair.Server!.Connected.DefaultTimeout();
        Assert.Equal(pair.ServerKey.PublicKey, pair.Client.RemoteId);
        Assert.Equal(pair.ClientKey.PublicKey, pair.Server.RemoteId);
        Assert.Equal("test/1", pair.Client.Alpn);
        Assert.Equal("test/1", pair.Server.Alpn);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.05)]
    [InlineData(0.2)]
    public async Task Stream_InMemory_Echoes1MB(double lossRate)
    {
        await using var pair = new CorePair(lossRate: lossRate);
        await pair.Client.Connected.TimeoutAfter(TimeSpan.FromSeconds(20));
        await pair.ServerCreated.Task.DefaultTimeout();
        Task echo = Task.Run(async () =>
        {
            QuicStreamCore s = await pair.Server!.AcceptStreamAsync(true, default);
            byte[] buffer = new byte[16384];
            while (true)
            {
                int n = await s.Receive!.ReadAsync(buffer);
                pair.Server.Wake?.Invoke();
                if (n == 0)
                {
                    break;
                }

                await s.Send!.WriteAsync(buffer.AsMemory(0, n));
            }

            s.Send!.CompleteWrites();
        });
        byte[] data = new byte[1 << 20];
        Random.Shared.NextBytes(data);
        QuicStreamCore c = await pair.Client.OpenStreamAsync(true, default).DefaultTimeout();
        Task write = c.Send!.WriteAsync(data, completeWrites: true).AsTask();
        using var received = new MemoryStream();
        byte[] readBuffer = new byte[16384];
        Task read = Task.Run(async () =>
        {
            while (true)
            {
                int n = await c.Receive!.ReadAsync(readBuffer);
                pair.Client.Wake?.Invoke();
                if (n == 0)
                {
                    break;
                }

                received.Write(readBuffer, 0, n);
            }
        });
        await write.TimeoutAfter(TimeSpan.FromSeconds(20));
        await read.TimeoutAfter(TimeSpan.FromSeconds(20));
        await echo.TimeoutAfter(TimeSpan.FromSeconds(20));
        Assert.True(data.AsSpan().SequenceEqual(received.ToArray()));
        if (lossRate == 0)
        {
            Assert.True(pair.Client.PathMtu > QuicConnectionCore.MaxDatagramSize, $"path MTU {pair.Client.PathMtu}");
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.05)]
    public async Task Stream_InMemoryBatched_FullSizeDatagramsShareOneSegmentSize(double lossRate)
    {
        // The client writes GSO batches (WriteDatagrams); the pump cuts them at the segment size and the server must
        // open every piece, so a batch with a datagram of another size (a path-MTU probe among them) breaks the transfer.
        await using var pair = new CorePair(lossRate: lossRate, batched: true);
        await pair.Client.Connected.TimeoutAfter(TimeSpan.FromSeconds(20));
        await pair.ServerCreated.Task.DefaultTimeout();
        QuicStreamCore c = await pair.Client.OpenStreamAsync(false, default).DefaultTimeout();
        Task<QuicStreamCore> accept = pair.Server!.AcceptStreamAsync(false, default).AsTask();
        byte[] data = new byte[2 << 20];
        Random.Shared.NextBytes(data);
        Task write = c.Send!.WriteAsync(data, completeWrites: true).AsTask();
        QuicStreamCore s = await accept.DefaultTimeout();
        using var received = new MemoryStream();
        byte[] buffer = new byte[65536];
        Task read = Task.Run(async () =>
        {
            int n;
            while ((n = await s.Receive!.ReadAsync(buffer)) > 0)
            {
                pair.Server.Wake?.Invoke();
                received.Write(buffer, 0, n);
            }
        });
        await write.TimeoutAfter(TimeSpan.FromSeconds(30));
        await read.TimeoutAfter(TimeSpan.FromSeconds(30));
        Assert.True(data.AsSpan().SequenceEqual(received.ToArray()));
        Assert.Empty(pair.BatchViolations);
        Assert.True(pair.LargestBatch > 1, $"largest batch {pair.LargestBatch}");
        AsterConnectionStatistics stats = pair.Client.GetStatistics();
        Assert.True(stats.DatagramsReceived > 0 && stats.AckFramesReceived > 0 && stats.AckFramesSent > 0, stats.ToString());
    }

    [Fact]
    public async Task Stream_CoalescedReceiveWithGarbageAndKeyUpdates_DeliversEveryByte()
    {
        // The server takes each client batch as one coalesced receive (ReceiveDatagrams: one header-protection call for
        // the whole buffer), with a forged datagram of the same size put among the good ones of some batches and key
        // updates forced from both sides mid-transfer, so a batch spans key phases. Every byte must arrive intact.
        await using var pair = new CorePair(lossRate: 0.02, batched: true, coalescedReceive: true);
        await pair.Client.Connected.TimeoutAfter(TimeSpan.FromSeconds(20));
        await pair.ServerCreated.Task.DefaultTimeout();
        QuicStreamCore c = await pair.Client.OpenStreamAsync(false, default).DefaultTimeout();
        Task<QuicStreamCore> accept = pair.Server!.AcceptStreamAsync(false, default).AsTask();
        byte[] data = new byte[4 << 20];
        Random.Shared.NextBytes(data);
        Task write = c.Send!.WriteAsync(data, completeWrites: true).AsTask();
        QuicStreamCore s = await accept.DefaultTimeout();
        using var received = new MemoryStream();
        byte[] buffer = new byte[65536];
        Task read = Task.Run(async () =>
        {
            int n;
            while ((n = await s.Receive!.ReadAsync(buffer)) > 0)
            {
                pair.Server.Wake?.Invoke();
                received.Write(buffer, 0, n);
            }
        });
        int forced = 0;
        for (int i = 0; i < 2000 && !read.IsCompleted; i++)
        {
            // Alternating sides; an update starts only once the previous one is acknowledged.
            if ((i % 2 == 0 ? pair.Client : pair.Server).ForceKeyUpdate())
            {
                forced++;
            }

            await Task.WhenAny(read, Task.Delay(5));
        }

        await write.TimeoutAfter(TimeSpan.FromSeconds(30));
        await read.TimeoutAfter(TimeSpan.FromSeconds(30));
        Assert.True(data.AsSpan().SequenceEqual(received.ToArray()));
        Assert.True(forced >= 2, $"{forced} key updates forced");
        Assert.True(pair.Client.KeyUpdatesInitiated > 0 && pair.Server.KeyUpdatesInitiated > 0, $"client {pair.Client.KeyUpdatesInitiated}, server {pair.Server.KeyUpdatesInitiated}");
        Assert.True(pair.GarbageInjected > 0, "no forged datagram was injected");
        Assert.True(pair.LargestBatch > 1, $"largest batch {pair.LargestBatch}");
    }

    [Fact]
    public async Task Close_WithApplicationCode_PeerSeesCodeAndReason()
    {
        await using var pair = new CorePair();
        await pair.Client.Connected.DefaultTimeout();
        await pair.ServerCreated.Task.DefaultTimeout();
        await pair.Server!.Connected.DefaultTimeout();
        pair.Client.Close(42, "bye", QuicClock.NowUs);
        var ex = await Assert.ThrowsAsync<TransportException>(() => pair.Server.AcceptStreamAsync(true, default).AsTask()).DefaultTimeout();
        Assert.Equal(TransportErrorReason.ApplicationClosedByPeer, ex.Reason);
        Assert.Equal(42UL, ex.ErrorCode);
        Assert.Equal("bye", ex.ReasonPhrase);
    }

    [Fact]
    public async Task Handshake_WrongExpectedServer_FailsOnBothSides()
    {
        await using var pair = new CorePair(expected: SecretKey.Generate().PublicKey);
        var ex = await Assert.ThrowsAsync<TransportException>(() => pair.Client.Connected).DefaultTimeout();
        Assert.Equal(TransportErrorReason.HandshakeFailed, ex.Reason);
    }

    [Fact]
    public async Task Handshake_NoCommonAlpn_ServerClosesWith0x178()
    {
        await using var pair = new CorePair(serverAlpn: "other/1");
        var ex = await Assert.ThrowsAsync<TransportException>(() => pair.Client.Connected).DefaultTimeout();
        Assert.Equal(TransportErrorReason.TransportClosedByPeer, ex.Reason);
        Assert.Equal(0x178UL, ex.ErrorCode);
    }

    /// <summary>Two cores exchanging datagrams in memory, pumped by a background task.</summary>
    private sealed class CorePair : IAsyncDisposable
    {
        private readonly CancellationTokenSource _cts = new();
        private readonly Task _pump;
        private readonly string _serverAlpn;

        private readonly Random _random = new(1234);
        private readonly Queue<int> _segmentSizes = new();
        private int _coalesced;
        private readonly double _lossRate;
        private readonly bool _batched;
        private readonly bool _coalescedReceive;

        /// <summary>Creates the pair; <paramref name="coalescedReceive"/> hands each client batch to the server as one
        /// coalesced receive (as UDP GRO would) with a forged datagram among every third multi-datagram batch.</summary>
        public CorePair(EndpointId? expected = null, string serverAlpn = "test/1", double lossRate = 0, bool batched = false, bool coalescedReceive = false)
        {
            _serverAlpn = serverAlpn;
            _lossRate = lossRate;
            _batched = batched || coalescedReceive;
            _coalescedReceive = coalescedReceive;
            Client = QuicConnectionCore.CreateClient(
                new QuicConnectionOptions { SecretKey = ClientKey, Alpns = ["test/1"], ExpectedServer = expected ?? ServerKey.PublicKey },
                QuicClock.NowUs);
            _pump = Task.Run(PumpAsync);
        }

        public SecretKey ClientKey { get; } = SecretKey.Generate();

        public SecretKey ServerKey { get; } = SecretKey.Generate();

        public QuicConnectionCore Client { get; }

        public QuicConnectionCore? Server { get; private set; }

        public TaskCompletionSource ServerCreated { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Gets what was wrong with the client's batches (batched pairs): a multi-datagram batch whose segment
        /// size is not the path MTU, or a batch that does not split into whole datagrams.</summary>
        public List<string> BatchViolations { get; } = [];

        /// <summary>Gets the most datagrams the client wrote in one batch.</summary>
        public int LargestBatch { get; private set; }

        /// <summary>Gets the number of forged datagrams put into coalesced receives.</summary>
        public int GarbageInjected { get; private set; }

        public async ValueTask DisposeAsync()
        {
            await _cts.CancelAsync();
            try
            {
                await _pump;
            }
            catch (OperationCanceledException)
            {
            }

            Client.Dispose();
            Server?.Dispose();
            _cts.Dispose();
        }

        /// <summary>Queues the client's next datagram, or its next batch cut at the segment size; returns the bytes written.</summary>
        private int WriteClientDatagrams(byte[] buffer, byte[] batch, Queue<byte[]> pending, long now)
        {
            if (!_batched)
            {
                int n = Client.WriteDatagram(buffer, now);
                if (n > 0)
                {
                    pending.Enqueue(buffer.AsSpan(0, n).ToArray());
                    _segmentSizes.Enqueue(0);
                }

                return n;
            }

            int mtu = Client.PathMtu;
            int total = Client.WriteDatagrams(batch, 64, now, out int segmentSize);
            int count = total == 0 ? 0 : (total + segmentSize - 1) / segmentSize;
            LargestBatch = Math.Max(LargestBatch, count);
            if (count > 1 && segmentSize != mtu)
            {
                BatchViolations.Add($"{count} datagrams of {segmentSize} bytes with a path MTU of {mtu}");
            }

            if (_coalescedReceive && count > 1 && Server is not null)
            {
                pending.Enqueue(Coalesce(batch.AsSpan(0, total), segmentSize));
                _segmentSizes.Enqueue(segmentSize);
                return total;
            }

            for (int offset = 0; offset < total; offset += segmentSize)
            {
                pending.Enqueue(batch.AsSpan(offset, Math.Min(segmentSize, total - offset)).ToArray());
                _segmentSizes.Enqueue(0);
            }

            return total;
        }

        /// <summary>
        /// What a GRO receive of a batch would return: the datagrams that survive loss, back to back, with a forged
        /// datagram of the segment size (our connection id, random bytes after it) before the last full one in every
        /// third batch.
        /// </summary>
        private byte[] Coalesce(ReadOnlySpan<byte> batch, int segmentSize)
        {
            var kept = new MemoryStream();
            _coalesced++;
            bool forge = _coalesced % 3 == 0;
            int fullSegments = batch.Length / segmentSize;
            for (int offset = 0, index = 0; offset < batch.Length; offset += segmentSize, index++)
            {
                ReadOnlySpan<byte> datagram = batch.Slice(offset, Math.Min(segmentSize, batch.Length - offset));
                if (forge && index == fullSegments - 1)
                {
                    byte[] forged = new byte[segmentSize];
                    _random.NextBytes(forged);
                    forged[0] = (byte)(0x40 | (forged[0] & 0x3f));
                    batch.Slice(1, QuicConnectionCore.LocalCidLength).CopyTo(forged.AsSpan(1));
                    kept.Write(forged);
                    GarbageInjected++;
                }

                if (_random.NextDouble() >= _lossRate)
                {
                    kept.Write(datagram);
                }
            }

            return kept.ToArray();
        }

        private async Task PumpAsync()
        {
            byte[] buffer = new byte[2048];
            byte[] batch = new byte[65_507];
            var pending = new Queue<byte[]>();
            while (!_cts.IsCancellationRequested)
            {
                bool moved = false;
                long now = QuicClock.NowUs;
                int n;
                while (pending.Count > 0 || (n = WriteClientDatagrams(buffer, batch, pending, now)) > 0)
                {
                    moved = true;
                    byte[] copy = pending.Dequeue();
                    int coalescedSegment = _segmentSizes.Dequeue();
                    if (coalescedSegment > 0)
                    {
                        // Loss was applied per datagram when coalescing.
                        if (copy.Length > 0)
                        {
                            Server!.ReceiveDatagrams(copy, coalescedSegment, now);
                        }

                        continue;
                    }

                    if (_random.NextDouble() < _lossRate)
                    {
                        continue;
                    }

                    if (Server is null)
                    {
                        if (QuicPacketParser.TryParse(copy, QuicConnectionCore.LocalCidLength, out QuicPacketHeader header) != QuicHeaderStatus.Ok)
                        {
                            continue;
                        }

                        Server = QuicConnectionCore.CreateServer(
                            new QuicConnectionOptions { SecretKey = ServerKey, Alpns = [_serverAlpn] },
                            header.DestinationConnectionId,
                            header.SourceConnectionId,
                            now);
                        ServerCreated.TrySetResult();
                    }

                    Server.ReceiveDatagram(copy, now);
                }

                if (Server is not null)
                {
                    while ((n = Server.WriteDatagram(buffer, now)) > 0)
                    {
                        moved = true;
                        if (_random.NextDouble() >= _lossRate)
                        {
                            Client.ReceiveDatagram(buffer.AsSpan(0, n).ToArray(), now);
                        }
                    }

                    if (now >= Server.NextTimeoutUs)
                    {
                        Server.HandleTimeout(now);
                    }
                }

                if (now >= Client.NextTimeoutUs)
                {
                    Client.HandleTimeout(now);
                }

                if (!moved)
                {
                    await Task.Delay(1, _cts.Token);
                }
            }
        }
    }
}
