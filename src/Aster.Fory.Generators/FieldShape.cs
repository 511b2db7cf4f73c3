using System.Collections.Generic;

namespace Aster.Fory.Generators;

/// <summary>The Fory field type of a member as the runtime infers it (contracts-and-fory.md A8), for ordering and the agreement check.</summary>
internal sealed class FieldShape
{
    public FieldShape(int typeId, string typeName, FieldShape? element = null, FieldShape? key = null, bool mayContainRecords = false)
    {
        TypeId = typeId;
        TypeName = typeName;
        Element = element;
        Key = key;
        MayContainRecords = mayContainRecords || (element?.MayContainRecords ?? false) || (key?.MayContainRecords ?? false);
    }

    /// <summary>The Fory type id (B4).</summary>
    public int TypeId { get; }

    /// <summary>The <c>ForyTypeId</c> member name.</summary>
    public string TypeName { get; }

    public FieldShape? Element { get; }

    public FieldShape? Key { get; }

    /// <summary>Whether a value may hold a record (records, <c>object</c>, collections of them).</summary>
    public bool MayContainRecords { get; }

    /// <summary>The text <c>ForyFieldType.ToString()</c> prints for this type with the given nullability.</summary>
    public string Describe(bool nullable)
    {
        string text = TypeId switch
        {
            TypeIds.List => "list<" + Element!.Describe(false) + ">",
            TypeIds.Set => "set<" + Element!.Describe(false) + ">",
            TypeIds.Map => "map<" + Key!.Describe(false) + ", " + Element!.Describe(false) + ">",
            _ => TypeName,
        };
        return nullable ? text + "?" : text;
    }
}

/// <summary>The Fory 0.17 type ids the generator needs (the runtime's <c>ForyTypeId</c>).</summary>
internal static class TypeIds
{
    public const int Unknown = 0;
    public const int Bool = 1;
    public const int Int8 = 2;
    public const int Int16 = 3;
    public const int Int32 = 4;
    public const int VarInt32 = 5;
    public const int Int64 = 6;
    public const int VarInt64 = 7;
    public const int TaggedInt64 = 8;
    public const int UInt8 = 9;
    public const int UInt16 = 10;
    public const int UInt32 = 11;
    public const int VarUInt32 = 12;
    public const int UInt64 = 13;
    public const int VarUInt64 = 14;
    public const int TaggedUInt64 = 15;
    public const int Float8 = 16;
    public const int Float16 = 17;
    public const int BFloat16 = 18;
    public const int Float32 = 19;
    public const int Float64 = 20;
    public const int String = 21;
    public const int List = 22;
    public const int Set = 23;
    public const int Map = 24;
    public const int Enum = 25;
    public const int NamedUnion = 35;
    public const int NamedCompatibleStruct = 30;
    public const int Timestamp = 38;
    public const int Date = 39;
    public const int Binary = 41;

    public static readonly Dictionary<int, string> Names = new()
    {
        [Unknown] = "Unknown", [Bool] = "Bool", [Int8] = "Int8", [Int16] = "Int16", [Int32] = "Int32", [VarInt32] = "VarInt32",
        [Int64] = "Int64", [VarInt64] = "VarInt64", [UInt8] = "UInt8", [UInt16] = "UInt16", [UInt32] = "UInt32",
        [VarUInt32] = "VarUInt32", [UInt64] = "UInt64", [VarUInt64] = "VarUInt64", [Float32] = "Float32", [Float64] = "Float64",
        [String] = "String", [List] = "List", [Set] = "Set", [Map] = "Map", [Enum] = "Enum",
        [NamedCompatibleStruct] = "NamedCompatibleStruct", [Timestamp] = "Timestamp", [Date] = "Date", [Binary] = "Binary",
    };
}
