using System.Threading.Tasks.Sources;

namespace Aster.Net.Quic.Streams;

/// <summary>
/// A reusable, allocation-free wait for one waiter at a time, in the manner of System.Net.Quic's
/// <c>ResettableValueTaskSource</c>. The stream buffers use it to park a writer at the high-water mark and a reader
/// when no data is buffered.
/// </summary>
/// <remarks>
/// <para>State machine (<c>_state</c>):</para>
/// <code>
///   Idle --WaitAsync--> Armed --Signal/Fail/cancel--> Completed --GetResult (awaiter)--> Idle
/// </code>
/// <list type="bullet">
/// <item>A second <see cref="WaitAsync"/> while Armed or Completed throws <see cref="InvalidOperationException"/>:
/// concurrent reads (or writes) on one stream are refused loudly instead of corrupting state.</item>
/// <item><see cref="Signal"/> and <see cref="Fail"/> when nobody waits do nothing: the owner checks its condition
/// under its own lock before waiting and signals under the same lock, so no wake-up is lost.</item>
/// <item>Completion uses a compare-exchange from Armed, so a cancellation racing a signal completes the wait once.
/// Continuations run asynchronously, so signalling under the owner's lock is safe.</item>
/// <item>The cancellation registration is disposed in <see cref="IValueTaskSource.GetResult"/>, outside the owner's lock.</item>
/// </list>
/// </remarks>
internal sealed class AsyncSignal : IValueTaskSource
{
    private const int Idle = 0;
    private const int Armed = 1;
    private const int Completed = 2;

    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _registration;
    private int _state;

    /// <summary>Gets a value indicating whether a waiter is parked.</summary>
    public bool IsWaiting => Volatile.Read(ref _state) == Armed;

    /// <summary>Parks the caller until <see cref="Signal"/>, <see cref="Fail"/> or cancellation.</summary>
    /// <param name="cancellationToken">Cancels the wait with <see cref="OperationCanceledException"/>.</param>
    /// <returns>A value task that completes when signalled.</returns>
    /// <exception cref="InvalidOperationException">Another wait is pending.</exception>
    public ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, Armed, Idle) != Idle)
        {
            throw new InvalidOperationException("Another operation of the same kind is already pending on this stream.");
        }

        short version = _core.Version;
        if (cancellationToken.CanBeCanceled)
        {
            _registration = cancellationToken.UnsafeRegister(
                static (state, token) => ((AsyncSignal)state!).Complete(new OperationCanceledException(token)),
                this);
        }

        return new ValueTask(this, version);
    }

    /// <summary>Releases the waiter, if any.</summary>
    public void Signal() => Complete(null);

    /// <summary>Releases the waiter, if any, with an exception.</summary>
    /// <param name="exception">The exception the waiter observes.</param>
    public void Fail(Exception exception) => Complete(exception);

    /// <inheritdoc/>
    void IValueTaskSource.GetResult(short token)
    {
        try
        {
            _core.GetResult(token);
        }
        finally
        {
            _registration.Dispose();
            _registration = default;
            _core.Reset();
            Volatile.Write(ref _state, Idle);
        }
    }

    /// <inheritdoc/>
    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    /// <inheritdoc/>
    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);

    private void Complete(Exception? exception)
    {
        if (Interlocked.CompareExchange(ref _state, Completed, Armed) != Armed)
        {
            return;
        }

        if (exception is null)
        {
            _core.SetResult(true);
        }
        else
        {
            _core.SetException(exception);
        }
    }
}
