using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace Aster.Fory.Serialization;

/// <summary>
/// The base of the straight-line serializers that the Aster.Fory source generator emits for <see cref="WireTypeAttribute"/>
/// records. Not for hand-written code: the generator derives from it, and <see cref="ForySerializer"/> uses an
/// instance in place of its per-member dispatch when the generated field list equals the runtime model's.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class ForyGeneratedSerializer<T>
{
    /// <summary>Creates the serializer.</summary>
    /// <param name="fields">Per field in Fory field order, <c>identifier:type</c> (the B10.4 identifier and the field type as <see cref="Types.ForyFieldType.ToString"/> prints it).</param>
    /// <param name="canRead">Whether <see cref="ReadFields"/> is implemented.</param>
    protected ForyGeneratedSerializer(string[] fields, bool canRead)
    {
        ArgumentNullException.ThrowIfNull(fields);
        Fields = fields;
        CanRead = canRead;
    }

    /// <summary>Per field in Fory field order, <c>identifier:type</c>; checked against the runtime model before use.</summary>
    public IReadOnlyList<string> Fields { get; }

    /// <summary>Whether <see cref="ReadFields"/> is implemented (otherwise the runtime reads).</summary>
    public bool CanRead { get; }

    /// <summary>Writes the fields of <paramref name="value"/> in Fory field order (no type info).</summary>
    /// <param name="w">The writer.</param>
    /// <param name="value">The record.</param>
    public abstract void WriteFields(ref ForyFieldWriter w, T value);

    /// <summary>Reads the fields in Fory field order (the wire TypeDef equals the local one) and creates the record.</summary>
    /// <param name="r">The reader.</param>
    /// <exception cref="NotSupportedException"><see cref="CanRead"/> is false.</exception>
    public virtual T ReadFields(ref ForyFieldReader r) =>
        throw new NotSupportedException($"the generated serializer of {typeof(T).FullName} does not read");
}

/// <summary>Where generated serializers register themselves (from a module initializer) and the runtime finds them.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ForyGeneratedSerializers
{
    /// <summary>Registers the generated serializer of <typeparamref name="T"/>; a later registration replaces an earlier one.</summary>
    /// <param name="serializer">The serializer.</param>
    public static void Register<T>(ForyGeneratedSerializer<T> serializer)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        Slot<T>.Value = serializer;
    }

    /// <summary>The generated serializer of <typeparamref name="T"/>, after running the module initializer of the type's module.</summary>
    internal static ForyGeneratedSerializer<T>? Find<T>()
    {
        RuntimeHelpers.RunModuleConstructor(typeof(T).Module.ModuleHandle);
        return Slot<T>.Value;
    }

    private static class Slot<T>
    {
        public static ForyGeneratedSerializer<T>? Value;
    }
}
