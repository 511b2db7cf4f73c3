using Aster;
using Aster.Server;
using Aster.Fory;

namespace Aster.Hosting.Tests;

[WireType("hostingtest/Greeting")]
public sealed record Greeting(string Text = "");

[AsterService(Name = "Greeter", MethodNaming = MethodNaming.CamelCase)]
public interface IGreeter
{
    ValueTask<Greeting> GreetAsync(Greeting request, CancellationToken cancellationToken = default);
}

[AsterService(Name = "Tally", Scope = ServiceScope.Session, MethodNaming = MethodNaming.CamelCase)]
public interface ITally
{
    ValueTask<Greeting> AddAsync(Greeting request, CancellationToken cancellationToken = default);
}

/// <summary>A singleton dependency shared by every service, recording what the scoped parts did.</summary>
public sealed class Ledger
{
    private int _scopesDisposed;

    public string Prefix { get; init; } = "Hello";

    public int ScopesDisposed => Volatile.Read(ref _scopesDisposed);

    public void ScopeDisposed() => Interlocked.Increment(ref _scopesDisposed);
}

/// <summary>A scoped dependency: one per session's DI scope, disposed with it.</summary>
public sealed class SessionResource(Ledger ledger) : IDisposable
{
    public Guid Id { get; } = Guid.NewGuid();

    public void Dispose() => ledger.ScopeDisposed();
}

/// <summary>Shared: one instance from the container.</summary>
public sealed class Greeter(Ledger ledger) : IGreeter
{
    public ValueTask<Greeting> GreetAsync(Greeting request, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(new Greeting($"{ledger.Prefix}, {request.Text}!"));
}

/// <summary>Session-scoped: a new instance per session from its own DI scope, with the session and a scoped resource.</summary>
public sealed class Tally(SessionContext session, SessionResource resource) : ITally
{
    private readonly List<string> _items = [];

    public ValueTask<Greeting> AddAsync(Greeting request, CancellationToken cancellationToken = default)
    {
        lock (_items)
        {
            _items.Add(request.Text);
            return ValueTask.FromResult(new Greeting($"session {session.SessionId} resource {resource.Id:N} items {string.Join(",", _items)}"));
        }
    }
}
