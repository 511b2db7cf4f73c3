using System.Globalization;
using Aster.Fory.Dynamic;
using Aster.Fory.IO;
using Aster.Fory.Types;

namespace Aster.Fory.Serialization;

internal static class Convert2
{
    public static long Signed(ForyValue v) => v switch
    {
        ForyInt i => i.Value,
        ForyUInt u when u.Value <= long.MaxValue => (long)u.Value,
        ForyBool b => b.Value ? 1 : 0,
        _ => throw new ForyDecodeException($"a {v.TypeId} value is not an integer"),
    };

    public static ulong Unsigned(ForyValue v) => v switch
    {
        ForyUInt u => u.Value,
        ForyInt i when i.Value >= 0 => (ulong)i.Value,
        _ => throw new ForyDecodeException($"a {v.TypeId} value is not a non-negative integer"),
    };

    public static T Checked<T>(Func<T> f)
    {
        try
        {
            return f();
        }
        catch (OverflowException e)
        {
            throw new ForyDecodeException("integer value out of range for the local member", inner: e);
        }
    }
}

internal sealed class BoolCodec() : ForyCodec<bool>(new ForyFieldType(ForyTypeId.Bool))
{
    public override void Write(ref ForyWriter w, bool value, WriteContext ctx) => w.WriteBool(value);

    public override bool Read(ref ForyReader r, ReadContext ctx) => r.ReadBool();

    public override bool FromDynamic(ForyValue value) => value is ForyBool b ? b.Value : base.FromDynamic(value);
}

internal sealed class Int8Codec() : ForyCodec<sbyte>(new ForyFieldType(ForyTypeId.Int8))
{
    public override void Write(ref ForyWriter w, sbyte value, WriteContext ctx) => w.WriteInt8(value);

    public override sbyte Read(ref ForyReader r, ReadContext ctx) => r.ReadInt8();

    public override sbyte FromDynamic(ForyValue value) => Convert2.Checked(() => checked((sbyte)Convert2.Signed(value)));
}

internal sealed class Int16Codec() : ForyCodec<short>(new ForyFieldType(ForyTypeId.Int16))
{
    public override void Write(ref ForyWriter w, short value, WriteContext ctx) => w.WriteInt16(value);

    public override short Read(ref ForyReader r, ReadContext ctx) => r.ReadInt16();

    public override short FromDynamic(ForyValue value) => Convert2.Checked(() => checked((short)Convert2.Signed(value)));
}

internal sealed class Int32Codec(bool fixedWidth) : ForyCodec<int>(new ForyFieldType(fixedWidth ? ForyTypeId.Int32 : ForyTypeId.VarInt32))
{
    public override void Write(ref ForyWriter w, int value, WriteContext ctx)
    {
        if (fixedWidth)
        {
            w.WriteInt32(value);
        }
        else
        {
            w.WriteVarInt32(value);
        }
    }

    public override int Read(ref ForyReader r, ReadContext ctx) => fixedWidth ? r.ReadInt32() : r.ReadVarInt32();

    public override int FromDynamic(ForyValue value) => Convert2.Checked(() => checked((int)Convert2.Signed(value)));
}

internal sealed class Int64Codec(bool fixedWidth) : ForyCodec<long>(new ForyFieldType(fixedWidth ? ForyTypeId.Int64 : ForyTypeId.VarInt64))
{
    public override void Write(ref ForyWriter w, long value, WriteContext ctx)
    {
        if (fixedWidth)
        {
            w.WriteInt64(value);
        }
        else
        {
            w.WriteVarInt64(value);
        }
    }

    public override long Read(ref ForyReader r, ReadContext ctx) => fixedWidth ? r.ReadInt64() : r.ReadVarInt64();

    public override long FromDynamic(ForyValue value) => Convert2.Signed(value);
}

internal sealed class UInt8Codec() : ForyCodec<byte>(new ForyFieldType(ForyTypeId.UInt8))
{
    public override void Write(ref ForyWriter w, byte value, WriteContext ctx) => w.WriteByte(value);

    public override byte Read(ref ForyReader r, ReadContext ctx) => r.ReadByte();

    public override byte FromDynamic(ForyValue value) => Convert2.Checked(() => checked((byte)Convert2.Unsigned(value)));
}

internal sealed class UInt16Codec() : ForyCodec<ushort>(new ForyFieldType(ForyTypeId.UInt16))
{
    public override void Write(ref ForyWriter w, ushort value, WriteContext ctx) => w.WriteInt16((short)value);

