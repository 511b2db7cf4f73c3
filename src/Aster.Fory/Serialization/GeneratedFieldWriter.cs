using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Aster.Fory.IO;
using Aster.Fory.Types;

namespace Aster.Fory.Serialization;

/// <summary>
/// The writer a generated serializer writes fields with: the same primitives the runtime member codecs use, and
/// <see cref="WriteField{T, TField}"/> for member kinds the generator does not specialise. Not for hand-written code.
/// </summary>
/// <remarks>
/// Not generic, so its methods are compiled once and inline into the generated code whatever the record type (a
/// generic struct over a reference type would run shared code through instantiating stubs).
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public ref struct ForyFieldWriter
{
    internal ForyWriter Writer;
    private readonly WriteContext _context;
    private readonly object _members;
    private readonly WireTypeModel _model;

    internal ForyFieldWriter(ForyWriter writer, WriteContext context, object members, WireTypeModel model)
    {
        Writer = writer;
        _context = context;
        _members = members;
        _model = model;
    }

    /// <summary>Writes a non-nullable string member.</summary>
    /// <param name="value">The value.</param>
    /// <param name="field">The field's index in Fory order (names the member when it is null).</param>
    /// <exception cref="ForyEncodeException">The value is null.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteString(string value, int field)
    {
        if (value is null)
        {
            NullMember(field);
        }

        Writer.WriteString(value);
    }

    /// <summary>Writes the null flag <c>fd</c> of a nullable member.</summary>
    public void WriteNull() => Writer.WriteByte(0xFD);

    /// <summary>Writes the not-null flag <c>ff</c> of a nullable member, before its value.</summary>
    public void WriteNotNull() => Writer.WriteByte(0xFF);

    /// <summary>Writes a nullable string member: flag, then the value.</summary>
    /// <param name="value">The value or null.</param>
    public void WriteNullableString(string? value)
    {
        if (value is null)
        {
            Writer.WriteByte(0xFD);
            return;
        }

        Writer.WriteByte(0xFF);
        Writer.WriteString(value);
    }

    /// <summary>Writes a bool (one byte).</summary>
    /// <param name="value">The value.</param>
    public void WriteBool(bool value) => Writer.WriteBool(value);

    /// <summary>Writes an int8.</summary>
    /// <param name="value">The value.</param>
    public void WriteInt8(sbyte value) => Writer.WriteInt8(value);

    /// <summary>Writes a uint8.</summary>
    /// <param name="value">The value.</param>
    public void WriteUInt8(byte value) => Writer.WriteByte(value);

    /// <summary>Writes an int16, little-endian.</summary>
    /// <param name="value">The value.</param>
    public void WriteInt16(short value) => Writer.WriteInt16(value);

    /// <summary>Writes a uint16, little-endian.</summary>
    /// <param name="value">The value.</param>
    public void WriteUInt16(ushort value) => Writer.WriteInt16((short)value);

    /// <summary>Writes a fixed-width int32.</summary>
    /// <param name="value">The value.</param>
    public void WriteInt32(int value) => Writer.WriteInt32(value);

    /// <summary>Writes a fixed-width uint32.</summary>
    /// <param name="value">The value.</param>
    public void WriteUInt32(uint value) => Writer.WriteInt32((int)value);

    /// <summary>Writes a zigzag varint32.</summary>
    /// <param name="value">The value.</param>
    public void WriteVarInt32(int value) => Writer.WriteVarInt32(value);

    /// <summary>Writes a varuint32.</summary>
    /// <param name="value">The value.</param>
    public void WriteVarUInt32(uint value) => Writer.WriteVarUInt32(value);

    /// <summary>Writes a fixed-width int64.</summary>
    /// <param name="value">The value.</param>
    public void WriteInt64(long value) => Writer.WriteInt64(value);

    /// <summary>Writes a fixed-width uint64.</summary>
    /// <param name="value">The value.</param>
    public void WriteUInt64(ulong value) => Writer.WriteUInt64(value);

    /// <summary>Writes a zigzag varint64.</summary>
    /// <param name="value">The value.</param>
    public void WriteVarInt64(long value) => Writer.WriteVarInt64(value);

    /// <summary>Writes a Fory varuint64.</summary>
    /// <param name="value">The value.</param>
    public void WriteVarUInt64(ulong value) => Writer.WriteVarUInt64(value);

    /// <summary>Writes a float32.</summary>
    /// <param name="value">The value.</param>
    public void WriteFloat32(float value) => Writer.WriteFloat32(value);

    /// <summary>Writes a float64.</summary>
    /// <param name="value">The value.</param>
    public void WriteFloat64(double value) => Writer.WriteFloat64(value);

    /// <summary>Writes a member through the runtime codec of field <paramref name="field"/> (flags included).</summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <typeparam name="TField">The member's declared type.</typeparam>
    /// <param name="field">The field's index in Fory order.</param>
    /// <param name="value">The value.</param>
    public void WriteField<T, TField>(int field, TField value) =>
        ((MemberCodec<T, TField>)((MemberCodec<T>[])_members)[field]).WriteValue(ref Writer, value, _context);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void NullMember(int field) =>
        throw new ForyEncodeException($"member {_model.Fields[field].MemberName} is null but not nullable", _model.ClrType.Name);
}
