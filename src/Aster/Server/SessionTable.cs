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

            if (_live.Count >= _maxSessions)
            {
                return Refuse(StatusCode.ResourceExhausted, $"too many live sessions on this connection (limit {_maxSessions})");
            }

            instance = service.InstanceFactory(new SessionContext(sessionId, service.Name));
            _live[(sessionId, service.Name)] = (instance, service);
            _highestOpened = sessionId;
            return null;
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
                if (entry.Value.Definition.InstanceRelease is { } release)
                {
                    await release(entry.Value.Instance).ConfigureAwait(false);
                }
                else if (entry.Value.Instance is IAsyncDisposable asyncDisposable)
                {
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                }
                else if (entry.Value.Instance is IDisposable disposable)
                {
                    disposable.Dispose();
                }
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
