using System;

namespace Aster.Fory.Generators;

/// <summary>
/// The Fory field order of B10.4 (pyfory <c>group_fields</c>), the same rules as the runtime's
/// <c>Aster.Fory.Types.FieldOrder</c> (whose net10 source cannot be linked into a netstandard2.0 generator). The
/// runtime checks the generated order against its own before using a generated serializer.
/// </summary>
internal static class FieldOrder
{
    private static int Group(int id, bool nullable)
    {
        if (id >= 1 && id <= 20)
        {
            return nullable ? 2 : 1;
        }

        return id switch
        {
            TypeIds.List => 4,
            TypeIds.Set => 5,
            TypeIds.Map => 6,
            TypeIds.Unknown => 7,
            >= TypeIds.Enum and <= TypeIds.NamedUnion => 7,
            _ => 3,
        };
    }

    private static bool IsCompressed(int id) =>
        id is TypeIds.VarInt32 or TypeIds.VarInt64 or TypeIds.TaggedInt64 or TypeIds.VarUInt32 or TypeIds.VarUInt64 or TypeIds.TaggedUInt64;

    private static int PrimitiveSize(int id) => id switch
    {
        TypeIds.Bool or TypeIds.Int8 or TypeIds.UInt8 or TypeIds.Float8 => 1,
        TypeIds.Int16 or TypeIds.UInt16 or TypeIds.Float16 or TypeIds.BFloat16 => 2,
        TypeIds.Int32 or TypeIds.VarInt32 or TypeIds.UInt32 or TypeIds.VarUInt32 or TypeIds.Float32 => 4,
        _ => 8,
    };

    public static int Compare(MemberModel a, MemberModel b)
    {
        int ga = Group(a.Shape.TypeId, a.Nullable);
        int gb = Group(b.Shape.TypeId, b.Nullable);
        if (ga != gb)
        {
            return ga.CompareTo(gb);
        }

        int c;
        if (ga <= 2)
        {
            c = IsCompressed(a.Shape.TypeId).CompareTo(IsCompressed(b.Shape.TypeId));
            if (c != 0)
            {
                return c;
            }

            c = PrimitiveSize(b.Shape.TypeId).CompareTo(PrimitiveSize(a.Shape.TypeId));
            if (c != 0)
            {
                return c;
            }

            c = b.Shape.TypeId.CompareTo(a.Shape.TypeId);
            if (c != 0)
            {
                return c;
            }
        }
        else if (ga < 7)
        {
            c = a.Shape.TypeId.CompareTo(b.Shape.TypeId);
            if (c != 0)
            {
                return c;
            }
        }

        bool tagA = a.TagId >= 0;
        bool tagB = b.TagId >= 0;
        if (tagA != tagB)
        {
            return tagA ? -1 : 1;
        }

        return string.CompareOrdinal(a.Identifier, b.Identifier);
    }
}
