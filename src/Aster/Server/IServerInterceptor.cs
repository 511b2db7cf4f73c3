namespace Aster.Server;

/// <summary>
/// Asynchronous middleware around every call a server runs. Call <c>continuation</c> to continue; throw an
/// <see cref="RpcException"/> to refuse the call with its status. An interceptor that returns without calling
/// <c>continuation</c> ends the call with INTERNAL. For streaming calls <c>continuation</c> completes when the handler's stream is done.
/// </summary>
public interface IServerInterceptor
{
    /// <summary>Runs around one call.</summary>
    ValueTask InvokeAsync(CallContext context, Func<CallContext, ValueTask> continuation);
}
