using System.IO.Pipelines;
using Aster.Framing;
using Aster.Internal;
using Aster.Protocol;

namespace Aster.Server;

/// <summary>
/// The send side of one server stream. Calls on a stream are sequential, but a call's trailer can race its own
/// response writes (a CANCEL or a deadline), so every write takes the gate.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The gate never allocates a wait handle (only WaitAsync is used), so there is nothing to dispose.")]
internal sealed class StreamOutput
{
    private readonly PipeWriter _writer;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly RpcLimits _limits;
    private bool _closed;

    public StreamOutput(PipeWriter writer, RpcLimits limits)
    {
        _writer = writer;
        _limits = limits;
    }

    /// <summary>
    /// Whether response data frames of the current call may be sent compressed: XLANG calls on a server with
    /// compression enabled, never JSON-mode calls (wire-protocol.md 4.5, D7). Set when a call starts.
    /// </summary>
    public bool CompressData { get; set; }

    /// <summary>
    /// The 0.1.2 session protocol (wire-protocol.md 20.5): a successful single response (unary, client-stream) is one
    /// DATA frame with no trailer. Set for the whole stream when a 0.1.2 session opens.
    /// </summary>
    public bool SingleResponseWithoutTrailer { get; set; }

    /// <summary>Writes one response data frame and flushes. False when the peer no longer reads.</summary>
    public async ValueTask<bool> WriteMessageAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_closed)
            {
                return false;
            }

            FrameWriter.WriteData(_writer, FrameFlags.None, payload.Span, CompressData, _limits.MaxFrameLength);
            FlushResult result = await _writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            _closed |= result.IsCompleted;
            return !result.IsCompleted;
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            _closed = true;
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Writes an optional last data frame and the trailer in one flush.</summary>
    public async ValueTask WriteTrailerAsync(ReadOnlyMemory<byte>? response, RpcStatus status, IProtocolCodec protocol)
    {
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (_closed)
            {
                return;
            }

            if (response is { } data)
            {
                FrameWriter.WriteData(_writer, FrameFlags.None, data.Span, CompressData, _limits.MaxFrameLength);
            }

            if (response is null || status.Code != StatusCode.OK || !SingleResponseWithoutTrailer)
            {
                WriteStatusFrame(status, protocol);
            }

            FlushResult result = await _writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            _closed |= result.IsCompleted;
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            _closed = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Encodes the status in this thread's scratch writer (no await until it is copied into the frame).</summary>
    private void WriteStatusFrame(RpcStatus status, IProtocolCodec protocol)
    {
        PooledBufferWriter buffer = PooledBufferWriter.RentScratch();
        try
        {
            protocol.WriteStatus(buffer, Sanitize(status));
            FrameWriter.Write(_writer, FrameFlags.Trailer, buffer.WrittenSpan, _limits.MaxFrameLength);
        }
        finally
        {
            PooledBufferWriter.ReturnScratch(buffer);
        }
    }

    /// <summary>Finishes the send side (FIN); later writes are dropped.</summary>
    public async ValueTask CompleteAsync(Exception? error = null)
    {
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (!_closed)
            {
                _closed = true;
                await _writer.CompleteAsync(error).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Only codes from the wire table, messages and details within the limits (sections 7.2, 8).</summary>
    private RpcStatus Sanitize(RpcStatus status)
    {
        StatusCode code = StatusCodeNames.IsDefined(status.Code) ? status.Code : StatusCode.Unknown;
        string message = status.Message.Length > _limits.MaxStatusMessageLength ? status.Message[.._limits.MaxStatusMessageLength] : status.Message;
        IReadOnlyList<KeyValuePair<string, string>> details = status.Details.Count > _limits.MaxStatusDetails
            ? status.Details.Take(_limits.MaxStatusDetails).ToArray()
            : status.Details;
        return code == status.Code && ReferenceEquals(message, status.Message) && ReferenceEquals(details, status.Details)
            ? status
            : new RpcStatus(code, message, details);
    }
}
