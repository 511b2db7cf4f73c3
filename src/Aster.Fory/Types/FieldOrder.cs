namespace Aster.Fory.Types;

/// <summary>The Fory field order of B10.4 (pyfory <c>group_fields</c>).</summary>
internal static class FieldOrder
{
    public static int Group(ForyFieldType type)
    {
        int id = (int)type.TypeId;
        if (id is >= 1 and <= 20)
        {
            return type.Nullable ? 2 : 1;
        }

        return type.TypeId switch
        {
            ForyTypeId.List => 4,
            ForyTypeId.Set => 5,
            ForyTypeId.Map => 6,
            ForyTypeId.Unknown => 7,
            >= ForyTypeId.Enum and <= ForyTypeId.NamedUnion => 7,
            _ => 3,
        };
    }

    public static bool IsCompressed(ForyTypeId id) =>
        id is ForyTypeId.VarInt32 or ForyTypeId.VarInt64 or ForyTypeId.TaggedInt64
            or ForyTypeId.VarUInt32 or ForyTypeId.VarUInt64 or ForyTypeId.TaggedUInt64;

    public static int PrimitiveSize(ForyTypeId id) => id switch
    {
        ForyTypeId.Bool or ForyTypeId.Int8 or ForyTypeId.UInt8 or ForyTypeId.Float8 => 1,
        ForyTypeId.Int16 or ForyTypeId.UInt16 or ForyTypeId.Float16 or ForyTypeId.BFloat16 => 2,
        ForyTypeId.Int32 or ForyTypeId.VarInt32 or ForyTypeId.UInt32 or ForyTypeId.VarUInt32 or ForyTypeId.Float32 => 4,
        _ => 8,
    };

    /// <summary>Compares two fields by B10.4. Identifiers are tag ids in decimal or wire names.</summary>
    public static int Compare(ForyFieldType a, string idA, bool tagA, ForyFieldType b, string idB, bool tagB)
    {
        int ga = Group(a);
        int gb = Group(b);
        if (ga != gb)
        {
            return ga.CompareTo(gb);
        }

        int c;
        if (ga <= 2)
        {
            c = IsCompressed(a.TypeId).CompareTo(IsCompressed(b.TypeId));
            if (c != 0)
            {
                return c;
            }

            c = PrimitiveSize(b.TypeId).CompareTo(PrimitiveSize(a.TypeId));
            if (c != 0)
            {
                return c;
            }

            c = ((int)b.TypeId).CompareTo((int)a.TypeId);
            if (c != 0)
            {
                return c;
            }
        }
        else if (ga < 7)
        {
            c = ((int)a.TypeId).CompareTo((int)b.TypeId);
            if (c != 0)
            {
                return c;
            }
        }

        if (tagA != tagB)
        {
            return tagA ? -1 : 1;
        }

        return string.CompareOrdinal(idA, idB);
    }

    /// <summary>Sorts items in place by B10.4.</summary>
    public static void Sort<T>(List<T> items, Func<T, ForyFieldType> type, Func<T, string> identifier, Func<T, bool> isTag)
    {
        items.Sort((x, y) => Compare(type(x), identifier(x), isTag(x), type(y), identifier(y), isTag(y)));
    }
}