    public override ushort Read(ref ForyReader r, ReadContext ctx) => r.ReadUInt16();

    public override ushort FromDynamic(ForyValue value) => Convert2.Checked(() => checked((ushort)Convert2.Unsigned(value)));
}

internal sealed class UInt32Codec(bool fixedWidth) : ForyCodec<uint>(new ForyFieldType(fixedWidth ? ForyTypeId.UInt32 : ForyTypeId.VarUInt32))
{
    public override void Write(ref ForyWriter w, uint value, WriteContext ctx)
    {
        if (fixedWidth)
        {
            w.WriteInt32((int)value);
        }
        else
        {
            w.WriteVarUInt32(value);
        }
    }

    public override uint Read(ref ForyReader r, ReadContext ctx) => fixedWidth ? r.ReadUInt32() : r.ReadVarUInt32();

    public override uint FromDynamic(ForyValue value) => Convert2.Checked(() => checked((uint)Convert2.Unsigned(value)));
}

internal sealed class UInt64Codec(bool fixedWidth) : ForyCodec<ulong>(new ForyFieldType(fixedWidth ? ForyTypeId.UInt64 : ForyTypeId.VarUInt64))
{
    public override void Write(ref ForyWriter w, ulong value, WriteContext ctx)
    {
        if (fixedWidth)
        {
            w.WriteUInt64(value);
        }
        else
        {
            w.WriteVarUInt64(value);
        }
    }

    public override ulong Read(ref ForyReader r, ReadContext ctx) => fixedWidth ? r.ReadUInt64() : r.ReadVarUInt64();

    public override ulong FromDynamic(ForyValue value) => Convert2.Unsigned(value);
}

internal sealed class Float32Codec() : ForyCodec<float>(new ForyFieldType(ForyTypeId.Float32))
{
    public override void Write(ref ForyWriter w, float value, WriteContext ctx) => w.WriteFloat32(value);

    public override float Read(ref ForyReader r, ReadContext ctx) => r.ReadFloat32();

    public override float FromDynamic(ForyValue value) => value is ForyFloat f ? (float)f.Value : base.FromDynamic(value);
}

internal sealed class Float64Codec() : ForyCodec<double>(new ForyFieldType(ForyTypeId.Float64))
{
    public override void Write(ref ForyWriter w, double value, WriteContext ctx) => w.WriteFloat64(value);

    public override double Read(ref ForyReader r, ReadContext ctx) => r.ReadFloat64();

    public override double FromDynamic(ForyValue value) => value switch
    {
        ForyFloat f => f.Value,
        ForyInt i => i.Value,
        ForyUInt u => u.Value,
        _ => base.FromDynamic(value),
    };
}

internal sealed class StringCodec() : ForyCodec<string>(new ForyFieldType(ForyTypeId.String))
{
    public override void Write(ref ForyWriter w, string value, WriteContext ctx) => w.WriteString(value);

    public override string Read(ref ForyReader r, ReadContext ctx) => r.ReadString(ctx.Options.MaxStringBytes);

    public override string DefaultValue => string.Empty;

    public override string FromDynamic(ForyValue value) => value is ForyString s ? s.Value : base.FromDynamic(value);
}

internal sealed class GuidCodec() : ForyCodec<Guid>(new ForyFieldType(ForyTypeId.String))
{
    public override void Write(ref ForyWriter w, Guid value, WriteContext ctx) => w.WriteString(value.ToString("D"));

    public override Guid Read(ref ForyReader r, ReadContext ctx)
    {
        int at = r.Position;
        string s = r.ReadString(ctx.Options.MaxStringBytes);
        return Guid.TryParse(s, out Guid g) ? g : throw new ForyDecodeException($"'{s}' is not a GUID", at);
    }

    public override Guid FromDynamic(ForyValue value) =>
        value is ForyString s && Guid.TryParse(s.Value, out Guid g) ? g : base.FromDynamic(value);
}

internal sealed class BinaryCodec() : ForyCodec<byte[]>(new ForyFieldType(ForyTypeId.Binary))
{
    public override void Write(ref ForyWriter w, byte[] value, WriteContext ctx) => w.WriteBinary(value);

    public override byte[] Read(ref ForyReader r, ReadContext ctx) => r.ReadBinarySpan(ctx.Options.MaxBinaryBytes).ToArray();

    public override byte[] DefaultValue => [];

    public override byte[] FromDynamic(ForyValue value) => value is ForyBinary b ? b.Value.ToArray() : base.FromDynamic(value);
}

