using System.Reflection;

namespace Aster.Fory.Tests;

/// <summary>Calls the generic Deserialize&lt;T&gt;(ReadOnlySpan) for a runtime type (spans cannot go through reflection).</summary>
internal static class TypedCall
{
    private static readonly MethodInfo _helper = typeof(TypedCall).GetMethod(nameof(DeserializeCore), BindingFlags.NonPublic | BindingFlags.Static)!;

    public static object? Deserialize(ForySerializer s, Type t, byte[] bytes)
    {
        try
        {
            return _helper.MakeGenericMethod(t).Invoke(null, [s, bytes]);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    private static object? DeserializeCore<T>(ForySerializer s, byte[] bytes) => s.Deserialize<T>(bytes);
}
