using System.Text;

namespace Aster.Fory.Types;

/// <summary>
/// A field type as a Fory TypeDef describes it: a type id, nullability and reference tracking, and for containers
/// the element type (lists and sets), or the key and value types (maps). Records appear as
/// <see cref="ForyTypeId.NamedCompatibleStruct"/> without their name; the value's own type meta names them.
/// </summary>
public sealed class ForyFieldType : IEquatable<ForyFieldType>
{
    /// <summary>Creates a field type.</summary>
    /// <param name="typeId">The Fory type id.</param>
    /// <param name="nullable">Whether the field (or element) may be null.</param>
    /// <param name="trackRef">Whether reference tracking is declared for it (always false for Aster writers).</param>
    /// <param name="element">The element type of a list or set, or the value type of a map.</param>
    /// <param name="key">The key type of a map.</param>
    public ForyFieldType(ForyTypeId typeId, bool nullable = false, bool trackRef = false, ForyFieldType? element = null, ForyFieldType? key = null)
    {
        TypeId = typeId;
        Nullable = nullable;
        TrackRef = trackRef;
        Element = element;
        Key = key;
    }

    /// <summary>The Fory type id.</summary>
    public ForyTypeId TypeId { get; }

    /// <summary>Whether the value may be null (nullable bit in the TypeDef).</summary>
    public bool Nullable { get; }

    /// <summary>The reference-tracking bit in the TypeDef.</summary>
    public bool TrackRef { get; }

    /// <summary>The element type of a list or set, or the value type of a map.</summary>
    public ForyFieldType? Element { get; }

    /// <summary>The key type of a map.</summary>
    public ForyFieldType? Key { get; }

    /// <summary>Whether this type is a record (struct kinds 27–30).</summary>
    public bool IsRecord => TypeId is >= ForyTypeId.Struct and <= ForyTypeId.NamedCompatibleStruct;

    /// <summary>Returns a copy with another nullability.</summary>
    public ForyFieldType WithNullable(bool nullable) =>
        nullable == Nullable ? this : new ForyFieldType(TypeId, nullable, TrackRef, Element, Key);

    /// <inheritdoc />
    public bool Equals(ForyFieldType? other) =>
        other is not null
        && other.TypeId == TypeId
        && other.Nullable == Nullable
        && other.TrackRef == TrackRef
        && Equals(other.Element, Element)
        && Equals(other.Key, Key);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ForyFieldType);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(TypeId, Nullable, TrackRef, Element, Key);

    /// <inheritdoc />
    public override string ToString()
    {
        StringBuilder b = new();
        b.Append(TypeId switch
        {
            ForyTypeId.List => $"list<{Element}>",
            ForyTypeId.Set => $"set<{Element}>",
            ForyTypeId.Map => $"map<{Key}, {Element}>",
            _ => TypeId.ToString(),
        });
        if (Nullable)
        {
            b.Append('?');
        }

        return b.ToString();
    }
}
