using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Aster.Net.Quic;

namespace Aster.Bench.Load.Hosting;

/// <summary>
/// The transport benchmarks' own protocol, spoken alike by our endpoint and by the Node iroh script
/// (<c>peer/iroh-bench.mjs</c>), one behaviour per ALPN:
/// <list type="bullet">
/// <item><c>aster-bench/sink</c>: per bidirectional stream, an 8-byte little-endian length N, then N bytes; the sink
/// reads them all and answers with the 8-byte count it received, then FIN.</item>
/// <item><c>aster-bench/echo</c>: per bidirectional stream, read to FIN (at most 64 KiB), write it back, FIN.</item>
/// </list>
/// </summary>
internal static class TransportProtocol
{
    public const string SinkAlpn = "aster-bench/sink";
    public const string EchoAlpn = "aster-bench/echo";
    public const int MaxEcho = 64 * 1024;
    public const int ChunkSize = 1024 * 1024;

    /// <summary>Serves every stream of an accepted connection by its ALPN until the connection ends.</summary>
    public static async Task ServeAsync(AsterConnection connection, CancellationToken cancellationToken)
    {
        bool sink = connection.Alpn == SinkAlpn;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                AsterStream stream = await connection.AcceptBidirectionalStreamAsync(cancellationToken).ConfigureAwait(false);
                _ = sink ? SinkAsync(stream, cancellationToken) : EchoAsync(stream, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is TransportException or OperationCanceledException)
        {
            // The connection ended.
        }
    }

    /// <summary>Sends <paramref name="total"/> bytes as one sink transfer and waits for the count; returns it.</summary>
    public static async Task<long> SendBulkAsync(AsterConnection connection, long total, ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
    {
        await using AsterStream stream = await connection.OpenBidirectionalStreamAsync(cancellationToken).ConfigureAwait(false);
        byte[] header = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(header, total);
        await stream.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        for (long sent = 0; sent < total;)
        {
            int n = (int)Math.Min(chunk.Length, total - sent);
            sent += n;
            await stream.WriteAsync(chunk[..n], sent == total, cancellationToken).ConfigureAwait(false);
        }

        byte[] answer = new byte[8];
        await stream.ReadExactlyAsync(answer, cancellationToken).ConfigureAwait(false);
        return BinaryPrimitives.ReadInt64LittleEndian(answer);
    }

    /// <summary>One echo round trip on a new stream; checks the echo's length.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public static async ValueTask EchoOnceAsync(AsterConnection connection, ReadOnlyMemory<byte> payload, Memory<byte> scratch, CancellationToken cancellationToken)
    {
        await using AsterStream stream = await connection.OpenBidirectionalStreamAsync(cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync(payload, completeWrites: true, cancellationToken).ConfigureAwait(false);
        int received = await ReadToEndAsync(stream, scratch, cancellationToken).ConfigureAwait(false);
        if (received != payload.Length)
        {
            throw new InvalidOperationException($"The echo returned {received} bytes for {payload.Length}.");
        }
    }

    private static async Task SinkAsync(AsterStream stream, CancellationToken cancellationToken)
    {
        try
        {
            await using (stream.ConfigureAwait(false))
            {
                byte[] header = new byte[8];
                await stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
                long expected = BinaryPrimitives.ReadInt64LittleEndian(header);
                byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
                long received = 0;
                try
                {
                    int n;
                    while ((n = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        received += n;
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }

                byte[] answer = new byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(answer, received == expected ? received : -received);
                await stream.WriteAsync(answer, completeWrites: true, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is TransportException or OperationCanceledException or EndOfStreamException or IOException)
        {
            // The peer went away mid-transfer.
        }
    }

    private static async Task EchoAsync(AsterStream stream, CancellationToken cancellationToken)
    {
        try
        {
            await using (stream.ConfigureAwait(false))
            {
                byte[] buffer = ArrayPool<byte>.Shared.Rent(MaxEcho);
                try
                {
                    int length = await ReadToEndAsync(stream, buffer.AsMemory(0, MaxEcho), cancellationToken).ConfigureAwait(false);
                    await stream.WriteAsync(buffer.AsMemory(0, length), completeWrites: true, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (Exception ex) when (ex is TransportException or OperationCanceledException or InvalidOperationException or IOException)
        {
            // The peer went away or sent too much.
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<int> ReadToEndAsync(AsterStream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int length = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer[length..], cancellationToken).ConfigureAwait(false)) > 0)
        {
            length += n;
            if (length == buffer.Length)
            {
                throw new InvalidOperationException("The echo payload exceeds the buffer.");
            }
        }

        return length;
    }
}
