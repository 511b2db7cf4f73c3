using System.Collections.Concurrent;
using System.Reflection;

namespace Aster.Fory.Tests;

/// <summary>Calls the generic Deserialize&lt;T&gt;(ReadOnlySpan) for a runtime type (spans cannot go through reflection).</summary>
internal static class TypedCall
{
    private static readonly MethodInfo _helper = typeof(TypedCall).GetMethod(nameof(DeserializeCore), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly ConcurrentDictionary<Type, Func<ForySerializer, byte[], object?>> _cache = new();

    public static object? Deserialize(ForySerializer s, Type t, byte[] bytes) =>
        _cache.GetOrAdd(t, type => _helper.MakeGenericMethod(type).CreateDelegate<Func<ForySerializer, byte[], object?>>())(s, bytes);

    private static object? DeserializeCore<T>(ForySerializer s, byte[] bytes) => s.Deserialize<T>(bytes);
}
