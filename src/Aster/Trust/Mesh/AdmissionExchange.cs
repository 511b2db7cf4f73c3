using System.Buffers;
using System.IO.Pipelines;
using Aster.Transport;

namespace Aster.Trust.Mesh;

/// <summary>
/// The admission exchange of trust.md 4.1 over one bidirectional stream: a raw JSON request to FIN (at most 64 KiB),
/// one raw JSON response to FIN, then the server lingers until the client closes or a few seconds pass.
/// </summary>
internal static class AdmissionExchange
{
    /// <summary>The largest request or response (64 KiB).</summary>
    public const int MaxPayload = 64 * 1024;

    /// <summary>
    /// Reads <paramref name="input"/> to its end. Returns the bytes, or null when more than <paramref name="limit"/>
    /// bytes arrive: reading then stops, and no more than the limit plus one read's worth is held.
    /// </summary>
    public static async ValueTask<byte[]?> ReadToEndAsync(PipeReader input, int limit, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (buffer.Length > limit)
            {
                input.AdvanceTo(buffer.Start, buffer.End);
                return null;
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                byte[] body = buffer.ToArray();
                input.AdvanceTo(buffer.End);
                return body;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Writes <paramref name="body"/> and finishes the send side (FIN).</summary>
    public static async ValueTask WriteAndFinishAsync(PipeWriter output, byte[] body, CancellationToken cancellationToken)
    {
        await output.WriteAsync(body, cancellationToken).ConfigureAwait(false);
        await output.CompleteAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// The client side: opens a stream, sends <paramref name="request"/> with FIN and reads the response to FIN within
    /// <paramref name="timeout"/>.
    /// </summary>
    /// <exception cref="TrustFormatException">The response is larger than 64 KiB.</exception>
    /// <exception cref="OperationCanceledException">The response did not arrive in time.</exception>
    /// <exception cref="IOException">The connection or stream failed.</exception>
    public static async ValueTask<byte[]> RequestAsync(IRpcConnection connection, byte[] request, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using CancellationTokenSource cts = new(timeout, time);
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cts.Token, cancellationToken);
        IRpcStream stream = await connection.OpenStreamAsync(linked.Token).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            await WriteAndFinishAsync(stream.Output, request, linked.Token).ConfigureAwait(false);
            byte[]? response = await ReadToEndAsync(stream.Input, MaxPayload, linked.Token).ConfigureAwait(false);
            return response ?? throw new TrustFormatException($"admission response is larger than {MaxPayload} bytes");
        }
    }
}
