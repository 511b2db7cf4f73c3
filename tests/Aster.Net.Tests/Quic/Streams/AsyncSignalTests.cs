using Aster.Net.Quic.Streams;
using Aster.Testing;

namespace Aster.Net.Tests.Quic.Streams;

public sealed class AsyncSignalTests
{
    [Fact]
    public async Task WaitAsync_Signalled_CompletesAndIsReusable()
    {
        var signal = new AsyncSignal();
        signal.Signal();
        for (int i = 0; i < 100; i++)
        {
            ValueTask wait = signal.WaitAsync(CancellationToken.None);
            Assert.True(signal.IsWaiting);
            signal.Signal();
            await wait.DefaultTimeout();
            Assert.False(signal.IsWaiting);
        }
    }

    [Fact]
    public async Task WaitAsync_Concurrent_Throws()
    {
        var signal = new AsyncSignal();
        ValueTask first = signal.WaitAsync(CancellationToken.None);
        Assert.Throws<InvalidOperationException>(() => { _ = signal.WaitAsync(CancellationToken.None).AsTask(); });
        signal.Signal();
        await first.DefaultTimeout();
    }

    [Fact]
    public async Task WaitAsync_Cancelled_ThrowsThenReusable()
    {
        var signal = new AsyncSignal();
        using var cts = new CancellationTokenSource();
        ValueTask wait = signal.WaitAsync(cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.DefaultTimeout());
        ValueTask next = signal.WaitAsync(CancellationToken.None);
        signal.Signal();
        await next.DefaultTimeout();
    }

    [Fact]
    public async Task Fail_Waiter_ObservesException()
    {
        var signal = new AsyncSignal();
        ValueTask wait = signal.WaitAsync(CancellationToken.None);
        signal.Fail(new IOException("gone"));
        IOException ex = await Assert.ThrowsAsync<IOException>(() => wait.DefaultTimeout());
        Assert.Equal("gone", ex.Message);
    }

    [Fact]
    public async Task SignalAndCancel_Racing_CompleteOnce()
    {
        var signal = new AsyncSignal();
        for (int i = 0; i < 200; i++)
        {
            using var cts = new CancellationTokenSource();
            ValueTask wait = signal.WaitAsync(cts.Token);
            Task cancel = Task.Run(cts.Cancel);
            signal.Signal();
            try
            {
                await wait.DefaultTimeout();
            }
            catch (OperationCanceledException)
            {
            }

            await cancel.DefaultTimeout();
            Assert.False(signal.IsWaiting);
        }
    }
}