internal sealed class MemoryCodec() : ForyCodec<ReadOnlyMemory<byte>>(new ForyFieldType(ForyTypeId.Binary))
{
    public override void Write(ref ForyWriter w, ReadOnlyMemory<byte> value, WriteContext ctx) => w.WriteBinary(value.Span);

    public override ReadOnlyMemory<byte> Read(ref ForyReader r, ReadContext ctx) => r.ReadBinarySpan(ctx.Options.MaxBinaryBytes).ToArray();

    public override ReadOnlyMemory<byte> FromDynamic(ForyValue value) => value is ForyBinary b ? b.Value : base.FromDynamic(value);
}

internal sealed class MutableMemoryCodec() : ForyCodec<Memory<byte>>(new ForyFieldType(ForyTypeId.Binary))
{
    public override void Write(ref ForyWriter w, Memory<byte> value, WriteContext ctx) => w.WriteBinary(value.Span);

    public override Memory<byte> Read(ref ForyReader r, ReadContext ctx) => r.ReadBinarySpan(ctx.Options.MaxBinaryBytes).ToArray();

    public override Memory<byte> FromDynamic(ForyValue value) => value is ForyBinary b ? b.Value.ToArray() : base.FromDynamic(value);
}

internal static class TimeIO
{
    public static void WriteTicks(ref ForyWriter w, long utcTicksSinceEpoch)
    {
        long seconds = Math.DivRem(utcTicksSinceEpoch, TimeSpan.TicksPerSecond, out long rem);
        if (rem < 0)
        {
            seconds--;
            rem += TimeSpan.TicksPerSecond;
        }

        w.WriteInt64(seconds);
        w.WriteInt32((int)(rem * 100));
    }

    public static long ReadTicks(ref ForyReader r)
    {
        long seconds = r.ReadInt64();
        uint nanos = r.ReadUInt32();
        if (nanos >= 1_000_000_000)
        {
            r.Fail($"timestamp nanoseconds {nanos} out of range");
        }

        return ToTicks(ref r, seconds, nanos);
    }

    private const long MinSeconds = -62135596800L;
    private const long MaxSeconds = 253402300799L;

    public static long ToTicks(ref ForyReader r, long seconds, uint nanos)
    {
        if (seconds < MinSeconds || seconds > MaxSeconds)
        {
            r.Fail($"timestamp {seconds} s is outside the DateTime range");
        }

        return (seconds * TimeSpan.TicksPerSecond) + (nanos / 100);
    }

    public static long ToTicks(ForyTimestamp t)
    {
        if (t.Seconds < MinSeconds || t.Seconds > MaxSeconds)
        {
            throw new ForyDecodeException($"timestamp {t.Seconds} s is outside the DateTime range");
        }

        return (t.Seconds * TimeSpan.TicksPerSecond) + (t.Nanoseconds / 100);
    }
}

internal sealed class DateTimeCodec() : ForyCodec<DateTime>(new ForyFieldType(ForyTypeId.Timestamp))
{
    public override void Write(ref ForyWriter w, DateTime value, WriteContext ctx)
    {
        DateTime utc = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value;
        TimeIO.WriteTicks(ref w, utc.Ticks - DateTime.UnixEpoch.Ticks);
    }

    public override DateTime Read(ref ForyReader r, ReadContext ctx) =>
        new(DateTime.UnixEpoch.Ticks + TimeIO.ReadTicks(ref r), DateTimeKind.Utc);

    public override DateTime FromDynamic(ForyValue value) => value is ForyTimestamp t
        ? new DateTime(DateTime.UnixEpoch.Ticks + TimeIO.ToTicks(t), DateTimeKind.Utc)
        : base.FromDynamic(value);
}

internal sealed class DateTimeOffsetCodec() : ForyCodec<DateTimeOffset>(new ForyFieldType(ForyTypeId.Timestamp))
{
    public override void Write(ref ForyWriter w, DateTimeOffset value, WriteContext ctx) =>
        TimeIO.WriteTicks(ref w, value.UtcTicks - DateTime.UnixEpoch.Ticks);

    public override DateTimeOffset Read(ref ForyReader r, ReadContext ctx) =>
        new(DateTime.UnixEpoch.Ticks + TimeIO.ReadTicks(ref r), TimeSpan.Zero);

    public override DateTimeOffset FromDynamic(ForyValue value) => value is ForyTimestamp t
        ? new DateTimeOffset(DateTime.UnixEpoch.Ticks + TimeIO.ToTicks(t), TimeSpan.Zero)
        : base.FromDynamic(value);
}

