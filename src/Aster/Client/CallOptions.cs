using Aster.Contracts;
using Aster.Protocol;

namespace Aster.Client;

/// <summary>Per-call options. Immutable; the <c>With…</c> methods return a changed copy.</summary>
public readonly record struct CallOptions
{
    /// <summary>How long the call may take; null means no deadline. Enforced exactly on the client, sent as whole seconds.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Request metadata, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? Metadata { get; init; }

    /// <summary>The session the call belongs to; 0 for a shared call.</summary>
    public int SessionId { get; init; }

    /// <summary>The payload codec; null uses the client's default.</summary>
    public SerializationMode? SerializationMode { get; init; }

    /// <summary>A copy with <see cref="Timeout"/> set.</summary>
    public CallOptions WithTimeout(TimeSpan timeout) => this with { Timeout = timeout };

    /// <summary>A copy with <see cref="Metadata"/> set.</summary>
    public CallOptions WithMetadata(params KeyValuePair<string, string>[] metadata) => this with { Metadata = metadata };

    /// <summary>A copy with <see cref="SessionId"/> set.</summary>
    public CallOptions WithSession(int sessionId) => this with { SessionId = sessionId };
}

/// <summary>A method a client calls: where it lives and its pattern.</summary>
/// <typeparam name="TRequest">The request type.</typeparam>
/// <typeparam name="TResponse">The response type.</typeparam>
/// <param name="Service">The service's wire name.</param>
/// <param name="Version">The service version.</param>
/// <param name="Name">The method's wire name.</param>
/// <param name="Kind">The call pattern.</param>
/// <param name="Idempotent">True when the call may be retried safely.</param>
public sealed record ClientMethod<TRequest, TResponse>(string Service, int Version, string Name, MethodPattern Kind, bool Idempotent = false);
