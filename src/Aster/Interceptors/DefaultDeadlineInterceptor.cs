using Aster.Client;

namespace Aster.Interceptors;

/// <summary>Gives every client call without a timeout a default one, so no call can wait forever.</summary>
public sealed class DefaultDeadlineInterceptor : IClientInterceptor
{
    private readonly TimeSpan _timeout;

    /// <summary>Creates the interceptor.</summary>
    /// <param name="timeout">The timeout of calls that set none.</param>
    public DefaultDeadlineInterceptor(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _timeout = timeout;
    }

    /// <inheritdoc/>
    public ValueTask InvokeAsync(ClientCallContext context, Func<ClientCallContext, ValueTask> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        if (context.Options.Timeout is null)
        {
            context.Options = context.Options with { Timeout = _timeout };
        }

        return continuation(context);
    }
}
