using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Aster.Bench.Load.Measurement;
using Aster.Client;
using Aster.Codec;
using Aster.Contracts;
using Aster.Framing;
using Aster.Internal;
using Aster.Protocol;
using Aster.Server;
using Aster.Transport;

namespace Aster.Bench.Micro.Rpc;

/// <summary>
/// E6 split (<c>--rpc-split [calls] [--types]</c>): bytes allocated per unary call over the in-memory transport, taken
/// apart into the transport, the client and the server. Four pairings run the same 16-byte echo:
/// <list type="bullet">
/// <item>transport: a bare client loop writes the call's frames (header + request) and a bare server loop answers the
/// call's frames (response + trailer), both from bytes prepared once, over the same pooled stream;</item>
/// <item>client: the real <see cref="AsterClient"/> against the bare server loop;</item>
/// <item>server: the bare client loop against the real <see cref="AsterServer"/>;</item>
/// <item>both: client and server.</item>
/// </list>
/// Client = client − transport, server = server − transport. Bytes come from <see cref="GC.GetTotalAllocatedBytes"/>
/// (precise) over the timed calls, so they hold even on a loaded machine; times do not. Thread-pool work items per call
/// (<see cref="ThreadPool.CompletedWorkItemCount"/>) count the asynchronous completions that hop threads: also load-independent.
/// CPU time per call (the process's processor time over the timed calls, GC and runtime threads included) is less
/// disturbed by a loaded machine than wall time, which is printed too. The bare loops and the
/// driver allocate nothing of their own per call (pooled async builders), so the transport row is the pipes' cost. Then calls/s of the full pair
/// with 1, 16 and 64 calls in flight. <c>--types</c> adds the sampled allocation listing by type of each pairing.
/// <c>--rounds N</c> runs the four pairings N times, interleaved (so no pairing always runs first and colder), and
/// prints the median wall and CPU time per call of each and the framework's share by difference.
/// </summary>
internal static class UnaryCostSplit
{
    /// <summary>Runs the split in JSON mode with a copying byte codec, or with <paramref name="xlang"/> in Fory XLANG mode (headers, trailers and a 16-character <c>HelloRequest</c>).</summary>
    public static Task RunAsync(int calls, bool types, bool xlang, int rounds)
    {
        if (xlang)
        {
            var fory = new ForyCodecProvider();
            return new Split<Fory.HelloRequest>(fory, SerializationMode.Xlang, fory.XlangProtocol, new Fory.HelloRequest("0123456789abcdef")).RunAsync(calls, types, rounds);
        }

        return new Split<byte[]>(InMemoryUnaryBenchmarks.BytesCodecs.Instance, SerializationMode.Json, JsonProtocolCodec.Instance, new byte[16]).RunAsync(calls, types, rounds);
    }
}

/// <summary>The split for one codec and message type.</summary>
internal sealed class Split<TMessage>(ICodecProvider codecs, SerializationMode mode, IProtocolCodec protocol, TMessage message)
{
    private readonly ClientMethod<TMessage, TMessage> _echo = new("Bench", 1, "echo", MethodPattern.Unary);

