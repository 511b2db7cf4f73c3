using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Aster.Framing;

/// <summary>
/// Reads frames one at a time from a <see cref="PipeReader"/>. A returned frame's payload stays valid until the next
/// <see cref="ReadAsync"/> or <see cref="Release"/>; bytes after the last frame read stay buffered for the next reader.
/// </summary>
internal sealed class FrameStreamReader
{
    private readonly PipeReader _input;
    private readonly int _maxLength;
    private ReadOnlySequence<byte> _buffer;
    private bool _holding;
    private bool _completed;

    public FrameStreamReader(PipeReader input, int maxLength)
    {
        _input = input;
        _maxLength = maxLength;
    }

    /// <summary>The next frame, or null at a clean end of stream.</summary>
    /// <exception cref="FrameFormatException">Bad length, or the stream ended inside a frame.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<Frame?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_holding)
            {
                if (FrameReader.TryRead(ref _buffer, out Frame frame, _maxLength))
                {
                    return frame;
                }

                if (_completed)
                {
                    FrameReader.ThrowIfTruncated(_buffer);
                    return null;
                }

                _input.AdvanceTo(_buffer.Start, _buffer.End);
                _holding = false;
            }

            ReadResult result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            _buffer = result.Buffer;
            _completed = result.IsCompleted || result.IsCanceled;
            _holding = true;
        }
    }

    /// <summary>Gives the bytes of frames already read back to the pipe; unread bytes stay for the next call.</summary>
    public void Release()
    {
        if (_holding)
        {
            _input.AdvanceTo(_buffer.Start);
            _holding = false;
        }
    }
}
