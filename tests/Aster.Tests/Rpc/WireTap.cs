using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using Aster.Client;
using Aster.Framing;
using Aster.Server;
using Aster.Testing;
using Aster.Transport;

namespace Aster.Tests.Rpc;

/// <summary>A frame as the tap saw it.</summary>
internal sealed record WireFrame(int Stream, bool FromClient, FrameFlags Flags, byte[] Payload)
{
    public bool Compressed => (Flags & FrameFlags.Compressed) != 0;

    /// <summary>A request or response data frame (not a header, trailer, CANCEL or empty END_STREAM sentinel).</summary>
    public bool IsData => (Flags & (FrameFlags.Header | FrameFlags.Trailer | FrameFlags.Cancel | FrameFlags.Call)) == 0 && Payload.Length > 0;
}

/// <summary>Relays every stream between two in-memory connections frame by frame, recording each frame.</summary>
internal sealed class WireTap : IAsyncDisposable
{
    private readonly IRpcConnection _front;
    private readonly IRpcConnection _back;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _relays = [];
    private readonly Task _accepting;

    public WireTap(IRpcConnection front, IRpcConnection back)
    {
        _front = front;
        _back = back;
        _accepting = AcceptAsync();
    }

    public ConcurrentQueue<WireFrame> Frames { get; } = new();

    /// <summary>
    /// Serves <paramref name="services"/> in process, runs <paramref name="calls"/> on a client whose connection passes
    /// through a tap, closes everything and returns the (disposed) tap with what it recorded.
    /// </summary>
    public static async Task<WireTap> RunAsync(AsterServerOptions serverOptions, ServiceDefinition[] services, AsterClientOptions clientOptions, Func<AsterClient, Task> calls)
    {
        (IRpcConnection clientSide, IRpcConnection tapFront) = InMemoryTransport.CreatePair();
        (IRpcConnection tapBack, IRpcConnection serverSide) = InMemoryTransport.CreatePair();
        var tap = new WireTap(tapFront, tapBack);
        await using (tap)
        {
            await using var server = new AsterServer(services, serverOptions);
            Task serving = server.ServeConnectionAsync(serverSide);
            await using (var client = new AsterClient(clientSide, clientOptions))
            {
                await calls(client);
            }

            await tapBack.CloseAsync(0, "done");
            await serving.DefaultTimeout();
        }

        return tap;
    }

    /// <summary>The streams (by tap index) whose client side finished cleanly (FIN).</summary>
    public ConcurrentQueue<int> ClientFins { get; } = new();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _front.DisposeAsync();
        await _back.DisposeAsync();
        await Task.WhenAll([_accepting, .. _relays]).WaitAsync(Aster.Testing.TaskExtensions.DefaultTimeoutSpan).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            int index = 0;
            while (await _front.AcceptStreamAsync(_stop.Token) is { } front)
            {
                IRpcStream back = await _back.OpenStreamAsync(_stop.Token);
                _relays.Add(RelayAsync(index, front, back, fromClient: true));
                _relays.Add(RelayAsync(index, back, front, fromClient: false));
                index++;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RelayAsync(int index, IRpcStream from, IRpcStream to, bool fromClient)
    {
        var reader = new FrameStreamReader(from.Input, Frame.MaxLength);
        try
        {
            while (await reader.ReadAsync(_stop.Token) is { } frame)
            {
                byte[] payload = frame.Payload.ToArray();
                Frames.Enqueue(new WireFrame(index, fromClient, frame.Flags, payload));
                byte[] bytes = new byte[Frame.PrefixSize + payload.Length];
                BinaryPrimitives.WriteInt32LittleEndian(bytes, payload.Length + 1);
                bytes[4] = (byte)frame.Flags;
                payload.CopyTo(bytes, Frame.PrefixSize);
                await to.Output.WriteAsync(bytes, _stop.Token);
            }

            reader.Release();
            if (fromClient)
            {
                ClientFins.Enqueue(index);
            }

            await to.Output.CompleteAsync();
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException or FrameFormatException)
        {
            to.Abort(0);
        }
    }
}