    public async Task RunAsync(int calls, bool types, int rounds)
    {
        AllocationSampler? sampler = types ? new AllocationSampler() : null;
        byte[] request = CallFrames();
        byte[] answer = AnswerFrames();
        Console.WriteLine($"E6 split ({mode}): {calls:N0} unary calls of a 16-byte message per pairing, 1 in flight, in-memory transport, {rounds} round(s)");

        var times = new List<Measured>[4];
        for (int k = 0; k < times.Length; k++)
        {
            times[k] = [];
        }

        Measured transport = default, client = default, server = default, both = default;
        for (int round = 0; round < rounds; round++)
        {
            // Rotated per round, so that no pairing always runs first (colder) or last.
            for (int step = 0; step < 4; step++)
            {
                int k = (step + round) % 4;
                Measured m = k switch
                {
                    0 => transport = await MeasureAsync("transport (bare client, bare server)", sampler, calls, BareClient(request), BareServer(answer)).ConfigureAwait(false),
                    1 => client = await MeasureAsync("client (AsterClient, bare server)", sampler, calls, RealClient(1), BareServer(answer)).ConfigureAwait(false),
                    2 => server = await MeasureAsync("server (bare client, AsterServer)", sampler, calls, BareClient(request), RealServer()).ConfigureAwait(false),
                    _ => both = await MeasureAsync("both (AsterClient, AsterServer)", sampler, calls, RealClient(1), RealServer()).ConfigureAwait(false),
                };
                times[k].Add(m);
            }
        }

        if (rounds > 1)
        {
            Console.WriteLine();
            Console.WriteLine("| Pairing | median wall µs/call | median CPU µs/call |");
            Console.WriteLine("|---|---:|---:|");
            string[] names = ["transport", "client", "server", "both"];
            for (int k = 0; k < 4; k++)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {names[k]} | {Median(times[k], m => m.WallUs):N2} | {Median(times[k], m => m.CpuUs):N2} |"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| framework (both − transport), per round: {string.Join(", ", times[3].Zip(times[0], (b, t) => (b.WallUs - t.WallUs).ToString("N2", CultureInfo.InvariantCulture)))} | median {Median(times[3], m => m.WallUs) - Median(times[0], m => m.WallUs):N2} | {Median(times[3], m => m.CpuUs) - Median(times[0], m => m.CpuUs):N2} |"));
        }

        Console.WriteLine();
        Console.WriteLine("| Part | B/call |");
        Console.WriteLine("|---|---:|");
        Console.WriteLine(Row("in-memory transport (pipes, scheduling)", transport.Bytes));
        Console.WriteLine(Row("client framework (client − transport)", client.Bytes - transport.Bytes));
        Console.WriteLine(Row("server framework (server − transport)", server.Bytes - transport.Bytes));
        Console.WriteLine(Row("framework total (client + server parts)", client.Bytes + server.Bytes - (2 * transport.Bytes)));
        Console.WriteLine(Row("measured client + server + transport", both.Bytes));

        Console.WriteLine();
        Console.WriteLine("| In flight | calls/s (noisy) | B/call |");
        Console.WriteLine("|---:|---:|---:|");
        foreach (int inFlight in (int[])[1, 16, 64])
        {
            (double rate, double bytes) = await ThroughputAsync(inFlight, calls).ConfigureAwait(false);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {inFlight} | {rate:N0} | {bytes:N0} |"));
        }
    }

    private static double Median(List<Measured> values, Func<Measured, double> pick)
    {
        double[] sorted = [.. values.Select(pick).Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Row(string part, double bytes) => string.Create(CultureInfo.InvariantCulture, $"| {part} | {bytes:N0} |");

    private delegate Task<Func<ValueTask>> ClientSide(IRpcConnection connection);

    private delegate Task ServerSide(IRpcConnection connection, CancellationToken stop);

    private readonly record struct Measured(double Bytes, double WallUs, double CpuUs);

    private static async Task<Measured> MeasureAsync(string name, AllocationSampler? sampler, int calls, ClientSide clientSide, ServerSide serverSide)
    {
        (IRpcConnection clientEnd, IRpcConnection serverEnd) = InMemoryTransport.CreatePair();
        using var stop = new CancellationTokenSource();
        Task serving = serverSide(serverEnd, stop.Token);
        Func<ValueTask> call = await clientSide(clientEnd).ConfigureAwait(false);
        for (int i = 0; i < Math.Min(calls, 20_000); i++)
        {
            await call().ConfigureAwait(false); // warm-up: JIT tiering, pools
        }

        sampler?.Top("warm-up", 0);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        long workItems = ThreadPool.CompletedWorkItemCount;
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
        long started = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++)
        {
            await call().ConfigureAwait(false);
        }

        TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
        double cpuPerCall = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / calls;
        double hops = (double)(ThreadPool.CompletedWorkItemCount - workItems) / calls;
        double perCall = (double)(GC.GetTotalAllocatedBytes(precise: true) - before) / calls;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {perCall:N0} B/call, {hops:N2} thread-pool work items/call, {cpuPerCall:N2} µs CPU/call, {elapsed.TotalMicroseconds / calls:N2} µs wall/call (noisy)"));
        if (sampler is not null)
        {
            Console.Write(sampler.Top(name, 25));
        }

        await stop.CancelAsync().ConfigureAwait(false);
        await clientEnd.CloseAsync(0, "done").ConfigureAwait(false);
        await serving.ConfigureAwait(false);
        return new Measured(perCall, elapsed.TotalMicroseconds / calls, cpuPerCall);
    }

    private async Task<(double Rate, double Bytes)> ThroughputAsync(int inFlight, int calls)
    {
        (IRpcConnection clientEnd, IRpcConnection serverEnd) = InMemoryTransport.CreatePair();
        using var stop = new CancellationTokenSource();
        Task serving = RealServer()(serverEnd, stop.Token);
        await using var client = new AsterClient(clientEnd, ClientOptions(inFlight));
        var batch = new Task[inFlight];
        int rounds = Math.Max(1, calls / inFlight);
        for (int warm = 0; warm < Math.Max(1, rounds / 5); warm++)
        {
            await RoundAsync(client, batch).ConfigureAwait(false);
        }

        long before = GC.GetTotalAllocatedBytes(precise: true);
        long started = Stopwatch.GetTimestamp();
        for (int round = 0; round < rounds; round++)
        {
            await RoundAsync(client, batch).ConfigureAwait(false);
        }

        TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
        double bytes = (double)(GC.GetTotalAllocatedBytes(precise: true) - before) / (rounds * inFlight);
        await stop.CancelAsync().ConfigureAwait(false);
        await serving.ConfigureAwait(false);
        return (rounds * inFlight / elapsed.TotalSeconds, bytes);
    }

    private Task RoundAsync(AsterClient client, Task[] batch)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            batch[i] = client.UnaryAsync(_echo, message).AsTask();
        }

        return Task.WhenAll(batch);
    }

    private AsterClientOptions ClientOptions(int pool)
        => new() { Codecs = codecs, DefaultSerializationMode = mode, SharedStreamPoolSize = Math.Max(pool, 1) };

    private ClientSide RealClient(int pool) => connection =>
    {
        var client = new AsterClient(connection, ClientOptions(pool));
        return Task.FromResult<Func<ValueTask>>([AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))] async ValueTask () => _ = await client.UnaryAsync(_echo, message).ConfigureAwait(false));
    };

    private ServerSide RealServer() => async (connection, stop) =>
    {
        ServiceDefinition service = ServiceDefinition.CreateShared("Bench", 1, new object())
            .AddUnary<TMessage, TMessage>("echo", static (_, request, _) => ValueTask.FromResult(request))
            .Build();
        await using var server = new AsterServer([service], new AsterServerOptions { Codecs = codecs });
        try
        {
            await server.ServeConnectionAsync(connection, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    };

    /// <summary>One stream; each call writes the prepared header and request frames in one flush and reads to the trailer.</summary>
    private static ClientSide BareClient(byte[] frames) => async connection =>
    {
        IRpcStream stream = await connection.OpenStreamAsync().ConfigureAwait(false);
        var reader = new FrameStreamReader(stream.Input, Frame.MaxLength);
        return [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))] async ValueTask () =>
        {
            stream.Output.Write(frames);
            await stream.Output.FlushAsync().ConfigureAwait(false);
            while (await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false) is { } frame && (frame.Flags & FrameFlags.Trailer) == 0)
            {
            }
        };
    };

    /// <summary>Serves every stream: after each request frame with END_STREAM, writes the prepared response and trailer.</summary>
    private static ServerSide BareServer(byte[] answer) => async (connection, stop) =>
    {
        var streams = new List<Task>();
        try
        {
            while (await connection.AcceptStreamAsync(stop).ConfigureAwait(false) is { } stream)
            {
                streams.Add(AnswerAsync(stream, answer, stop));
            }
        }
        catch (OperationCanceledException)
        {
        }

        await connection.CloseAsync(0, "done", CancellationToken.None).ConfigureAwait(false);
        await Task.WhenAll(streams).ConfigureAwait(false);
    };

    private static async Task AnswerAsync(IRpcStream stream, byte[] answer, CancellationToken stop)
    {
        var reader = new FrameStreamReader(stream.Input, Frame.MaxLength);
        try
        {
            while (await reader.ReadAsync(stop).ConfigureAwait(false) is { } frame)
            {
                if ((frame.Flags & FrameFlags.EndStream) != 0)
                {
                    stream.Output.Write(answer);
                    await stream.Output.FlushAsync(stop).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionClosedException)
        {
        }
    }

    /// <summary>What the client sends for one call: the header and the request with END_STREAM.</summary>
    private byte[] CallFrames()
    {
        var header = new StreamHeader { Service = "Bench", Method = "echo", Version = 1, CallId = 1, SerializationMode = mode };
        using var headerBytes = new PooledBufferWriter();
        protocol.WriteHeader(headerBytes, header);
        var frames = new ArrayBufferWriter<byte>();
        FrameWriter.Write(frames, FrameFlags.Header, headerBytes.WrittenSpan);
        FrameWriter.Write(frames, FrameFlags.EndStream, Payload());
        return frames.WrittenSpan.ToArray();
    }

    /// <summary>What the server answers: the response and the OK trailer.</summary>
    private byte[] AnswerFrames()
    {
        using var status = new PooledBufferWriter();
        protocol.WriteStatus(status, RpcStatus.Ok);
        var frames = new ArrayBufferWriter<byte>();
        FrameWriter.Write(frames, FrameFlags.None, Payload());
        FrameWriter.Write(frames, FrameFlags.Trailer, status.WrittenSpan);
        return frames.WrittenSpan.ToArray();
    }

    private byte[] Payload()
    {
        var payload = new ArrayBufferWriter<byte>();
        codecs.GetCodec<TMessage>(mode).Encode(message, payload);
        return payload.WrittenSpan.ToArray();
    }
}
