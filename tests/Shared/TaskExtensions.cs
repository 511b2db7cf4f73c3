using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Aster.Testing;

/// <summary>
/// Turns a hung await into a failure that names the caller's file and line. Time limits in tests exist only for
/// this; no test asserts on timing.
/// </summary>
internal static class TaskExtensions
{
    public static readonly TimeSpan DefaultTimeoutSpan = TimeSpan.FromSeconds(5);

    public static Task DefaultTimeout(this Task task, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
        => task.TimeoutAfter(DefaultTimeoutSpan, file, line);

    public static Task<T> DefaultTimeout<T>(this Task<T> task, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
        => task.TimeoutAfter(DefaultTimeoutSpan, file, line);

    public static Task DefaultTimeout(this ValueTask task, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
        => task.AsTask().TimeoutAfter(DefaultTimeoutSpan, file, line);

    public static Task<T> DefaultTimeout<T>(this ValueTask<T> task, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
        => task.AsTask().TimeoutAfter(DefaultTimeoutSpan, file, line);

    public static async Task TimeoutAfter(this Task task, TimeSpan timeout, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        if (Debugger.IsAttached)
        {
            await task.ConfigureAwait(false);
            return;
        }

        try
        {
            await task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Operation timed out after {timeout} at {file}:{line}.");
        }
    }

    public static async Task<T> TimeoutAfter<T>(this Task<T> task, TimeSpan timeout, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        if (Debugger.IsAttached)
        {
            return await task.ConfigureAwait(false);
        }

        try
        {
            return await task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Operation timed out after {timeout} at {file}:{line}.");
        }
    }

    /// <summary>Collects an async stream into a list, failing after <paramref name="timeout"/> (default 5 s).</summary>
    public static async Task<List<T>> CollectAsync<T>(this IAsyncEnumerable<T> source, TimeSpan? timeout = null,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        using CancellationTokenSource cts = new(timeout ?? DefaultTimeoutSpan);
        List<T> items = [];
        try
        {
            await foreach (T item in source.WithCancellation(cts.Token).ConfigureAwait(false))
            {
                items.Add(item);
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"Async stream timed out at {file}:{line}.");
        }

        return items;
    }
}
