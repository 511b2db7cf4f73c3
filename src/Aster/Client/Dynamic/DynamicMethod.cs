using Aster.Contracts;

namespace Aster.Client.Dynamic;

/// <summary>
/// A method addressed by name alone, for the <see cref="DynamicClient"/>: no C# contract type is needed.
/// </summary>
/// <param name="Service">The service's wire name, for example <c>Hello</c>.</param>
/// <param name="Name">The method's wire name, for example <c>sayHello</c>.</param>
/// <param name="Version">The service version. Defaults to 1, which a server answers with its only served version.</param>
/// <param name="Idempotent">True when the call may be retried safely by a retry interceptor.</param>
public sealed record DynamicMethod(string Service, string Name, int Version = 1, bool Idempotent = false)
{
    /// <summary>Parses <c>Service.method</c>; the method is the part after the last dot, so dotted service names work.</summary>
    /// <param name="qualifiedName">The text, for example <c>Hello.sayHello</c>.</param>
    /// <returns>The method, version 1.</returns>
    /// <exception cref="FormatException">The text has no dot, or an empty service or method part.</exception>
    public static DynamicMethod Parse(string qualifiedName)
    {
        ArgumentNullException.ThrowIfNull(qualifiedName);
        int dot = qualifiedName.LastIndexOf('.');
        if (dot <= 0 || dot == qualifiedName.Length - 1)
        {
            throw new FormatException($"'{qualifiedName}' is not of the form Service.method");
        }

        return new DynamicMethod(qualifiedName[..dot], qualifiedName[(dot + 1)..]);
    }

    /// <summary><c>Service.method</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Service + "." + Name;

    internal ClientMethod<TRequest, TResponse> For<TRequest, TResponse>(MethodPattern pattern)
        => new(Service, Version, Name, pattern, Idempotent);
}
