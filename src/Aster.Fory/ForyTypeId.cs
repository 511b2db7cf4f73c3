namespace Aster.Fory;

#pragma warning disable CA1720 // the names are the Fory specification's type names

/// <summary>Fory 0.17 XLANG type ids (contracts-and-fory.md B4).</summary>
public enum ForyTypeId
{
    /// <summary>Unknown / any: type info travels with the value.</summary>
    Unknown = 0,
    /// <summary>Boolean, one byte.</summary>
    Bool = 1,
    /// <summary>Signed 8-bit integer.</summary>
    Int8 = 2,
    /// <summary>Signed 16-bit integer, little-endian.</summary>
    Int16 = 3,
    /// <summary>Signed 32-bit integer, fixed 4 bytes.</summary>
    Int32 = 4,
    /// <summary>Signed 32-bit integer, zigzag varint.</summary>
    VarInt32 = 5,
    /// <summary>Signed 64-bit integer, fixed 8 bytes.</summary>
    Int64 = 6,
    /// <summary>Signed 64-bit integer, zigzag varint.</summary>
    VarInt64 = 7,
    /// <summary>Signed 64-bit integer, tagged (4 or 9 bytes).</summary>
    TaggedInt64 = 8,
    /// <summary>Unsigned 8-bit integer.</summary>
    UInt8 = 9,
    /// <summary>Unsigned 16-bit integer.</summary>
    UInt16 = 10,
    /// <summary>Unsigned 32-bit integer, fixed.</summary>
    UInt32 = 11,
    /// <summary>Unsigned 32-bit integer, varint.</summary>
    VarUInt32 = 12,
    /// <summary>Unsigned 64-bit integer, fixed.</summary>
    UInt64 = 13,
    /// <summary>Unsigned 64-bit integer, varint.</summary>
    VarUInt64 = 14,
    /// <summary>Unsigned 64-bit integer, tagged.</summary>
    TaggedUInt64 = 15,
    /// <summary>8-bit float (not supported).</summary>
    Float8 = 16,
    /// <summary>IEEE half float.</summary>
    Float16 = 17,
    /// <summary>bfloat16.</summary>
    BFloat16 = 18,
    /// <summary>IEEE single.</summary>
    Float32 = 19,
    /// <summary>IEEE double.</summary>
    Float64 = 20,
    /// <summary>String.</summary>
    String = 21,
    /// <summary>List.</summary>
    List = 22,
    /// <summary>Set.</summary>
    Set = 23,
    /// <summary>Map.</summary>
    Map = 24,
    /// <summary>Enum (by id; also the enum field type in TypeDefs).</summary>
    Enum = 25,
    /// <summary>Enum registered by name.</summary>
    NamedEnum = 26,
    /// <summary>Struct registered by id.</summary>
    Struct = 27,
    /// <summary>Compatible struct registered by id.</summary>
    CompatibleStruct = 28,
    /// <summary>Struct registered by name.</summary>
    NamedStruct = 29,
    /// <summary>Compatible struct registered by name: Aster records.</summary>
    NamedCompatibleStruct = 30,
    /// <summary>Extension type.</summary>
    Ext = 31,
    /// <summary>Named extension type.</summary>
    NamedExt = 32,
    /// <summary>Union.</summary>
    Union = 33,
    /// <summary>Typed union.</summary>
    TypedUnion = 34,
    /// <summary>Named union.</summary>
    NamedUnion = 35,
    /// <summary>None.</summary>
    None = 36,
    /// <summary>Duration (not written by Aster).</summary>
    Duration = 37,
    /// <summary>Timestamp: int64 seconds + uint32 nanoseconds.</summary>
    Timestamp = 38,
    /// <summary>Date: int32 days since 1970-01-01.</summary>
    Date = 39,
    /// <summary>Decimal (not written by Aster).</summary>
    Decimal = 40,
    /// <summary>Binary.</summary>
    Binary = 41,
    /// <summary>Generic array.</summary>
    Array = 42,
    /// <summary>Typed array of bool.</summary>
    BoolArray = 43,
    /// <summary>Typed array of int8.</summary>
    Int8Array = 44,
    /// <summary>Typed array of int16.</summary>
    Int16Array = 45,
    /// <summary>Typed array of int32.</summary>
    Int32Array = 46,
    /// <summary>Typed array of int64.</summary>
    Int64Array = 47,
    /// <summary>Typed array of uint8.</summary>
    UInt8Array = 48,
    /// <summary>Typed array of uint16.</summary>
    UInt16Array = 49,
    /// <summary>Typed array of uint32.</summary>
    UInt32Array = 50,
    /// <summary>Typed array of uint64.</summary>
    UInt64Array = 51,
    /// <summary>Typed array of float8.</summary>
    Float8Array = 52,
    /// <summary>Typed array of float16.</summary>
    Float16Array = 53,
    /// <summary>Typed array of bfloat16.</summary>
    BFloat16Array = 54,
    /// <summary>Typed array of float32.</summary>
    Float32Array = 55,
    /// <summary>Typed array of float64.</summary>
    Float64Array = 56,
}
