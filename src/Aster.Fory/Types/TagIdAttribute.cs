namespace Aster.Fory.Types;

/// <summary>Identifies a framework type's field by Fory tag id instead of by name (StreamHeader, CallHeader, RpcStatus).</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
internal sealed class TagIdAttribute(int id) : Attribute
{
    public int Id { get; } = id;
}
