namespace Aster.Server;

/// <summary>
/// The session-scoped service instances of one connection (wire-protocol.md, section 11): ids are chosen by the
/// client, never reused, and every instance is disposed when the connection ends.
/// </summary>
internal sealed class SessionTable
{
    private readonly Dictionary<(int SessionId, string Service), (object Instance, ServiceDefinition Definition)> _live = [];
    private readonly int _maxSessions;
    private int _highestOpened;
    private int _streamSessions;

    public SessionTable(int maxSessions)
    {
        _maxSessions = maxSessions;
    }

    /// <summary>Finds or creates the instance that serves a call, or says which status refuses it.</summary>
    public RpcStatus? TryResolve(ServiceDefinition service, int sessionId, out object instance)
    {
        instance = null!;
        if (!service.IsSessionScoped)
        {
            if (sessionId != 0)
            {
                return Refuse(StatusCode.FailedPrecondition, $"Service '{service.Name}' is shared: sessionId must be 0");
            }

            instance = service.InstanceFactory(null);
            return null;
        }

        if (sessionId == 0)
        {
            return Refuse(StatusCode.FailedPrecondition, $"Service '{service.Name}' is session-scoped: a sessionId is required");
        }

        if (sessionId < 0)
        {
            return Refuse(StatusCode.InvalidArgument, $"invalid session id {sessionId}");
        }

        lock (_live)
        {
            if (_live.TryGetValue((sessionId, service.Name), out (object Instance, ServiceDefinition Definition) existing))
            {
                instance = existing.Instance;
                return null;
            }

            if (sessionId <= _highestOpened)
            {
                return Refuse(StatusCode.NotFound, $"session {sessionId} was previously opened");
            }

            if (_live.Count + _streamSessions >= _maxSessions)
            {
                return Refuse(StatusCode.ResourceExhausted, $"too many live sessions on this connection (limit {_maxSessions})");
            }

            instance = service.InstanceFactory(new SessionContext(sessionId, service.Name));
            _live[(sessionId, service.Name)] = (instance, service);
            _highestOpened = sessionId;
            return null;
        }
    }

    /// <summary>
    /// Counts a 0.1.2 session stream (wire-protocol.md 20.5), which has no id, against the live-session limit; the
    /// refusal when the connection is full. Pair with <see cref="CloseStreamSession"/>.
    /// </summary>
    public RpcStatus? TryOpenStreamSession()
    {
        lock (_live)
        {
            if (_live.Count + _streamSessions >= _maxSessions)
            {
                return Refuse(StatusCode.ResourceExhausted, $"too many live sessions on this connection (limit {_maxSessions})");
            }

            _streamSessions++;
            return null;
        }
    }

    /// <summary>A 0.1.2 session stream ended.</summary>
    public void CloseStreamSession()
    {
        lock (_live)
        {
            _streamSessions--;
        }
    }

    /// <summary>Ends one session instance: the definition's release hook, else <c>DisposeAsync</c>, else <c>Dispose</c>.</summary>
    public static async ValueTask ReleaseAsync(ServiceDefinition definition, object instance)
    {
        if (definition.InstanceRelease is { } release)
        {
            await release(instance).ConfigureAwait(false);
        }
        else if (instance is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        }
        else if (instance is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    /// <summary>Disposes every live instance; returns failures for logging.</summary>
    public async Task<List<(int SessionId, string Service, Exception Error)>> DisposeAllAsync()
    {
        KeyValuePair<(int SessionId, string Service), (object Instance, ServiceDefinition Definition)>[] instances;
        lock (_live)
        {
            instances = [.. _live];
            _live.Clear();
        }

        var failures = new List<(int, string, Exception)>();
        foreach (KeyValuePair<(int SessionId, string Service), (object Instance, ServiceDefinition Definition)> entry in instances)
        {
            try
            {
                await ReleaseAsync(entry.Value.Definition, entry.Value.Instance).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                failures.Add((entry.Key.SessionId, entry.Key.Service, ex));
            }
        }

        return failures;
    }

    private static RpcStatus Refuse(StatusCode code, string message) => new(code, message, []);
}