internal sealed class DateOnlyCodec() : ForyCodec<DateOnly>(new ForyFieldType(ForyTypeId.Date))
{
    private const int EpochDayNumber = 719162;

    public override void Write(ref ForyWriter w, DateOnly value, WriteContext ctx) => w.WriteInt32(value.DayNumber - EpochDayNumber);

    public override DateOnly Read(ref ForyReader r, ReadContext ctx)
    {
        int at = r.Position;
        long day = (long)r.ReadInt32() + EpochDayNumber;
        if (day < 0 || day > DateOnly.MaxValue.DayNumber)
        {
            throw new ForyDecodeException("date outside the DateOnly range", at);
        }

        return DateOnly.FromDayNumber((int)day);
    }

    public override DateOnly FromDynamic(ForyValue value)
    {
        if (value is ForyDate d)
        {
            long day = (long)d.Days + EpochDayNumber;
            if (day >= 0 && day <= DateOnly.MaxValue.DayNumber)
            {
                return DateOnly.FromDayNumber((int)day);
            }
        }

        return base.FromDynamic(value);
    }
}

/// <summary>A nullable value type: the wrapped codec writes the value; null flags are the member's business.</summary>
internal sealed class NullableCodec<TValue>(ForyCodec<TValue> inner) : ForyCodec<TValue?>(inner.FieldType)
    where TValue : struct
{
    public ForyCodec<TValue> Inner { get; } = inner;

    public override bool MayContainRecords => Inner.MayContainRecords;

    public override void Write(ref ForyWriter w, TValue? value, WriteContext ctx) => Inner.Write(ref w, value!.Value, ctx);

    public override TValue? Read(ref ForyReader r, ReadContext ctx) => Inner.Read(ref r, ctx);

    public override TValue? FromDynamic(ForyValue value) => value is ForyNull ? null : Inner.FromDynamic(value);
}

/// <summary>Enums as varuint32 wire values (B7).</summary>
internal sealed class EnumCodec<TEnum> : ForyCodec<TEnum>
    where TEnum : struct, Enum
{
    private readonly Dictionary<TEnum, uint> _toWire = [];
    private readonly Dictionary<uint, TEnum> _fromWire = [];
    private readonly Dictionary<string, TEnum> _byName = new(StringComparer.OrdinalIgnoreCase);

    public EnumCodec()
        : base(new ForyFieldType(ForyTypeId.Enum))
    {
        TEnum[] values = Enum.GetValues<TEnum>();
        ulong[] raw = values.Select(v => Convert.ToUInt64(Convert.ToInt64(v, CultureInfo.InvariantCulture) < 0 ? ulong.MaxValue : Convert.ToUInt64(v, CultureInfo.InvariantCulture))).ToArray();
        bool byValue = raw.All(v => v <= uint.MaxValue) && raw.Distinct().Count() == raw.Length;
        for (int i = 0; i < values.Length; i++)
        {
            uint wire = byValue ? (uint)raw[i] : (uint)i;
            _toWire.TryAdd(values[i], wire);
            _fromWire.TryAdd(wire, values[i]);
            _byName.TryAdd(values[i].ToString(), values[i]);
        }
    }

    public override void Write(ref ForyWriter w, TEnum value, WriteContext ctx)
    {
        if (!_toWire.TryGetValue(value, out uint wire))
        {
            throw new ForyEncodeException($"{value} is not a declared member of {typeof(TEnum).Name}");
        }

        w.WriteVarUInt32(wire);
    }

    public override TEnum Read(ref ForyReader r, ReadContext ctx)
    {
        int at = r.Position;
        uint wire = r.ReadVarUInt32();
        return _fromWire.TryGetValue(wire, out TEnum v) ? v : throw new ForyDecodeException($"unknown {typeof(TEnum).Name} value {wire}", at);
    }

    public override TEnum FromDynamic(ForyValue value)
    {
        switch (value)
        {
            case ForyEnumValue e when _fromWire.TryGetValue(e.Value, out TEnum v):
                return v;
            case ForyString s when _byName.TryGetValue(s.Value, out TEnum v):
                return v;
            case ForyInt or ForyUInt:
                ulong u = Convert2.Unsigned(value);
                if (u <= uint.MaxValue && _fromWire.TryGetValue((uint)u, out TEnum v2))
                {
                    return v2;
                }

                break;
        }

        throw new ForyDecodeException($"{value} is not a member of {typeof(TEnum).Name}");
    }
}
