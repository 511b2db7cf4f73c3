using Aster.Contracts;
using System.Buffers;
using System.IO.Pipelines;
using Aster;
using Aster.Client;
using Aster.Codec;
using Aster.Framing;
using Aster.Protocol;
using Aster.Server;
using Aster.Transport;
using BenchmarkDotNet.Attributes;

namespace Aster.Bench.Micro.Rpc;

/// <summary>
/// E6: the RPC runtime's own cost per unary call over the in-memory transport (a 16-byte message with a copying
/// codec, so the codec costs next to nothing). Baseline: one frame written and echoed back over the same kind of
/// in-memory stream by a bare loop, i.e. the transport alone.
/// </summary>
[MemoryDiagnoser]
public class InMemoryUnaryBenchmarks
{
    private static readonly ClientMethod<byte[], byte[]> _echo = new("Bench", 1, "echo", MethodPattern.Unary);
    private readonly byte[] _message = new byte[16];
    private AsterServer _server = null!;
    private AsterClient _client = null!;
    private IRpcStream _rawClient = null!;
    private FrameStreamReader _rawReader = null!;
    private CancellationTokenSource _stop = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        ServiceDefinition service = ServiceDefinition.CreateShared("Bench", 1, new object())
            .AddUnary<byte[], byte[]>("echo", static (_, request, _) => ValueTask.FromResult(request))
            .Build();
        _server = new AsterServer([service], new AsterServerOptions { Codecs = BytesCodecs.Instance });
        (IRpcConnection client, IRpcConnection server) = InMemoryTransport.CreatePair();
        _ = _server.ServeConnectionAsync(server);
        _client = new AsterClient(client, new AsterClientOptions { Codecs = BytesCodecs.Instance, DefaultSerializationMode = SerializationMode.Json });

        (IRpcConnection rawClient, IRpcConnection rawServer) = InMemoryTransport.CreatePair();
        _stop = new CancellationTokenSource();
        _ = EchoLoopAsync(rawServer, _stop.Token);
        _rawClient = await rawClient.OpenStreamAsync();
        _rawReader = new FrameStreamReader(_rawClient.Input, Frame.MaxLength);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _stop.CancelAsync();
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "transport only: frame echo")]
    public async Task<int> FrameEcho()
    {
        FrameWriter.Write(_rawClient.Output, FrameFlags.None, _message);
        await _rawClient.Output.FlushAsync();
        Frame frame = (await _rawReader.ReadAsync(CancellationToken.None))!.Value;
        return (int)frame.Payload.Length;
    }

    [Benchmark(Description = "unary call, 1 in flight")]
    public async Task<int> Unary() => (await _client.UnaryAsync(_echo, _message)).Length;

    [Benchmark(OperationsPerInvoke = 16, Description = "unary calls, 16 in flight")]
    public Task Unary16() => InFlight(16);

    [Benchmark(OperationsPerInvoke = 64, Description = "unary calls, 64 in flight")]
    public Task Unary64() => InFlight(64);

    private Task InFlight(int count)
    {
        var calls = new Task[count];
        for (int i = 0; i < count; i++)
        {
            calls[i] = _client.UnaryAsync(_echo, _message).AsTask();
        }

        return Task.WhenAll(calls);
    }

    private static async Task EchoLoopAsync(IRpcConnection connection, CancellationToken cancellationToken)
    {
        IRpcStream? stream = await connection.AcceptStreamAsync(cancellationToken);
        if (stream is null)
        {
            return;
        }

        var reader = new FrameStreamReader(stream.Input, Frame.MaxLength);
        try
        {
            while (await reader.ReadAsync(cancellationToken) is { } frame)
            {
                FrameWriter.Write(stream.Output, frame.Flags, frame.Payload);
                await stream.Output.FlushAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Messages are their own bytes: the codec copies and nothing else.</summary>
    internal sealed class BytesCodecs : ICodecProvider, IMessageCodec<byte[]>
    {
        public static readonly BytesCodecs Instance = new();

        public bool Supports(SerializationMode mode) => mode == SerializationMode.Json;

        public IMessageCodec<T> GetCodec<T>(SerializationMode mode) => (IMessageCodec<T>)(object)this;

        public void Encode(byte[] value, IBufferWriter<byte> output) => output.Write(value);

        public byte[] Decode(in ReadOnlySequence<byte> payload) => payload.ToArray();
    }
}
