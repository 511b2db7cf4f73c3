using Aster.Contracts;
using Aster.Server;
using Aster.Trust;

namespace Aster.Interceptors;

/// <summary>
/// Gate 3 (trust.md 7.5): the caller's <c>aster.role</c> set must meet the service's and the method's capability
/// requirements, or the call ends with PERMISSION_DENIED (<c>capability check failed for service '…'</c> or
/// <c>… for method '….…'</c>). In-process calls pass unless the in-process transport asks for enforcement (8.2).
/// </summary>
/// <remarks>
/// The server wires it by itself whenever consumers are gated or any service declares a requirement, and runs it
/// first, when the call starts and before any request message is decoded, whatever its position in
/// <see cref="AsterServerOptions.Interceptors"/>; adding it there only makes that explicit.
/// </remarks>
public sealed class CapabilityInterceptor : IServerInterceptor
{
    /// <summary>The instance the server wires in by itself.</summary>
    public static CapabilityInterceptor Instance { get; } = new();

    /// <inheritdoc />
    public ValueTask InvokeAsync(CallContext context, Func<CallContext, ValueTask> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        return Check(context.ServiceDefinition, context.ServerMethod, context.Peer is null, context.EnforceCapabilitiesInProcess, context.Attributes) is { } denial
            ? throw new RpcException(denial)
            : continuation(context);
    }

    /// <summary>The gate-3 decision for one call: null to proceed, else the PERMISSION_DENIED status.</summary>
    internal static RpcStatus? Check(ServiceDefinition service, ServerMethod method, bool inProcess, bool enforceInProcess, IReadOnlyDictionary<string, string> attributes)
    {
        CapabilityRequirement? serviceRequirement = service.Requires;
        CapabilityRequirement? methodRequirement = method.Options.Requires;
        if ((serviceRequirement is null && methodRequirement is null) || (inProcess && !enforceInProcess))
        {
            return null;
        }

        CapabilityDecision decision = CapabilityEvaluator.Evaluate(serviceRequirement, methodRequirement, attributes);
        return decision == CapabilityDecision.Allowed
            ? null
            : new RpcStatus(StatusCode.PermissionDenied, CapabilityEvaluator.DenialMessage(decision, service.Name, method.Name), []);
    }
}
