using System.Buffers;
using Aster.Framing;
using Aster.Testing;
using Aster.Transport;

namespace Aster.Tests.Rpc;

/// <summary>Drives one stream by hand: raw bytes out, frames in. For wire-replay and bad-input tests.</summary>
internal sealed class RawStream : IAsyncDisposable
{
    private readonly IRpcStream _stream;
    private readonly FrameStreamReader _reader;

    private RawStream(IRpcStream stream)
    {
        _stream = stream;
        _reader = new FrameStreamReader(stream.Input, Frame.MaxLength);
    }

    public static async Task<RawStream> OpenAsync(IRpcConnection connection) => new(await connection.OpenStreamAsync());

    public async Task WriteAsync(byte[] bytes)
    {
        await _stream.Output.WriteAsync(bytes);
    }

    /// <summary>Writes a frame without the writer's checks, so tests can send what a well-behaved peer never would.</summary>
    public async Task WriteFrameAsync(FrameFlags flags, byte[] payload)
    {
        byte[] frame = new byte[Frame.PrefixSize + payload.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(frame, payload.Length + 1);
        frame[4] = (byte)flags;
        payload.CopyTo(frame, Frame.PrefixSize);
        await _stream.Output.WriteAsync(frame);
    }

    public Task FinishAsync() => _stream.Output.CompleteAsync().AsTask();

    /// <summary>Reads the next frame; null when the peer finished the stream.</summary>
    public async Task<(FrameFlags Flags, byte[] Payload)?> ReadFrameAsync()
    {
        using var timeout = new CancellationTokenSource(Aster.Testing.TaskExtensions.DefaultTimeoutSpan);
        return await _reader.ReadAsync(timeout.Token) is { } frame ? (frame.Flags, frame.Payload.ToArray()) : null;
    }

    /// <summary>Reads frames until a trailer (included) or the end of the stream.</summary>
    public async Task<List<(FrameFlags Flags, byte[] Payload)>> ReadUntilTrailerAsync()
    {
        var frames = new List<(FrameFlags, byte[])>();
        using var timeout = new CancellationTokenSource(Aster.Testing.TaskExtensions.DefaultTimeoutSpan);
        while (await _reader.ReadAsync(timeout.Token) is { } frame)
        {
            frames.Add((frame.Flags, frame.Payload.ToArray()));
            if ((frame.Flags & FrameFlags.Trailer) != 0)
            {
                break;
            }
        }

        return frames;
    }

    /// <summary>Reads frames until the peer finishes the stream; false if it never does within the time limit.</summary>
    public async Task<(List<(FrameFlags Flags, byte[] Payload)> Frames, bool Ended)> ReadToEndAsync(TimeSpan? limit = null)
    {
        var frames = new List<(FrameFlags, byte[])>();
        using var timeout = new CancellationTokenSource(limit ?? Aster.Testing.TaskExtensions.DefaultTimeoutSpan);
        try
        {
            while (await _reader.ReadAsync(timeout.Token) is { } frame)
            {
                frames.Add((frame.Flags, frame.Payload.ToArray()));
            }

            return (frames, true);
        }
        catch (OperationCanceledException)
        {
            return (frames, false);
        }
        catch (IOException)
        {
            return (frames, true); // reset: the stream ended abruptly
        }
    }

    public async ValueTask DisposeAsync() => await _stream.DisposeAsync();
}
