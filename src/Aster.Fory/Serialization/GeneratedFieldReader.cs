using System.ComponentModel;
using Aster.Fory.IO;

namespace Aster.Fory.Serialization;

/// <summary>
/// The reader a generated serializer reads fields with: the same primitives the runtime member codecs use, and
/// <see cref="ReadField{T, TField}"/> for member kinds (and reference flags) the generator does not specialise. Not
/// for hand-written code.
/// </summary>
/// <remarks>Not generic, for the reason given on <see cref="ForyFieldWriter"/>.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public ref struct ForyFieldReader
{
    internal ForyReader Reader;
    private readonly ReadContext _context;
    private readonly object _members;

    internal ForyFieldReader(ForyReader reader, ReadContext context, object members)
    {
        Reader = reader;
        _context = context;
        _members = members;
    }

    /// <summary>
    /// Reads the flag of a nullable member when it is <c>fd</c> (returns 0, null) or <c>ff</c> (returns 1, a value
    /// follows); for any other flag reads nothing and returns 2: read the member with <see cref="ReadField{T, TField}"/>.
    /// </summary>
    public int ReadNullFlag()
    {
        if (Reader.Remaining > 0)
        {
            byte flag = Reader.PeekByte();
            if (flag == 0xFD)
            {
                Reader.ReadByte();
                return 0;
            }

            if (flag == 0xFF)
            {
                Reader.ReadByte();
                return 1;
            }
        }

        return 2;
    }

    /// <summary>Reads a string within the string size limit.</summary>
    public string ReadString() => Reader.ReadString(_context.Options.MaxStringBytes);

    /// <summary>Reads a bool.</summary>
    public bool ReadBool() => Reader.ReadBool();

    /// <summary>Reads an int8.</summary>
    public sbyte ReadInt8() => Reader.ReadInt8();

    /// <summary>Reads a uint8.</summary>
    public byte ReadUInt8() => Reader.ReadByte();

    /// <summary>Reads an int16.</summary>
    public short ReadInt16() => Reader.ReadInt16();

    /// <summary>Reads a uint16.</summary>
    public ushort ReadUInt16() => Reader.ReadUInt16();

    /// <summary>Reads a fixed-width int32.</summary>
    public int ReadInt32() => Reader.ReadInt32();

    /// <summary>Reads a fixed-width uint32.</summary>
    public uint ReadUInt32() => Reader.ReadUInt32();

    /// <summary>Reads a zigzag varint32.</summary>
    public int ReadVarInt32() => Reader.ReadVarInt32();

    /// <summary>Reads a varuint32.</summary>
    public uint ReadVarUInt32() => Reader.ReadVarUInt32();

    /// <summary>Reads a fixed-width int64.</summary>
    public long ReadInt64() => Reader.ReadInt64();

    /// <summary>Reads a fixed-width uint64.</summary>
    public ulong ReadUInt64() => Reader.ReadUInt64();

    /// <summary>Reads a zigzag varint64.</summary>
    public long ReadVarInt64() => Reader.ReadVarInt64();

    /// <summary>Reads a Fory varuint64.</summary>
    public ulong ReadVarUInt64() => Reader.ReadVarUInt64();

    /// <summary>Reads a float32.</summary>
    public float ReadFloat32() => Reader.ReadFloat32();

    /// <summary>Reads a float64.</summary>
    public double ReadFloat64() => Reader.ReadFloat64();

    /// <summary>Reads a member through the runtime codec of field <paramref name="field"/> (flags included).</summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <typeparam name="TField">The member's declared type.</typeparam>
    /// <param name="field">The field's index in Fory order.</param>
    public TField ReadField<T, TField>(int field) =>
        ((MemberCodec<T, TField>)((MemberCodec<T>[])_members)[field]).ReadValue(ref Reader, _context);
}
