using Aster.Net.Identity;
using Aster.Net.Quic.Connection;
using Aster.Net.Quic.Packets;
using BenchmarkDotNet.Attributes;

namespace Aster.Bench.Micro.Quic;

/// <summary>
/// E4 per-packet costs without sockets: two connection cores in memory, one unidirectional stream. Each operation
/// writes 64 KiB, and moves datagrams both ways (the sender's as the driver writes them, in GSO batches cut at the
/// segment size) until the receiver has read all of it. The allocation column divided by
/// <see cref="DatagramsPerOperation"/> (printed at setup, about 46 at a 1,452-byte path MTU) is the steady-state
/// allocation per packet; time per operation covers sealing, opening, ACK processing and stream buffering on one thread.
/// </summary>
[MemoryDiagnoser]
public class BulkPathBenchmarks : IDisposable
{
    private const int WriteSize = 64 * 1024;
    private const int MaxPumpTurns = 1_000_000;
    private readonly byte[] _batch = new byte[UdpSender.MaxSendBytes];
    private readonly byte[] _single = new byte[QuicConnectionCore.MaxDatagramBuffer];
    private readonly byte[] _data = new byte[WriteSize];
    private readonly byte[] _read = new byte[WriteSize];
    private QuicConnectionCore? _client;
    private QuicConnectionCore? _server;
    private QuicStreamCore? _sendStream;
    private QuicStreamCore? _receiveStream;
    private long _datagrams;

    /// <summary>Gets the client datagrams one operation took during warm-up.</summary>
    public double DatagramsPerOperation { get; private set; }

    /// <summary>Handshakes in memory, opens the stream and warms up (path MTU found, pools and windows grown).</summary>
    [GlobalSetup]
    public void Setup()
    {
        SecretKey clientKey = SecretKey.Generate();
        SecretKey serverKey = SecretKey.Generate();
        _client = QuicConnectionCore.CreateClient(
            new QuicConnectionOptions { SecretKey = clientKey, Alpns = ["bench/1"], ExpectedServer = serverKey.PublicKey }, QuicClock.NowUs);
        Pump(() => _server is not null && _client.Connected.IsCompleted && _server.Connected.IsCompleted, serverKey);
        _sendStream = _client.OpenStreamAsync(false, default).AsTask().GetAwaiter().GetResult();
        _sendStream.Send!.TryWrite(_data.AsSpan(0, 1));
        ValueTask<QuicStreamCore> accept = _server!.AcceptStreamAsync(false, default);
        Pump(() => accept.IsCompleted, serverKey);
        _receiveStream = accept.AsTask().GetAwaiter().GetResult();
        Pump(() => _receiveStream.Receive!.Read(_read) > 0, serverKey);
        for (int i = 0; i < 200; i++)
        {
            Transfer64KiB();
        }

        long before = _datagrams;
        for (int i = 0; i < 50; i++)
        {
            Transfer64KiB();
        }

        DatagramsPerOperation = (_datagrams - before) / 50.0;
        Console.WriteLine($"// bulk path: {DatagramsPerOperation:F1} client datagrams per 64 KiB, path MTU {_client.PathMtu}");
    }

    /// <summary>Writes 64 KiB and moves datagrams until the receiver has read it all.</summary>
    /// <returns>The bytes read.</returns>
    [Benchmark]
    public int Transfer64KiB()
    {
        int written = 0;
        int read = 0;
        for (int turn = 0; turn < MaxPumpTurns && read < WriteSize; turn++)
        {
            if (written < WriteSize)
            {
                written += _sendStream!.Send!.TryWrite(_data.AsSpan(written));
            }

            PumpOnce(null);
            int n;
            while ((n = _receiveStream!.Receive!.Read(_read)) > 0)
            {
                read += n;
            }
        }

        return read == WriteSize ? read : throw new InvalidOperationException($"Only {read} of {WriteSize} bytes arrived.");
    }

    /// <summary>Disposes the cores.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _client?.Dispose();
        _server?.Dispose();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Cleanup();
        GC.SuppressFinalize(this);
    }

    private void Pump(Func<bool> done, SecretKey serverKey)
    {
        for (int turn = 0; turn < MaxPumpTurns; turn++)
        {
            if (done())
            {
                return;
            }

            PumpOnce(serverKey);
        }

        throw new InvalidOperationException("The in-memory connection made no progress.");
    }

    /// <summary>One turn: the client's batches to the server, the server's datagrams to the client, timers.</summary>
    private void PumpOnce(SecretKey? serverKey)
    {
        long now = QuicClock.NowUs;
        QuicConnectionCore client = _client!;
        int total;
        while ((total = client.WriteDatagrams(_batch, UdpSender.MaxSegments, now, out int segmentSize)) > 0)
        {
            for (int offset = 0; offset < total; offset += segmentSize)
            {
                Span<byte> datagram = _batch.AsSpan(offset, Math.Min(segmentSize, total - offset));
                _datagrams++;
                if (_server is null)
                {
                    if (QuicPacketParser.TryParse(datagram, QuicConnectionCore.LocalCidLength, out QuicPacketHeader header) != QuicHeaderStatus.Ok)
                    {
                        continue;
                    }

                    _server = QuicConnectionCore.CreateServer(
                        new QuicConnectionOptions { SecretKey = serverKey!, Alpns = ["bench/1"] }, header.DestinationConnectionId, header.SourceConnectionId, now);
                }

                _server.ReceiveDatagram(datagram, now);
            }
        }

        if (_server is not null)
        {
            int n;
            while ((n = _server.WriteDatagram(_single, now)) > 0)
            {
                client.ReceiveDatagram(_single.AsSpan(0, n), now);
            }

            if (now >= _server.NextTimeoutUs)
            {
                _server.HandleTimeout(now);
            }
        }

        if (now >= client.NextTimeoutUs)
        {
            client.HandleTimeout(now);
        }
    }
}
